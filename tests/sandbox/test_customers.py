"""Customers and accounts: shapes, validation, PINs, lock/unlock, delete rules, auth."""

from __future__ import annotations

import hashlib
import xmlrpc.client

from tests.sandbox.sandbox_helpers import ADDRESS, INSTALL, fault_of

CUSTOMER_KEYS = {"cust_number", "cust_external_id", "cust_name", "cust_surname", "cust_pesel",
                 "cust_m_street", "cust_m_home_nr", "cust_m_flat", "cust_m_postal_code",
                 "cust_m_city", "cust_c_street", "cust_c_home_nr", "cust_c_flat",
                 "cust_c_postal_code", "cust_c_city", "cust_email", "cust_phone1", "cust_phone2",
                 "cust_valid_num", "cust_vod_pin", "cust_master_pin", "cust_created_date",
                 "cust_total_balance"}


def test_cust_add_returns_nine_digit_number_and_list_shapes(sms):
    number = sms.customer(cust_external_id=42, cust_email="jan@example.pl")
    assert isinstance(number, str) and len(number) == 9 and number.isdigit()
    one = sms.custList(number)
    assert isinstance(one, dict) and set(one) == CUSTOMER_KEYS
    assert one["cust_external_id"] == 42 and one["cust_surname"] == "Nowak"
    assert len(one["cust_vod_pin"]) == 4 and one["cust_vod_pin"].isdigit()
    assert one["cust_c_city"] == "Kraków"  # correspondence address defaults to registered
    second = sms.customer()
    everyone = sms.custList("")
    assert [c["cust_number"] for c in everyone] == [number, second]
    assert everyone[1]["cust_external_id"] == ""


def test_auth_failures_are_faults(sandbox, sms):
    proxy = xmlrpc.client.ServerProxy(sandbox.url)
    wrong = {"user_name": sandbox.login, "user_pass": hashlib.md5(b"wrong").hexdigest()}
    for auth in (wrong, {"user_name": "Anna Nowak", "user_pass": sandbox.password_md5}, {}):
        f = fault_of(proxy.custList, auth, "")
        assert f.faultCode == 1001 and "autoryzacji" in f.faultString
    assert fault_of(proxy.custList).faultCode == 1001  # no auth struct at all
    # /sms/xmlrpc serves the same API
    prod = xmlrpc.client.ServerProxy(f"{sandbox.base}/sms/xmlrpc")
    assert prod.custList(sandbox.auth, "") == []


def test_unknown_customer_and_bad_data(sms):
    f = fault_of(sms.custList, "673999999")
    assert f.faultCode == 2001 and f.faultString == "Klient o numerze 673999999 nie istnieje"
    f = fault_of(sms.custAdd, {"cust_name": "Jan", **ADDRESS})
    assert f.faultCode == 2002 and "cust_surname" in f.faultString
    f = fault_of(sms.custAdd, {"cust_surname": "X", "cust_colour": "red", **ADDRESS})
    assert f.faultCode == 2002 and "cust_colour" in f.faultString
    number = sms.customer()
    f = fault_of(sms.custEdit, number, {"cust_vod_pin": "12a4"})
    assert f.faultCode == 2002 and "PIN" in f.faultString
    assert sms.custList("")[0]["cust_vod_pin"] != "12a4"
    # only ASCII digits: other scripts' digits (\d matches them) are no PIN a remote can type
    for bad in ("\u0661\u0662\u0663\u0664", "\uff11\uff12\uff13\uff14"):
        f = fault_of(sms.custEdit, number, {"cust_master_pin": bad})
        assert f.faultCode == 2002 and "PIN" in f.faultString
    f = fault_of(sms.custEdit, number, {"cust_pesel": "\u0661" * 11})
    assert f.faultCode == 2002 and "PESEL" in f.faultString


def test_cust_edit_partial_pins_and_external_id_conflict(sms):
    a = sms.customer(cust_external_id=1)
    b = sms.customer()
    assert sms.custEdit(b, {"cust_vod_pin": "0042", "cust_master_pin": 1234}) is True
    got = sms.custList(b)
    assert (got["cust_vod_pin"], got["cust_master_pin"], got["cust_surname"]) == \
        ("0042", "1234", "Nowak")
    f = fault_of(sms.custEdit, b, {"cust_external_id": 1})
    assert f.faultCode == 2003 and a in f.faultString
    sms.custEdit(b, {"cust_external_id": "2"})
    assert sms.custList(b)["cust_external_id"] == 2


def test_accounts_add_edit_lock_unlock_delete(sms):
    number, account = sms.account()
    accounts = sms.custGetSubscriptions(number)
    assert len(accounts) == 1
    acc = accounts[0]
    assert acc["account_id"] == account and acc["acc_active"] == 1 and acc["acc_closed"] == 0
    assert {k: acc[k] for k in INSTALL} == INSTALL and acc["subscriptions"] == []
    sms.accountEdit(account, {"cust_i_flat": "7"})
    assert sms.custGetSubscriptions(number)[0]["cust_i_flat"] == "7"
    sms.accountLock(str(account))
    assert sms.custGetSubscriptions(number)[0]["acc_active"] == 0
    sms.accountUnlock(str(account))
    assert sms.custGetSubscriptions(number)[0]["acc_active"] == 1
    assert sms.accountDel(account) is True
    assert sms.custGetSubscriptions(number)[0]["acc_closed"] == 1
    f = fault_of(sms.accountEdit, account, {"cust_i_flat": "1"})
    assert f.faultCode == 3006


def test_account_delete_refused_while_it_has_services(sms):
    ids = sms.active_subscription()
    f = fault_of(sms.accountDel, ids["account"])
    assert f.faultCode == 3002
    assert f.faultString == "Nie można usunąć konta, do którego przypisane są usługi"
    assert sms.custGetSubscriptions(ids["number"])[0]["acc_closed"] == 0


def test_unknown_account_and_wrong_types(sms):
    assert fault_of(sms.accountLock, "999").faultCode == 3001
    f = fault_of(sms.accountLock, [1])
    assert f.faultCode == 623 and "account_id" in f.faultString
    f = fault_of(sms.accountLock)
    assert f.faultCode == 623
    f = fault_of(sms.accountLock, 1, 2)
    assert f.faultCode == 623
    assert fault_of(sms.noSuchMethod).faultCode == 620


def test_whole_list_rendering_is_reused_only_while_nothing_changed(sms):
    """custList("") is rendered once per state version: every change, even a failed call or
    a control, is seen by the next whole list (the sandbox keeps the last rendering)."""
    number = sms.customer()
    first = sms.custList("")
    assert sms.custList("") == first == sms.proxy.custList(sms.auth)
    sms.custEdit(number, {"cust_name": "Adam"})
    assert [c["cust_name"] for c in sms.custList("")] == ["Adam"]
    fault_of(sms.custEdit, number, {"cust_vod_pin": "12"})
    assert [c["cust_name"] for c in sms.custList("")] == ["Adam"]
    sms.control.addCustomers(2)
    assert len(sms.custList("")) == 3
    sms.accountAdd(number, INSTALL)
    assert sms.custList("")[0]["cust_name"] == "Adam"
    fault_of(sms.proxy.custList, {"user_name": "x", "user_pass": "y"}, "")
