"""Putting imported TV events on LMS invoices, exactly once (manual 4.3, API doc 5.2/5.3).

Modes:
  attach    -- only onto the invoice lms-payments issued the customer on the run day
               (the patched lms-payments flow); customers without one wait for ``invoice``.
  append    -- onto that day's invoice when there is one, else a new TV-only invoice.
  separate  -- always a new TV-only invoice.

Exactly-once: each customer is one database transaction covering the invoice header (if new),
its lines, the matching cash debits and the ``docid``/``itemid`` marks on the events; events
are read ``FOR UPDATE`` and marked with ``WHERE docid IS NULL`` checked by row count.  A run
holds an advisory lock, so two runs never interleave; a run killed at any point leaves every
event either fully invoiced or untouched.  Numbers follow LMS's plan rules under a lock that
LMS's own invoice form also respects (it locks ``documents``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bridge.billing.dates import RunClock, day_bounds
from bridge.billing.linkage import NO_TAX, SUSPENDED, link_problem
from bridge.billing.lmsdata import (
    LmsBillingData,
    NumberPlan,
    load_customers,
    unknown_groups,
)
from bridge.billing.numbering import DOC_INVOICE, format_number, period_bounds
from bridge.lms import dialect
from bridge.lms.customers import customer_ids_in_groups

log = logging.getLogger("lmstv.billing")

MODES = ("attach", "append", "separate")
RUN_LOCK = "billing-invoicing"
LINE_UNIT = "usł."
MAX_RETRIES = 5

Hook = Callable[[str], None]
Progress = Callable[[int, int], None]


class InvoicingError(Exception):
    """Invoicing cannot start; the message says why and how to fix it."""


class AlreadyRunning(InvoicingError):
    """Another invoicing run holds the lock."""


class _Retry(Exception):
    """The customer's transaction must be rolled back and done again (number race)."""


@dataclass
class CustomerResult:
    customerid: int
    docid: int | None
    fullnumber: str
    new_invoice: bool
    lines: int
    total: Decimal
    skipped_no_tax: int = 0


@dataclass
class InvoicingSummary:
    mode: str
    dry_run: bool
    day: str
    invoices_new: int = 0
    invoices_appended: int = 0
    events_invoiced: int = 0
    total: Decimal = Decimal("0.00")
    customers: list[CustomerResult] = field(default_factory=list)
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


def check_options(db: Any, opts: InvoicingOptions, data: LmsBillingData) -> None:
    """Refuse to start on a configuration that would write wrong invoices."""
    if opts.mode not in MODES:
        raise InvoicingError(f"unknown invoicing mode {opts.mode!r}; use one of "
                             + ", ".join(MODES))
    if not opts.tariff_id:
        raise InvoicingError("[billing] tv_tariff_id is not set in lmstv.ini: create the LMS "
                             "tariff 'TV' (Finanse -> Nowa taryfa) and put its id there")
    if not db.scalar("SELECT COUNT(*) AS n FROM tariffs WHERE id = %s", [opts.tariff_id]):
        raise InvoicingError(f"[billing] tv_tariff_id = {opts.tariff_id}: no such LMS tariff; "
                             "create the tariff 'TV' and use its id")
    if opts.numberplan_id and opts.numberplan_id not in data.plans:
        raise InvoicingError(f"[billing] numberplan_id = {opts.numberplan_id}: no such invoice "
                             "number plan in LMS")
    missing = unknown_groups(db, opts.customergroups)
    if missing:
        raise InvoicingError("unknown customer group(s): " + ", ".join(missing))


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
        "AND d.cdate >= %s AND d.cdate < %s AND d.closed = 0 AND d.reference = 0 "
        "AND d.userid = 0 GROUP BY d.customerid", [DOC_INVOICE, start, end])
    return {int(r["customerid"]): {"id": int(r["id"])} for r in rows}


# -- numbering --------------------------------------------------------------------------------


def _period_sql(plan: NumberPlan, cdate: int) -> tuple[str, list[Any]]:
    bounds = period_bounds(plan.period, cdate)
    if bounds is None:
        return "", []
    return " AND cdate >= %s AND cdate < %s", list(bounds)


def next_number(db: Any, plan: NumberPlan, cdate: int) -> int:
    """MAX(number) + 1 of the plan's period (LMS's GetNewDocumentNumber)."""
    where, params = _period_sql(plan, cdate)
    top = db.scalar("SELECT MAX(number) AS n FROM documents WHERE type = %s "
                    "AND numberplanid = %s" + where, [DOC_INVOICE, plan.id, *params])
    return int(top or 0) + 1


