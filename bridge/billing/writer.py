"""Writing TV lines onto LMS invoices for a batch of customers in ONE transaction.

The transaction first takes LMS's invoice table locks
(:data:`~bridge.billing.numberer.INVOICE_LOCKS`), then reads everything the batch needs with a
few set queries (its pending events ``FOR UPDATE``, the target invoices ``FOR UPDATE`` and their
highest line numbers) and writes with a few multi-row statements (new invoice headers, lines,
cash debits, one UPDATE marking the events ``WHERE docid IS NULL`` with the row count checked).
The transaction is all-or-nothing: after a crash or any error every event of the batch is either
fully invoiced (line + cash + mark) or untouched.  A batch of one customer is the per-customer
transaction the run falls back to.  Under MySQL's LOCK TABLES a statement may only name locked
tables, without aliases: keep every query of this module that way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bridge.billing.dates import RunClock
from bridge.billing.linkage import NO_TAX
from bridge.billing.lmsdata import LmsBillingData, NumberPlan
from bridge.billing.numberer import INVOICE_LOCKS, Numberer
from bridge.billing.numbering import DOC_INVOICE, format_number
from bridge.lms import dialect, flavour

LINE_UNIT = "usł."

Hook = Callable[[str], None]


@dataclass(frozen=True)
class Job:
    """One customer to invoice: LMS customer row, SMS number, and today's invoice (if any)."""

    customer: dict[str, Any]
    cust_number: str
    target_docid: int | None
    events: int = 0  # pending events counted when the run started (sizes the batches)

    @property
    def customerid(self) -> int:
        return int(self.customer["id"])


@dataclass
class CustomerResult:
    customerid: int
    docid: int | None
    fullnumber: str
    new_invoice: bool
    lines: int
    total: Decimal
    skipped_no_tax: int = 0


@dataclass(frozen=True)
class WriteOptions:
    mode: str
    tariff_id: int
    numberplan_id: int | None


@dataclass
class _Plan:
    """What one customer of the batch gets (filled in while the batch is prepared)."""

    job: Job
    lines: list[tuple[dict[str, Any], int]]
    cdate: int
    docid: int | None = None
    fullnumber: str = ""
    first_item: int = 1
    new: bool = False
    header: dict[str, Any] | None = None


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def invoice_batch(db: Any, jobs: Sequence[Job], data: LmsBillingData, opts: WriteOptions,
                  clock: RunClock, numberer: Numberer,
                  hook: Hook | None = None) -> list[CustomerResult | None]:
    """Invoice every job's pending events in one transaction; one result per job (None when
    nothing was written for it).  Raises -- and writes nothing -- on any error."""
    if len({j.customerid for j in jobs}) != len(jobs):
        raise ValueError("a batch must not hold the same customer twice")
    numberer.rolled_back()
    try:
        # LMS's tables locked first, in LMS's order, whatever the mode: appending lines and
        # cash to an existing invoice races LMS just as a new invoice does.
        with db.transaction(locks=INVOICE_LOCKS):
            if hook:
                hook("batch")
            numberer.begin(db)
            results, top = _write(db, jobs, data, opts, clock, numberer, hook)
    except BaseException:
        numberer.rolled_back()
        raise
    numberer.committed(top)
    if hook:
        hook("committed")
    return results


