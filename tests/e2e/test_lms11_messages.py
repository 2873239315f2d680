"""Flow 4 in a real LMS 1.11.17: a TV message sent to one customer ("Nowa wiadomość") and deleted
from the customer page, checked in the page and in SMS."""

from __future__ import annotations

from tests.e2e.steps import delete_message, send_message
from tests.e2e.test_lms11_services import pick_customer
from tests.e2e.ui import login, open_module

BODY = "Przerwa techniczna e2e w sobotę 02:00-04:00"
SHOWN = BODY[:30]       # the customer page shortens long texts


def test_message_to_one_customer_then_delete(browser, lms, sms) -> None:
    cid, number, _ = pick_customer(sms)
    login(browser, lms, "admin")
    msg = send_message(browser, lms, sms, cid, number, BODY, BODY + " (szczegóły)")

    page = open_module(browser, lms, f"m=customerinfo&id={cid}")
    assert SHOWN in page and f"{msg['id']} {SHOWN}" in page
    page = delete_message(browser, sms, number, msg["id"])
    assert SHOWN not in page
