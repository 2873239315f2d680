"""Billing events per period, stable ids, date windows; setCustomerPaymentInfo."""

from __future__ import annotations

from tests.sandbox.sandbox_helpers import fault_of

EVENT_KEYS = {"id", "cust_external_id", "cust_number", "account_id", "package_id",
              "be_selling_date", "be_desc", "be_vat", "be_gross", "be_b2b_netto", "group_id"}


def test_monthly_events_for_active_subscriptions_are_stable(sms):
    sms.control.setToday("2026-01-20")
    ids = sms.active_subscription(101, "2026-01-15")
    number2, account2 = sms.account(sms.customer(cust_external_id=77))
    sms.packagesAdd(account2, [101], "2026-01-20")  # not activated: never billed
    sms.control.setToday("2026-03-10")
    events = sms.billingEventsGet("2026-01-01", "2026-03-31", "")
    assert [e["be_selling_date"] for e in events] == ["2026-01-15", "2026-02-01", "2026-03-01"]
    e = events[1]
    assert set(e) == EVENT_KEYS
    assert e["be_desc"] == "Pakiet Wielotematyczny 65 - abonament 02/2026"
    assert (e["be_vat"], e["be_gross"], e["be_b2b_netto"]) == (0.23, 65.0, 31.5)
    assert e["group_id"] == 202602 and e["cust_number"] == ids["number"]
    assert (e["account_id"], e["package_id"], e["cust_external_id"]) == (ids["account"], 101, "")
    assert len({x["id"] for x in events}) == 3
    again = sms.billingEventsGet("2026/01/01", "2026/03/31", "")
    assert again == events
    assert sms.billingEventsGet("2026-02-01", "2026-02-28", "") == [events[1]]
    assert sms.billingEventsGet("2026-01-01", "2026-03-31", "202603") == [events[2]]
    sms.control.setToday("2026-04-02")
    april = sms.billingEventsGet("2026-04-01", "2026-04-30", "")
    assert len(april) == 1 and april[0]["id"] not in {x["id"] for x in events}
    assert sms.billingEventsGet("2026-01-01", "2026-03-31", "") == events


def test_terminated_subscription_stops_billing(sms):
    ids = sms.active_subscription(101, "2026-03-01")
    sms.subscriptionTerminate(ids["account"], ids["sub"], "2026-04-30")
    sms.control.setToday("2026-07-01")
    dates = [e["be_selling_date"] for e in sms.billingEventsGet("2026-01-01", "2026-12-31", "")]
    assert dates == ["2026-03-01", "2026-04-01"]


def test_window_errors(sms):
    f = fault_of(sms.billingEventsGet, "2026-03-31", "2026-03-01", "")
    assert f.faultCode == 8001
    assert fault_of(sms.billingEventsGet, "2026-13-01", "2026-03-01", "").faultCode == 4012
    assert fault_of(sms.billingEventsGet, "2026-03-01").faultCode == 623


def test_added_events_and_external_ids(sms):
    number = sms.customer(cust_external_id=5)
    n = sms.control.addBillingEvents([
        {"id": 123456, "cust_number": number, "be_selling_date": "2026-02-03",
         "be_desc": "Canal+ <Prestige> & HBO", "be_gross": "49.00", "be_vat": 0.08,
         "group_id": 77},
        {"cust_number": "673000000", "be_selling_date": "2026-02-04", "be_gross": 10,
         "cust_external_id": ""}])
    assert n == 2
    got = sms.billingEventsGet("2026-02-01", "2026-02-28", "")
    assert got[0] == {"id": 123456, "cust_external_id": 5, "cust_number": number,
                      "account_id": 0, "package_id": 0, "be_selling_date": "2026-02-03",
                      "be_desc": "Canal+ <Prestige> & HBO", "be_vat": 0.08, "be_gross": 49.0,
                      "be_b2b_netto": 24.5, "group_id": 77}
    assert got[1]["cust_external_id"] == "" and got[1]["id"] > 123456
    f = fault_of(sms.control.addBillingEvents, [{"id": 123456, "cust_number": number,
                                                  "be_selling_date": "2026-02-03",
                                                  "be_gross": 1}])
    assert f.faultCode == 9001 and "already exists" in f.faultString
    assert len(sms.billingEventsGet("2026-02-01", "2026-02-28", "")) == 2


def test_set_customer_payment_info_is_stored(sms):
    a = sms.customer(cust_external_id=1)
    b = sms.customer(cust_external_id=2)
    info = {a: {"cust_total_balance": "-120.50"}, b: {"cust_total_balance": None}}
    assert sms.setCustomerPaymentInfo("2026-03-10", info) == 2
    stored = sms.control.getPaymentInfo()
    assert stored == {"upload_date": "2026-03-10", "payment_info": info}
    assert sms.custList(a)["cust_total_balance"] == "-120.50"
    assert sms.setCustomerPaymentInfo("2026-03-11", []) == 0
    f = fault_of(sms.setCustomerPaymentInfo, "2026-03-12", {"673999999": {
        "cust_total_balance": "1"}})
    assert f.faultCode == 2001
    f = fault_of(sms.setCustomerPaymentInfo, "2026-03-12", {a: {"cust_total_balance": "abc"}})
    assert f.faultCode == 4015
    assert sms.control.getPaymentInfo()["upload_date"] == "2026-03-11"