def _write(db: Any, jobs: Sequence[Job], data: LmsBillingData, opts: WriteOptions,
           clock: RunClock, numberer: Numberer,
           hook: Hook | None) -> tuple[list[CustomerResult | None], int | None]:
    events = pending_events(db, jobs, clock.today.isoformat())
    docs = target_documents(db, [j.target_docid for j in jobs if j.target_docid])
    results: list[CustomerResult | None] = []
    plans: list[_Plan] = []
    no_tax_ids: list[int] = []
    for job in jobs:
        if hook:
            hook("customer")
        evs = events.get(job.customerid, [])
        if not evs:
            results.append(None)
            continue
        doc = docs.get(job.target_docid) if job.target_docid else None
        cdate = int(doc["cdate"]) if doc else clock.now
        lines, no_tax = [], []
        for ev in evs:
            taxid = data.tax_for(Decimal(ev["be_vat"]), cdate)
            if taxid is None:
                no_tax.append(int(ev["id"]))
            else:
                lines.append((ev, taxid))
        no_tax_ids += no_tax
        if not lines or (doc is None and opts.mode == "attach"):
            results.append(None if lines else CustomerResult(
                job.customerid, None, "", False, 0, Decimal("0.00"), len(no_tax)))
            continue
        plan = _Plan(job, lines, cdate)
        if doc is None:
            numberplan = data.plan_for(int(job.customer.get("divisionid") or 0),
                                       opts.numberplan_id, job.customer.get("type"))
            number = numberer.take(db, numberplan, clock.now)
            if hook:
                hook("number")
            plan.new = True
            plan.header = _document_values(job.customer, data, numberplan, number, clock)
            plan.fullnumber = plan.header["fullnumber"]
        else:
            plan.docid = int(doc["id"])
            plan.fullnumber = doc["fullnumber"] or str(doc["number"])
        plans.append(plan)
        results.append(CustomerResult(job.customerid, None, plan.fullnumber, plan.new,
                                      len(lines), Decimal("0.00"), len(no_tax)))
    if no_tax_ids:
        db.execute(f"UPDATE tv_billing_event SET skip_reason = %s WHERE id IN "
                   f"({_marks(len(no_tax_ids))}) AND docid IS NULL", [NO_TAX, *no_tax_ids])
    if not plans:
        return results, None
    top = _insert_documents(db, [p for p in plans if p.new], numberer.top)
    if hook:
        hook("document")
    _first_items(db, [p for p in plans if not p.new])
    totals = _write_lines(db, plans, opts.tariff_id, hook)
    by_customer = {p.job.customerid: p for p in plans}
    for result in results:
        p = by_customer.get(result.customerid) if result else None
        if result is not None and p is not None:
            result.docid, result.total = p.docid, totals[p.job.customerid]
    if hook:
        hook("marked")
    return results, top


def pending_events(db: Any, jobs: Sequence[Job], day: str,
                   lock: bool = True) -> dict[int, list[dict[str, Any]]]:
    """The jobs' pending events (locked unless ``lock`` is false), per customer in line order,
    in one set query."""
    ids = [j.customerid for j in jobs]
    wanted = {j.customerid: j.cust_number for j in jobs}
    rows = db.query(
        "SELECT id, customerid, cust_number, be_desc, be_vat, be_gross FROM tv_billing_event "
        f"WHERE customerid IN ({_marks(len(ids))}) AND docid IS NULL "
        "AND tv_suspend_billing = 0 AND be_selling_date <= %s "
        "ORDER BY customerid, be_selling_date, beid" + (dialect.for_update(db) if lock else ""),
        [*ids, day])
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        cid = int(row["customerid"])
        # Events under another SMS number are not this link's (they stay skipped).
        if row["cust_number"] == wanted[cid]:
            out.setdefault(cid, []).append(row)
    return out


def target_documents(db: Any, ids: list[int], lock: bool = True) -> dict[int, dict[str, Any]]:
    """Today's invoices to append to, locked; closed ones are left out (they get a new one)."""
    if not ids:
        return {}
    rows = db.query("SELECT id, cdate, fullnumber, number, closed FROM documents "
                    f"WHERE id IN ({_marks(len(ids))})" + (dialect.for_update(db) if lock else ""),
                    ids)
    return {int(r["id"]): r for r in rows if not int(r["closed"] or 0)}


def _document_values(customer: dict[str, Any], data: LmsBillingData, plan: NumberPlan,
                     number: int, clock: RunClock) -> dict[str, Any]:
    """A new invoice header with the customer and division snapshots, as LMS fills them."""
    div = data.divisions.get(int(customer.get("divisionid") or 0)) or {}
    name = " ".join(p for p in ((customer.get("lastname") or "").strip(),
                                (customer.get("name") or "").strip()) if p)
    return {
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
        "div_inv_cplace": div.get("inv_cplace") or "",
        "fullnumber": format_number(number, plan.template, clock.now),
    }


