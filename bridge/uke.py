"""TV in LMS's UKE reports (PIT / SIIS) on current LMS: ``lmstv uke sync``.

LMS 28's UKE PIT report (modules/ukepit.php) counts a service at a node when the node is bound
(``nodeassignments``) to an assignment that is committed, not suspended, of a recurring period,
in force now (``datefrom`` < now, ``dateto`` 0 or later), and whose tariff has type
SERVICE_TV (5): the node then reports ``ua18_telewizja_cyfrowa`` = "Tak".  lmstv's TV is sold
in SMS, not through LMS assignments, so without help LMS's reports never show it.

The sync gives every LMS customer with active TV services in SMS one assignment of lmstv's own
TV tariff (``TV JAMBOX (UKE)``, value 0) bound to all of the customer's nodes, and ends it
(``dateto`` = now) when the customer has no active service any more.  Nobody pays more: LMS's
lms-payments skips assignments of value 0, and TV itself is invoiced from SMS's billing events.
Assignments of that tariff belong to the sync; nothing else of LMS is touched.  Everything is
one transaction; a second run with the same SMS state changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.lms import flavour

TARIFF_NAME = "TV JAMBOX (UKE)"
TARIFF_DESCRIPTION = ("lmstv: TV services active in SMS, for LMS's UKE reports only; value 0, "
                      "managed by `lmstv uke sync`")
MONTHLY = 3  # LMS lib/definitions.php: a recurring period the UKE report counts


class UkeSyncError(Exception):
    """The sync cannot run on this LMS (message for the operator)."""


@dataclass
class SyncResult:
    tariff_id: int | None
    started: list[int] = field(default_factory=list)  # customers given the TV assignment
    ended: list[int] = field(default_factory=list)  # customers whose assignment was ended
    nodes_bound: int = 0
    nodes_unbound: int = 0
    active: int = 0  # customers with active SMS services (linked, not deleted)

    @property
    def changed(self) -> bool:
        return bool(self.started or self.ended or self.nodes_bound or self.nodes_unbound)


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def find_tariff(db: Any) -> int | None:
    value = db.scalar("SELECT MIN(id) AS id FROM tariffs WHERE name = %s AND type = %s",
                      [TARIFF_NAME, flavour.SERVICE_TV])
    return int(value) if value is not None else None


def _create_tariff(db: Any) -> int:
    # LMS 28 needs a tax on every tariff; value 0 makes the rate irrelevant, the lowest-id
    # tax LMS has will do.
    taxid = db.scalar("SELECT MIN(id) AS id FROM taxes")
    if taxid is None:
        raise UkeSyncError("LMS has no tax rates (Finanse → Stawki podatkowe); add one first")
    return db.insert_id(
        "INSERT INTO tariffs (name, type, value, taxid, description) VALUES (%s, %s, 0, %s, %s)",
        [TARIFF_NAME, flavour.SERVICE_TV, int(taxid), TARIFF_DESCRIPTION], "tariffs")


def sync(db: Any, active_customers: Iterable[int], *, dry_run: bool = False,
         now: int | None = None) -> SyncResult:
    """Bring lmstv's TV assignments in step with ``active_customers`` (LMS customer ids with
    active SMS services) in one transaction; with ``dry_run`` report and roll back."""
    if not flavour.detect(db).servicetype_columns:
        raise UkeSyncError("TV in the UKE reports needs current LMS (28); LMS 1.11.17's "
                           "reports are not supported")
    at = int(time.time()) if now is None else int(now)
    wanted = {int(c) for c in active_customers}
    result = SyncResult(None, active=len(wanted))
    try:
        with db.transaction():
            _sync(db, wanted, at, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


class _DryRun(Exception):
    pass


def _sync(db: Any, wanted: set[int], at: int, result: SyncResult) -> None:
    tariff = find_tariff(db)
    if tariff is None:
        if not wanted:
            return
        tariff = _create_tariff(db)
    result.tariff_id = tariff
    # lmstv's assignments in force now (or starting later), one per customer
    current = {int(r["customerid"]): int(r["id"]) for r in db.query(
        "SELECT customerid, MAX(id) AS id FROM assignments WHERE tariffid = %s "
        "AND (dateto = 0 OR dateto > %s) GROUP BY customerid", [tariff, at])}
    gone = sorted(set(current) - wanted)
    if gone:
        db.execute(f"UPDATE assignments SET dateto = %s WHERE tariffid = %s AND customerid IN "
                   f"({_marks(len(gone))}) AND (dateto = 0 OR dateto > %s)",
                   [at, tariff, *gone, at])
        result.ended = gone
    existing = {int(r["id"]) for r in db.query("SELECT id FROM customers WHERE deleted = 0")}
    for cid in sorted(wanted - set(current)):
        if cid not in existing:
            continue
        # datefrom one second back: the report counts assignments with datefrom < now
        current[cid] = db.insert_id(
            "INSERT INTO assignments (tariffid, customerid, period, at, datefrom, dateto, "
            "invoice, suspended, commited, note) VALUES (%s, %s, %s, 1, %s, 0, 0, 0, 1, %s)",
            [tariff, cid, MONTHLY, at - 1, "lmstv uke sync"], "assignments")
        result.started.append(cid)
    _bind_nodes(db, {c: a for c, a in current.items() if c in wanted}, result)


def _bind_nodes(db: Any, assignment_of: dict[int, int], result: SyncResult) -> None:
    """Every node of each customer bound to the customer's TV assignment, and nothing else."""
    if not assignment_of:
        return
    ids = sorted(assignment_of.values())
    bound = {(int(r["nodeid"]), int(r["assignmentid"])) for r in db.query(
        f"SELECT nodeid, assignmentid FROM nodeassignments WHERE assignmentid IN "
        f"({_marks(len(ids))})", ids)}
    cids = sorted(assignment_of)
    owned = {(int(r["id"]), assignment_of[int(r["ownerid"])]) for r in db.query(
        f"SELECT id, ownerid FROM nodes WHERE ownerid IN ({_marks(len(cids))})", cids)}
    for nodeid, aid in sorted(owned - bound):
        db.execute("INSERT INTO nodeassignments (nodeid, assignmentid) VALUES (%s, %s)",
                   [nodeid, aid])
        result.nodes_bound += 1
    for nodeid, aid in sorted(bound - owned):
        db.execute("DELETE FROM nodeassignments WHERE nodeid = %s AND assignmentid = %s",
                   [nodeid, aid])
        result.nodes_unbound += 1


# -- who has active TV in SMS ---------------------------------------------------------------------


def active_sms_customers(db: Any, sms: Any, *, today: date | None = None,
                         progress: Callable[[str], None] = lambda _line: None) -> set[int]:
    """LMS ids of linked, not deleted customers with at least one live service on an open,
    active TV account in SMS (the rule ``lmstv reconcile`` uses)."""
    from bridge.reconcile import _as_list, active_services

    today_iso = (today or date.today()).isoformat()
    linked = {str(r["tv_cust_number"]): int(r["id"]) for r in db.query(
        "SELECT id, tv_cust_number FROM customers WHERE tv_cust_number IS NOT NULL "
        "AND deleted = 0")}
    listed = {str(c.get("cust_number") or "") for c in _as_list(sms.custList(""))}
    out: set[int] = set()
    for number, cid in sorted(linked.items(), key=lambda kv: kv[1]):
        if number not in listed:
            continue
        _accounts, count, _money = active_services(sms.custGetSubscriptions(number), {},
                                                   today_iso)
        if count:
            out.add(cid)
        progress(f"{cid} {number}: {count} active service(s)")
    return out
