"""Hostile strings planted in SMS data render as text on every TV screen of the plugin in a real
current LMS (28-git): no injected element in the DOM, no script run, no dialog opened."""

from __future__ import annotations

from tests.e2e.steps import IMG, SCRIPT, plant_hostile
from tests.e2e.test_lms11_xss import assert_inert
from tests.e2e.test_lms28_customer import export_with_account, new_customer
from tests.e2e.ui import broken_images, console_errors, login, open_module, refresh_cache, text


def test_hostile_sms_data_is_text_on_every_tv_screen(browser, tv28, sms28) -> None:
    cid = new_customer(tv28, lastname="Wrogowa")
    login(browser, tv28, "admin", f"m=customerinfo&id={cid}")
    number, acc = export_with_account(browser, tv28, sms28, cid)
    plant_hostile(tv28, sms28, number, acc, 990028001)

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
        assert broken_images(browser) == [], query
        assert console_errors(browser) == [], query
        for value in shown:
            assert value[:20] in text(browser), f"{query}: {value!r} not shown as text"
