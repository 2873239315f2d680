"""LMS finance master data read by TV invoicing: divisions, number plans with their
division assignments, taxes valid on a day, and the documents of a day.

LMS stores times as unix integers in local time; a "day" here is local midnight to the next
local midnight, as LMS's own screens and ``lms-payments`` count it.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from bridge.lms import flavour
from bridge.lms.db import Database

DOC_INVOICE = 1  # LMS lib/definitions.php DOC_INVOICE

DIVISION_COLUMNS = (
    "id", "shortname", "name", "address", "city", "zip", "countryid", "ten", "regon",
    "account", "inv_header", "inv_footer", "inv_author", "inv_cplace", "inv_paytime",
    "inv_paytype", "status",
)


def day_bounds(day: dt.date) -> tuple[int, int]:
    """Unix times of local midnight starting ``day`` and the next day (DST-safe)."""
    nxt = day + dt.timedelta(days=1)
    start = int(time.mktime((day.year, day.month, day.day, 0, 0, 0, 0, 0, -1)))
    end = int(time.mktime((nxt.year, nxt.month, nxt.day, 0, 0, 0, 0, 0, -1)))
    return start, end


def divisions(db: Database) -> dict[int, dict[str, Any]]:
    """All divisions keyed by id (the invoice's seller data comes from here)."""
    rows = db.query(flavour.divisions_sql(db, DIVISION_COLUMNS))
    return {int(r["id"]): {**r, "id": int(r["id"])} for r in rows}


def number_plans(db: Database, doctype: int | None = None) -> list[dict[str, Any]]:
    """Number plans (id, template, period, doctype, isdefault) each with ``divisionids``: the
    divisions it is assigned to (empty = not assigned to any division)."""
    where, params = ("WHERE p.doctype = %s", [int(doctype)]) if doctype is not None else ("", [])
    rows = db.query(
        "SELECT p.id, p.template, p.period, p.doctype, p.isdefault, a.divisionid "
        "FROM numberplans p LEFT JOIN numberplanassignments a ON a.planid = p.id "
        f"{where} ORDER BY p.id, a.divisionid", params)
    plans: dict[int, dict[str, Any]] = {}
    for r in rows:
        plan = plans.setdefault(int(r["id"]), {
            "id": int(r["id"]), "template": r["template"], "period": int(r["period"]),
            "doctype": int(r["doctype"]), "isdefault": int(r["isdefault"]), "divisionids": []})
        if r["divisionid"] is not None:
            plan["divisionids"].append(int(r["divisionid"]))
    return list(plans.values())


def default_number_plan(db: Database, divisionid: int,
                        doctype: int = DOC_INVOICE) -> dict[str, Any] | None:
    """The default plan of a document type for a division, as LMS picks it: a plan marked
    default and assigned to that division; None when there is none."""
    for plan in number_plans(db, doctype):
        if plan["isdefault"] and int(divisionid) in plan["divisionids"]:
            return plan
    return None


def taxes_valid_on(db: Database, day: dt.date) -> list[dict[str, Any]]:
    """Taxes in force on ``day``: validfrom 0 or not after the day, validto 0 or not before it
    (the original module had this comparison inverted)."""
    start, end = day_bounds(day)
    rows = db.query(
        "SELECT id, value, taxed, label, validfrom, validto FROM taxes "
        "WHERE (validfrom = 0 OR validfrom < %s) AND (validto = 0 OR validto >= %s) "
        "ORDER BY value, id", [end, start])
    return [{**r, "id": int(r["id"]), "value": Decimal(r["value"])} for r in rows]


def pick_tax(taxes: list[dict[str, Any]], rate: Decimal, at: int) -> dict[str, Any] | None:
    """The tax row whose percentage equals ``rate`` (a fraction, e.g. 0.23) and which is valid
    at unix time ``at`` -- the one rule TV invoicing and this module share.

    Exact decimal comparison (0.23 finds 23.00, never missed by a float error).  LMS's validity:
    validfrom 0 or <= at, validto 0 or >= at.  Among several, the latest-starting one wins, then
    taxed rates before exempt ("zw.") ones of the same value, then the lowest id.
    """
    percent = (Decimal(str(rate)) * 100).quantize(Decimal("0.01"))
    best: tuple[tuple[int, int, int], dict[str, Any]] | None = None
    for t in taxes:
        if Decimal(t["value"]).quantize(Decimal("0.01")) != percent:
            continue
        vf, vt = int(t["validfrom"] or 0), int(t["validto"] or 0)
        if (vf and vf > at) or (vt and vt < at):
            continue
        key = (vf, int(t["taxed"] or 0), -int(t["id"]))
        if best is None or key > best[0]:
            best = (key, t)
    return best[1] if best else None


def tax_for_rate(db: Database, rate: Decimal, day: dt.date) -> dict[str, Any] | None:
    """The tax in force on ``day`` (at its local midnight, when invoices are dated) whose
    percentage equals ``rate``."""
    return pick_tax(taxes_valid_on(db, day), rate, day_bounds(day)[0])


def documents_of_day(db: Database, day: dt.date, *, doctype: int = DOC_INVOICE,
                     customerid: int | None = None) -> list[dict[str, Any]]:
    """Documents whose sale date (sdate) falls on ``day``, with ``max_itemid``: the highest line
    number already on each (0 when empty), for appending lines."""
    start, end = day_bounds(day)
    params: list[Any] = [int(doctype), start, end]
    extra = ""
    if customerid is not None:
        extra = " AND d.customerid = %s"
        params.append(int(customerid))
    rows = db.query(
        "SELECT d.id, d.type, d.number, d.numberplanid, d.customerid, d.divisionid, d.cdate, "
        "d.sdate, d.closed, d.reference, COALESCE(MAX(ic.itemid), 0) AS max_itemid "
        "FROM documents d LEFT JOIN invoicecontents ic ON ic.docid = d.id "
        f"WHERE d.type = %s AND d.sdate >= %s AND d.sdate < %s{extra} "
        "GROUP BY d.id, d.type, d.number, d.numberplanid, d.customerid, d.divisionid, d.cdate, "
        "d.sdate, d.closed, d.reference ORDER BY d.id", params)
    return [{**r, "id": int(r["id"]), "max_itemid": int(r["max_itemid"])} for r in rows]