def lock_documents(db: Any) -> int:
    """Stop anyone else inserting documents until our transaction ends; return MAX(id).

    LMS's own invoice form locks ``documents`` while it numbers, so it takes turns with us.
    PostgreSQL: SHARE ROW EXCLUSIVE blocks inserts but not readers.  MySQL: a locking read of
    the highest id holds the gap above it, which every new AUTO_INCREMENT row needs.
    """
    if dialect.is_postgres(db):
        db.execute("LOCK TABLE documents IN SHARE ROW EXCLUSIVE MODE")
        return int(db.scalar("SELECT COALESCE(MAX(id), 0) AS n FROM documents") or 0)
    row = db.one("SELECT id FROM documents ORDER BY id DESC LIMIT 1" + dialect.for_update(db))
    return int(row["id"]) if row else 0


class Numberer:
    """Next invoice numbers of a run, without rescanning a plan for every invoice.

    A plan's MAX(number) is scanned once; afterwards the next number is the previous plus one
    as long as nobody but this run has inserted a document since (the highest document id is
    still the one we inserted last).  Any foreign insert -- an LMS invoice issued meanwhile --
    drops the cache and the plan is scanned again under the lock.
    """

    def __init__(self) -> None:
        self._known_top: int | None = None
        self._last: dict[tuple[int, tuple[int, int] | None], int] = {}
        self._pending: tuple[tuple[int, tuple[int, int] | None], int] | None = None

    def take(self, db: Any, plan: NumberPlan, cdate: int) -> int:
        """Lock documents and return the next number of ``plan`` (call inside the tx)."""
        top = lock_documents(db)
        key = (plan.id, period_bounds(plan.period, cdate))
        if top != self._known_top:
            self._last.clear()
        cached = self._last.get(key)
        number = cached + 1 if cached is not None else next_number(db, plan, cdate)
        self._pending = (key, number)
        return number

    def committed(self, docid: int) -> None:
        """The transaction that used the last taken number committed with document ``docid``."""
        if self._pending is not None:
            key, number = self._pending
            self._last[key] = number
            self._known_top = docid
            self._pending = None

    def rolled_back(self) -> None:
        self._pending = None


# -- one customer -----------------------------------------------------------------------------


def _customer_events(db: Any, customerid: int, cust_number: str, day: str,
                     lock: bool) -> list[dict[str, Any]]:
    return db.query(
        "SELECT id, beid, be_desc, be_vat, be_gross FROM tv_billing_event "
        "WHERE customerid = %s AND cust_number = %s AND docid IS NULL "
        "AND tv_suspend_billing = 0 AND be_selling_date <= %s "
        "ORDER BY be_selling_date, beid" + (dialect.for_update(db) if lock else ""),
        [customerid, cust_number, day])


def _insert_document(db: Any, customer: dict[str, Any], data: LmsBillingData,
                     plan: NumberPlan, number: int, clock: RunClock) -> tuple[int, str]:
    div = data.divisions.get(int(customer.get("divisionid") or 0)) or {}
    fullnumber = format_number(number, plan.template, clock.now)
    name = " ".join(p for p in ((customer.get("lastname") or "").strip(),
                                (customer.get("name") or "").strip()) if p)
    values = {
        "number": number, "numberplanid": plan.id, "type": DOC_INVOICE,
        "countryid": int(customer.get("countryid") or 0),
        "divisionid": int(customer.get("divisionid") or 0),
        "customerid": int(customer["id"]), "userid": 0, "name": name,
        "address": customer.get("address") or "", "zip": customer.get("zip") or "",
        "city": customer.get("city") or "", "ten": customer.get("ten") or "",
        "ssn": customer.get("ssn") or "", "cdate": clock.now, "sdate": clock.now,
        "paytime": data.paytime(customer), "paytype": data.paytype(customer),
        "div_name": div.get("name") or "", "div_shortname": div.get("shortname") or "",
        "div_address": div.get("address") or "", "div_city": div.get("city") or "",
        "div_zip": div.get("zip") or "", "div_countryid": int(div.get("countryid") or 0),
        "div_ten": div.get("ten") or "", "div_regon": div.get("regon") or "",
        "div_account": div.get("account") or "", "div_inv_header": div.get("inv_header") or "",
        "div_inv_footer": div.get("inv_footer") or "",
        "div_inv_author": div.get("inv_author") or "",
        "div_inv_cplace": div.get("inv_cplace") or "", "fullnumber": fullnumber,
    }
    cols = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    docid = db.insert_id(f"INSERT INTO documents ({cols}) VALUES ({marks})",
                         list(values.values()), "documents")
    return docid, fullnumber


