"""TV → Zgodność LMS–SMS in a real current LMS (28-git) with the TV plugin: a disconnected LMS
customer with TV services and an SMS customer not linked to LMS, whose events were imported
before the link, are on the screen; its fix buttons lock the TV account, link the customer and
invoice the events on an LMS 28 invoice exactly once — checked in SMS and in LMS's database."""

from __future__ import annotations

from decimal import Decimal

from bridge.lms.db import connect
from tests.e2e.steps import db_rows, sms_customer, unlink
from tests.e2e.test_lms11_reconcile import event_day, import_day, row_of, skip_used_numbers
from tests.e2e.test_lms28_customer import new_customer
from tests.e2e.ui import login, open_module, post, submit_tv_form, tv_form

EVENTS = (992800001, 992800002)


def test_fixes_lock_link_and_invoice_once(browser, tv28, sms28) -> None:
    skip_used_numbers(tv28, sms28)
    gone = new_customer(tv28, lastname="Odłączona", status=4)        # disconnected in LMS
    unlinked = new_customer(tv28, lastname="Bezlinkowa")
    with_tv = sms_customer(sms28, gone, "Odłączona", services=True)
    free = sms_customer(sms28, unlinked, "Bezlinkowa", services=False)
    db = connect(tv28.db)
    try:
        db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s",
                   [with_tv["number"], gone])
    finally:
        db.close()
    day = event_day(sms28)
    sms28.sandbox.addBillingEvents([
        {"id": EVENTS[0], "cust_number": free["number"], "be_selling_date": day,
         "be_gross": "65.00", "be_desc": "E2E Pakiet Wielotematyczny 65 - abonament"},
        {"id": EVENTS[1], "cust_number": free["number"], "be_selling_date": day,
         "be_gross": "10.00", "be_desc": "E2E Pakiet Sport - abonament"}])
    import_day(tv28, day)
    try:
        page = login(browser, tv28, "admin", "m=tvreconcile&fresh=1")
        assert "Zgodność LMS–SMS" in page
        assert row_of(browser, "disconnected_with_services", with_tv["number"]) is not None
        assert row_of(browser, "sms_not_linked", free["number"]) is not None

        page = submit_tv_form(browser, "lock", customer_id=gone)
        assert "Zablokowano konta TV." in page
        assert not int(sms28.custGetSubscriptions(with_tv["number"])[0]["acc_active"])
        assert row_of(browser, "disconnected_with_services", with_tv["number"]) is None

        page = submit_tv_form(browser, "link", customer_id=unlinked)
        assert "Powiązano klienta z SMS." in page
        assert db_rows(tv28, "SELECT tv_cust_number FROM customers WHERE id = %s",
                       [unlinked])[0]["tv_cust_number"] == free["number"]

        open_module(browser, tv28, "m=tvreconcile&fresh=1")
        assert row_of(browser, "unbilled_linked", free["number"]) is not None
        form = tv_form(browser, "invoice", customer_id=unlinked)
        replay = browser.execute_script(
            "return Object.fromEntries(Array.from(arguments[0].querySelectorAll("
            "'input[type=hidden]'), i => [i.name, i.value]))", form)
        page = submit_tv_form(browser, "invoice", customer_id=unlinked)
        docs = db_rows(tv28, "SELECT id, fullnumber FROM documents WHERE customerid = %s",
                       [unlinked])
        assert len(docs) == 1, page[:600]
        assert (f"Zafakturowano zdarzenia: 2, kwota 75.00 zł, faktura {docs[0]['fullnumber']}."
                in page), page[:600]
        assert [e["docid"] for e in db_rows(
            tv28, "SELECT docid FROM tv_billing_event WHERE beid IN (%s, %s) ORDER BY beid",
            list(EVENTS))] == [docs[0]["id"]] * 2
        total = db_rows(tv28, "SELECT SUM(value * count) AS v FROM invoicecontents "
                              "WHERE docid = %s", [docs[0]["id"]])[0]["v"]
        assert Decimal(total) == Decimal("75.00")
        # LMS's own customer page counts the invoice in the customer's balance
        assert "Saldo -75.00 PLN" in open_module(browser, tv28,
                                                 f"m=customerinfo&id={unlinked}")
        page = post(browser, tv28, "m=tvreconcile", replay)    # the form sent again
        assert "Nie było zdarzeń do zafakturowania." in page
        assert len(db_rows(tv28, "SELECT id FROM documents WHERE customerid = %s",
                           [unlinked])) == 1
    finally:
        unlink(tv28, gone, unlinked)
