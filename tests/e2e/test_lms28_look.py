"""The TV plugin in current LMS's look, in a real LMS 28 in headless Chromium: the customer page's
TV boxes are LMS's tab containers (their title bar folds them with LMS's own script), their
buttons LMS's lms-ui-button and their icons lms-ui-icon-* glyphs that LMS's CSS draws; a TV list
is an LMS list table whose rows LMS colours; a TV form has LMS buttons. Nothing of LMS 1.11.17's
look (images, link buttons, plain submit inputs) is left.

With LMSTV_LOOK_SHOTS=<dir> the pages are also saved as <dir>/look28-*.png to look at."""

from __future__ import annotations

import os
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.steps import send_message
from tests.e2e.test_lms28_customer import add_package, export_with_account, new_customer
from tests.e2e.ui import login, open_module

OLD_LOOK = "img, button.lmstv-link, input[type=submit], input[type=button]"
TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")


def blank_icons(browser, scope: str) -> tuple[int, list[str]]:
    """How many lms-ui-icon-* icons ``scope`` holds, and the classes of those LMS's CSS draws
    nothing for (an icon name current LMS does not know)."""
    return tuple(browser.execute_script("""
        const icons = document.querySelectorAll(arguments[0] + ' i[class*="lms-ui-icon-"]');
        const blank = [];
        for (const i of icons) {
            const c = getComputedStyle(i, '::before').content;
            if (!c || c === 'none' || c === 'normal' || c === '""') blank.push(i.className);
        }
        return [icons.length, blank];""", scope))


def style(browser, css: str, prop: str) -> str:
    return browser.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]];", css, prop)


def shot(browser, name: str, css: str) -> None:
    """Save the window scrolled to ``css`` where LMSTV_LOOK_SHOTS asks for it."""
    where = os.environ.get("LMSTV_LOOK_SHOTS")
    if where:
        browser.execute_script("document.querySelector(arguments[0]).scrollIntoView();", css)
        browser.save_screenshot(str(Path(where) / f"look28-{name}.png"))


def test_customer_page_boxes_in_current_lms_look(browser, tv28, sms28) -> None:
    cid = new_customer(tv28, lastname="Wyglądowa")
    login(browser, tv28, "admin", f"m=customerinfo&id={cid}")
    number, acc = export_with_account(browser, tv28, sms28, cid)
    add_package(browser, acc)
    send_message(browser, tv28, sms28, cid, number, "Wygląd e2e", "Treść")
    open_module(browser, tv28, f"m=customerinfo&id={cid}")

    for box, panel in (("tvaccountbox", "tvaccountspanel"),
                       ("tvmessagesbox", "tvmessagespanel")):
        assert browser.find_elements(By.CSS_SELECTOR, f"div#{box}.lms-ui-tab-container"), box
        assert browser.find_elements(
            By.CSS_SELECTOR, f"#{box} > .lms-ui-tab-header[data-lmsbox-content={panel}]"), box
        # LMS's CSS frames the box and colours its title bar
        assert style(browser, f"#{box}", "borderTopWidth") == "1px", box
        assert style(browser, f"#{box} > .lms-ui-tab-header", "backgroundColor") \
            not in TRANSPARENT, box
        assert browser.find_elements(By.CSS_SELECTOR, f"#{box} .lms-ui-button"), box
        assert browser.find_elements(By.CSS_SELECTOR, f"#{box} {OLD_LOOK}") == [], box
        count, blank = blank_icons(browser, f"#{box}")
        assert count >= 2 and blank == [], (box, blank)
    # the account's actions are LMS buttons with their label and icon
    buttons = {b.text.strip(): b for b in browser.find_elements(
        By.CSS_SELECTOR, "#tvaccountbox .lms-ui-button") if b.text.strip()}
    for label in ("Edytuj", "Wstrzymaj usługi", "Dodaj usługę"):
        assert buttons[label].find_elements(By.CSS_SELECTOR, "i[class*='lms-ui-icon-']"), label
    # "Eksport do SMS" sits among LMS's own customer buttons, drawn like them
    export = browser.find_element(By.XPATH, "//button[normalize-space()='Eksport do SMS']")
    assert "lms-ui-button" in export.get_attribute("class")
    shot(browser, "customer", "#tvaccountbox")

    # LMS's own script folds the box by its title bar, like LMS's boxes
    title = browser.find_element(By.CSS_SELECTOR, "#tvaccountbox > .lms-ui-tab-header strong")
    # in mid-window: LMS's fixed toolbar covers the top
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", title)
    title.click()
    WebDriverWait(browser, 10).until(
        lambda d: not d.find_element(By.ID, "tvaccountspanel").is_displayed())
    title.click()
    WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "tvaccountspanel").is_displayed())


def test_tv_list_and_form_in_current_lms_look(browser, tv28) -> None:
    login(browser, tv28, "admin", "m=tvstblist")
    table = "table.lmsbox.lms-ui-background-cycle"
    rows = browser.find_elements(By.CSS_SELECTOR, f"{table} > tbody > tr")
    assert len(rows) >= 2, "the demo's STBs are listed"
    # LMS colours the rows of its list tables, alternating
    colours = [r.value_of_css_property("background-color") for r in rows[:2]]
    assert not set(colours) & set(TRANSPARENT) and colours[0] != colours[1], colours
    assert browser.find_elements(By.CSS_SELECTOR, f"{table} .lms-ui-button")
    # the register form's table and the list: no image, link button or plain submit left
    assert browser.find_elements(By.CSS_SELECTOR, f"table.lmsbox {OLD_LOOK}") == []
    count, blank = blank_icons(browser, "table.lmsbox")
    assert count >= 1 and blank == [], blank
    shot(browser, "stblist", "h1")

    open_module(browser, tv28, "m=tvmessagessend")
    form = browser.find_element(By.CSS_SELECTOR, "form[action*='m=tvmessagessend']")
    [send] = form.find_elements(By.CSS_SELECTOR, "[type=submit]")
    assert send.tag_name == "button" and "lms-ui-button" in send.get_attribute("class")
    assert send.text.strip() == "Wyślij"
    assert send.find_elements(By.CSS_SELECTOR, "i.lms-ui-icon-send")
    count, blank = blank_icons(browser, "form[action*='m=tvmessagessend']")
    assert count >= 2 and blank == [], blank
    shot(browser, "messagessend", "h1")
