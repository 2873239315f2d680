"""The customer page's TV box in a real current LMS (28-git) with the TV plugin: export, PINs,
account add/lock/unlock/delete, a service added, an STB issued and returned, read-only and
no-right users, forged POSTs, planted markup, the bridge-down banner — checked in the page and
in SMS afterwards."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from bridge.lms.db import connect
from bridge.plugin import installer
from tests.e2e import lms28 as lms28_stack
from tests.e2e.steps import lock_and_unlock
from tests.e2e.ui import (
    log_length,
    login,
    open_module,
    php_problems,
    post,
    submit_tv_form,
    suggested_stb,
    text,
    token,
    tv_form,
    wait_new_page,
)
from tests.lmsrows import insert_customer

BASE_PACKAGE = 101  # sandbox package allowing VIP1960, activatable at once


def new_customer(tv28, **fields) -> int:
    """A new LMS customer, with an id above the demo SMS customers' external IDs (so the export
    creates it in SMS rather than linking it to one of them)."""
    db = connect(tv28.db)
    try:
        with db.transaction():
            division = db.scalar("SELECT MIN(divisionid) FROM userdivisions")  # the users' one
            cid = max(90000, int(db.scalar("SELECT COALESCE(MAX(id), 0) FROM customers"))) + 1
            return insert_customer(db, {
                "lastname": "Kowalska", "name": "Anna", "status": 3, "type": 0,
                "address": "ul. Polna 12/3", "zip": "30-001", "city": "Kraków",
                "ssn": "85010112345", "divisionid": division, "deleted": 0, "id": cid,
                **fields})
    finally:
        db.close()


def test_customer_page_export_pins_account_and_services(browser, tv28, sms28) -> None:
    since = log_length(tv28)
    cid = new_customer(tv28, lastname="<b>Zielińska</b>")
    page = login(browser, tv28, "admin", f"m=customerinfo&id={cid}")
    # LMS's own customer page, with the TV box among its boxes and the planted name as text
    # (LMS writes last names in capitals)
    assert "Klient nie jest jeszcze w SMS" in page and "<B>ZIELIŃSKA</B>" in page
    assert browser.find_elements(By.ID, "tvaccountbox")
    assert not browser.find_elements(By.XPATH, "//b[text()='ZIELIŃSKA' or text()='Zielińska']")
    assert "Eksport do SMS" in page

    page = submit_tv_form(browser, "export")
    assert "Dodano klienta do SMS" in page
    number = page.split("numer klienta: ", 1)[1].split(")", 1)[0]
    assert sms28.custList(number)["cust_surname"] == "<b>Zielińska</b>"

    page = submit_tv_form(browser, "pins", {"cust_vod_pin": "12a", "cust_master_pin": "1234"})
    assert "Niepoprawne dane" in page
    page = submit_tv_form(browser, "pins", {"cust_vod_pin": "4321", "cust_master_pin": "8765"})
    assert "Zapisano PIN-y." in page
    assert sms28.custList(number)["cust_vod_pin"] == "4321"

    page = submit_tv_form(browser, "account_add", {
        "cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "3",
        "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    assert "Dodano konto TV." in page
    acc = sms28.custGetSubscriptions(number)[0]["account_id"]
    assert f"{number}/{acc}" in page

    page = add_package(browser, acc)
    assert "Dodano usługi (nieaktywne)." in page
    subs = sms28.custGetSubscriptions(number)[0]["subscriptions"]
    assert [s["package_id"] for s in subs] == [BASE_PACKAGE]
    # an STB from the suggestion list of stock STBs (?m=tvquicksearch through LMS), then returned
    sid = subs[0]["subscription_id"]
    mac = suggested_stb(browser, sid)
    page = submit_tv_form(browser, "stb_issue", {"stb_mac": mac}, account_id=acc,
                          subscription_id=sid)
    assert "Wydano STB." in page and mac in page
    assert mac in {s["stb_mac"] for s in sms28.accountGetSTB(acc)}
    page = submit_tv_form(browser, "stb_return", account_id=acc, stb_mac=mac)
    assert "Zwrócono STB na magazyn." in page
    assert mac not in {s["stb_mac"] for s in sms28.accountGetSTB(acc)}

    lock_and_unlock(browser, sms28, number, acc)
    assert php_problems(tv28, since) == []


def export_with_account(browser, tv28, sms28, cid: int, street: str = "Polna") -> tuple[str, int]:
    """On the open customer page: "Eksport do SMS", then a new TV account at ``street`` 1,
    30-001 Kraków; returns (SMS number, account id)."""
    page = submit_tv_form(browser, "export")
    assert "Dodano klienta do SMS" in page
    number = page.split("numer klienta: ", 1)[1].split(")", 1)[0]
    page = submit_tv_form(browser, "account_add", {
        "cust_i_street": street, "cust_i_home_nr": "1", "cust_i_flat": "",
        "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    assert "Dodano konto TV." in page
    return number, sms28.custGetSubscriptions(number)[0]["account_id"]


def add_package(browser, acc: int) -> str:
    """Tick the base package in the account's "Dodaj usługę" form and press "Dodaj"."""
    form = tv_form(browser, "packages_add", account_id=acc)
    assert form is not None, "no packages_add form"
    box = form.find_element(By.CSS_SELECTOR, f"input[name='pkglist[{BASE_PACKAGE}]']")
    browser.execute_script("arguments[0].checked = true;", box)
    old = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script("HTMLFormElement.prototype.submit.call(arguments[0]);", form)
    wait_new_page(browser, old)
    return text(browser)


