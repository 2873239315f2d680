"""Flow 4 in a real LMS 1.11.17: TV → Lista zdarzeń bilingowych.  Events planted in the sandbox
and imported; the operator filters by dates, SGT report, LMS id, SMS number and "only skipped"
through the form, and the rows and the totals shown are what the LMS database holds."""

from __future__ import annotations

import pytest

from tests.e2e.steps import billing_events_filters, plant_billing_events, unlink
from tests.e2e.test_lms11_reconcile import add_lms_customer

LINKED, WAITING = 9201, 9202


@pytest.fixture
def planted(lms, sms):
    add_lms_customer(lms, LINKED, "E2E-Fakturowany")
    add_lms_customer(lms, WAITING, "E2E-Czekający")
    yield plant_billing_events(lms, sms, LINKED, WAITING)
    # a sandbox restarted by a later test hands its customer numbers out again
    unlink(lms, LINKED, WAITING)


def test_filters_rows_and_totals_match_the_database(browser, lms, planted) -> None:
    billing_events_filters(browser, lms, planted, LINKED, "E2E-Fakturowany Jan")
