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
from bridge.billing.validation import (
    MAX_BIGINT,
    BillingEvent,
    InvalidEvent,
    link_fields,
    validate_event,
    validate_reply,
)
from bridge.lms import dialect
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
_LINK_TYPES = (int, str, type(None))


class _Stager:
    """Validates batches of raw events (or validated ones) and stages them with their link.

    A raw event whose id is already in ``tv_billing_event`` is skipped before validation and
    staging (most of a re-import's work): a stored event is final, whatever SMS sends under its
    id later (before, the anti-join dropped it after staging, so a changed copy was never
    stored either).  Only its customer link fields are counted (per distinct pair, so memory
    follows the number of customers), for the summary of unlinked customers.
    """

    def __init__(self, db: Any, summary: ImportSummary, progress: Progress | None,
                 window: staging.StoredIds | None = None) -> None:
        self.db, self.summary, self.progress = db, summary, progress
        # PostgreSQL: the window's stored ids read once; MySQL/MariaDB: a lookup per batch
        # (the beid index answers it alone there, InnoDB's secondary index holding the key).
        self.window = window
        self._customers: dict[int, dict[str, Any] | None] = {}
        # Events skipped as already stored, per raw (cust_external_id, cust_number); None
        # counts those whose fields are of no plain type (no link to report for them).
        self.known: dict[tuple[Any, Any] | None, int] = {}
        self.pos = 0

    def restart(self) -> None:
        staging.clear(self.db)
        self.pos = 0
        self.summary.fetched = self.summary.invalid_total = 0
        self.summary.invalid = []
        self.known = {}

    @property
    def known_total(self) -> int:
        return sum(self.known.values())

    def _stored(self, items: list[Any]) -> set[int]:
        """The ids of this batch that are stored already (one query per batch)."""
        ids = [beid for raw in items if raw.__class__ is dict
               and (beid := raw.get("id")).__class__ is int and 1 <= beid <= MAX_BIGINT]
        if not ids:
            return set()
        if self.window is not None:
            return self.window.among(ids)
        return staging.stored_ids(self.db, TABLE, ids)

    def _invalid(self, bad: InvalidEvent) -> None:
        self.summary.invalid_total += 1
        if len(self.summary.invalid) < MAX_KEPT_INVALID:
            self.summary.invalid.append(bad)

    def raw(self, items: list[Any]) -> None:
        """A batch straight from the reply: validate, then stage the valid ones."""
        good: list[tuple[int, BillingEvent]] = []
        stored = self._stored(items)
        known = self.known
        for raw in items:
            if stored and raw.__class__ is dict:
                beid = raw.get("id")
                if beid.__class__ is int and beid in stored:
                    ext, number = raw.get("cust_external_id"), raw.get("cust_number")
                    key = ((ext, number) if ext.__class__ in _LINK_TYPES
                           and number.__class__ in _LINK_TYPES else None)
                    known[key] = known.get(key, 0) + 1
                    self.pos += 1
                    continue
            ev = validate_event(raw, self.pos)
            if isinstance(ev, InvalidEvent):
                self._invalid(ev)
            else:
                good.append((self.pos, ev))
            self.pos += 1
        self.summary.fetched += len(items)
        self.stage(good)

    def _load_customers(self, ids: set[int | None]) -> None:
        wanted = sorted(cid for cid in ids if cid and cid not in self._customers)
        # A slice at a time: a re-import asks for every customer of the window at once, and
        # 100,000 full rows held together were ~50 MB of its peak.
        for first in range(0, len(wanted), STAGE_BATCH):
            part = wanted[first:first + STAGE_BATCH]
            found = customers_for_linkage(self.db, part)
            for cid in part:
                row = found.get(cid)
                # Only what link_problem and the suspension flag read: 100k customers stay small.
                self._customers[cid] = None if row is None else {
                    "tv_cust_number": row["tv_cust_number"], "deleted": row["deleted"],
                    "tv_suspend_billing": row["tv_suspend_billing"]}

    def known_unlinked(self) -> list[tuple[str, int | None, str, int]]:
        """(number, customer id, problem, events) of the skipped events whose link is broken.

        The link is read as validation reads it; a malformed one is not reported (the event
        is stored with the link it had when it was valid)."""
        def link(key: tuple[Any, Any] | None) -> tuple[int | None, str] | None:
            return (link_fields({"cust_external_id": key[0], "cust_number": key[1]})
                    if key is not None else None)

        # Two passes over the pairs rather than a second dict of them: at 100,000 customers
        # each such dict is ~25 MB of the run's peak.
        self._load_customers({found[0] for found in map(link, self.known) if found})
        out: dict[tuple[str, int | None, str], int] = {}
        for key, n in self.known.items():
            found = link(key)
            if found is None:
                continue
            cid, number = found
            problem = link_problem(cid, number, self._customers.get(cid) if cid else None)
            if problem:
                out[(number, cid, problem)] = out.get((number, cid, problem), 0) + n
        return [(number, cid, problem, n) for (number, cid, problem), n in out.items()]

    def stage(self, events: Sequence[tuple[int, BillingEvent]]) -> None:
        db = self.db
        self._load_customers({ev.customerid for _, ev in events})
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
        staged = staging.count(db)
        unlinked: dict[tuple[str, int | None, str], int] = {}
        for r in staging.unlinked(db):
            key = (r["cust_number"], int(r["customerid"]) if r["customerid"] is not None
                   else None, r["problem"])
            unlinked[key] = unlinked.get(key, 0) + int(r["n"])
        for number, cid, problem, n in stager.known_unlinked():
            unlinked[(number, cid, problem)] = unlinked.get((number, cid, problem), 0) + n
        summary.unlinked = sorted((Unlinked(number, cid, problem, n)
                                   for (number, cid, problem), n in unlinked.items()),
                                  key=lambda u: (u.cust_number, u.reason))
        summary.suspended_new = staging.suspended_new(db)
        summary.new = staging.move_new(db, TABLE, now)
        # Skipped events count as valid and already stored (they were checked when stored).
        summary.valid = staged + stager.known_total
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
    window = staging.StoredIds(db, TABLE, start, end) if dialect.is_postgres(db) else None
    stager = _Stager(db, summary, progress, window)
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