def test_new_account_then_delete(browser, tv28) -> None:
    cid = new_customer(tv28)
    login(browser, tv28, "admin", f"m=customerinfo&id={cid}")
    page = submit_tv_form(browser, "account_add", {
        "cust_i_street": "Testowa", "cust_i_home_nr": "7", "cust_i_flat": "",
        "cust_i_postal_code": "30-002", "cust_i_city": "Kraków"})
    assert "Dodano konto TV." in page
    form = browser.find_element(By.CSS_SELECTOR, "input[name=tvaction][value=account_del]")
    acc = form.find_element(By.XPATH, "..").find_element(
        By.CSS_SELECTOR, "input[name=account_id]").get_attribute("value")
    page = submit_tv_form(browser, "account_del", account_id=acc)
    assert "Usunięto konto TV." in page
    assert "Testowa" not in page


def test_edit_page_has_the_box_and_export(browser, tv28) -> None:
    cid = new_customer(tv28)
    login(browser, tv28, "admin", f"m=customeredit&id={cid}")
    assert browser.find_elements(By.ID, "tvaccountbox")
    assert browser.find_elements(By.CSS_SELECTOR, "button[form=tvexportform]")
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "button[form=tvexportform]").click()
    wait_new_page(browser, old)
    assert "Dodano klienta do SMS" in text(browser)
    assert "m=customeredit" in browser.current_url


def test_rights_and_forged_post(browser, tv28, sms28) -> None:
    cid = new_customer(tv28, lastname="Prawna")
    page = login(browser, tv28, "tvro", f"m=customerinfo&id={cid}")
    assert "Klient nie jest jeszcze w SMS" in page and "Eksport do SMS" not in page
    assert not browser.find_elements(By.CSS_SELECTOR, "input[name=tvaction]")
    # a hand-made POST of a change with a real token: refused, SMS unchanged
    login(browser, tv28, "admin", f"m=customerinfo&id={cid}")
    admin_token = token(browser)
    login(browser, tv28, "tvro", f"m=customerinfo&id={cid}")
    page = post(browser, tv28, f"m=customerinfo&id={cid}",
                {"tvaction": "export", "lmstv_token": admin_token})
    assert "Dodano klienta do SMS" not in page
    assert "token" in page or "TV — pełny dostęp" in page
    assert not [c for c in sms28.custList("") if c.get("cust_surname") == "Prawna"]
    # the full right, but a forged token
    login(browser, tv28, "tvfull")
    page = post(browser, tv28, f"m=customerinfo&id={cid}",
                {"tvaction": "export", "lmstv_token": "x" * 32})
    assert "niepoprawny token" in page
    assert not [c for c in sms28.custList("") if c.get("cust_surname") == "Prawna"]
    # no TV right: no TV box at all
    login(browser, tv28, "notv", f"m=customerinfo&id={cid}")
    assert not browser.find_elements(By.ID, "tvaccountbox")


def test_bridge_down_banner(browser, tv28) -> None:
    cid = new_customer(tv28)
    login(browser, tv28, "admin")
    tv28.stop("bridge")
    try:
        page = open_module(browser, tv28, f"m=customerinfo&id={cid}")
        assert "Brak połączenia z mostkiem lmstv" in page
        assert "Informacje o kliencie" in page or "Kowalska" in page
    finally:
        tv28.start_bridge()


def test_mariadb_core_flow(browser, lms28_mysql) -> None:
    """The same plugin on current LMS over MariaDB: install, migrate, the customer page's box,
    export and a new account, in the page and in SMS."""
    from tests.e2e.conftest import Sms

    if installer.load_state(lms28_mysql.lms) is None:
        lms28_mysql.plugin("install")
    lms28_mysql.lmstv("migrate")
    sms = Sms(lms28_mysql.sandbox_url)
    since = log_length(lms28_mysql)
    cid = lms28_stack.add_customer(lms28_mysql.db, "Mariowa", "Ola", id=90500)
    page = login(browser, lms28_mysql, "tvfull", f"m=customerinfo&id={cid}")
    assert "MARIOWA Ola" in page and "Klient nie jest jeszcze w SMS" in page
    page = submit_tv_form(browser, "export")
    assert "Dodano klienta do SMS" in page
    number = page.split("numer klienta: ", 1)[1].split(")", 1)[0]
    page = submit_tv_form(browser, "account_add", {
        "cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "",
        "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    assert "Dodano konto TV." in page
    acc = sms.custGetSubscriptions(number)[0]["account_id"]
    assert f"{number}/{acc}" in page
    assert php_problems(lms28_mysql, since) == []
