"""Flow 5: LMS rights and CSRF. A read-only TV user sees no forms and every change it posts is
refused; a user without TV rights sees no TV at all; a change by GET, without a token or with
another session's token is refused — and SMS is unchanged each time."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.e2e.ui import login, open_module, post, token

CUSTOMER = 259
CUST_NUMBER = "673100259"


def sms_snapshot(sms) -> tuple:
    return (sms.sandbox.getState(), sms.custList(CUST_NUMBER),
            sms.custGetSubscriptions(CUST_NUMBER), len(sms.meldingerList(CUST_NUMBER)))


def changes(account_id: int) -> list[tuple[str, dict[str, str]]]:
    on_customer = f"m=customerinfo&id={CUSTOMER}"
    return [
        (on_customer, {"tvaction": "account_lock", "account_id": str(account_id)}),
        (on_customer, {"tvaction": "pins", "cust_vod_pin": "1111", "cust_master_pin": "2222"}),
        (on_customer, {"tvaction": "account_del", "account_id": str(account_id)}),
        (on_customer, {"tvaction": "msg_del_all"}),
        (on_customer, {"tvaction": "suspend_billing"}),
        ("m=tvmessagessend", {"cust_number": CUST_NUMBER, "msg_body": "x", "send": "1"}),
        ("m=tvcleancache", {"confirm": "1"}),
    ]


def test_read_only_tv_user_sees_no_forms_and_cannot_change(browser, lms, sms) -> None:
    page = login(browser, lms, "viewer", f"m=customerinfo&id={CUSTOMER}")
    assert "Konta TV (1)" in page and "Pakiet Mini" in page
    assert browser.find_elements(By.CSS_SELECTOR, "input[name=tvaction]") == []
    assert token(browser) == ""
    assert "Lista klientów" in open_module(browser, lms, "m=tvcustomers")
    before = sms_snapshot(sms)
    acc = before[2][0]["account_id"]
    for query, data in changes(acc):
        page = post(browser, lms, query, {**data, "lmstv_token": "0" * 32})
        assert "Wstrzymano" not in page and "Zapisano" not in page, (query, data)
    assert sms_snapshot(sms) == before


def test_user_without_tv_rights_sees_no_tv(browser, lms, sms) -> None:
    page = login(browser, lms, "notv", f"m=customerinfo&id={CUSTOMER}")
    assert "Komputery klienta" in page           # LMS's own page renders for this user
    assert "Konta TV" not in page and "Eksport do SMS" not in page
    assert browser.find_elements(By.CSS_SELECTOR, "a[href='?m=tvcustomers']") == []
    assert "Brak dostępu" in open_module(browser, lms, "m=tvcustomers")
    before = sms_snapshot(sms)
    post(browser, lms, f"m=customerinfo&id={CUSTOMER}",
         {"tvaction": "account_lock", "account_id": str(before[2][0]["account_id"])})
    assert sms_snapshot(sms) == before


def test_csrf_get_missing_and_foreign_token_are_refused(browser, lms, sms) -> None:
    login(browser, lms, "admin", f"m=customerinfo&id={CUSTOMER}")
    old_token = token(browser)
    assert len(old_token) >= 32
    before = sms_snapshot(sms)
    acc = str(before[2][0]["account_id"])
    # A change by GET (a link or <img> on another site).
    page = open_module(browser, lms, f"m=customerinfo&id={CUSTOMER}&tvaction=account_lock"
                                     f"&account_id={acc}&lmstv_token={old_token}")
    assert "Wstrzymano" not in page
    # A POST without a token.
    page = post(browser, lms, f"m=customerinfo&id={CUSTOMER}",
                {"tvaction": "account_lock", "account_id": acc})
    assert "niepoprawny token" in page
    # Another session's token: log in again (a new LMS session) and replay the old one.
    login(browser, lms, "admin", f"m=customerinfo&id={CUSTOMER}")
    assert token(browser) != old_token
    page = post(browser, lms, f"m=customerinfo&id={CUSTOMER}",
                {"tvaction": "account_lock", "account_id": acc, "lmstv_token": old_token})
    assert "niepoprawny token" in page
    assert sms_snapshot(sms) == before