def _insert_documents(db: Any, plans: list[_Plan], top_before: int) -> int | None:
    """Insert the new headers in one statement; set each plan's docid; return the highest."""
    if not plans:
        return None
    assert plans[0].header is not None
    headers = [flavour.document_header(db, p.header or {}) for p in plans]
    cols = list(headers[0])
    customers = [p.job.customerid for p in plans]
    if dialect.is_postgres(db):
        # The headers as one JSON parameter: ~30 columns x 25 invoices as separate literals
        # cost the server more to parse than the insert itself.
        names = ", ".join(cols)
        rows = db.query(f"INSERT INTO documents ({names}) SELECT {names} FROM "
                        "json_populate_recordset(NULL::documents, %s) RETURNING id, customerid",
                        [json.dumps([{c: h[c] for c in cols} for h in headers], default=str)])
    else:
        dialect.bulk_load(db, "documents", cols, [[h[c] for c in cols] for h in headers])
        # Nobody else can insert while we hold documents locked, so the rows past top_before
        # belonging to these customers are exactly ours.
        rows = db.query("SELECT id, customerid FROM documents WHERE id > %s AND customerid IN "
                        f"({_marks(len(customers))})", [top_before, *customers])
    ids = {int(r["customerid"]): int(r["id"]) for r in rows}
    if len(rows) != len(plans) or set(ids) != set(customers):
        raise RuntimeError(f"inserted {len(plans)} invoice(s) but found {len(rows)}; "
                           "rolled back")
    for p in plans:
        p.docid = ids[p.job.customerid]
        p.first_item = 1
    return max(ids.values())


def _first_items(db: Any, plans: list[_Plan]) -> None:
    """Lines continue each existing invoice's highest itemid (one query for the batch)."""
    if not plans:
        return
    ids = sorted({int(p.docid or 0) for p in plans})
    rows = db.query("SELECT docid, MAX(itemid) AS n FROM invoicecontents WHERE docid IN "
                    f"({_marks(len(ids))}) GROUP BY docid", ids)
    top = {int(r["docid"]): int(r["n"] or 0) for r in rows}
    for p in plans:
        p.first_item = top.get(int(p.docid or 0), 0) + 1


# invoicecontents columns of a TV line, in the order _write_lines fills them.
CONTENT_COLUMNS = ("docid", "itemid", "value", "taxid", "prodid", "content", "count",
                   "description", "tariffid", "pdiscount", "vdiscount")
CASH_COLUMNS = ("time", "type", "userid", "value", "taxid", "customerid", "comment", "docid",
                "itemid")


def _write_lines(db: Any, plans: list[_Plan], tariff_id: int,
                 hook: Hook | None) -> dict[int, Decimal]:
    """Lines, cash debits and event marks of the whole batch: three statements.

    Lines and debits go in with the bulk loader (``COPY`` on PostgreSQL, literal multi-row
    INSERTs on MySQL): the batch's hundreds of parameters were most of each INSERT's time, in
    the server's parser (PostgreSQL) and in pymysql's pure-Python escaping (MySQL).
    """
    contents: list[tuple[Any, ...]] = []
    cash: list[tuple[Any, ...]] = []
    marks: list[tuple[int, int, int]] = []
    totals: dict[int, Decimal] = {}
    extra_cols, extra_values, userid = flavour.cash_columns(db)
    for p in plans:
        total = Decimal("0.00")
        docid = int(p.docid or 0)
        for offset, (ev, taxid) in enumerate(p.lines):
            itemid = p.first_item + offset
            gross = Decimal(ev["be_gross"])
            total += gross
            contents.append((docid, itemid, gross, taxid, "", LINE_UNIT, 1, ev["be_desc"],
                             tariff_id, 0, 0))
            cash.append((p.cdate, 0, userid, -gross, taxid, p.job.customerid, ev["be_desc"],
                         docid, itemid, *extra_values))
            marks.append((int(ev["id"]), docid, itemid))
        totals[p.job.customerid] = total
    n = len(marks)
    dialect.bulk_load(db, "invoicecontents", CONTENT_COLUMNS, contents)
    dialect.bulk_load(db, "cash", (*CASH_COLUMNS, *extra_cols), cash)
    if hook:
        hook("lines")
    updated = dialect.update_by_key(db, "tv_billing_event", "id", ("docid", "itemid"), marks,
                                    also="skip_reason = NULL", unset="docid")
    if updated != n:
        # Someone else invoiced some of them after we locked: never write a second copy.
        raise RuntimeError(f"expected to mark {n} events, marked {updated}; rolled back")
    return totals
