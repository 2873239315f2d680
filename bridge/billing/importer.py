"""Import of SMS billing events into ``tv_billing_event`` (manual 4.1).

The whole reply is fetched and validated before the database is touched, so an SMS failure or
a malformed reply writes nothing.  Events already stored (same SMS event id, ``beid``) are
skipped, so re-running a window any number of times adds nothing.  New events go in with
multi-row inserts inside one transaction; a concurrent import of the same events is harmless
because the insert skips rows whose ``beid`` already exists.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.billing.linkage import SUSPENDED, customers_for_linkage, link_problem
from bridge.billing.validation import BillingEvent, InvalidEvent, validate_reply
from bridge.lms import dialect

log = logging.getLogger("lmstv.billing")

TABLE = "tv_billing_event"
COLUMNS = ("beid", "customerid", "cust_number", "account_id", "package_id", "be_selling_date",
           "be_desc", "be_vat", "be_gross", "be_b2b_netto", "group_id", "tv_suspend_billing",
           "skip_reason", "imported_at")
INSERT_BATCH = 1000
LOOKUP_BATCH = 5000

Progress = Callable[[int, int], None]


class MalformedReply(Exception):
    """billingEventsGet answered something that is not a list of events; nothing was stored."""


@dataclass
class Unlinked:
    """An SMS customer whose events cannot be invoiced, with the reason, for the summary."""

    cust_number: str
    customerid: int | None
    reason: str
    events: int = 0


@dataclass
class ImportSummary:
    start: date
    end: date
    fetched: int = 0
    valid: int = 0
    new: int = 0
    already_stored: int = 0
    suspended_new: int = 0
    invalid: list[InvalidEvent] = field(default_factory=list)
    unlinked: list[Unlinked] = field(default_factory=list)

    @property
    def unlinked_events(self) -> int:
        return sum(u.events for u in self.unlinked)


def existing_beids(db: Any, beids: Sequence[int]) -> set[int]:
    """Which of these SMS event ids are already stored."""
    found: set[int] = set()
    ordered = sorted(beids)
    for start in range(0, len(ordered), LOOKUP_BATCH):
        chunk = ordered[start:start + LOOKUP_BATCH]
        marks = ", ".join(["%s"] * len(chunk))
        for row in db.query(f"SELECT beid FROM {TABLE} WHERE beid IN ({marks})", chunk):
            found.add(int(row["beid"]))
    return found


def _insert_sql(db: Any, rows: int) -> str:
    one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    head = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES " + ", ".join([one] * rows)
    # A concurrent import may have stored some of these ids since we looked: skip them.
    if dialect.is_postgres(db):
        return head + " ON CONFLICT (beid) DO NOTHING"
    return head + " ON DUPLICATE KEY UPDATE beid = beid"


def store_events(db: Any, rows: Sequence[Sequence[Any]],
                 progress: Progress | None = None) -> int:
    """Insert prepared rows (in COLUMNS order) in one transaction; returns rows inserted."""
    inserted = 0
    with db.transaction():
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start:start + INSERT_BATCH]
            params = [value for row in batch for value in row]
            inserted += max(0, db.execute(_insert_sql(db, len(batch)), params))
            if progress:
                progress(min(start + INSERT_BATCH, len(rows)), len(rows))
    return inserted


def _row(ev: BillingEvent, suspended: int, skip_reason: str | None, now: int) -> tuple:
    return (ev.beid, ev.customerid, ev.cust_number, ev.account_id, ev.package_id,
            ev.be_selling_date, ev.be_desc, ev.be_vat, ev.be_gross, ev.be_b2b_netto,
            ev.group_id, suspended, skip_reason, now)


def ingest(db: Any, events: Sequence[BillingEvent], summary: ImportSummary, *, now: int,
           progress: Progress | None = None) -> ImportSummary:
    """Store validated events that are not stored yet and fill in the summary's counts."""
    summary.valid = len(events)
    stored = existing_beids(db, [ev.beid for ev in events])
    customers = customers_for_linkage(db, {ev.customerid for ev in events if ev.customerid})
    unlinked: dict[tuple[str, int | None, str], Unlinked] = {}
    rows = []
    for ev in events:
        customer = customers.get(ev.customerid) if ev.customerid else None
        problem = link_problem(ev.customerid, ev.cust_number, customer)
        if problem:
            key = (ev.cust_number, ev.customerid, problem)
            entry = unlinked.setdefault(key, Unlinked(ev.cust_number, ev.customerid, problem))
            entry.events += 1
        if ev.beid in stored:
            continue
        # The customer's flag is frozen onto the event (the original module's rule): events
        # imported while invoicing is suspended are never invoiced, even after it is lifted.
        suspended = 1 if customer is not None and int(customer.get(
            "tv_suspend_billing") or 0) else 0
        if suspended:
            summary.suspended_new += 1
        rows.append(_row(ev, suspended, SUSPENDED if suspended else problem, now))
    summary.unlinked = sorted(unlinked.values(), key=lambda u: (u.cust_number, u.reason))
    summary.new = store_events(db, rows, progress) if rows else 0
    summary.already_stored = summary.valid - summary.new
    return summary


def import_events(db: Any, sms: Any, start: date, end: date, *, now: int | None = None,
                  progress: Progress | None = None) -> ImportSummary:
    """Fetch [start, end] from SMS, validate, store what is new; return the summary.

    Raises the SMS client's SmsError when SMS fails and MalformedReply when the reply is not a
    list; in both cases nothing was written.  Invalid single events are reported in the summary
    and not stored (a later import stores them once SMS sends them correctly).
    """
    now = int(time.time()) if now is None else now
    summary = ImportSummary(start=start, end=end)
    reply = sms.billingEventsGet(start, end, "")
    try:
        events, invalid = validate_reply(reply)
    except ValueError as exc:
        raise MalformedReply(str(exc)) from None
    summary.fetched = len(reply) if isinstance(reply, list) else 0
    summary.invalid = invalid

    ingest(db, events, summary, now=now, progress=progress)
    log.info("billing import %s..%s: fetched %d, new %d, already stored %d, invalid %d",
             start, end, summary.fetched, summary.new, summary.already_stored, len(invalid))
    return summary
