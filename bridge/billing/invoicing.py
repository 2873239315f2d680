"""Putting imported TV events on LMS invoices, exactly once (manual 4.3, API doc 5.2/5.3).

Modes:
  attach    -- only onto the invoice lms-payments issued the customer on the run day
               (the patched lms-payments flow); customers without one wait for ``invoice``.
  append    -- onto that day's invoice when there is one, else a new TV-only invoice.
  separate  -- always a new TV-only invoice.

Exactly-once: customers are invoiced in batches (``batch_size``, default 100), each batch one
database transaction covering the invoice headers (if new), their lines, the matching cash
debits and the ``docid``/``itemid`` marks on the events (see :mod:`bridge.billing.writer`);
events are read ``FOR UPDATE`` and marked with ``WHERE docid IS NULL`` checked by row count.
If a batch fails for any reason other than a lock conflict (which retries the batch), it is
rolled back whole and its customers are done again one transaction per customer, so one
customer's failure never costs the others theirs.  A run holds an advisory lock, so two runs
never interleave; a run killed at any point leaves every event either fully invoiced or
untouched.  Numbers follow LMS's plan rules; each transaction first locks the tables LMS's own
invoice form locks, in LMS's order (:data:`bridge.billing.numberer.INVOICE_LOCKS`), so the two
queue and never deadlock.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from bridge.billing.dates import RunClock, day_bounds
from bridge.billing.linkage import NO_TAX, SUSPENDED, customers_for_linkage, link_problem
from bridge.billing.lmsdata import LmsBillingData, load_customers, unknown_groups
from bridge.billing.numberer import Numberer, next_number
from bridge.billing.numbering import DOC_INVOICE, format_number
from bridge.billing.writer import (
    CustomerResult,
    Hook,
    Job,
    WriteOptions,
    invoice_batch,
    pending_events,
    target_documents,
)
from bridge.lms import dialect
from bridge.lms.customers import customer_ids_in_groups

log = logging.getLogger("lmstv.billing")

MODES = ("attach", "append", "separate")
RUN_LOCK = "billing-invoicing"
MAX_RETRIES = 5
# Customers per transaction.  Measured (bench/bench_billing.py, 20k customers x 10 events,
# paired runs): 100 took 30-40 % less wall time than 25 on PostgreSQL and less on MariaDB --
# a commit waits for the disk (~7 ms on the shared test machine), and 100,000 customers in
# batches of 25 are 4,000 commits.  LMS's invoice tables stay locked for one batch (tens of ms).
DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 500
# Events per batch at most (a few customers with thousands of events get smaller batches).
MAX_BATCH_EVENTS = 2000
MAX_KEPT_RESULTS = 1000
# Customers whose invoice fields (names, addresses, division...) are read at once: one query
# per window instead of per batch (a round trip each), without holding every customer's row.
FIELDS_WINDOW = 1000

Progress = Callable[[int, int], None]
T = TypeVar("T")

__all__ = ["AlreadyRunning", "CustomerResult", "Hook", "InvoicingError", "InvoicingOptions",
           "InvoicingSummary", "run_invoicing"]


class InvoicingError(Exception):
    """Invoicing cannot start; the message says why and how to fix it."""


class InvoicingConfigError(InvoicingError):
    """lmstv.ini names a tariff, number plan or customer group LMS does not have.  ``pl`` is
    the same for the operator's screen (the message itself is for the CLI and the logs)."""

    def __init__(self, message: str, pl: str) -> None:
        super().__init__(message)
        self.pl = pl


class AlreadyRunning(InvoicingError):
    """Another invoicing run holds the lock."""


@dataclass
class InvoicingSummary:
    mode: str
    dry_run: bool
    day: str
    invoices_new: int = 0
    invoices_appended: int = 0
    events_invoiced: int = 0
    total: Decimal = Decimal("0.00")
    # A real run keeps the first MAX_KEPT_RESULTS (the CLI lists them only up to 50); a dry
    # run keeps all, it lists them.
    customers: list[CustomerResult] = field(default_factory=list)
    customers_total: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    waiting_for_invoice: int = 0
    not_in_groups: int = 0


@dataclass(frozen=True)
class InvoicingOptions:
    tariff_id: int | None
    mode: str = "append"
    numberplan_id: int | None = None
    customergroups: tuple[str, ...] = ()
    dry_run: bool = False
    lock_wait: float = 0.0
    batch_size: int = DEFAULT_BATCH_SIZE
    customer_ids: tuple[int, ...] = ()   # only these LMS customers (the others untouched)


