"""TV invoicing on real LMS 1.11.17 and LMS 28 databases (PostgreSQL and MariaDB)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bridge.billing.dates import RunClock
from bridge.billing.invoicing import InvoicingError, InvoicingOptions, run_invoicing
from tests.conftest import FLAVOURS

from .conftest import event, ts
from .helpers import events_by_beid, invoice_consistency, store


@pytest.fixture(params=FLAVOURS)
def lms_flavour(request) -> str:
    """Every database test here runs on LMS 1.11.17 and on LMS 28."""
    return request.param

DAY = date(2024, 4, 1)
CLOCK = RunClock(today=DAY, now=ts(DAY))


@pytest.fixture
def setup(lms):
    div = lms.division()
    plan = lms.plan(divisions=(div,))
    tariff = lms.tariff()
    tax23 = lms.tax("23.00")
    lms.tax("8.00")
    return {"div": div, "plan": plan, "tariff": tariff, "tax23": tax23}


def opts(setup, **kw):
    return InvoicingOptions(tariff_id=setup["tariff"], **kw)


def test_tv_only_invoice_lines_cash_numbering(billing_db, lms, setup):
    db = billing_db
    c1 = lms.customer(1, division=setup["div"], tv="100000001")
    c2 = lms.customer(2, lastname="Nowak", name="Anna", division=setup["div"], tv="100000002",
                      paytime=21, paytype=3)
    store(db, [event(1, ext=c1), event(2, ext=c1, be_gross="10.01", be_vat=0.08),
               event(3, "100000002", ext=c2)])
    summary = run_invoicing(db, opts(setup, mode="separate"), CLOCK)
    assert summary.invoices_new == 2 and summary.events_invoiced == 3
    docs = db.query("SELECT * FROM documents ORDER BY number")
    assert [d["number"] for d in docs] == [1, 2]
    assert [d["fullnumber"] for d in docs] == ["1/TV/04/2024", "2/TV/04/2024"]
    d1, d2 = docs
    assert d1["customerid"] == c1 and d1["name"] == "Kowalski Jan" and d1["cdate"] == CLOCK.now
    assert d1["numberplanid"] == setup["plan"] and d1["div_shortname"] == "ISP"
    # LMS's own uiconfig defaults (invoices.paytime 14, invoices.paytype 1) for "-1 / none"
    assert d1["paytime"] == 14 and d1["paytype"] == 1
    assert d2["paytime"] == 21 and d2["paytype"] == 3  # the customer's own
    lines = db.query("SELECT * FROM invoicecontents WHERE docid = %s ORDER BY itemid", [d1["id"]])
    assert [(ln["itemid"], Decimal(ln["value"]), ln["tariffid"]) for ln in lines] == [
        (1, Decimal("29.99"), setup["tariff"]), (2, Decimal("10.01"), setup["tariff"])]
    assert lines[0]["taxid"] == setup["tax23"] and lines[0]["description"] == "Pakiet Start #1"
    evs = events_by_beid(db)
    assert (evs[1]["docid"], evs[1]["itemid"], evs[2]["itemid"]) == (d1["id"], 1, 2)
    assert invoice_consistency(db) == []
    balance = db.scalar("SELECT SUM(value) AS s FROM cash WHERE customerid = %s", [c1])
    assert Decimal(balance) == Decimal("-40.00")
    # A second run finds nothing left: exactly once.
    again = run_invoicing(db, opts(setup, mode="separate"), CLOCK)
    assert again.events_invoiced == 0 and db.scalar("SELECT COUNT(*) AS n FROM documents") == 2


def test_append_onto_the_days_internet_invoice(billing_db, lms, setup):
    db = billing_db
    c1 = lms.customer(1, division=setup["div"], tv="100000001")
    c2 = lms.customer(2, division=setup["div"], tv="100000002")
    older = lms.payments_invoice(c1, CLOCK.now, 1, setup["plan"], taxid=setup["tax23"])
    newest = lms.payments_invoice(c1, CLOCK.now + 60, 2, setup["plan"], taxid=setup["tax23"])
    manual = lms.payments_invoice(c1, CLOCK.now + 120, 3, setup["plan"], userid=5)
    store(db, [event(1, ext=c1), event(2, ext=c1), event(3, "100000002", ext=c2)])
    attach = run_invoicing(db, opts(setup, mode="attach"), CLOCK)
    assert attach.invoices_appended == 1 and attach.waiting_for_invoice == 1
    lines = db.query("SELECT itemid, description FROM invoicecontents WHERE docid = %s "
                     "ORDER BY itemid", [newest])
    assert [ln["itemid"] for ln in lines] == [1, 2, 3]
    assert db.scalar("SELECT COUNT(*) AS n FROM invoicecontents WHERE docid IN (%s, %s)",
                     [older, manual]) == 2
    cash = db.query("SELECT time FROM cash WHERE docid = %s AND itemid > 1", [newest])
    assert {c["time"] for c in cash} == {CLOCK.now + 60}  # the invoice's own date
    # append mode: the customer without an internet invoice gets a TV invoice numbered next.
    rest = run_invoicing(db, opts(setup, mode="append"), CLOCK)
    assert rest.invoices_new == 1 and rest.invoices_appended == 0
    doc = db.one("SELECT number FROM documents WHERE customerid = %s", [c2])
    assert doc["number"] == 4
    assert invoice_consistency(db) == []


def test_vat_matched_to_tax_valid_on_invoice_date(billing_db, lms, setup):
    db = billing_db
    old22 = lms.tax("22.00", validto=ts(date(2010, 12, 31)))
    new22 = lms.tax("22.00", validfrom=ts(date(2011, 1, 1)), validto=ts(date(2030, 1, 1)))
    c1 = lms.customer(1, division=setup["div"], tv="100000001")
    store(db, [event(1, ext=c1, be_vat=0.22), event(2, ext=c1, be_vat="0.23"),
               event(3, ext=c1, be_vat=0.05)])
    summary = run_invoicing(db, opts(setup, mode="separate"), CLOCK)
    taxes = {r["description"]: r["taxid"] for r in db.query(
        "SELECT description, taxid FROM invoicecontents")}
    assert taxes == {"Pakiet Start #1": new22, "Pakiet Start #2": setup["tax23"]}
    assert old22 != new22
    evs = events_by_beid(db)
    assert evs[3]["docid"] is None and evs[3]["skip_reason"] == "no_tax"
    assert summary.skipped["no_tax"] == 1


def test_suspended_and_unlinked_customers_are_skipped_with_reason(billing_db, lms, setup):
    db = billing_db
    frozen = lms.customer(1, tv="100000001", suspend=1)
    later = lms.customer(2, tv="100000002")
    other = lms.customer(3, tv="100000009")
    store(db, [event(1, ext=frozen), event(2, "100000002", ext=later),
               event(3, "100000003", ext=other), event(4, "100000004", ext=""),
               event(5, "100000005", ext=999)])
    db.execute("UPDATE customers SET tv_suspend_billing = 1 WHERE id = %s", [later])
    summary = run_invoicing(db, opts(setup, mode="append"), CLOCK)
    assert summary.events_invoiced == 0
    evs = events_by_beid(db)
    assert {b: e["skip_reason"] for b, e in evs.items()} == {
        1: "suspended", 2: "suspended", 3: "number_mismatch", 4: "no_external_id",
        5: "no_customer"}
    assert evs[1]["tv_suspend_billing"] == 1 and evs[2]["tv_suspend_billing"] == 0
    # Lifting the flag releases only the events imported while it was off.
    db.execute("UPDATE customers SET tv_suspend_billing = 0 WHERE id IN (%s, %s)",
               [frozen, later])
    summary = run_invoicing(db, opts(setup, mode="append"), CLOCK)
    assert summary.events_invoiced == 1
    evs = events_by_beid(db)
    assert evs[2]["docid"] is not None and evs[2]["skip_reason"] is None
    assert evs[1]["docid"] is None


def test_customer_groups_filter(billing_db, lms, setup):
    db = billing_db
    c1 = lms.customer(1, tv="100000001")
    c2 = lms.customer(2, tv="100000002")
    lms.group("TV-Kraków", (c1,))
    store(db, [event(1, ext=c1), event(2, "100000002", ext=c2)])
    summary = run_invoicing(db, opts(setup, customergroups=("tv-kraków",)), CLOCK)
    assert summary.events_invoiced == 1 and summary.not_in_groups == 1
    with pytest.raises(InvoicingError, match="unknown customer group"):
        run_invoicing(db, opts(setup, customergroups=("nope",)), CLOCK)


def test_dry_run_writes_nothing(billing_db, lms, setup):
    db = billing_db
    c1 = lms.customer(1, tv="100000001", division=setup["div"])
    c2 = lms.customer(2, tv="100000002")  # no division: LMS's plan 0, %N/LMS/%Y
    store(db, [event(1, ext=c1), event(2, ext=c1), event(3, "100000002", ext=c2)])
    summary = run_invoicing(db, opts(setup, dry_run=True), CLOCK)
    assert summary.customers[1].fullnumber == "1/LMS/2024"
    summary = run_invoicing(db, opts(setup, dry_run=True), CLOCK)
    assert summary.events_invoiced == 3 and summary.invoices_new == 2
    assert summary.customers[0].fullnumber == "1/TV/04/2024"
    assert db.scalar("SELECT COUNT(*) AS n FROM documents") == 0
    assert db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NOT NULL") == 0


def test_missing_or_unknown_tariff_is_a_clear_error(billing_db, lms, setup):
    with pytest.raises(InvoicingError, match="tv_tariff_id is not set"):
        run_invoicing(billing_db, InvoicingOptions(tariff_id=None), CLOCK)
    with pytest.raises(InvoicingError, match="no such LMS tariff"):
        run_invoicing(billing_db, InvoicingOptions(tariff_id=9999), CLOCK)


@pytest.mark.parametrize("batch", [1, 2, 50])
def test_same_invoices_whatever_the_batch_size(billing_db, lms, setup, batch):
    """One transaction per customer or many customers per transaction: identical results,
    with appends, closed targets, no-tax events and new numbers mixed in one batch."""
    db = billing_db
    cids = [lms.customer(i, division=setup["div"], tv=f"1000000{i:02d}") for i in range(1, 7)]
    open_doc = lms.payments_invoice(1, CLOCK.now, 1, setup["plan"], taxid=setup["tax23"])
    closed = lms.payments_invoice(3, CLOCK.now, 2, setup["plan"], taxid=setup["tax23"])
    db.execute("UPDATE documents SET closed = 1 WHERE id = %s", [closed])
    evs = []
    for cid in cids:
        # customer 5's VAT matches no LMS tax: nothing to invoice, all stay pending
        vat = 0.05 if cid == 5 else 0.23
        evs += [event(cid * 10 + k, f"1000000{cid:02d}", ext=cid, be_gross=f"{cid}.{k}1",
                      be_vat=vat) for k in range(2)]
    evs += [event(200, "100000004", ext=4, be_vat=0.05),   # one no-tax event beside two good
            event(201, "100000005", ext=5, be_vat=0.05), event(202, "100000005", ext=5,
                                                              be_vat=0.05)]
    store(db, evs)
    summary = run_invoicing(db, opts(setup, mode="append", batch_size=batch), CLOCK)
    assert (summary.invoices_new, summary.invoices_appended) == (4, 1)
    assert summary.events_invoiced == 10 and summary.skipped["no_tax"] == 5
    assert summary.total == sum(Decimal(f"{c}.{k}1") for c in cids if c != 5 for k in range(2))
    docs = {(int(d["customerid"]), int(d["number"])) for d in db.query(
        "SELECT customerid, number FROM documents")}
    # 1 appends to its open invoice, 3's is closed so it gets a new one; numbers in order
    assert docs == {(1, 1), (3, 2), (2, 3), (3, 4), (4, 5), (6, 6)}
    lines = db.query("SELECT itemid, description FROM invoicecontents WHERE docid = %s "
                     "ORDER BY itemid", [open_doc])
    assert [ln["description"] for ln in lines] == ["Internet", "Pakiet Start #10",
                                                   "Pakiet Start #11"]
    evs_now = events_by_beid(db)
    assert {b for b, e in evs_now.items() if e["docid"] is None} == {50, 51, 200, 201, 202}
    assert evs_now[50]["skip_reason"] == "no_tax"
    assert invoice_consistency(db) == []


def test_batches_cap_customers_and_events():
    from bridge.billing.invoicing import batches
    from bridge.billing.writer import Job

    jobs = [Job({"id": i}, str(i), None, n) for i, n in enumerate([10, 10, 10, 5000, 10, 1500,
                                                                   600, 10], 1)]
    sizes = [[j.customerid for j in b] for b in batches(jobs, 3, max_events=2000)]
    # 3 customers at most; 5000 events alone; 1500 + 600 would pass 2000, so they split
    assert sizes == [[1, 2, 3], [4], [5, 6], [7, 8]]
    assert [[j.customerid for j in b] for b in batches(jobs, 1)] == [[i] for i in range(1, 9)]
    assert batches([], 25) == []
