"""A month of sandbox billing: import -> lms-payments (+ attach) -> TV-only invoices -> balance
export, on each database; every event ends on exactly one invoice that adds up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bridge.billing.balances import export_balances
from bridge.billing.dates import RunClock
from bridge.billing.importer import import_events
from bridge.billing.invoicing import InvoicingOptions, run_invoicing
from bridge.sms.client import SmsClient

from .conftest import sms_customer, ts
from .helpers import invoice_consistency


def test_month_end_to_end(billing_db, lms, sandbox):
    db, ctl = billing_db, sandbox.control()
    div = lms.division()
    plan = lms.plan(divisions=(div,))
    tariff = lms.tariff()
    lms.tax("23.00")
    numbers = ctl.sandbox.addCustomers([sms_customer(f"K{i}", str(i)) for i in range(1, 9)])
    for i, number in enumerate(numbers, 1):
        lms.customer(i, division=div, tv=number)
    ctl.sandbox.generateBillingEvents(40, numbers, "2024-03-01", 1)
    day = date(2024, 4, 1)
    with SmsClient(sandbox.url, sandbox.login, sandbox.password_md5) as sms:
        imported = import_events(db, sms, date(2024, 3, 1), day)
        assert imported.new == 40 and not imported.unlinked
        # lms-payments issues internet invoices to customers 1..4, then runs `billing attach`
        for cid in range(1, 5):
            lms.payments_invoice(cid, ts(day), cid, plan)
        clock = RunClock(day, ts(day))
        attached = run_invoicing(db, InvoicingOptions(tariff_id=tariff, mode="attach"), clock)
        assert attached.invoices_appended == 4 and attached.waiting_for_invoice == 4
        tv_only = run_invoicing(db, InvoicingOptions(tariff_id=tariff, mode="append"), clock)
        assert tv_only.invoices_new == 4
        assert attached.events_invoiced + tv_only.events_invoiced == 40
        sent = export_balances(db, sms, day)
    assert db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NULL") == 0
    assert invoice_consistency(db) == []
    assert sorted(int(r["number"]) for r in db.query("SELECT number FROM documents")) == \
        list(range(1, 9))
    for i, number in enumerate(numbers, 1):
        balance = db.scalar("SELECT SUM(value) AS s FROM cash WHERE customerid = %s", [i])
        assert sent.sent[number] == f"{Decimal(balance):.2f}"
    assert ctl.sandbox.getPaymentInfo()["upload_date"] == "2024-04-01"