def check_options(db: Any, opts: InvoicingOptions, data: LmsBillingData) -> None:
    """Refuse to start on a configuration that would write wrong invoices."""
    if not 1 <= opts.batch_size <= MAX_BATCH_SIZE:
        raise InvoicingError(f"batch size {opts.batch_size}: use 1 to {MAX_BATCH_SIZE} "
                             "customers per transaction")
    if opts.mode not in MODES:
        raise InvoicingError(f"unknown invoicing mode {opts.mode!r}; use one of "
                             + ", ".join(MODES))
    if not opts.tariff_id:
        raise InvoicingConfigError(
            "[billing] tv_tariff_id is not set in lmstv.ini: create the LMS tariff 'TV' "
            "(Finanse -> Nowa taryfa) and put its id there",
            "w lmstv.ini brak [billing] tv_tariff_id: utwórz w LMS taryfę „TV” (Finanse → "
            "Nowa taryfa) i wpisz tam jej numer")
    if not db.scalar("SELECT COUNT(*) AS n FROM tariffs WHERE id = %s", [opts.tariff_id]):
        raise InvoicingConfigError(
            f"[billing] tv_tariff_id = {opts.tariff_id}: no such LMS tariff; create the tariff "
            "'TV' and use its id",
            f"[billing] tv_tariff_id = {opts.tariff_id}: w LMS nie ma takiej taryfy; utwórz "
            "taryfę „TV” i wpisz jej numer")
    if opts.numberplan_id and opts.numberplan_id not in data.plans:
        raise InvoicingConfigError(
            f"[billing] numberplan_id = {opts.numberplan_id}: no such invoice number plan in LMS",
            f"[billing] numberplan_id = {opts.numberplan_id}: w LMS nie ma takiego planu "
            "numeracji faktur")
    missing = unknown_groups(db, opts.customergroups)
    if missing:
        raise InvoicingConfigError("unknown customer group(s): " + ", ".join(missing),
                                   "w LMS nie ma grup klientów: " + ", ".join(missing))


# -- selection ------------------------------------------------------------------------------


def pending_groups(db: Any, day: str) -> list[dict[str, Any]]:
    """Not-yet-invoiced, not-suspended events up to ``day``, counted per (customer, number)."""
    return db.query(
        "SELECT customerid, cust_number, COUNT(*) AS n FROM tv_billing_event "
        "WHERE docid IS NULL AND tv_suspend_billing = 0 AND be_selling_date <= %s "
        "GROUP BY customerid, cust_number", [day])


def _mark_skipped(db: Any, reason: str, customerid: int | None, cust_number: str,
                  day: str) -> None:
    if customerid is None:
        cond, params = "customerid IS NULL", [cust_number]
    else:
        cond, params = "customerid = %s", [customerid, cust_number]
    db.execute(
        f"UPDATE tv_billing_event SET skip_reason = %s WHERE {cond} AND cust_number = %s "
        "AND docid IS NULL AND be_selling_date <= %s "
        "AND (skip_reason IS NULL OR skip_reason <> %s)",
        [reason, *params, day, reason])


def day_invoices(db: Any, clock: RunClock) -> dict[int, dict[str, Any]]:
    """The newest open invoice lms-payments issued each customer on the run day.

    lms-payments writes type 1 documents with cdate = the run time and no user; manual
    invoices carry the issuing user, closed ones are settled, and ones with a reference are
    corrections -- none of those get TV lines.
    """
    start, end = day_bounds(clock.today)
    rows = db.query(
        "SELECT d.customerid, MAX(d.id) AS id FROM documents d WHERE d.type = %s "
        "AND d.cdate >= %s AND d.cdate < %s AND d.closed = 0 "
        # "none" is 0 on LMS 1.11.17 and NULL under LMS 28's foreign keys
        "AND COALESCE(d.reference, 0) = 0 AND COALESCE(d.userid, 0) = 0 "
        "GROUP BY d.customerid", [DOC_INVOICE, start, end])
    return {int(r["customerid"]): {"id": int(r["id"])} for r in rows}


# -- the run, batch by batch --------------------------------------------------------------


def _retrying(fn: Callable[[], T], what: str) -> T:
    """Run one transaction, again after a lock conflict (deadlock / lock wait timeout)."""
    for attempt in range(1, MAX_RETRIES + 1):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - only lock conflicts are retried
            if not _is_lock_conflict(exc) or attempt == MAX_RETRIES:
                raise
            log.warning("%s: lock conflict (%s); retrying (%d/%d)", what, exc, attempt,
                        MAX_RETRIES)
    raise InvoicingError(f"{what}: gave up after {MAX_RETRIES} attempts")


