"""The TV menu's screens in a real current LMS (28-git) with the TV plugin: SMS's customer list
(sort, page, search), STB list register/remove, a message sent and deleted, billing events, the
reconcile screen, quick search "STB (MAC)" typed into like an operator would, SMS down."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.steps import (
    customer_list_pages,
    delete_message,
    register_stb,
    remove_stb,
    send_message,
)
from tests.e2e.test_lms28_customer import add_package, export_with_account, new_customer
from tests.e2e.ui import (
    login,
    open_module,
    post,
    refresh_cache,
    submit_tv_form,
    suggested_stb,
    text,
    token,
    tv_form,
)


def test_customer_list_sort_page_search(browser, tv28, sms28) -> None:
    login(browser, tv28, "tvro")
    customer_list_pages(browser, tv28, sms28)


def test_stb_register_then_remove(browser, tv28, sms28) -> None:
    mac, serial = "00:1A:79:E2:28:01", "E2E28-REG-0001"
    login(browser, tv28, "tvfull")
    model = register_stb(browser, tv28, sms28, mac, serial)
    remove_stb(browser, tv28, sms28, mac)
    # the read-only right sees the list but has no register form
    login(browser, tv28, "tvro", "m=tvstblist")
    assert tv_form(browser, "stb_register") is None
    # ... and a hand-made POST of a registration with its session's token changes nothing
    page = post(browser, tv28, "m=tvstbadd", {"lmstv_token": token(browser) or "x" * 32,
                                              "tvaction": "stb_register", "stb_mac": mac,
                                              "stb_serial": serial, "stb_model": model})
    assert f"Dodano STB {mac}" not in page
    page = post(browser, tv28, "m=tvstblist", {"lmstv_token": token(browser) or "x" * 32,
                                               "tvaction": "stb_register", "stb_mac": mac,
                                               "stb_serial": serial, "stb_model": model})
    assert f"Dodano STB {mac}" not in page
    assert [s for s in sms28.stbGetRegistered("") if s["stb_mac"] == mac] == []


def customer_with_stb(browser, tv28, sms28) -> tuple[int, str, str]:
    """A new LMS customer exported to SMS with an account, the base package and an issued STB
    (through the customer page); returns (LMS id, SMS number, MAC)."""
    cid = new_customer(tv28, lastname="Stebowa")
    open_module(browser, tv28, f"m=customerinfo&id={cid}")
    number, acc = export_with_account(browser, tv28, sms28, cid)
    add_package(browser, acc)
    sid = sms28.custGetSubscriptions(number)[0]["subscriptions"][0]["subscription_id"]
    mac = suggested_stb(browser, sid)
    assert "Wydano STB." in submit_tv_form(browser, "stb_issue", {"stb_mac": mac},
                                           account_id=acc, subscription_id=sid)
    return cid, number, mac


def test_quick_search_stb_then_message_sent_and_deleted(browser, tv28, sms28) -> None:
    login(browser, tv28, "admin")
    cid, number, mac = customer_with_stb(browser, tv28, sms28)
    open_module(browser, tv28, "m=welcome")
    field = browser.find_element(By.NAME, "qs[tvstb]")
    field.click()
    field.send_keys(mac.replace(":", "").lower()[-6:])     # part of the MAC, any spelling
    WebDriverWait(browser, 20).until(lambda d: mac in text(d))
    field.clear()
    field.send_keys(mac, Keys.ENTER)
    WebDriverWait(browser, 20).until(lambda d: "customerinfo" in d.current_url)
    assert f"id={cid}" in browser.current_url and mac in text(browser)

    body = "Przerwa techniczna e2e28 w sobotę 02:00-04:00"
    msg = send_message(browser, tv28, sms28, cid, number, body, body)
    page = open_module(browser, tv28, f"m=customerinfo&id={cid}")
    assert body[:30] in page
    delete_message(browser, sms28, number, msg["id"])


def test_billing_events_reconcile_and_sms_down(browser, tv28) -> None:
    login(browser, tv28, "admin")
    assert "Lista zdarzeń bilingowych" in open_module(browser, tv28, "m=tvbillingevents")
    assert "Zgodność LMS–SMS" in open_module(browser, tv28, "m=tvreconcile")
    cid = new_customer(tv28)
    refresh_cache(browser, tv28)
    tv28.stop("sandbox")
    try:
        page = open_module(browser, tv28, f"m=customerinfo&id={cid}")
        assert "SMS" in page and "Fatal error" not in page
        assert "Informacje o kliencie" in browser.title or "Kowalska".upper() in page
        page = open_module(browser, tv28, "m=tvpackageslist")
        assert "SMS" in page and "Pakiet Mini" not in page
    finally:
        tv28.start_sandbox()
        refresh_cache(browser, tv28)
