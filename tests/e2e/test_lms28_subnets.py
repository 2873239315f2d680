"""TV → Podsieci in a real current LMS (28-git) with the TV plugin: a subnet split in the
browser ("Podziel", two names, OK, confirm), refused first, then done — checked in the page and
in SMS (the same flow as on LMS 1.11.17, tests/e2e/steps.py)."""

from __future__ import annotations

from tests.e2e.steps import split_subnet


def test_split_a_subnet_in_the_browser(browser, tv28, sms28) -> None:
    split_subnet(browser, tv28, sms28)