def _invoice_jobs(db: Any, jobs: list[Job], data: LmsBillingData, wopts: WriteOptions,
                  clock: RunClock, numberer: Numberer,
                  hook: Hook | None) -> list[CustomerResult | None]:
    """One batch in one transaction; if it fails, its customers one transaction each."""
    first, last = jobs[0].customerid, jobs[-1].customerid
    try:
        return _retrying(lambda: invoice_batch(db, jobs, data, wopts, clock, numberer, hook),
                         f"customers {first}..{last}")
    except Exception as exc:  # noqa: BLE001 - redone per customer below, which re-raises
        if len(jobs) == 1:
            raise
        log.warning("customers %d..%d: batch rolled back (%s); invoicing them one by one",
                    first, last, exc)
    results: list[CustomerResult | None] = []
    for job in jobs:
        results += _retrying(lambda j=job: invoice_batch(db, [j], data, wopts, clock, numberer,
                                                         hook), f"customer {job.customerid}")
    return results


def _is_lock_conflict(exc: Exception) -> bool:
    code = getattr(exc, "pgcode", None)
    if code in ("40P01", "40001", "55P03"):
        return True
    args = getattr(exc, "args", ())
    return bool(args) and args[0] in (1205, 1213)  # MySQL lock wait timeout / deadlock


# -- the run ----------------------------------------------------------------------------------


def run_invoicing(db: Any, opts: InvoicingOptions, clock: RunClock, *,
                  hook: Hook | None = None, progress: Progress | None = None) -> InvoicingSummary:
    """Invoice every pending event of linked, not suspended customers (see module doc)."""
    if not dialect.advisory_lock(db, RUN_LOCK, opts.lock_wait):
        raise AlreadyRunning("another TV invoicing run is already running (lock "
                             f"{RUN_LOCK!r}); try again when it has finished")
    try:
        return _run_locked(db, opts, clock, hook, progress)
    finally:
        try:
            dialect.advisory_unlock(db, RUN_LOCK)
        except Exception:  # noqa: BLE001 - a dead connection already released it
            pass


def _run_locked(db: Any, opts: InvoicingOptions, clock: RunClock, hook: Hook | None,
                progress: Progress | None) -> InvoicingSummary:
    data = LmsBillingData(db, clock.now)
    check_options(db, opts, data)
    if dialect.is_postgres(db) and not opts.dry_run:
        # A fresh bulk import leaves the planner without statistics: without them each
        # customer's event lookup becomes a full scan (7 ms instead of 0.3 ms per customer).
        db.execute("ANALYZE tv_billing_event")
    day = clock.today.isoformat()
    summary = InvoicingSummary(mode=opts.mode, dry_run=opts.dry_run, day=day)
    groups = pending_groups(db, day)
    if opts.customer_ids:
        wanted = set(opts.customer_ids)
        groups = [g for g in groups if g["customerid"] and int(g["customerid"]) in wanted]
    # Only the link fields for every customer up front; each batch reads its customers' invoice
    # fields when it is written (100,000 full customer rows were ~150 MB for the whole run).
    customers = customers_for_linkage(db, {int(g["customerid"]) for g in groups
                                           if g["customerid"]})
    allowed = customer_ids_in_groups(db, opts.customergroups) if opts.customergroups else None
    todo: list[tuple[dict[str, Any], str, int]] = []
    for g in groups:
        cid = int(g["customerid"]) if g["customerid"] else None
        customer = customers.get(cid) if cid else None
        problem = link_problem(cid, g["cust_number"], customer)
        if problem is None and int(customer.get("tv_suspend_billing") or 0):
            problem = SUSPENDED
        if problem:
            summary.skipped[problem] += int(g["n"])
            if not opts.dry_run:
                _mark_skipped(db, problem, cid, g["cust_number"], day)
            continue
        if allowed is not None and cid not in allowed:
            summary.not_in_groups += int(g["n"])
            continue
        todo.append((customer, g["cust_number"], int(g["n"])))
    todo.sort(key=lambda t: int(t[0]["id"]))
    del groups, customers  # a run over 100,000 customers should not carry them to the end
    targets = day_invoices(db, clock) if opts.mode in ("attach", "append") else {}
    if opts.dry_run:
        return _dry_run(db, todo, targets, data, opts, clock, summary)
    jobs: list[Job] = []
    for customer, number, events in todo:
        target = targets.get(int(customer["id"]), {}).get("id")
        if target is None and opts.mode == "attach":
            summary.waiting_for_invoice += 1
        else:
            jobs.append(Job(customer, number, target, events))
    done = len(todo) - len(jobs)
    numberer = Numberer()
    wopts = WriteOptions(opts.mode, int(opts.tariff_id or 0), opts.numberplan_id)
    for first in range(0, len(jobs), FIELDS_WINDOW):
        window = with_invoice_fields(db, jobs[first:first + FIELDS_WINDOW])
        for batch in batches(window, opts.batch_size):
            for result in _invoice_jobs(db, batch, data, wopts, clock, numberer, hook):
                _account(summary, result)
            done += len(batch)
            if progress:
                progress(done, len(todo))
    return summary


