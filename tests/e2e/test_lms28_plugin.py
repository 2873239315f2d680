"""The TV plugin in a real current LMS (28-git) in Chromium: the TV menu and its screens, rights
as LMS applies them, the quick search "STB (MAC)" field, no PHP warnings from lmstv files.

The plugin is installed by `lmstv plugin install` (fixtures lms28_plugin, tv28).
"""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.e2e.ui import log_length, login, open_module, php_problems, refresh_cache


def tv_menu_links(browser) -> set[str]:
    return {href.rsplit("?", 1)[-1] for href in browser.execute_script(
        "return Array.from(document.querySelectorAll(\"a[href*='?m=tv']\"), a => a.href)")}


def test_full_right_sees_the_menu_and_every_screen(browser, tv28, sms28) -> None:
    since = log_length(tv28)
    login(browser, tv28, "tvfull")
    links = tv_menu_links(browser)
    assert {"m=tvcustomers", "m=tvpackageslist", "m=tvstblist", "m=tvmessagessend",
            "m=tvcleancache"} <= links, links

    page = open_module(browser, tv28, "m=tvpackageslist")
    assert "Pakiety aktualnie w sprzedaży" in page
    for group in sms28.packageGetAll():
        assert group["pkgt_name"] in page
    page = open_module(browser, tv28, "m=tvsubnetlist")
    assert all(s["subnet_name"] in page for s in sms28.subnetList())
    # the cache refresh posts its form with the session token and LMS shows the bridge's notice
    page = refresh_cache(browser, tv28)
    assert "Odśwież dane" in page and "niepoprawny token" not in page
    # the quick search has the STB (MAC) field, in LMS's own quick search markup
    assert browser.find_elements(By.CSS_SELECTOR, ".lms-ui-quick-search-field[data-mode='tvstb']")
    assert php_problems(tv28, since) == []


def test_read_only_right_sees_read_screens_only(browser, tv28) -> None:
    login(browser, tv28, "tvro")
    links = tv_menu_links(browser)
    assert "m=tvpackageslist" in links and "m=tvmessagessend" not in links, links
    assert "Pakiety aktualnie w sprzedaży" in open_module(browser, tv28, "m=tvpackageslist")
    # a changing screen opened by hand: LMS's own no-access page
    page = open_module(browser, tv28, "m=tvmessagessend")
    assert "Nowa wiadomość" not in page and ("Brak dostępu" in page or "Access denied" in page
                                             or "Odmowa dostępu" in page), page[:400]


def test_no_tv_right_sees_no_tv(browser, tv28) -> None:
    login(browser, tv28, "notv")
    assert tv_menu_links(browser) == set()
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-mode='tvstb']")
    # LMS's plain read-only right matches *list modules; the screen itself refuses
    page = open_module(browser, tv28, "m=tvstblist")
    assert "Lista STB" not in page
