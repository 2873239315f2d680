"""Flow 6: hostile strings planted in SMS data (customer names, addresses, messages, billing
events, package names, STB serials, subnet names) and in LMS customer names render as text on
every TV screen — customer page TV box, lists of customers, packages, STBs, subnets, billing
events, messages, the reconciliation screen, the quick search's STB suggestions and its notice:
no injected element in the DOM, no script run, no dialog opened, the text shown literally."""

from __future__ import annotations

import time

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.steps import IMG, SCRIPT, plant_hostile, sms_customer, unlink
from tests.e2e.test_lms11_reconcile import add_lms_customer
from tests.e2e.ui import (
    broken_images,
    console_errors,
    login,
    open_module,
    refresh_cache,
    text,
    wait_new_page,
)


def assert_inert(browser, where: str) -> None:
    try:
        alert = browser.switch_to.alert
        message = alert.text
        alert.dismiss()
        pytest.fail(f"{where}: a dialog opened ({message!r})")
    except NoAlertPresentException:
        pass
    assert browser.find_elements(By.CSS_SELECTOR, "#xssimg, #xssscript, img[src='x']") == [], where
    assert browser.execute_script("return window.__xss === undefined"), where


@pytest.fixture(scope="module")
def planted(lms, sms):
    """A customer of the demo seed with an account, renamed etc. to hostile strings in SMS."""
    victim = next(c for c in sms.custList("")
                  if c["cust_external_id"] not in ("", 259)
                  and sms.custGetSubscriptions(c["cust_number"]))
    number = victim["cust_number"]
    acc = sms.custGetSubscriptions(number)[0]["account_id"]
    plant_hostile(lms, sms, number, acc, 990000001)
    return {"number": number, "lms_id": victim["cust_external_id"], "account": acc}


BOXED, HOSTILE_LMS = 9301, 9302       # LMS ids (the demo's go up to 300)
MAC_BOXED, MAC_HOSTILE = "00:1A:79:E2:E3:01", "00:1A:79:E2:E3:02"
PACKAGE = 101
QUERY = "<img src=x onerror=alert(3)>"    # the field takes at most 32 characters


def issue_stb(sms, who: dict, mac: str, subnet: int) -> None:
    sms.stbRegister(mac, f"SN-{mac[-5:].replace(':', '')}", "VIP1960")
    sms.stbLink(who["account"], mac, subnet, who["order"])


@pytest.fixture(scope="module")
def hostile_names(lms, sms):
    """Package 101's name, an issued STB's serial and its subnet's name made hostile in SMS
    (the sandbox's controls: SGT's panel sets these, the API cannot); an LMS customer whose
    last name is hostile (disconnected, so the reconciliation screen lists it) with an STB; an
    SMS customer with a hostile surname and no external id.  Names restored afterwards."""
    pkg = next(p for g in sms.packageGetAll() for p in g["packages"]
               if p["package_id"] == PACKAGE)
    subnet = sms.subnetList()[0]
    boxed = sms_customer(sms, BOXED, "E2E-Xss", services=True)
    add_lms_customer(lms, BOXED, "E2E-Xss", tv_cust_number=boxed["number"])
    issue_stb(sms, boxed, MAC_BOXED, subnet["subnet_id"])
    other = sms_customer(sms, HOSTILE_LMS, "E2E-Xss-LMS", services=True)
    add_lms_customer(lms, HOSTILE_LMS, IMG, status=4, tv_cust_number=other["number"])
    issue_stb(sms, other, MAC_HOSTILE, subnet["subnet_id"])
    sms.custAdd({"cust_name": "Jan", "cust_surname": SCRIPT, "cust_m_street": "Długa",
                 "cust_m_home_nr": "5", "cust_m_postal_code": "30-001", "cust_m_city": "Kraków"})
    serial = {s["stb_mac"]: s for s in sms.stbGetRegistered("")}[MAC_BOXED]["stb_serial"]
    sms.sandbox.setPackageName(PACKAGE, IMG)
    sms.sandbox.setStbSerial(MAC_BOXED, SCRIPT)
    sms.sandbox.setSubnetName(subnet["subnet_id"], IMG)
    yield {"boxed": boxed}
    sms.sandbox.setPackageName(PACKAGE, pkg["pkg_name"])
    sms.sandbox.setStbSerial(MAC_BOXED, serial)
    sms.sandbox.setSubnetName(subnet["subnet_id"], subnet["subnet_name"])
    unlink(lms, BOXED, HOSTILE_LMS)