def _write_lines(db: Any, docid: int, cdate: int, customerid: int, tariff_id: int,
                 lines: list[tuple[dict[str, Any], int]], hook: Hook | None,
                 new_document: bool) -> Decimal:
    first = 1 if new_document else int(db.scalar(
        "SELECT COALESCE(MAX(itemid), 0) AS n FROM invoicecontents WHERE docid = %s",
        [docid]) or 0) + 1
    contents, cash, marks = [], [], []
    total = Decimal("0.00")
    for offset, (ev, taxid) in enumerate(lines):
        itemid = first + offset
        gross = Decimal(ev["be_gross"])
        total += gross
        contents.append((docid, itemid, gross, taxid, "", LINE_UNIT, 1, ev["be_desc"],
                         tariff_id, 0, 0))
        cash.append((cdate, 0, 0, -gross, taxid, customerid, ev["be_desc"], docid, itemid))
        marks.append((int(ev["id"]), itemid))
    one = "(" + ", ".join(["%s"] * 11) + ")"
    db.execute("INSERT INTO invoicecontents (docid, itemid, value, taxid, prodid, content, "
               "count, description, tariffid, pdiscount, vdiscount) VALUES "
               + ", ".join([one] * len(contents)), [v for row in contents for v in row])
    one = "(" + ", ".join(["%s"] * 9) + ")"
    db.execute("INSERT INTO cash (time, type, userid, value, taxid, customerid, comment, docid, "
               "itemid) VALUES " + ", ".join([one] * len(cash)), [v for row in cash for v in row])
    if hook:
        hook("lines")
    case = " ".join(["WHEN %s THEN %s"] * len(marks))
    ids = [m[0] for m in marks]
    params: list[Any] = [docid]
    for event_id, itemid in marks:
        params += [event_id, itemid]
    params += ids
    updated = db.execute(
        f"UPDATE tv_billing_event SET docid = %s, itemid = CASE id {case} END, "
        f"skip_reason = NULL WHERE id IN ({', '.join(['%s'] * len(ids))}) AND docid IS NULL",
        params)
    if updated != len(ids):
        # Someone else invoiced some of them after we locked: never write a second copy.
        raise RuntimeError(f"expected to mark {len(ids)} events, marked {updated}; rolled back")
    return total


def invoice_customer(db: Any, customer: dict[str, Any], cust_number: str, data: LmsBillingData,
                     opts: InvoicingOptions, clock: RunClock, target_docid: int | None,
                     numberer: Numberer, hook: Hook | None = None) -> CustomerResult | None:
    """Invoice one customer's pending events in one transaction (see module doc)."""
    customerid = int(customer["id"])
    day = clock.today.isoformat()
    with db.transaction():
        if hook:
            hook("customer")
        events = _customer_events(db, customerid, cust_number, day, lock=True)
        if not events:
            return None
        doc = None
        if target_docid is not None:
            doc = db.one("SELECT id, cdate, fullnumber, number, closed FROM documents "
                         "WHERE id = %s" + dialect.for_update(db), [target_docid])
            if doc is not None and int(doc["closed"] or 0):
                doc = None
        cdate = int(doc["cdate"]) if doc else clock.now
        lines, no_tax = [], []
        for ev in events:
            taxid = data.tax_for(Decimal(ev["be_vat"]), cdate)
            (lines if taxid is not None else no_tax).append((ev, taxid))
        if no_tax:
            ids = [int(ev["id"]) for ev, _ in no_tax]
            db.execute(f"UPDATE tv_billing_event SET skip_reason = %s WHERE id IN "
                       f"({', '.join(['%s'] * len(ids))}) AND docid IS NULL", [NO_TAX, *ids])
        if not lines:
            return CustomerResult(customerid, None, "", False, 0, Decimal("0.00"), len(no_tax))
        if doc is None and opts.mode == "attach":
            return None
        if doc is None:
            plan = data.plan_for(int(customer.get("divisionid") or 0), opts.numberplan_id)
            number = numberer.take(db, plan, clock.now)
            if hook:
                hook("number")
            docid, fullnumber = _insert_document(db, customer, data, plan, number, clock)
            new = True
        else:
            docid = int(doc["id"])
            fullnumber = doc["fullnumber"] or str(doc["number"])
            new = False
        if hook:
            hook("document")
        total = _write_lines(db, docid, cdate, customerid, int(opts.tariff_id or 0), lines, hook,
                             new)
        if hook:
            hook("marked")
    if new:
        numberer.committed(docid)
    if hook:
        hook("committed")
    return CustomerResult(customerid, docid, fullnumber, new, len(lines), total, len(no_tax))


