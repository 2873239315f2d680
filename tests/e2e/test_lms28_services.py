"""Services on a TV account in a real current LMS (28-git) with the TV plugin: a base package
added and activated, an extra added inactive then activated, another terminated (a refused date
first), the base upgraded and a gift given — checked in the page and in SMS."""

from __future__ import annotations

import calendar
from datetime import date

from selenium.webdriver.common.by import By

from tests.e2e.test_lms11_services import (
    ACTIVE,
    AWAITING,
    EXTRA_ACTIVE,
    EXTRA_INACTIVE,
    add_packages,
    give_gift,
    subs_of,
    subs_of_account,
)
from tests.e2e.test_lms28_customer import new_customer
from tests.e2e.ui import login, open_module, submit_tv_form, tv_form

BASE = 101


def test_services_add_activate_terminate_upgrade_gift(browser, tv28, sms28) -> None:
    cid = new_customer(tv28, lastname="Usługowa")
    login(browser, tv28, "tvfull")
    open_module(browser, tv28, f"m=customerinfo&id={cid}")
    page = submit_tv_form(browser, "export")
    number = page.split("numer klienta: ", 1)[1].split(")", 1)[0]
    submit_tv_form(browser, "account_add", {
        "cust_i_street": "Polna", "cust_i_home_nr": "5", "cust_i_flat": "",
        "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    acc = sms28.custGetSubscriptions(number)[0]["account_id"]

    page = add_packages(browser, acc, BASE, "Dodaj i aktywuj")
    assert "Dodano i aktywowano usługi." in page
    [base] = subs_of(sms28, number, acc, BASE)
    assert base["order_status_id"] == ACTIVE

    page = add_packages(browser, acc, EXTRA_INACTIVE, "Dodaj nieaktywną")
    assert "Dodano usługi (nieaktywne)." in page
    [sub] = subs_of(sms28, number, acc, EXTRA_INACTIVE)
    assert sub["order_status_id"] == AWAITING
    page = submit_tv_form(browser, "activate", account_id=acc,
                          subscription_id=sub["subscription_id"])
    assert "Aktywowano usługę." in page
    assert subs_of(sms28, number, acc, EXTRA_INACTIVE)[0]["order_status_id"] == ACTIVE

    page = add_packages(browser, acc, EXTRA_ACTIVE, "Dodaj i aktywuj")
    [sport] = subs_of(sms28, number, acc, EXTRA_ACTIVE)
    page = submit_tv_form(browser, "terminate", {"term_date": "2026/13/45", "term_fee": ""},
                          account_id=acc, subscription_id=sport["subscription_id"])
    assert "Niepoprawne dane. Taka data nie istnieje." in page
    assert subs_of(sms28, number, acc, EXTRA_ACTIVE) == [sport]
    start = date.fromisoformat(sport["sub_valid_from"][:10])
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    page = submit_tv_form(browser, "terminate", {"term_date": end.strftime("%Y/%m/%d"),
                                                 "term_fee": "", "term_desc": "Rezygnacja e2e28"},
                          account_id=acc, subscription_id=sport["subscription_id"])
    assert "Zaterminowano usługę." in page
    [after] = subs_of(sms28, number, acc, EXTRA_ACTIVE)
    assert after["sub_valid_to"][:10] == end.isoformat()

    form = tv_form(browser, "upgrade", account_id=acc, subscription_id=base["subscription_id"])
    assert form is not None, "the page offers no upgrade of the base package"
    choice = form.find_elements(By.CSS_SELECTOR, "input[type=radio][name=upgrade_choice]")[0]
    target, when = choice.get_attribute("value").split("|")
    page = submit_tv_form(browser, "upgrade", {"upgrade_choice": f"{target}|{when}"},
                          account_id=acc, subscription_id=base["subscription_id"])
    assert "Zmieniono pakiet." in page
    subs = subs_of_account(sms28, number, acc)
    [new] = [s for s in subs if s["package_id"] == int(target)
             and s["subscription_id"] != base["subscription_id"]]
    assert new["pkg_name"] in page
    give_gift(browser, sms28, number, acc, new["subscription_id"])
