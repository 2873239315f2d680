"""Flow 7: with SMS down, or the bridge down, the customer page still renders LMS's own parts and
says in Polish what is wrong, instead of a blank page or a PHP error."""

from __future__ import annotations

from tests.e2e.ui import login, open_module, refresh_cache

CUSTOMER = 259


def lms_parts_render(page: str) -> None:
    assert "Komputery klienta" in page and "Dokumenty klienta" in page
    assert "Fatal error" not in page and "Warning:" not in page


def test_bridge_down_keeps_the_customer_page(browser, lms) -> None:
    login(browser, lms, "admin")
    lms.stop("bridge")
    try:
        page = open_module(browser, lms, f"m=customerinfo&id={CUSTOMER}")
        lms_parts_render(page)
        assert page.lower().count("mostk") == 1, "one banner about the bridge (mostek lmstv)"
        assert "Numer klienta:" not in page
    finally:
        lms.start_bridge()
        refresh_cache(browser, lms)
    page = open_module(browser, lms, f"m=customerinfo&id={CUSTOMER}")
    assert "mostk" not in page.lower() and "Numer klienta: 673100259" in page


def test_sms_down_keeps_the_customer_page(browser, lms) -> None:
    login(browser, lms, "admin")
    refresh_cache(browser, lms)
    lms.stop("sandbox")
    try:
        page = open_module(browser, lms, f"m=customerinfo&id={CUSTOMER}")
        lms_parts_render(page)
        tv_part = page[:page.index("Konto klienta")]        # not LMS's balance lines
        assert "SMS" in tv_part and "Pakiet Mini" not in tv_part
    finally:
        lms.start_sandbox()
        refresh_cache(browser, lms)
    assert "Pakiet Mini" in open_module(browser, lms, f"m=customerinfo&id={CUSTOMER}")
