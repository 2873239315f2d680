"""Flows 2–3 in a real LMS 1.11.17: services on a TV account (add inactive, add and activate,
activate, terminate with a refused date and without penalty, upgrade, gift) and the export of a
new LMS customer to SMS with a later personal-data update, checked in the page and in SMS."""

from __future__ import annotations

import calendar
import re
from datetime import date

from selenium.webdriver.common.by import By

from bridge.lms.db import connect
from tests.e2e.ui import login, open_module, submit_tv_form, text, tv_form, wait_new_page

EXTRA_INACTIVE = 205    # Pakiet Dzieci: an extra without a device, so it waits for activation
EXTRA_ACTIVE = 203      # Pakiet Sport HD
AWAITING, ACTIVE = 2, 3
UPGRADABLE = {101, 104, 107}  # base packages the demo offer lets an operator upgrade


def pick_customer(sms, bases: set[int] | None = None) -> tuple[int, str, int]:
    """A demo customer (not the one other tests change) with one open account carrying a live
    base package and neither extra: (LMS id, SMS number, account id)."""
    for cust in sms.custList(""):
        lms_id = str(cust.get("cust_external_id") or "")
        if not lms_id.isdigit() or lms_id == "259":
            continue
        accounts = [a for a in sms.custGetSubscriptions(cust["cust_number"])
                    if not a["acc_closed"]]
        if len(accounts) != 1 or not accounts[0]["acc_active"]:
            continue
        subs = accounts[0]["subscriptions"]
        pkgs = {s["package_id"] for s in subs if not s["sub_valid_to"]}
        has_base = any(p < 200 and (bases is None or p in bases) for p in pkgs)
        all_active = all(s["order_status_id"] == ACTIVE for s in subs if not s["sub_valid_to"])
        if has_base and all_active and not pkgs & {EXTRA_INACTIVE, EXTRA_ACTIVE}:
            return int(lms_id), cust["cust_number"], accounts[0]["account_id"]
    raise AssertionError("the demo seed has no customer with one account and a base package")


def subs_of_account(sms, cust_number: str, account_id: int) -> list[dict]:
    acc = [a for a in sms.custGetSubscriptions(cust_number) if a["account_id"] == account_id]
    return acc[0]["subscriptions"]


def subs_of(sms, cust_number: str, account_id: int, package_id: int) -> list[dict]:
    return [s for s in subs_of_account(sms, cust_number, account_id)
            if s["package_id"] == package_id]


def add_packages(browser, account_id: int, package_id: int, button: str) -> str:
    """Tick one package in the account's "Dodaj usługi" form and press ``button``."""
    form = tv_form(browser, "packages_add", account_id=account_id)
    assert form is not None, "no form to add services"
    box = form.find_element(By.NAME, f"pkglist[{package_id}]")
    browser.execute_script("arguments[0].checked = true;", box)
    browser.execute_script("window.confirm = () => true;")
    old = browser.find_element(By.TAG_NAME, "html")
    # an INPUT on LMS 1.11.17, a BUTTON with the same value on current LMS
    btn = form.find_element(By.CSS_SELECTOR, f"[type=submit][value='{button}']")
    browser.execute_script("arguments[0].click();", btn)
    wait_new_page(browser, old)
    return text(browser)


def test_services_add_activate_terminate(browser, lms, sms) -> None:
    cid, number, acc = pick_customer(sms)
    login(browser, lms, "admin", f"m=customerinfo&id={cid}")

    page = add_inactive_then_activate(browser, sms, number, acc, EXTRA_INACTIVE)
    assert "Pakiet Dzieci" in page

    page = add_packages(browser, acc, EXTRA_ACTIVE, "Dodaj i aktywuj")
    assert "Dodano i aktywowano usługi." in page
    [sport] = subs_of(sms, number, acc, EXTRA_ACTIVE)
    assert sport["order_status_id"] == ACTIVE
    assert "Pakiet Sport HD" in page
    terminate_at_month_end(browser, sms, number, acc, EXTRA_ACTIVE, "Rezygnacja e2e")


def add_inactive_then_activate(browser, sms, number: str, acc: int, package_id: int) -> str:
    """"Dodaj nieaktywną" of one package (SMS: awaiting activation), then "Aktywuj" (SMS:
    active); returns the page."""
    page = add_packages(browser, acc, package_id, "Dodaj nieaktywną")
    assert "Dodano usługi (nieaktywne)." in page
    [sub] = subs_of(sms, number, acc, package_id)
    assert sub["order_status_id"] == AWAITING
    page = submit_tv_form(browser, "activate", account_id=acc,
                          subscription_id=sub["subscription_id"])
    assert "Aktywowano usługę." in page
    [sub] = subs_of(sms, number, acc, package_id)
    assert sub["order_status_id"] == ACTIVE
    return page


def terminate_at_month_end(browser, sms, number: str, acc: int, package_id: int,
                           reason: str) -> dict:
    """"Terminuj" an active package: an impossible date is refused (SMS unchanged), then the
    last day of its first month, no penalty; returns the subscription as SMS has it."""
    [sub] = subs_of(sms, number, acc, package_id)
    page = submit_tv_form(browser, "terminate", {"term_date": "2026/13/45", "term_fee": ""},
                          account_id=acc, subscription_id=sub["subscription_id"])
    assert "Zaterminowano usługę." not in page
    assert "Niepoprawne dane. Taka data nie istnieje." in page
    assert subs_of(sms, number, acc, package_id) == [sub]

    start = date.fromisoformat(sub["sub_valid_from"][:10])     # SMS's today
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    page = submit_tv_form(browser, "terminate", {"term_date": end.strftime("%Y/%m/%d"),
                                                 "term_fee": "", "term_desc": reason},
                          account_id=acc, subscription_id=sub["subscription_id"])
    assert "Zaterminowano usługę." in page
    [after] = subs_of(sms, number, acc, package_id)
    assert after["sub_valid_to"][:10] == end.isoformat() and not float(after["term_fee"] or 0)
    assert after["term_desc"] == reason
    return after


