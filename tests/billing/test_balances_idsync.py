"""Balance export and the first customer-number synchronisation against the real sandbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bridge.billing.balances import export_balances
from bridge.billing.idsync import sync_ids
from bridge.sms.client import SmsClient

from .conftest import sms_customer


def client(sandbox) -> SmsClient:
    return SmsClient(sandbox.url, sandbox.login, sandbox.password_md5)


def cash(db, cid: int, value: str) -> None:
    db.execute("INSERT INTO cash (time, value, customerid, comment) VALUES (1, %s, %s, 'x')",
               [Decimal(value), cid])


def test_balance_export_contents(billing_db, lms, sandbox):
    ctl = sandbox.control()
    n = ctl.sandbox.addCustomers([sms_customer("A", "1"), sms_customer("B", "2"),
                                  sms_customer("C", ""), sms_customer("D", "50"),
                                  sms_customer("E", "3")])
    lms.customer(1, tv=n[0])
    lms.customer(2, tv=n[1])
    lms.customer(3, tv=None)  # SMS names it, but LMS has no link
    cash(billing_db, 1, "-100.10")
    cash(billing_db, 1, "40.05")
    with client(sandbox) as sms:
        r = export_balances(billing_db, sms, date(2024, 4, 2))
    assert r.sent == {n[0]: "-60.05", n[1]: "0.00"}
    assert sorted(r.unmatched) == sorted([(n[2], "", "no_external_id"),
                                          (n[3], "50", "no_customer"),
                                          (n[4], "3", "number_mismatch")])
    info = ctl.sandbox.getPaymentInfo()
    assert info["upload_date"] == "2024-04-02"
    sent = info.get("payment_info") or info.get("map") or info
    assert {k: v["cust_total_balance"] for k, v in sent.items()} == {n[0]: "-60.05",
                                                                     n[1]: "0.00"}


def test_balance_dry_run_sends_nothing(billing_db, lms, sandbox):
    ctl = sandbox.control()
    n = ctl.sandbox.addCustomers([sms_customer("A", "1")])
    lms.customer(1, tv=n[0])
    with client(sandbox) as sms:
        r = export_balances(billing_db, sms, date(2024, 4, 2), dry_run=True)
    assert r.sent == {n[0]: "0.00"}
    assert not [c for c in ctl.sandbox.getCalls() if c.get("method") ==
                "setCustomerPaymentInfo"]


def test_id_sync_links_and_reports_conflicts(billing_db, lms, sandbox):
    ctl = sandbox.control()
    n = ctl.sandbox.addCustomers([
        sms_customer("Linked", "1"),      # -> LMS 1 (new link)
        sms_customer("Again", "2"),       # LMS 2 already has it
        sms_customer("Nobody", "404"),    # no such LMS customer
        sms_customer("Other", "3"),       # LMS 3 linked to another number
        sms_customer("NoExt", "")])
    lms.customer(1)
    lms.customer(2, tv=n[1])
    lms.customer(3, tv="999999999")       # stale: SMS does not know this number
    lms.customer(4)
    with client(sandbox) as sms:
        dry = sync_ids(billing_db, sms, dry_run=True)
        assert dry.linked == [(n[0], 1)]
        assert billing_db.scalar("SELECT tv_cust_number FROM customers WHERE id = 1") is None
        r = sync_ids(billing_db, sms)
        assert r.linked == [(n[0], 1)] and r.already == 1 and r.no_external_id == [n[4]]
        assert billing_db.scalar("SELECT tv_cust_number FROM customers WHERE id = 1") == n[0]
        text = "\n".join(r.conflicts)
        assert "external id 404 names no LMS customer" in text
        assert "LMS customer 3 is already linked to SMS customer 999999999" in text
        assert billing_db.scalar("SELECT tv_cust_number FROM customers WHERE id = 3") == \
            "999999999"
        assert r.stale == ["LMS customer 3 is linked to SMS customer 999999999, which SMS "
                           "does not list"]
        rerun = sync_ids(billing_db, sms)
        assert rerun.linked == [] and rerun.already == 2


def test_id_sync_refuses_a_number_held_by_another_customer(billing_db, lms, sandbox):
    ctl = sandbox.control()
    n = ctl.sandbox.addCustomers([sms_customer("X", "5"), sms_customer("Y", "6")])
    lms.customer(5)
    lms.customer(6)
    lms.customer(7, tv=n[0])  # the number SMS gives to LMS 5 already sits on LMS 7
    with client(sandbox) as sms:
        r = sync_ids(billing_db, sms)
    assert r.linked == [(n[1], 6)]
    text = "\n".join(r.conflicts)
    assert f"SMS customer {n[0]}: the number is already on LMS customer 7" in text
    assert billing_db.scalar("SELECT tv_cust_number FROM customers WHERE id = 5") is None
    assert any("LMS customer 7 is linked to SMS customer" in s for s in r.stale)


def test_id_sync_does_not_link_a_deleted_lms_customer(billing_db, lms, sandbox):
    ctl = sandbox.control()
    n = ctl.sandbox.addCustomers([sms_customer("Gone", "8"), sms_customer("Here", "9")])
    lms.customer(8, deleted=1)
    lms.customer(9)
    with client(sandbox) as sms:
        r = sync_ids(billing_db, sms)
    assert r.linked == [(n[1], 9)]
    assert f"SMS customer {n[0]}: external id 8 names a deleted LMS customer" in \
        "\n".join(r.conflicts)
    assert billing_db.scalar("SELECT tv_cust_number FROM customers WHERE id = 8") is None


def test_external_id_accepts_only_plain_lms_ids():
    from bridge.billing.smscustomers import external_id

    assert [external_id(v) for v in (" 12 ", 7, "0", "", None, "-3", "12a", str(2**31))] == [
        12, 7, None, None, None, None, None, None]
    # The operator types "Zewnętrzne ID" by hand in SMS: '²' passes str.isdigit(), int()
    # refuses it -- it used to abort the whole sync / balance export.
    assert external_id("\u00b2") is None and external_id("\u0661") is None
