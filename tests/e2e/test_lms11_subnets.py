"""Flow 4 in a real LMS 1.11.17: TV → Podsieci.  The operator splits a subnet in the browser
("Podziel", two names, OK, confirm): the page and SMS show the two halves, the STBs of the old
subnet are in the halves; a refused split (same names) says why and changes nothing."""

from __future__ import annotations

import ipaddress

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.ui import cells, login, text, wait_new_page


def listed(browser) -> dict[str, tuple[str, str, str]]:
    """subnet name -> (id, IP, mask) as the list shows them."""
    out = {}
    for sid, name, net, mask, _fn in cells(browser, browser.find_elements(
            By.CSS_SELECTOR, "table.lmsbox tbody tr.highlight")):
        out[name] = (sid, net, mask)
    return out


def split_in_browser(browser, subnet_id: int, name1: str, name2: str) -> str:
    row = browser.find_element(By.XPATH, f"//tr[td[1][normalize-space()='{subnet_id}']]")
    form_row = browser.find_element(By.ID, f"tvsplit{subnet_id}")
    if not form_row.is_displayed():      # "Podziel" opens (or closes) the split form
        row.find_element(By.PARTIAL_LINK_TEXT, "Podziel").click()
    WebDriverWait(browser, 10).until(lambda _d: form_row.is_displayed())
    for field, value in (("name1", name1), ("name2", name2)):
        box = form_row.find_element(By.NAME, field)
        box.clear()
        box.send_keys(value)
    old = browser.find_element(By.TAG_NAME, "html")
    form_row.find_element(By.CSS_SELECTOR, "input[type=submit][value=OK]").click()
    WebDriverWait(browser, 10).until(ec.alert_is_present())
    assert browser.switch_to.alert.text == "Czy na pewno podzielić tę podsieć?"
    browser.switch_to.alert.accept()
    wait_new_page(browser, old)
    return text(browser)


def test_split_a_subnet_in_the_browser(browser, lms, sms) -> None:
    before = {n["subnet_id"]: n for n in sms.subnetList()}
    # the subnet holding the most issued STBs (still big enough to halve)
    stbs = sms.stbGetRegistered("customer")
    target = max((n for n in before.values()
                  if ipaddress.IPv4Network(f"{n['subnet_net']}/{n['subnet_mask']}").prefixlen
                  < 30),
                 key=lambda n: sum(s["subnet_id"] == n["subnet_id"] for s in stbs))
    sid = target["subnet_id"]
    moved = {s["stb_mac"]: s["stb_ip"] for s in stbs if s["subnet_id"] == sid}
    net = ipaddress.IPv4Network(f"{target['subnet_net']}/{target['subnet_mask']}")
    halves = list(net.subnets(prefixlen_diff=1))

    login(browser, lms, "admin", "m=tvsubnetlist")
    assert listed(browser)[target["subnet_name"]] == (str(sid), target["subnet_net"],
                                                      target["subnet_mask"])
    # refused (checked before SMS is asked): the page says why, nothing changes
    calls = len(sms.sandbox.getCalls(1000))
    page = split_in_browser(browser, sid, "E2E-Sieć", "E2E-Sieć")
    assert "Nazwy obu części muszą się różnić." in page
    assert "subnetSplit" not in [c["method"] for c in sms.sandbox.getCalls(1000)[calls:]]
    assert {n["subnet_id"] for n in sms.subnetList()} == set(before)
    assert browser.find_element(By.ID, f"tvsplit{sid}").is_displayed()  # form kept open

    page = split_in_browser(browser, sid, "E2E-Północ", "E2E-Południe")
    assert "Podzielono podsieć na E2E-Północ i E2E-Południe." in page
    after = {n["subnet_name"]: n for n in sms.subnetList()}
    assert sid not in {n["subnet_id"] for n in after.values()}
    assert len(after) == len(before) + 1
    north, south = after["E2E-Północ"], after["E2E-Południe"]
    assert (north["subnet_net"], north["subnet_mask"]) == (str(halves[0].network_address),
                                                           str(halves[0].netmask))
    assert (south["subnet_net"], south["subnet_mask"]) == (str(halves[1].network_address),
                                                           str(halves[1].netmask))
    shown = listed(browser)
    assert target["subnet_name"] not in shown
    assert shown["E2E-Północ"] == (str(north["subnet_id"]), north["subnet_net"],
                                   north["subnet_mask"])
    assert shown["E2E-Południe"] == (str(south["subnet_id"]), south["subnet_net"],
                                     south["subnet_mask"])
    assert f"Razem: {len(after)}" in page
    # the STBs of the old subnet are in the half holding their address
    now = {s["stb_mac"]: s for s in sms.stbGetRegistered("customer")}
    for mac, ip in moved.items():
        half = north if ipaddress.IPv4Address(ip) in halves[0] else south
        assert now[mac]["subnet_id"] == half["subnet_id"], mac