def test_upgrade_then_gift(browser, lms, sms) -> None:
    cid, number, acc = pick_customer(sms, bases=UPGRADABLE)
    login(browser, lms, "admin", f"m=customerinfo&id={cid}")
    base = next(s for s in subs_of_account(sms, number, acc)
                if s["package_id"] < 200 and not s["sub_valid_to"])
    new = upgrade(browser, sms, number, acc, base["subscription_id"])
    given = give_gift(browser, sms, number, acc, new["subscription_id"])
    assert given["pkg_name"].startswith("Prezent")
    assert tv_form(browser, "gift", account_id=acc,
                   subscription_id=new["subscription_id"]) is None, "one gift per upgrade"


def upgrade(browser, sms, number: str, acc: int, subscription_id: int) -> dict:
    """"Upgrade pakietu" to the first offer and date the form lists; the old subscription ends
    that day in SMS and the new one is named on the page. Returns the new one as SMS has it."""
    form = tv_form(browser, "upgrade", account_id=acc, subscription_id=subscription_id)
    assert form is not None, "the page offers no upgrade of the base package"
    choice = form.find_elements(By.CSS_SELECTOR, "input[type=radio][name=upgrade_choice]")[0]
    target, when = choice.get_attribute("value").split("|")
    page = submit_tv_form(browser, "upgrade", {"upgrade_choice": f"{target}|{when}"},
                          account_id=acc, subscription_id=subscription_id)
    assert "Zmieniono pakiet." in page
    subs = subs_of_account(sms, number, acc)
    old = next(s for s in subs if s["subscription_id"] == subscription_id)
    assert old["sub_valid_to"][:10] == when
    [new] = [s for s in subs if s["package_id"] == int(target)
             and s["subscription_id"] != subscription_id]
    assert new["pkg_name"] in page
    return new


def give_gift(browser, sms, number: str, acc: int, subscription_id: int) -> dict:
    """Give the first gift package the upgraded subscription offers, on the customer page;
    returns the gift's subscription as SMS lists it, after checking the page names it."""
    form = tv_form(browser, "gift", account_id=acc, subscription_id=subscription_id)
    assert form is not None, "the upgraded package offers no gift"
    gift = form.find_elements(By.CSS_SELECTOR, "input[type=radio][name=extra_package_id]")[0]
    gift_id = int(gift.get_attribute("value"))
    page = submit_tv_form(browser, "gift", {"extra_package_id": str(gift_id)},
                          account_id=acc, subscription_id=subscription_id)
    assert "Wydano pakiet prezent." in page
    [given] = [s for s in subs_of_account(sms, number, acc) if s["package_id"] == gift_id]
    assert given["pkg_name"] in page
    return given


def new_lms_customer(stack, lastname: str) -> int:
    """A customer typed into LMS (not in SMS yet), as customeradd would store it."""
    db = connect(stack.db)
    try:
        with db.transaction():
            division = db.scalar("SELECT MIN(id) FROM divisions", [])
            poland = db.scalar("SELECT id FROM countries WHERE name = %s", ["Poland"]) or 0
            cid = db.insert_id(
                "INSERT INTO customers (lastname, name, status, type, email, address, zip, city, "
                "countryid, ssn, icn, info, notes, creationdate, moddate, divisionid, message, "
                "pin, paytime) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s)",
                [lastname, "Zofia", 3, 0, "zofia.e2e@example.pl", "ul. Eksportowa 5/3", "30-003",
                 "Kraków", poland, "44051401359", "", "", "", 1700000000, 1700000000, division,
                 "", "123456", -1], "customers")
            db.execute("INSERT INTO customercontacts (customerid, name, phone, type) "
                       "VALUES (%s, %s, %s, %s)", [cid, "", "600100200", 1])
    finally:
        db.close()
    return cid


def test_export_new_customer_then_update_personal_data(browser, lms, sms) -> None:
    cid = new_lms_customer(lms, "Eksportowa")
    page = login(browser, lms, "admin", f"m=customerinfo&id={cid}")
    assert "Eksport do SMS" in page
    page = submit_tv_form(browser, "export")
    found = re.search(r"Dodano klienta do SMS \(numer klienta: (\d+)\)\.", page)
    assert found, page
    number = found.group(1)
    cust = sms.custList(number)
    assert (cust["cust_surname"], cust["cust_name"]) == ("Eksportowa", "Zofia")
    assert str(cust["cust_external_id"]) == str(cid)
    assert f"Numer klienta: {number}" in page

    db = connect(lms.db)
    try:
        with db.transaction():
            db.execute("UPDATE customers SET lastname = %s WHERE id = %s",
                       ["Eksportowa-Nowak", cid])
    finally:
        db.close()
    open_module(browser, lms, f"m=customerinfo&id={cid}")
    page = submit_tv_form(browser, "export")
    assert f"Zaktualizowano dane klienta w SMS (numer klienta: {number})." in page
    assert sms.custList(number)["cust_surname"] == "Eksportowa-Nowak"
    assert len([c for c in sms.custList("")
                if str(c.get("cust_external_id")) == str(cid)]) == 1, "updated, not added again"
