"""The TV plugin in a real current LMS (28-git) in Chromium: the TV menu and its screens, rights
as LMS applies them, the quick search "STB (MAC)" field, no PHP warnings from lmstv files.

Until `lmstv plugin install` lands (helper lms28fix), `installed` below puts the plugin in place
the way that command is to: php-plugin/LMSTVPlugin as plugins/LMSTVPlugin with the shared shim
code in its shim/, LMS's classmap regenerated, LMSTVPlugin in uiconfig phpui.plugins.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from bridge.lms.db import connect
from bridge.plugin import classmap
from tests.e2e.ui import log_length, login, open_module, php_problems, refresh_cache

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def installed(lms28):
    target = lms28.lms / "plugins" / "LMSTVPlugin"
    shutil.copytree(ROOT / "php-plugin" / "LMSTVPlugin", target)
    shutil.copytree(ROOT / "php-shim", target / "shim",
                    ignore=shutil.ignore_patterns("patches", "img"))
    shutil.copy(lms28.ini, lms28.lms / "lmstv.ini")
    classmap.generate(lms28.lms)
    db = connect(lms28.db)
    try:
        db.execute("INSERT INTO uiconfig (section, var, value, description, disabled) "
                   "VALUES ('phpui', 'plugins', 'LMSTVPlugin', '', 0)")
    finally:
        db.close()
    yield lms28
    db = connect(lms28.db)
    try:
        db.execute("DELETE FROM uiconfig WHERE section = 'phpui' AND var = 'plugins'")
    finally:
        db.close()
    shutil.rmtree(target)
    (lms28.lms / "lmstv.ini").unlink()
    classmap.generate(lms28.lms)


def tv_menu_links(browser) -> set[str]:
    return {(a.get_attribute("href") or "").rsplit("?", 1)[-1]
            for a in browser.find_elements(By.CSS_SELECTOR, "a[href*='?m=tv']")}


def test_full_right_sees_the_menu_and_every_screen(browser, installed, sms) -> None:
    since = log_length(installed)
    login(browser, installed, "tvfull")
    links = tv_menu_links(browser)
    assert {"m=tvcustomers", "m=tvpackageslist", "m=tvstblist", "m=tvmessagessend",
            "m=tvcleancache"} <= links, links

    page = open_module(browser, installed, "m=tvpackageslist")
    assert "Pakiety aktualnie w sprzedaży" in page
    for group in sms.packageGetAll():
        assert group["pkgt_name"] in page
    page = open_module(browser, installed, "m=tvsubnetlist")
    assert all(s["subnet_name"] in page for s in sms.subnetList())
    # the cache refresh posts its form with the session token and LMS shows the bridge's notice
    page = refresh_cache(browser, installed)
    assert "Odśwież dane" in page and "niepoprawny token" not in page
    # the quick search has the STB (MAC) field, in LMS's own quick search markup
    assert browser.find_elements(By.CSS_SELECTOR, ".lms-ui-quick-search-field[data-mode='tvstb']")
    assert php_problems(installed, since) == []


def test_read_only_right_sees_read_screens_only(browser, installed) -> None:
    login(browser, installed, "tvro")
    links = tv_menu_links(browser)
    assert "m=tvpackageslist" in links and "m=tvmessagessend" not in links, links
    assert "Pakiety aktualnie w sprzedaży" in open_module(browser, installed, "m=tvpackageslist")
    # a changing screen opened by hand: LMS's own no-access page
    page = open_module(browser, installed, "m=tvmessagessend")
    assert "Nowa wiadomość" not in page and ("Brak dostępu" in page or "Access denied" in page
                                             or "Odmowa dostępu" in page), page[:400]


def test_no_tv_right_sees_no_tv(browser, installed) -> None:
    login(browser, installed, "notv")
    assert tv_menu_links(browser) == set()
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-mode='tvstb']")
    # LMS's plain read-only right matches *list modules; the screen itself refuses
    page = open_module(browser, installed, "m=tvstblist")
    assert "Lista STB" not in page
