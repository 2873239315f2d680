"""LMS 28's real UKE PIT report (modules/ukepit.php, "customer services") after `lmstv uke
sync`, both engines: a customer with an active SMS service is reported with
``ua18_telewizja_cyfrowa`` = "Tak", one without with "Nie".  The module is LMS's own, run through
PHP the way LMS's bin/lms-stub.php starts a script (tests/uke/run_ukepit.php)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import pytest

from bridge.lms.db import connect
from bridge.lms.migrate import migrate
from bridge.uke import sync
from tests.e2e import lms28 as lms28_tree
from tests.lmsrows import insert_customer

HARNESS = Path(__file__).with_name("run_ukepit.php")
NOW_OFFSET = 3600


@pytest.fixture(scope="module")
def lms28_dir(tmp_path_factory) -> Path:
    return lms28_tree.php_tree(tmp_path_factory.mktemp("lms28-ukepit"))


@pytest.fixture
def lms_flavour() -> str:
    return "lms28"


def ukepit_csv(lms: Path, cfg, tmp_path: Path) -> list[dict[str, str]]:
    ini = tmp_path / "lms.ini"
    ini.write_text(lms28_tree.lms_ini_text(cfg, f"[directories]\nsys_dir = {lms}\n"))
    run = subprocess.run(["php", str(HARNESS), "-C", str(ini), "-q"], cwd=lms,
                         env={**os.environ, "LMS_DIR": str(lms)},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.stdout, run.stderr)
    text = run.stdout
    assert text.startswith('"ua01_id_punktu_adresowego"'), text[:2000]
    return list(csv.DictReader(io.StringIO(text)))


def add_teryt_city(db) -> int:
    """One TERYT place (state, district, borough, city) for the report's TERC/SIMC codes."""
    state = db.insert_id("INSERT INTO location_states (ident, name) VALUES ('12', "
                         "'małopolskie')", [], "location_states")
    district = db.insert_id("INSERT INTO location_districts (name, ident, stateid) VALUES "
                            "('Kraków', '61', %s)", [state], "location_districts")
    borough = db.insert_id("INSERT INTO location_boroughs (name, ident, districtid, type) "
                           "VALUES ('Kraków', '01', %s, 1)", [district], "location_boroughs")
    return db.insert_id("INSERT INTO location_cities (ident, name, boroughid) VALUES "
                        "('0950463', 'Kraków', %s)", [borough], "location_cities")


def add_node(db, owner: int, name: str, ip: int, city: int, house: str) -> int:
    net = db.scalar("SELECT MIN(id) AS id FROM networks")
    if net is None:
        net = db.insert_id("INSERT INTO networks (name, address, mask, notes) "
                           "VALUES ('LAN', 167772160, '255.255.255.0', '')", [], "networks")
    address = db.insert_id("INSERT INTO addresses (city, city_id, street, house) VALUES "
                           "('Kraków', %s, 'Polna', %s)", [city, house], "addresses")
    return db.insert_id(
        "INSERT INTO nodes (name, ipaddr, netid, ownerid, access, info, address_id, "
        "longitude, latitude) VALUES (%s, %s, %s, %s, 1, '', %s, 19.94, 50.06)",
        [name, 167772160 + ip, net, owner, address], "nodes")


def test_ukepit_reports_tv_for_the_customer_with_active_sms_services(lms28_dir, lms_db_config,
                                                                     billing_db, tmp_path):
    # billing_db: the database comes from the migrated template (migrate below finds nothing
    # to do, and the schema is the template's, so the database can be reused)
    import time

    db = connect(lms_db_config)
    try:
        migrate(db, out=lambda _line: None)
        db.execute("INSERT INTO taxes (value, taxed, label, validfrom, validto) "
                   "VALUES (23, 1, '23%', 0, 0)")
        city = add_teryt_city(db)
        with_tv = insert_customer(db, {"lastname": "Telewizyjny", "name": "Jan",
                                       "tv_cust_number": "1001"})
        without = insert_customer(db, {"lastname": "Bez", "name": "Telewizji",
                                       "tv_cust_number": "1002"})
        add_node(db, with_tv, "TV1", 1, city, "1")
        other = add_node(db, without, "NOTV1", 2, city, "2")
        # the other customer has internet from LMS, so the report lists its address point too
        tax = db.scalar("SELECT MIN(id) AS id FROM taxes")
        internet = db.insert_id("INSERT INTO tariffs (name, type, value, taxid, description, "
                                "downceil, upceil) VALUES ('Internet', 1, 50, %s, '', 100000, "
                                "20000)", [tax], "tariffs")
        assignment = db.insert_id(
            "INSERT INTO assignments (tariffid, customerid, period, at, datefrom, dateto, "
            "invoice, commited) VALUES (%s, %s, 3, 1, 1, 0, 1, 1)", [internet, without],
            "assignments")
        db.execute("INSERT INTO nodeassignments (nodeid, assignmentid) VALUES (%s, %s)",
                   [other, assignment])
        db.raw.commit()
        # the report counts assignments with datefrom < now: sync an hour back
        result = sync(db, {with_tv}, now=int(time.time()) - NOW_OFFSET)
        assert result.started == [with_tv] and result.nodes_bound == 1
    finally:
        db.close()

    rows = ukepit_csv(lms28_dir, lms_db_config, tmp_path)
    by_house = {r["ua07_nr_porzadkowy"]: r for r in rows}
    assert by_house["1"]["ua18_telewizja_cyfrowa"] == "Tak", rows
    assert by_house["1"]["ua04_terc"] == "1261011" and by_house["1"]["ua05_simc"] == "0950463"
    # the customer without an active SMS service: internet only, no TV
    assert by_house["2"]["ua18_telewizja_cyfrowa"] == "Nie", rows
    assert by_house["2"]["ua16_dostep_stacjonarny"] == "Tak", rows