def customer_options(cfg: Any, customer_id: int, *, mode: str | None = None,
                     dry_run: bool = False, lock_wait: float = 0.0) -> InvoicingOptions:
    """Options invoicing one customer's pending events now (``lmstv billing invoice --customer``
    and the reconciliation screen's "Zafakturuj").  The operator asks for an invoice now, so the
    ``attach`` mode (wait for lms-payments' invoice) becomes ``append``; [billing]
    customergroups still apply."""
    chosen = mode or cfg.invoicing_mode
    return InvoicingOptions(tariff_id=cfg.tv_tariff_id,
                            mode="append" if chosen == "attach" else chosen,
                            numberplan_id=cfg.numberplan_id, customergroups=cfg.customergroups,
                            dry_run=dry_run, lock_wait=lock_wait, customer_ids=(customer_id,))


def with_invoice_fields(db: Any, jobs: list[Job]) -> list[Job]:
    """The batch's jobs carrying their customers' full rows (names, addresses, division...)."""
    full = load_customers(db, [j.customerid for j in jobs])
    return [replace(j, customer=full.get(j.customerid, j.customer)) for j in jobs]


def batches(jobs: list[Job], size: int, max_events: int = MAX_BATCH_EVENTS) -> list[list[Job]]:
    """Consecutive groups of at most ``size`` customers and (unless one customer alone has
    more) ``max_events`` events, so a batch's multi-row statements stay a sane size."""
    out: list[list[Job]] = []
    current: list[Job] = []
    events = 0
    for job in jobs:
        if current and (len(current) >= size or events + job.events > max_events):
            out.append(current)
            current, events = [], 0
        current.append(job)
        events += job.events
    if current:
        out.append(current)
    return out


def _account(summary: InvoicingSummary, result: CustomerResult | None) -> None:
    if result is None:
        return
    if result.skipped_no_tax:
        summary.skipped[NO_TAX] += result.skipped_no_tax
    if result.docid is None:
        return
    summary.customers_total += 1
    if summary.dry_run or len(summary.customers) < MAX_KEPT_RESULTS:
        summary.customers.append(result)
    summary.events_invoiced += result.lines
    summary.total += result.total
    if result.new_invoice:
        summary.invoices_new += 1
    else:
        summary.invoices_appended += 1


def _dry_run(db: Any, todo: list[tuple[dict[str, Any], str, int]], targets: dict[int, Any],
             data: LmsBillingData, opts: InvoicingOptions, clock: RunClock,
             summary: InvoicingSummary) -> InvoicingSummary:
    """What a real run would do now, computed with reads only (numbers are provisional)."""
    numbers: dict[int, int] = {}
    jobs: list[Job] = []
    for customer, cust_number, n in todo:
        target = targets.get(int(customer["id"]), {}).get("id")
        if target is None and opts.mode == "attach":
            summary.waiting_for_invoice += 1
        else:
            jobs.append(Job(customer, cust_number, target, n))
    for batch in batches(jobs, MAX_BATCH_SIZE):
        batch = with_invoice_fields(db, batch)
        events = pending_events(db, batch, clock.today.isoformat(), lock=False)
        docs = target_documents(db, [j.target_docid for j in batch if j.target_docid],
                                lock=False)
        for job in batch:
            evs = events.get(job.customerid, [])
            doc = docs.get(job.target_docid) if job.target_docid else None
            cdate = int(doc["cdate"]) if doc else clock.now
            lines = [ev for ev in evs if data.tax_for(Decimal(ev["be_vat"]), cdate) is not None]
            no_tax = len(evs) - len(lines)
            if doc:
                docid, new = int(doc["id"]), False
                fullnumber = doc["fullnumber"] or str(doc["number"])
            elif opts.mode == "attach":
                continue  # its invoice was closed meanwhile: a real run leaves it waiting
            else:
                plan = data.plan_for(int(job.customer.get("divisionid") or 0),
                                     opts.numberplan_id, job.customer.get("type"))
                if lines:
                    if plan.id not in numbers:
                        numbers[plan.id] = next_number(db, plan, clock.now) - 1
                    numbers[plan.id] += 1
                docid, new = 0, True
                fullnumber = format_number(numbers.get(plan.id, 0), plan.template, clock.now)
            total = sum((Decimal(ev["be_gross"]) for ev in lines), Decimal("0.00"))
            _account(summary, CustomerResult(job.customerid, docid if lines else None,
                                             fullnumber, new, len(lines), total, no_tax))
    return summary
