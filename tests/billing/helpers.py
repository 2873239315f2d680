"""Helpers shared by billing tests: store events, read back invoices and their cash."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bridge.billing.importer import ImportSummary, ingest
from bridge.billing.validation import validate_reply


def store(db: Any, events: list[dict[str, Any]], now: int = 1_700_000_000) -> ImportSummary:
    good, bad = validate_reply(events)
    assert not bad, [b.describe() for b in bad]
    return ingest(db, good, ImportSummary(date(2000, 1, 1), date(2000, 1, 1)), now=now)


def events_by_beid(db: Any) -> dict[int, dict[str, Any]]:
    return {int(r["beid"]): r for r in db.query("SELECT * FROM tv_billing_event ORDER BY beid")}


def invoice_consistency(db: Any) -> list[str]:
    """Every TV-invoiced event on exactly one line with one cash debit, and every invoice's
    total equal to minus the sum of its cash rows; returns the problems found."""
    problems = []
    for ev in db.query("SELECT beid, docid, itemid, be_gross FROM tv_billing_event "
                       "WHERE docid IS NOT NULL"):
        lines = db.query("SELECT value, count FROM invoicecontents WHERE docid = %s AND "
                         "itemid = %s", [ev["docid"], ev["itemid"]])
        cash = db.query("SELECT value FROM cash WHERE docid = %s AND itemid = %s",
                        [ev["docid"], ev["itemid"]])
        if len(lines) != 1 or Decimal(lines[0]["value"]) != Decimal(ev["be_gross"]):
            problems.append(f"event {ev['beid']}: lines {lines}")
        if len(cash) != 1 or Decimal(cash[0]["value"]) != -Decimal(ev["be_gross"]):
            problems.append(f"event {ev['beid']}: cash {cash}")
    dup = db.query("SELECT docid, itemid, COUNT(*) AS n FROM tv_billing_event WHERE docid IS "
                   "NOT NULL GROUP BY docid, itemid HAVING COUNT(*) > 1")
    problems += [f"two events on doc {d['docid']} item {d['itemid']}" for d in dup]
    for doc in db.query("SELECT id FROM documents WHERE type = 1"):
        total = db.scalar("SELECT COALESCE(SUM(value * count), 0) AS t FROM invoicecontents "
                          "WHERE docid = %s", [doc["id"]])
        cash = db.scalar("SELECT COALESCE(SUM(value), 0) AS t FROM cash WHERE docid = %s",
                         [doc["id"]])
        if Decimal(total) != -Decimal(cash):
            problems.append(f"invoice {doc['id']}: total {total} but cash {cash}")
    return problems