def _retrying(fn: Callable[[], CustomerResult | None], what: str,
              numberer: Numberer) -> CustomerResult | None:
    for attempt in range(1, MAX_RETRIES + 1):
        try:
            return fn()
        except _Retry as exc:
            numberer.rolled_back()
            log.warning("%s: %s; retrying (%d/%d)", what, exc, attempt, MAX_RETRIES)
        except Exception as exc:  # noqa: BLE001 - only lock conflicts are retried
            numberer.rolled_back()
            if not _is_lock_conflict(exc) or attempt == MAX_RETRIES:
                raise
            log.warning("%s: lock conflict (%s); retrying", what, exc)
    raise InvoicingError(f"{what}: gave up after {MAX_RETRIES} attempts")


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
    data = LmsBillingData(db)
    check_options(db, opts, data)
    if dialect.is_postgres(db) and not opts.dry_run:
        # A fresh bulk import leaves the planner without statistics: without them each
        # customer's event lookup becomes a full scan (7 ms instead of 0.3 ms per customer).
        db.execute("ANALYZE tv_billing_event")
    day = clock.today.isoformat()
    summary = InvoicingSummary(mode=opts.mode, dry_run=opts.dry_run, day=day)
    groups = pending_groups(db, day)
    customers = load_customers(db, {int(g["customerid"]) for g in groups if g["customerid"]})
    allowed = customer_ids_in_groups(db, opts.customergroups) if opts.customergroups else None
    todo: list[tuple[dict[str, Any], str]] = []
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
        todo.append((customer, g["cust_number"]))
    todo.sort(key=lambda t: int(t[0]["id"]))
    targets = day_invoices(db, clock) if opts.mode in ("attach", "append") else {}
    if opts.dry_run:
        return _dry_run(db, todo, targets, data, opts, clock, summary)
    numberer = Numberer()
    for done, (customer, number) in enumerate(todo, 1):
        cid = int(customer["id"])
        target = targets.get(cid, {}).get("id")
        if target is None and opts.mode == "attach":
            summary.waiting_for_invoice += 1
        else:
            result = _retrying(lambda c=customer, n=number, t=target: invoice_customer(
                db, c, n, data, opts, clock, t, numberer, hook), f"customer {cid}", numberer)
            _account(summary, result)
        if progress:
            progress(done, len(todo))
    return summary


def _account(summary: InvoicingSummary, result: CustomerResult | None) -> None:
    if result is None:
        return
    if result.skipped_no_tax:
        summary.skipped[NO_TAX] += result.skipped_no_tax
    if result.docid is None:
        return
    summary.customers.append(result)
    summary.events_invoiced += result.lines
    summary.total += result.total
    if result.new_invoice:
        summary.invoices_new += 1
    else:
        summary.invoices_appended += 1


def _dry_run(db: Any, todo: list[tuple[dict[str, Any], str]], targets: dict[int, Any],
             data: LmsBillingData, opts: InvoicingOptions, clock: RunClock,
             summary: InvoicingSummary) -> InvoicingSummary:
    """What a real run would do now, computed with reads only (numbers are provisional)."""
    numbers: dict[int, int] = {}
    day = clock.today.isoformat()
    for customer, cust_number in todo:
        cid = int(customer["id"])
        target = targets.get(cid, {}).get("id")
        if target is None and opts.mode == "attach":
            summary.waiting_for_invoice += 1
            continue
        events = _customer_events(db, cid, cust_number, day, lock=False)
        doc = db.one("SELECT id, cdate, fullnumber, number FROM documents WHERE id = %s",
                     [target]) if target else None
        cdate = int(doc["cdate"]) if doc else clock.now
        lines = [ev for ev in events if data.tax_for(Decimal(ev["be_vat"]), cdate) is not None]
        no_tax = len(events) - len(lines)
        if doc:
            docid, fullnumber, new = int(doc["id"]), doc["fullnumber"] or str(doc["number"]), False
        else:
            plan = data.plan_for(int(customer.get("divisionid") or 0), opts.numberplan_id)
            if plan.id not in numbers:
                numbers[plan.id] = next_number(db, plan, clock.now) - 1
            numbers[plan.id] += 1
            docid, new = 0, True
            fullnumber = format_number(numbers[plan.id], plan.template, clock.now)
        total = sum((Decimal(ev["be_gross"]) for ev in lines), Decimal("0.00"))
        _account(summary, CustomerResult(cid, docid if lines else None, fullnumber, new,
                                         len(lines), total, no_tax))
    return summary
