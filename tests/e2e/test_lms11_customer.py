"""Flows 1–3 in a real LMS 1.11.17: the customer page's TV box and the account/PIN actions,
checked in the page and in SMS afterwards."""

from __future__ import annotations

from tests.e2e.steps import lock_and_unlock
from tests.e2e.ui import log_length, login, php_problems, submit_tv_form

CUSTOMER = 259          # demo seed: Olszewski Tomasz, one account with Pakiet Mini and an STB
CUST_NUMBER = "673100259"


def test_customer_page_shows_the_tv_box_beside_lms_boxes(browser, lms, sms) -> None:
    since = log_length(lms)
    page = login(browser, lms, "admin", f"m=customerinfo&id={CUSTOMER}")
    sms_cust = sms.custList(CUST_NUMBER)
    accounts = sms.custGetSubscriptions(CUST_NUMBER)
    assert "Konta TV (1)" in page
    assert f"Numer klienta: {CUST_NUMBER}" in page
    assert f"jPIN: {sms_cust['cust_vod_pin']}" in page
    acc = accounts[0]
    assert f"{CUST_NUMBER}/{acc['account_id']}" in page
    assert acc["subscriptions"][0]["pkg_name"] in page
    for stb in sms.accountGetSTB(acc["account_id"]):
        assert stb["stb_mac"] in page
    assert "Wiadomości wysłane na TV" in page
    assert sms.meldingerList(CUST_NUMBER)[0]["msg_body"] in page
    # LMS's own boxes are still drawn around ours (the customer's data, nodes, documents).
    assert "Informacje o kliencie: OLSZEWSKI Tomasz" in browser.title
    assert "Komputery klienta (0)" in page and "Dokumenty klienta" in page
    assert "Eksport do SMS" in page
    assert php_problems(lms, since) == []


def test_pins_refused_in_polish_then_saved(browser, lms, sms) -> None:
    login(browser, lms, "admin", f"m=customerinfo&id={CUSTOMER}")
    before = sms.custList(CUST_NUMBER)
    page = submit_tv_form(browser, "pins", {"cust_vod_pin": "12a", "cust_master_pin": "1234"})
    assert "Niepoprawne dane" in page
    assert sms.custList(CUST_NUMBER)["cust_vod_pin"] == before["cust_vod_pin"]
    page = submit_tv_form(browser, "pins", {"cust_vod_pin": "4321", "cust_master_pin": "8765"})
    assert "Zapisano PIN-y." in page
    after = sms.custList(CUST_NUMBER)
    assert (after["cust_vod_pin"], after["cust_master_pin"]) == ("4321", "8765")


def test_account_lock_and_unlock(browser, lms, sms) -> None:
    login(browser, lms, "admin", f"m=customerinfo&id={CUSTOMER}")
    acc = sms.custGetSubscriptions(CUST_NUMBER)[0]["account_id"]
    lock_and_unlock(browser, sms, CUST_NUMBER, acc)


def test_new_account_then_delete(browser, lms, sms) -> None:
    login(browser, lms, "admin", f"m=customerinfo&id={CUSTOMER}")
    page = submit_tv_form(browser, "account_add", {
        "cust_i_street": "ul. Testowa", "cust_i_home_nr": "7", "cust_i_flat": "2",
        "cust_i_postal_code": "30-002", "cust_i_city": "Kraków"})
    accounts = sms.custGetSubscriptions(CUST_NUMBER)
    new = [a for a in accounts if a["cust_i_street"] == "ul. Testowa"]
    assert len(new) == 1, page
    assert "Konta TV (2)" in page and f"{CUST_NUMBER}/{new[0]['account_id']}" in page
    page = submit_tv_form(browser, "account_del", account_id=new[0]["account_id"])
    assert [a for a in sms.custGetSubscriptions(CUST_NUMBER)
            if a["cust_i_street"] == "ul. Testowa" and not a["acc_closed"]] == []
    assert "Konta TV (1)" in page