def test_hostile_sms_data_is_text_on_every_tv_screen(browser, lms, planted,
                                                     hostile_names) -> None:
    login(browser, lms, "admin")
    refresh_cache(browser, lms)
    screens = {
        f"m=customerinfo&id={planted['lms_id']}": (IMG, SCRIPT),
        f"m=customeredit&id={planted['lms_id']}": (SCRIPT,),
        f"m=tvcustomers&q={planted['number']}": (IMG,),
        f"m=tvbillingevents&cust_number={planted['number']}": (IMG,),
        # the package, the STB's serial and its subnet in the TV box
        f"m=customerinfo&id={BOXED}": (IMG, SCRIPT),
        "m=tvmessages&page=all": (IMG,),
        "m=tvstblist&mode=customer": (SCRIPT,),
        "m=tvstblist&mode=all": (SCRIPT,),
        "m=tvsubnetlist": (IMG,),
        "m=tvpackageslist": (IMG,),
        # the hostile LMS name (disconnected with services), the SMS-only hostile surname
        "m=tvreconcile&fresh=1": (IMG, SCRIPT),
        f"m=tvmessagessend&customerid={BOXED}": (),
    }
    for query, shown in screens.items():
        page = open_module(browser, lms, query)
        assert_inert(browser, query)
        assert "Błąd" not in page or "SMS" not in page, f"{query}: {page[:300]}"
        # every icon of the TV screens is one LMS 1.11.17's img/ (or the shim's) has
        assert broken_images(browser) == [], query
        assert console_errors(browser) == [], query
        for value in shown:
            # Long values are cut to 19 characters and "…" on some screens: their start shows.
            assert value[:15] in text(browser), f"{query}: {value!r} not shown as text"


def test_quick_search_shows_hostile_names_and_queries_as_text(browser, lms,
                                                              hostile_names) -> None:
    login(browser, lms, "admin", "m=tvcustomers")
    field = browser.find_element(By.ID, "tvstbinput")
    # the suggestion for the hostile-named LMS customer's STB (LMS's AutoSuggest, innerHTML)
    field.send_keys(MAC_HOSTILE[-5:].replace(":", ""))
    WebDriverWait(browser, 20).until(lambda d: any(
        e.is_displayed() for e in d.find_elements(By.CSS_SELECTOR, ".suggestion_list li")))
    assert_inert(browser, "quick search suggestions")
    suggestions = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR,
                                                                 ".suggestion_list"))
    assert MAC_HOSTILE in suggestions and IMG[:20] in suggestions, suggestions
    # a hostile query, Enter: the notice on the STB list repeats it as text
    # (set without key events: every keystroke sends a suggestion request, and LMS's session,
    # written back at the end of each request, could lose the notice to a late one)
    field.send_keys(Keys.ESCAPE)
    time.sleep(1)
    browser.execute_script("arguments[0].value = arguments[1];", field, QUERY)
    old = browser.find_element(By.TAG_NAME, "html")
    field.send_keys(Keys.ENTER)
    wait_new_page(browser, old)
    assert_inert(browser, "quick search notice")
    page = text(browser)
    assert f"Nie znaleziono STB u klienta, którego MAC zawiera „{QUERY}”." in page, page[:600]


def test_message_teaser_click_shows_the_whole_hostile_text(browser, lms, planted) -> None:
    login(browser, lms, "admin", "m=tvmessages&page=all")
    [cut] = [e for e in browser.find_elements(By.CSS_SELECTOR, "span.hand")
             if e.get_attribute("title") == IMG]
    assert cut.text == IMG[:19] + "…"
    cut.click()                                   # the screen's own "show all" (textContent)
    assert cut.text == IMG
    assert_inert(browser, "message teaser shown whole")
