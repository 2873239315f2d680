"""TV → Lista zdarzeń bilingowych in a real current LMS (28-git) with the TV plugin: the same
events and filters as on LMS 1.11.17 (tests/e2e/steps.py), the rows and totals shown checked
against the LMS database, the invoiced events showing their LMS 28 invoice's number."""

from __future__ import annotations

from tests.e2e.steps import billing_events_filters, plant_billing_events, unlink
from tests.e2e.test_lms28_customer import new_customer


def test_filters_rows_and_totals_match_the_database(browser, tv28, sms28) -> None:
    linked = new_customer(tv28, lastname="E2E-Fakturowany")
    waiting = new_customer(tv28, lastname="E2E-Czekający")
    n = plant_billing_events(tv28, sms28, linked, waiting)
    try:
        billing_events_filters(browser, tv28, n, linked, "E2E-Fakturowany Anna")
    finally:
        unlink(tv28, linked, waiting)
