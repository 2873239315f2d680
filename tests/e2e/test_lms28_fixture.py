"""The current-LMS fixture itself: LMS 28 built from the tarball serves its main page to a
logged-in administrator in Chromium, with its JS libraries (from npm) loaded."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.e2e import lms28 as lms28_stack
from tests.e2e import ui


def test_admin_sees_main_page(browser, lms28):
    ui.login(browser, lms28, "admin")
    page = ui.text(browser)
    assert "LMS 28-git" in browser.title + page or "LMS" in browser.title
    # The main menu is LMS's own (Klienci = Customers), so the classmap autoloader, Smarty 4
    # and the database all work.
    assert "Klienci" in page
    # jQuery came from the npm assets linked as vendor/components/jquery.
    assert browser.execute_script("return typeof window.jQuery") == "function"
    assert browser.find_elements(By.CSS_SELECTOR, "#lms-ui-main-menu, .lms-ui-main-menu, "
                                                  "#lms-ui-menu-panel, nav")


def test_users_without_full_access_log_in(browser, lms28):
    for user in ("tvfull", "tvro", "notv"):
        ui.login(browser, lms28, user)
        # LMS greets the user by name in its header: the login got past LMS's Auth
        assert f"E2E {user}" in ui.text(browser)


def test_mariadb_variant_serves_main_page_and_a_customer(browser, lms28_mysql):
    cid = lms28_stack.add_customer(lms28_mysql.db, "Mariowa", "Ola")
    ui.login(browser, lms28_mysql, "admin")
    assert "Klienci" in ui.text(browser)
    assert "MARIOWA Ola" in ui.open_module(browser, lms28_mysql, f"m=customerinfo&id={cid}")


def test_customer_helper_gives_a_customer_lms_shows(browser, lms28):
    cid = lms28_stack.add_customer(lms28.db, "Fixturowa", "Ewa")
    ui.login(browser, lms28, "admin")
    page = ui.open_module(browser, lms28, f"m=customerinfo&id={cid}")
    assert "FIXTUROWA Ewa" in page
    assert "Polna" in page
