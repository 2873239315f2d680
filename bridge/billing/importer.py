"""Import of SMS billing events into ``tv_billing_event`` (manual 4.1).

The reply is decoded and validated while it arrives, in batches, and each batch is staged in a
connection-private temporary table (:mod:`bridge.billing.staging`), so memory does not grow
with the reply.  Only when the whole reply has parsed does one transaction move the events not
stored yet (same SMS event id, ``beid``) into ``tv_billing_event``; an SMS failure, a reply cut
off or ending in garbage, or a reply that is not a list writes nothing.  Re-running a window
any number of times adds nothing, and a concurrent import of the same events is harmless
because the move skips ids already stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.billing import staging
from bridge.billing.linkage import SUSPENDED, customers_for_linkage, link_problem
from bridge.billing.validation import BillingEvent, InvalidEvent, validate_event, validate_reply
from bridge.sms.stream import NotAList

log = logging.getLogger("lmstv.billing")

TABLE = "tv_billing_event"
STAGE_BATCH = 5000

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
    invalid: list[InvalidEvent] = field(default_factory=list)  # the first MAX_KEPT_INVALID
    invalid_total: int = 0
    unlinked: list[Unlinked] = field(default_factory=list)

    @property
    def unlinked_events(self) -> int:
        return sum(u.events for u in self.unlinked)


MAX_KEPT_INVALID = 1000  # malformed events kept for the report; the rest are only counted


class _Stager:
    """Validates batches of raw events (or validated ones) and stages them with their link."""

    def __init__(self, db: Any, summary: ImportSummary, progress: Progress | None) -> None:
        self.db, self.summary, self.progress = db, summary, progress
        self._customers: dict[int, dict[str, Any] | None] = {}
        self.pos = 0

    def restart(self) -> None:
        staging.clear(self.db)
        self.pos = 0
        self.summary.fetched = self.summary.invalid_total = 0
        self.summary.invalid = []

    def _invalid(self, bad: InvalidEvent) -> None:
        self.summary.invalid_total += 1
        if len(self.summary.invalid) < MAX_KEPT_INVALID:
            self.summary.invalid.append(bad)

    def raw(self, items: list[Any]) -> None:
        """A batch straight from the reply: validate, then stage the valid ones."""
        good: list[tuple[int, BillingEvent]] = []
        for raw in items:
            ev = validate_event(raw, self.pos)
            if isinstance(ev, InvalidEvent):
                self._invalid(ev)
            else:
                good.append((self.pos, ev))
            self.pos += 1
        self.summary.fetched += len(items)
        self.stage(good)

    def stage(self, events: Sequence[tuple[int, BillingEvent]]) -> None:
        db = self.db
        wanted = {ev.customerid for _, ev in events
                  if ev.customerid and ev.customerid not in self._customers}
        if wanted:
            found = customers_for_linkage(db, wanted)
            for cid in wanted:
                row = found.get(cid)
                # Only what link_problem and the suspension flag read: 100k customers stay small.
                self._customers[cid] = None if row is None else {
                    "tv_cust_number": row["tv_cust_number"], "deleted": row["deleted"],
                    "tv_suspend_billing": row["tv_suspend_billing"]}
        rows = []
        for pos, ev in events:
            customer = self._customers.get(ev.customerid) if ev.customerid else None
            problem = link_problem(ev.customerid, ev.cust_number, customer)
            # The customer's flag is frozen onto the event (the original module's rule): events
            # imported while invoicing is suspended are never invoiced, even after it is lifted.
            suspended = 1 if customer is not None and int(customer.get(
                "tv_suspend_billing") or 0) else 0
            rows.append((pos, ev.beid, ev.customerid, ev.cust_number, ev.account_id,
                         ev.package_id, ev.be_selling_date, ev.be_desc, ev.be_vat, ev.be_gross,
                         ev.be_b2b_netto, ev.group_id, suspended,
                         SUSPENDED if suspended else problem, hash(ev), problem))
        staging.load(db, rows)
        if self.progress:
            self.progress(self.pos, 0)  # the total is unknown until the reply has ended


def _settle(db: Any, summary: ImportSummary, now: int, stager: _Stager,
            progress: Progress | None) -> None:
    """The whole reply is staged: resolve repeated ids, count, move the new events over."""
    with db.transaction():
        copies: dict[int, list[tuple[int, int]]] = {}
        for row in staging.duplicates(db):
            copies.setdefault(int(row["beid"]), []).append((int(row["pos"]), int(row["digest"])))
        drop: list[int] = []
        for beid, found in copies.items():  # each in reply order
            first_digest = found[0][1]
            differing = [pos for pos, digest in found[1:] if digest != first_digest]
            for pos in differing:
                stager._invalid(InvalidEvent(pos, str(beid), (
                    "the same event id appears twice in the reply with different content",)))
            # An exact repeat is counted once; when copies differ neither is trusted (storing
            # one would be a guess).
            drop += [pos for pos, _ in (found if differing else found[1:])]
        staging.delete_positions(db, drop)
        summary.valid = staging.count(db)
        summary.unlinked = sorted(
            (Unlinked(r["cust_number"], int(r["customerid"]) if r["customerid"] is not None
                      else None, r["problem"], int(r["n"])) for r in staging.unlinked(db)),
            key=lambda u: (u.cust_number, u.reason))
        summary.suspended_new = staging.suspended_new(db)
        summary.new = staging.move_new(db, TABLE, now)
        summary.already_stored = summary.valid - summary.new
    summary.invalid.sort(key=lambda bad: bad.position)
    if progress and summary.valid:
        progress(summary.valid, summary.valid)


def ingest(db: Any, events: Sequence[BillingEvent], summary: ImportSummary, *, now: int,
           progress: Progress | None = None) -> ImportSummary:
    """Store validated events that are not stored yet and fill in the summary's counts."""
    stager = _Stager(db, summary, progress)
    staging.create(db)
    try:
        for first in range(0, len(events), STAGE_BATCH):
            stager.stage([(first + n, ev) for n, ev in
                          enumerate(events[first:first + STAGE_BATCH])])
        _settle(db, summary, now, stager, progress)
    finally:
        staging.drop(db)
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
    stager = _Stager(db, summary, progress)
    staging.create(db)
    try:
        result = sms.billingEventsGet(start, end, "", sink=stager.raw, restart=stager.restart)
        value = result.value if isinstance(result, NotAList) else []
        if not isinstance(value, list):
            try:
                validate_reply(value)  # "no events" spelt as nil, "" or {} is fine
            except ValueError as exc:
                raise MalformedReply(str(exc)) from None
        _settle(db, summary, now, stager, progress)
    finally:
        staging.drop(db)
    log.info("billing import %s..%s: fetched %d, new %d, already stored %d, invalid %d",
             start, end, summary.fetched, summary.new, summary.already_stored,
             summary.invalid_total)
    return summary
