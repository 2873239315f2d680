"""The TV menu's screens in a real current LMS (28-git) with the TV plugin: SMS's customer list
(sort, page, search), STB list register/remove, a message sent and deleted, billing events, the
reconcile screen, quick search "STB (MAC)" typed into like an operator would, SMS down."""

from __future__ import annotations

from datetime import date, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.test_lms28_customer import add_package, new_customer
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
    wait_new_page,
)


def test_customer_list_sort_page_search(browser, tv28, sms28) -> None:
    login(browser, tv28, "tvro")
    page = open_module(browser, tv28, "m=tvcustomers")
    assert "Lista klientów w SMS" in page
    customers = sms28.custList("")
    first = [c["cust_number"] for c in customers if c["cust_number"] in page]
    assert 5 <= len(first) < len(customers), "a page of customers, not all of them"
    page2 = open_module(browser, tv28, "m=tvcustomers&page=2")
    assert not set(first) & {c["cust_number"] for c in customers if c["cust_number"] in page2}
    desc = open_module(browser, tv28, "m=tvcustomers&sort=cust_number&order=desc")
    numbers = sorted(c["cust_number"] for c in customers)
    assert numbers[-1] in desc and numbers[0] not in desc
    who = customers[10]
    assert who["cust_number"] in open_module(browser, tv28,
                                             f"m=tvcustomers&q={who['cust_surname']}")


def test_stb_register_then_remove(browser, tv28, sms28) -> None:
    mac, serial = "00:1A:79:E2:28:01", "E2E28-REG-0001"
    login(browser, tv28, "tvfull")
    open_module(browser, tv28, "m=tvstblist")
    form = tv_form(browser, "stb_register")
    assert form is not None, "no form to register an STB"
    model = form.find_element(By.CSS_SELECTOR, "select[name=stb_model] option").get_attribute(
        "value")
    page = submit_tv_form(browser, "stb_register",
                          {"stb_mac": mac, "stb_serial": serial, "stb_model": model})
    assert f"Dodano STB {mac} do magazynu." in page
    assert [s for s in sms28.stbGetRegistered("stock") if s["stb_mac"] == mac]
    page = post(browser, tv28, "m=tvstblist&mode=stock",
                {"lmstv_token": token(browser), "tvaction": "stb_remove", "stb_mac": mac})
    assert f"Usunięto STB {mac} z bazy." in page
    assert [s for s in sms28.stbGetRegistered("") if s["stb_mac"] == mac] == []
    # the read-only right sees the list but has no register form
    login(browser, tv28, "tvro")
    open_module(browser, tv28, "m=tvstblist")
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
    page = submit_tv_form(browser, "export")
    number = page.split("numer klienta: ", 1)[1].split(")", 1)[0]
    submit_tv_form(browser, "account_add", {
        "cust_i_street": "Polna", "cust_i_home_nr": "1", "cust_i_flat": "",
        "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    acc = sms28.custGetSubscriptions(number)[0]["account_id"]
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
    WebDriverWait(browser, 20).until(lambda d: mac in d.find_element(By.TAG_NAME, "body").text)
    field.clear()
    field.send_keys(mac, Keys.ENTER)
    WebDriverWait(browser, 20).until(lambda d: "customerinfo" in d.current_url)
    assert f"id={cid}" in browser.current_url and mac in text(browser)

    body = "Przerwa techniczna e2e28 w sobotę 02:00-04:00"
    open_module(browser, tv28, f"m=tvmessagessend&customerid={cid}")
    form = browser.find_element(By.CSS_SELECTOR, "form[action*='m=tvmessagessend']")
    today, week = date.today(), date.today() + timedelta(days=7)
    fields = {"msg_body": body, "msg_body_extended": body,
              "msg_teaser_valid_from": f"{today:%Y/%m/%d}",
              "msg_teaser_valid_to": f"{week:%Y/%m/%d}",
              "msg_valid_from": f"{today:%Y/%m/%d}", "msg_valid_to": f"{week:%Y/%m/%d}",
              "msg_show_priority": "0"}
    for name, value in fields.items():
        browser.execute_script("arguments[0].elements[arguments[1]].value = arguments[2];",
                               form, name, value)
    old = browser.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, "input[type=submit][value='Wyślij']").click()
    wait_new_page(browser, old)
    assert "Wysłano wiadomości: 1." in text(browser)
    [msg] = [m for m in sms28.meldingerList(number) if m["msg_body"] == body]
    page = open_module(browser, tv28, f"m=customerinfo&id={cid}")
    assert body[:30] in page
    page = submit_tv_form(browser, "msg_del", message_id=msg["id"])
    assert "Usunięto wiadomość." in page
    assert msg["id"] not in {m["id"] for m in sms28.meldingerList(number)}


def test_billing_events_reconcile_and_sms_down(browser, tv28) -> None:
    login(browser, tv28, "admin")
    assert "Lista zdarzeń bilingowych" in open_module(browser, tv28, "m=tvbillingevents")
    assert "Zgodność LMS–SMS" in open_module(browser, tv28, "m=tvreconcile") or \
        "LMS" in text(browser)
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
