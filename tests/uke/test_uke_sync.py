"""`lmstv uke sync` on current LMS (28) databases, both engines: the TV tariff assignment of
value 0 on the nodes of customers with active SMS services, kept in step, and what LMS 28's UKE
PIT report (modules/ukepit.php) selects from it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.lms import flavour
from bridge.lms.db import connect
from bridge.uke import TARIFF_NAME, UkeSyncError, sync
from tests.lmsrows import insert_customer

NOW = 1_733_000_000
# LMS lib/definitions.php: the periods ukepit.php counts (YEARLY, HALFYEARLY, QUARTERLY,
# MONTHLY, DISPOSABLE)
PIT_PERIODS = (5, 7, 4, 3, 0)


@pytest.fixture
def lms_flavour() -> str:
    return "lms28"


@pytest.fixture
def db(billing_db):
    """A current-LMS database with lmstv's schema (cloned from the migrated template: a
    migration run here would change the schema, and the database could not be reused)."""
    billing_db.execute("INSERT INTO taxes (value, taxed, label, validfrom, validto) "
                       "VALUES (23, 1, '23%', 0, 0)")
    billing_db.raw.commit()
    return billing_db


def add_node(db, owner: int, name: str, ip: int) -> int:
    net = db.scalar("SELECT MIN(id) AS id FROM networks")
    if net is None:
        net = db.insert_id("INSERT INTO networks (name, address, mask, notes) "
                           "VALUES ('LAN', 167772160, '255.255.255.0', '')", [], "networks")
    return db.insert_id("INSERT INTO nodes (name, ipaddr, netid, ownerid, access, info) "
                        "VALUES (%s, %s, %s, %s, 1, '')", [name, 167772160 + ip, net, owner],
                        "nodes")


def pit_services(db, at: int = NOW) -> dict[int, set[str]]:
    """Service types per node as ukepit.php's node query groups them (its WHERE, for TV)."""
    rows = db.query(
        "SELECT na.nodeid, t.type FROM nodeassignments na "
        "JOIN nodes n ON n.id = na.nodeid "
        "JOIN assignments a ON a.id = na.assignmentid "
        "JOIN tariffs t ON t.id = a.tariffid "
        "WHERE n.ownerid IS NOT NULL AND n.access = 1 AND a.commited = 1 "
        "AND a.suspended = 0 AND a.period IN (%s, %s, %s, %s, %s) AND a.datefrom < %s "
        "AND (a.dateto = 0 OR a.dateto > %s)", [*PIT_PERIODS, at, at])
    out: dict[int, set[str]] = {}
    for r in rows:
        kind = {1: "INT", 4: "TEL", 5: "TV"}.get(int(r["type"]), "INT")
        out.setdefault(int(r["nodeid"]), set()).add(kind)
    return out


def test_sync_binds_tv_to_active_customers_nodes_and_follows_sms(db):
    a = insert_customer(db, {"lastname": "Aktywny", "name": "Jan", "tv_cust_number": "1001"})
    b = insert_customer(db, {"lastname": "Bez", "name": "Usług", "tv_cust_number": "1002"})
    c = insert_customer(db, {"lastname": "Cichy", "name": "Bez węzłów"})
    a1, a2 = add_node(db, a, "A1", 1), add_node(db, a, "A2", 2)
    b1 = add_node(db, b, "B1", 3)
    db.raw.commit()

    dry = sync(db, {a, c}, dry_run=True, now=NOW)
    assert dry.started == [a, c] and dry.nodes_bound == 2
    assert db.scalar("SELECT COUNT(*) AS n FROM assignments") == 0
    assert db.scalar("SELECT COUNT(*) AS n FROM tariffs") == 0

    first = sync(db, {a, c}, now=NOW)
    assert first.started == [a, c] and first.nodes_bound == 2 and not first.ended
    tariff = db.one("SELECT * FROM tariffs WHERE id = %s", [first.tariff_id])
    assert tariff["name"] == TARIFF_NAME and int(tariff["type"]) == flavour.SERVICE_TV
    assert Decimal(tariff["value"]) == 0
    assert pit_services(db) == {a1: {"TV"}, a2: {"TV"}}
    assert b1 not in pit_services(db)
    # nobody pays for it: value 0 (lms-payments skips assignments without a value)
    assigned = db.query("SELECT customerid, invoice, suspended FROM assignments ORDER BY id")
    assert [(r["customerid"], r["invoice"], r["suspended"]) for r in assigned] == \
        [(a, 0, 0), (c, 0, 0)]

    again = sync(db, {a, c}, now=NOW + 60)
    assert not again.changed and again.tariff_id == first.tariff_id

    a3 = add_node(db, a, "A3", 4)
    db.raw.commit()
    later = sync(db, {a}, now=NOW + 120)
    assert later.ended == [c] and later.nodes_bound == 1 and not later.started
    assert pit_services(db, NOW + 180) == {a1: {"TV"}, a2: {"TV"}, a3: {"TV"}}

    ended = sync(db, set(), now=NOW + 240)
    assert ended.ended == [a]
    assert pit_services(db, NOW + 300) == {}
    # history kept; a customer coming back gets a new assignment
    back = sync(db, {a}, now=NOW + 360)
    assert back.started == [a] and back.nodes_bound == 3
    assert pit_services(db, NOW + 420) == {a1: {"TV"}, a2: {"TV"}, a3: {"TV"}}
    assert db.scalar("SELECT COUNT(*) AS n FROM assignments WHERE customerid = %s", [a]) == 2


def test_sync_with_nobody_active_creates_nothing(db):
    result = sync(db, set(), now=NOW)
    assert not result.changed and result.tariff_id is None
    assert db.scalar("SELECT COUNT(*) AS n FROM tariffs") == 0


@pytest.mark.parametrize("lms_flavour", ["lms1117"])
def test_sync_refuses_lms_1_11_17(lms_db_config):
    conn = connect(lms_db_config)
    try:
        with pytest.raises(UkeSyncError, match="current LMS"):
            sync(conn, {1}, now=NOW)
    finally:
        conn.close()
