"""Flow 4: the TV menu's screens in a real LMS with the demo operator's data from SMS, and the
quick search "STB (MAC)" field typed into like an operator would."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.steps import customer_list_pages
from tests.e2e.ui import login, open_module, refresh_cache, text


def test_tv_menu_screens_show_sms_data(browser, lms, sms) -> None:
    login(browser, lms, "admin")
    refresh_cache(browser, lms)
    menu = [href for href in browser.execute_script(
                "return Array.from(document.links, a => a.href)")
            if href.endswith("?m=tvcustomers")]
    assert menu, "the TV menu links to the customer list"

    customer_list_pages(browser, lms, sms)

    page = open_module(browser, lms, "m=tvpackageslist")
    assert "Pakiety aktualnie w sprzedaży" in page
    for group in sms.packageGetAll():
        assert group["pkgt_name"] in page
        assert any(p["pkg_name"] in page for p in group["packages"])

    page = open_module(browser, lms, "m=tvstblist")
    assert "Lista STB" in page
    stbs = sms.stbGetRegistered("")
    assert any(s["stb_mac"] in page for s in stbs)

    page = open_module(browser, lms, "m=tvsubnetlist")
    assert "Podsieci" in page
    assert all(s["subnet_name"] in page for s in sms.subnetList())

    page = open_module(browser, lms, "m=tvmessages")
    assert "Wiadomości wysłane na TV" in page

    page = open_module(browser, lms, "m=tvbillingevents")
    assert "Lista zdarzeń bilingowych" in page


def test_quick_search_by_stb_mac(browser, lms, sms) -> None:
    login(browser, lms, "admin")
    field = browser.find_element(By.NAME, "qsstb")
    field.send_keys("1a7910014")                 # lower case, no colons: part of a MAC
    WebDriverWait(browser, 20).until(
        lambda d: "00:1A:79:10:01:42" in text(d))
    field.clear()
    field.send_keys("00:1A:79:10:01:42", Keys.ENTER)
    WebDriverWait(browser, 20).until(lambda d: "customerinfo" in d.current_url)
    assert "id=259" in browser.current_url
    assert "Konta TV (1)" in text(browser)
