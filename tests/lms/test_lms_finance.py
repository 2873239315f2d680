"""bridge.lms.finance on real LMS 1.11.17 databases (PostgreSQL and MariaDB)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bridge.lms import finance

from .test_lms_migrate import add_customer

DAY = dt.date(2024, 3, 31)  # a DST change day in Poland: bounds must not assume 86400 s


def _insert(db, table, **cols):
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    return db.insert_id(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(cols.values()),
                        table)


def test_day_bounds_are_local_midnights():
    start, end = finance.day_bounds(DAY)
    assert dt.datetime.fromtimestamp(start) == dt.datetime(2024, 3, 31)
    assert dt.datetime.fromtimestamp(end) == dt.datetime(2024, 4, 1)


def test_divisions_and_number_plans(lms_db):
    db = lms_db
    d1 = _insert(db, "divisions", shortname="ISP Łódź", name="ISP Łódź Sp. z o.o.",
                 address="ul. Piotrkowska 1", city="Łódź", zip="90-001", account="123",
                 inv_paytime=14)
    d2 = _insert(db, "divisions", shortname="ISP Kraków", name="ISP Kraków")
    p1 = _insert(db, "numberplans", template="FV %N/%m/%Y", period=3, doctype=1, isdefault=1)
    p2 = _insert(db, "numberplans", template="TV %N/%Y", period=5, doctype=1, isdefault=0)
    p3 = _insert(db, "numberplans", template="KP %N", period=5, doctype=2, isdefault=1)
    for plan, div in ((p1, d1), (p2, d1), (p2, d2), (p3, d1)):
        db.execute("INSERT INTO numberplanassignments (planid, divisionid) VALUES (%s, %s)",
                   [plan, div])
    divs = finance.divisions(db)
    assert set(divs) == {d1, d2}
    assert divs[d1]["name"] == "ISP Łódź Sp. z o.o." and divs[d1]["inv_paytime"] == 14
    plans = {p["id"]: p for p in finance.number_plans(db, finance.DOC_INVOICE)}
    assert set(plans) == {p1, p2}
    assert plans[p1]["divisionids"] == [d1] and sorted(plans[p2]["divisionids"]) == [d1, d2]
    assert plans[p1]["isdefault"] == 1 and plans[p1]["period"] == 3
    assert {p["id"] for p in finance.number_plans(db)} == {p1, p2, p3}
    assert finance.default_number_plan(db, d1)["id"] == p1
    assert finance.default_number_plan(db, d2) is None
    assert finance.default_number_plan(db, d1, doctype=2)["id"] == p3


def test_taxes_valid_on_a_day(lms_db):
    db = lms_db
    start, end = finance.day_bounds(DAY)
    always = _insert(db, "taxes", value=Decimal("23.00"), taxed=1, label="23%")
    old = _insert(db, "taxes", value=Decimal("22.00"), taxed=1, label="22%", validto=start - 1)
    later = _insert(db, "taxes", value=Decimal("8.00"), taxed=1, label="8%", validfrom=end)
    window = _insert(db, "taxes", value=Decimal("5.00"), taxed=1, label="5%",
                     validfrom=start - 86400, validto=start + 3600)
    exempt = _insert(db, "taxes", value=Decimal("0.00"), taxed=0, label="zw.")
    zero = _insert(db, "taxes", value=Decimal("0.00"), taxed=1, label="0%")
    ids = {t["id"] for t in finance.taxes_valid_on(db, DAY)}
    assert ids == {always, window, exempt, zero}
    assert old not in ids and later not in ids
    assert finance.tax_for_rate(db, Decimal("0.23"), DAY)["id"] == always
    assert finance.tax_for_rate(db, 0.23, DAY)["id"] == always  # float input, no float error
    assert finance.tax_for_rate(db, Decimal("0.2300"), DAY)["id"] == always
    assert finance.tax_for_rate(db, Decimal("0.08"), DAY) is None
    assert finance.tax_for_rate(db, Decimal("0"), DAY)["id"] == zero
    assert finance.tax_for_rate(db, Decimal("0.22"), DAY - dt.timedelta(days=1))["id"] == old


def test_documents_of_a_day(lms_db):
    db = lms_db
    start, end = finance.day_bounds(DAY)
    cid = add_customer(db)
    other = add_customer(db, "Inny")
    today = _insert(db, "documents", type=1, number=1, customerid=cid, cdate=start, sdate=start)
    late = _insert(db, "documents", type=1, number=2, customerid=other, cdate=end - 1,
                   sdate=end - 1)
    _insert(db, "documents", type=1, number=3, customerid=cid, cdate=end, sdate=end)
    _insert(db, "documents", type=2, number=4, customerid=cid, cdate=start, sdate=start)
    for item in (1, 2):
        db.execute("INSERT INTO invoicecontents (docid, itemid, value, description) "
                   "VALUES (%s, %s, 10, 'x')", [today, item])
    docs = finance.documents_of_day(db, DAY)
    assert [d["id"] for d in docs] == [today, late]
    assert docs[0]["max_itemid"] == 2 and docs[1]["max_itemid"] == 0
    assert [d["id"] for d in finance.documents_of_day(db, DAY, customerid=other)] == [late]
    assert finance.documents_of_day(db, DAY, doctype=2)[0]["number"] == 4


def test_one_tax_rule_for_the_module_and_invoicing(lms_db):
    """Two 23% rates in force: the one that started later wins, in finance and in invoicing."""
    from bridge.billing.lmsdata import LmsBillingData

    db = lms_db
    start, _ = finance.day_bounds(DAY)
    _insert(db, "taxes", value=Decimal("23.00"), taxed=1, label="23% stary")
    newer = _insert(db, "taxes", value=Decimal("23.00"), taxed=1, label="23%",
                    validfrom=start - 86400)
    assert finance.tax_for_rate(db, Decimal("0.23"), DAY)["id"] == newer
    assert LmsBillingData(db).tax_for(Decimal("0.23"), start) == newer
