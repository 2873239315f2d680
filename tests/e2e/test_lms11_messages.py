"""Flow 4 in a real LMS 1.11.17: a TV message sent to one customer ("Nowa wiadomość") and deleted
from the customer page, checked in the page and in SMS."""

from __future__ import annotations

from datetime import date, timedelta

from selenium.webdriver.common.by import By

from tests.e2e.test_lms11_services import pick_customer
from tests.e2e.ui import login, open_module, submit_tv_form, text, wait_new_page

BODY = "Przerwa techniczna e2e w sobotę 02:00-04:00"
SHOWN = BODY[:30]       # the customer page shortens long texts


def test_message_to_one_customer_then_delete(browser, lms, sms) -> None:
    cid, number, _ = pick_customer(sms)
    before = {m["id"] for m in sms.meldingerList(number)}
    login(browser, lms, "admin")
    open_module(browser, lms, f"m=tvmessagessend&customerid={cid}")
    form = browser.find_element(By.CSS_SELECTOR, "form[action*='m=tvmessagessend']")
    today = date.today()
    week = today + timedelta(days=7)
    fields = {"msg_body": BODY, "msg_body_extended": BODY + " (szczegóły)",
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
    [msg] = [m for m in sms.meldingerList(number) if m["id"] not in before]
    assert msg["msg_body"] == BODY

    page = open_module(browser, lms, f"m=customerinfo&id={cid}")
    assert SHOWN in page and f"{msg['id']} {SHOWN}" in page
    page = submit_tv_form(browser, "msg_del", message_id=msg["id"])
    assert "Usunięto wiadomość." in page
    assert msg["id"] not in {m["id"] for m in sms.meldingerList(number)}
    assert SHOWN not in page
