"""Flow 4 in a real LMS 1.11.17: TV → Podsieci.  The operator splits a subnet in the browser
("Podziel", two names, OK, confirm): the page and SMS show the two halves, the STBs of the old
subnet are in the halves; a refused split (same names) says why and changes nothing."""

from __future__ import annotations

from tests.e2e.steps import split_subnet


def test_split_a_subnet_in_the_browser(browser, lms, sms) -> None:
    split_subnet(browser, lms, sms)
