"""TV invoicing on current LMS (28): what LMS 28's own reports and screens read from it.

LMS 28's income report by service type (modules/ukeincome.php) sums ``cash.value`` grouped by
``cash.servicetype``; TV cash debits must carry SERVICE_TV (5) there, and the invoices must be in
LMS 28's form (addresses from ``addresses``, currency, NULL where a foreign key has no target).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bridge.billing.dates import RunClock
from bridge.billing.invoicing import InvoicingOptions, run_invoicing
from bridge.lms import flavour

from .conftest import event, ts
from .helpers import invoice_consistency, store

DAY = date(2024, 4, 1)
CLOCK = RunClock(today=DAY, now=ts(DAY))


@pytest.fixture
def lms_flavour() -> str:
    return "lms28"


def test_tv_cash_rows_carry_service_type_tv_and_lms28_invoice_form(billing_db, lms):
    db = billing_db
    assert flavour.detect(db) is flavour.LMS28
    div = lms.division()
    plan = lms.plan(divisions=(div,))
    tariff = lms.tariff()
    tax23 = lms.tax("23.00")
    c1 = lms.customer(1, division=div, tv="100000001")
    c2 = lms.customer(2, lastname="Nowak", name="Anna", division=div, tv="100000002")
    internet = lms.payments_invoice(c2, CLOCK.now, 1, plan, taxid=tax23)
    store(db, [event(1, ext=c1), event(2, ext=c1, be_gross="10.01"),
               event(3, "100000002", ext=c2)])

    summary = run_invoicing(db, InvoicingOptions(tariff_id=tariff, mode="append"), CLOCK)
    assert summary.events_invoiced == 3 and summary.invoices_new == 1
    assert summary.invoices_appended == 1
    assert invoice_consistency(db) == []

    new = db.one("SELECT * FROM documents WHERE customerid = %s", [c1])
    # the customer's and the division's addresses as LMS 28 keeps them (vaddresses' format)
    assert (new["address"], new["zip"], new["city"]) == ("ul. Krótka 5/2", "31-002", "Kraków")
    assert (new["div_address"], new["div_city"], new["div_zip"]) == \
        ("ul. Długa 1", "Kraków", "30-001")
    assert new["currency"] == "PLN" and Decimal(new["currencyvalue"]) == 1
    assert new["userid"] is None and new["countryid"] is None
    assert new["numberplanid"] == plan and new["divisionid"] == div

    tv_cash = db.query("SELECT servicetype, currency, userid, value FROM cash "
                       "WHERE comment LIKE %s ORDER BY id", ["Pakiet Start%"])
    assert len(tv_cash) == 3
    assert {(r["servicetype"], r["currency"], r["userid"]) for r in tv_cash} == \
        {(flavour.SERVICE_TV, "PLN", None)}
    # the line appended to lms-payments' internet invoice is TV as well; its own line is not
    appended = db.query("SELECT c.servicetype FROM cash c WHERE c.docid = %s ORDER BY c.itemid",
                        [internet])
    assert [r["servicetype"] for r in appended] == [None, flavour.SERVICE_TV]

    # what ukeincome.php's "service types" report sums (cash grouped by servicetype)
    income = {r["servicetype"]: Decimal(r["total"]) for r in db.query(
        "SELECT servicetype, SUM(value) AS total FROM cash WHERE value < 0 "
        "GROUP BY servicetype")}
    assert income[flavour.SERVICE_TV] == Decimal("-69.99")


def test_default_plan_follows_current_lms_validity_and_customer_type(billing_db, lms):
    """lms-payments' rule on current LMS: a default plan serves while valid (datefrom/dateto)
    and for its customer type (NULL: any type), the type's own plan before the any-type one."""
    db = billing_db
    div = lms.division()
    day = 86400
    expired = lms.plan("%N/OLD/%Y", divisions=(div,), dateto=CLOCK.now - day)
    lms.plan("%N/NEXT/%Y", divisions=(div,), datefrom=CLOCK.now + day)
    companies = lms.plan("%N/FIRMY/%Y", divisions=(div,), customertype=1)
    anyone = lms.plan("%N/TV/%Y", divisions=(div,), datefrom=CLOCK.now - day,
                      dateto=CLOCK.now + day)
    tariff = lms.tariff()
    lms.tax("23.00")
    private = lms.customer(1, division=div, tv="100000001")
    company = lms.customer(2, lastname="Firma", division=div, tv="100000002")
    db.execute("UPDATE customers SET type = 1 WHERE id = %s", [company])
    store(db, [event(1, ext=private), event(2, "100000002", ext=company)])

    summary = run_invoicing(db, InvoicingOptions(tariff_id=tariff, mode="separate"), CLOCK)
    assert summary.invoices_new == 2
    plans = {r["customerid"]: (r["numberplanid"], r["fullnumber"]) for r in db.query(
        "SELECT customerid, numberplanid, fullnumber FROM documents")}
    assert plans == {private: (anyone, "1/TV/2024"), company: (companies, "1/FIRMY/2024")}
    assert expired not in {p for p, _ in plans.values()}
