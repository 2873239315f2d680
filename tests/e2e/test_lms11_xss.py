"""Flow 6: hostile strings planted in SMS data render as text on every TV screen: no injected
element in the DOM, no script run, no dialog opened."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from tests.e2e.ui import login, open_module, refresh_cache, text

IMG = '<img src=x id=xssimg onerror="window.__xss=1;alert(1)">'
SCRIPT = '"><script id=xssscript>window.__xss=2;alert(2)</script>'


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
    sms.custEdit(number, {"cust_surname": IMG, "cust_name": SCRIPT, "cust_m_street": IMG})
    sms.accountEdit(acc, {"cust_i_street": SCRIPT})
    today = sms.sandbox.getToday()
    sms.meldingerSend(number, IMG, today, today, SCRIPT, today, today, 2, 1)
    sms.sandbox.addBillingEvents([{"id": 990000001, "cust_number": number,
                                   "be_selling_date": today, "be_gross": "12.30",
                                   "be_desc": IMG}])
    lms.lmstv("billing", "import", "--start-date", today, "--end-date", today)
    return {"number": number, "lms_id": victim["cust_external_id"], "account": acc}


def test_hostile_sms_data_is_text_on_every_tv_screen(browser, lms, planted) -> None:
    login(browser, lms, "admin")
    refresh_cache(browser, lms)
    screens = {
        f"m=customerinfo&id={planted['lms_id']}": (IMG, SCRIPT),
        f"m=customeredit&id={planted['lms_id']}": (SCRIPT,),
        f"m=tvcustomers&q={planted['number']}": (IMG,),
        f"m=tvbillingevents&cust_number={planted['number']}": (IMG,),
        "m=tvmessages": (),
        "m=tvstblist": (),
        "m=tvsubnetlist": (),
        "m=tvpackageslist": (),
    }
    for query, shown in screens.items():
        page = open_module(browser, lms, query)
        assert_inert(browser, query)
        assert "Błąd" not in page or "SMS" not in page, f"{query}: {page[:300]}"
        for value in shown:
            # Long values are cut to a teaser ("…") on some screens: their start must be text.
            assert value[:20] in text(browser), f"{query}: {value!r} not shown as text"
