"""Flow 4 in a real LMS 1.11.17: an STB issued from the suggestion list of stock STBs and
returned ("Zwróć STB"), and TV → Lista STB's register and remove, checked in the page and in SMS."""

from __future__ import annotations

from tests.e2e.steps import register_stb, remove_stb
from tests.e2e.test_lms11_services import add_packages, pick_customer, subs_of
from tests.e2e.ui import login, submit_tv_form, suggested_stb

MULTIROOM = 204         # an extra with one device: added, it waits for its STB
ISSUE_STB = 1


def test_stb_issue_from_suggestions_then_return(browser, lms, sms) -> None:
    cid, number, acc = pick_customer(sms)
    before = {s["subscription_id"] for s in subs_of(sms, number, acc, MULTIROOM)}
    login(browser, lms, "admin", f"m=customerinfo&id={cid}")
    page = add_packages(browser, acc, MULTIROOM, "Dodaj nieaktywną")
    assert "Dodano usługi (nieaktywne)." in page
    [sub] = [s for s in subs_of(sms, number, acc, MULTIROOM)
             if s["subscription_id"] not in before]
    assert sub["order_status_id"] == ISSUE_STB
    sid = sub["subscription_id"]
    stbs_before = {s["stb_mac"] for s in sms.accountGetSTB(acc)}

    mac = suggested_stb(browser, sid)
    assert mac not in stbs_before
    page = submit_tv_form(browser, "stb_issue", {"stb_mac": mac}, account_id=acc,
                          subscription_id=sid)
    assert "Wydano STB." in page
    assert mac in {s["stb_mac"] for s in sms.accountGetSTB(acc)}
    assert mac in page

    page = submit_tv_form(browser, "stb_return", account_id=acc, stb_mac=mac)
    assert "Zwrócono STB na magazyn." in page
    assert mac not in {s["stb_mac"] for s in sms.accountGetSTB(acc)}
    assert mac not in page


def test_tv_menu_stb_register_then_remove(browser, lms, sms) -> None:
    mac, serial = "00:1A:79:E2:E2:01", "E2E-REG-0001"
    login(browser, lms, "admin")
    register_stb(browser, lms, sms, mac, serial)
    remove_stb(browser, lms, sms, mac)
