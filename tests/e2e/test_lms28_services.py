"""Services on a TV account in a real current LMS (28-git) with the TV plugin: a base package
added and activated, an extra added inactive then activated, another terminated (a refused date
first), the base upgraded and a gift given — checked in the page and in SMS."""

from __future__ import annotations

from tests.e2e.test_lms11_services import (
    ACTIVE,
    EXTRA_ACTIVE,
    EXTRA_INACTIVE,
    add_inactive_then_activate,
    add_packages,
    give_gift,
    subs_of,
    terminate_at_month_end,
    upgrade,
)
from tests.e2e.test_lms28_customer import export_with_account, new_customer
from tests.e2e.ui import login

BASE = 101


def test_services_add_activate_terminate_upgrade_gift(browser, tv28, sms28) -> None:
    cid = new_customer(tv28, lastname="Usługowa")
    login(browser, tv28, "tvfull", f"m=customerinfo&id={cid}")
    number, acc = export_with_account(browser, tv28, sms28, cid)

    page = add_packages(browser, acc, BASE, "Dodaj i aktywuj")
    assert "Dodano i aktywowano usługi." in page
    [base] = subs_of(sms28, number, acc, BASE)
    assert base["order_status_id"] == ACTIVE

    add_inactive_then_activate(browser, sms28, number, acc, EXTRA_INACTIVE)
    page = add_packages(browser, acc, EXTRA_ACTIVE, "Dodaj i aktywuj")
    assert "Dodano i aktywowano usługi." in page
    terminate_at_month_end(browser, sms28, number, acc, EXTRA_ACTIVE, "Rezygnacja e2e28")

    new = upgrade(browser, sms28, number, acc, base["subscription_id"])
    give_gift(browser, sms28, number, acc, new["subscription_id"])
