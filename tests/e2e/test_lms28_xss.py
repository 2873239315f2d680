"""Hostile strings planted in SMS data render as text on every TV screen of the plugin in a real
current LMS (28-git): no injected element in the DOM, no script run, no dialog opened."""

from __future__ import annotations

from tests.e2e.test_lms11_xss import IMG, SCRIPT, assert_inert
from tests.e2e.test_lms28_customer import new_customer
from tests.e2e.ui import login, open_module, refresh_cache, submit_tv_form, text


def test_hostile_sms_data_is_text_on_every_tv_screen(browser, tv28, sms28) -> None:
    cid = new_customer(tv28, lastname="Wrogowa")
    login(browser, tv28, "admin")
    open_module(browser, tv28, f"m=customerinfo&id={cid}")
    page = submit_tv_form(browser, "export")
    number = page.split("numer klienta: ", 1)[1].split(")", 1)[0]
    submit_tv_form(browser, "account_add", {
        "cust_i_street": "Polna", "cust_i_home_nr": "1", "cust_i_flat": "",
        "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    acc = sms28.custGetSubscriptions(number)[0]["account_id"]
    sms28.custEdit(number, {"cust_surname": IMG, "cust_name": SCRIPT, "cust_m_street": IMG})
    sms28.accountEdit(acc, {"cust_i_street": SCRIPT})
    today = sms28.sandbox.getToday()
    sms28.meldingerSend(number, IMG, today, today, SCRIPT, today, today, 2, 1)
    sms28.sandbox.addBillingEvents([{"id": 990028001, "cust_number": number,
                                     "be_selling_date": today, "be_gross": "12.30",
                                     "be_desc": IMG}])
    tv28.lmstv("billing", "import", "--start-date", today, "--end-date", today)

    refresh_cache(browser, tv28)
    screens = {
        f"m=customerinfo&id={cid}": (IMG, SCRIPT),
        f"m=customeredit&id={cid}": (SCRIPT,),
        f"m=tvcustomers&q={number}": (IMG,),
        f"m=tvbillingevents&cust_number={number}": (IMG,),
        "m=tvmessages": (),
        "m=tvstblist": (),
        "m=tvreconcile": (),
    }
    for query, shown in screens.items():
        open_module(browser, tv28, query)
        assert_inert(browser, query)
        for value in shown:
            assert value[:20] in text(browser), f"{query}: {value!r} not shown as text"
