"""`lmstv plugin install|uninstall` on a real current LMS, seen in Chromium: after install the
"Telewizja" menu is there for users with a TV right (and LMS's full access), not for the
others; after uninstall it is gone and LMS's tree and uiconfig are as before."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from bridge.lms.db import connect
from bridge.plugin import installer
from tests.e2e import lms28 as lms28_stack
from tests.e2e import ui


def uiconfig_rows(stack) -> list[dict]:
    db = connect(stack.db)
    try:
        return db.query("SELECT section, var, value, disabled, userid, divisionid FROM uiconfig "
                        "ORDER BY section, var")
    finally:
        db.close()


def test_install_shows_tv_menu_and_uninstall_restores_lms(browser, lms28):
    was_installed = installer.load_state(lms28.lms) is not None
    if was_installed:   # another test's lms28_plugin came first: start from a plain LMS
        lms28.plugin("uninstall")
    tree_before = lms28_stack.tree_digests(lms28.lms)
    uiconfig_before = uiconfig_rows(lms28)
    log_start = ui.log_length(lms28)
    try:
        out = lms28.plugin("install").stdout
        assert "uiconfig phpui.plugins" in out and "regenerate LMS's classmap" in out
        status = lms28.plugin("status")
        assert status.returncode == 0, status.stdout
        assert "enabled in phpui.plugins: yes" in status.stdout

        # The shared client reaches the bridge (address and secret from $LMSTV_SHIM_CONFIG) and
        # reads each user's TV right from the plugin's permissions.
        for user, right in (("admin", "pełny dostęp"), ("tvfull", "pełny dostęp"),
                            ("tvro", "tylko odczyt")):
            ui.login(browser, lms28, user)
            assert "Telewizja" in ui.text(browser), user
            page = ui.open_module(browser, lms28, "m=tv_info")
            assert "Telewizja — o module" in page, user
            assert info_cell(browser, "right") == right, user
            assert info_cell(browser, "bridge") == "działa", user

        ui.login(browser, lms28, "notv")
        assert "Telewizja" not in ui.text(browser)
        ui.open_module(browser, lms28, "m=tv_info")
        assert not browser.find_elements(By.ID, "lmstv-info")

        assert not ui.php_problems(lms28, log_start) and not plugin_errors(lms28, log_start)

        lms28.plugin("uninstall")
        assert lms28_stack.tree_digests(lms28.lms) == tree_before
        assert uiconfig_rows(lms28) == uiconfig_before
        assert lms28.plugin("status", check=False).returncode == 3

        ui.login(browser, lms28, "admin")
        assert "Telewizja" not in ui.text(browser)
        assert "Klienci" in ui.text(browser)
    finally:
        if was_installed:
            lms28.plugin("install")


def info_cell(browser, name: str) -> str:
    return browser.find_element(By.ID, f"lmstv-info-{name}").text.strip()


def plugin_errors(stack, since: int) -> list[str]:
    """PHP warnings/errors the log has about the plugin's own files."""
    if not stack.php_log.exists():
        return []
    lines = stack.php_log.read_text("utf-8", "replace").splitlines()[since:]
    return [ln for ln in lines if "plugins/LMSTVPlugin/" in ln]
