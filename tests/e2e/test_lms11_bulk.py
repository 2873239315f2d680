"""TV → Akcje grupowe in a real LMS 1.11.17: an LMS customer group picked from the list,
its members previewed, the action confirmed — checked in SMS."""

from __future__ import annotations

from bridge.lms.db import connect
from tests.e2e.steps import bulk_lock_and_unlock, sms_customer, unlink
from tests.e2e.test_lms11_reconcile import add_lms_customer
from tests.e2e.ui import login
from tests.lmsrows import insert_group

LINKED, UNLINKED = 9501, 9502  # LMS ids (the demo's go up to 300)


def test_group_lock_then_unlock_from_the_list(browser, lms, sms) -> None:
    linked = sms_customer(sms, LINKED, "E2E-Grupowa", services=True)
    add_lms_customer(lms, LINKED, "E2E-Grupowa", tv_cust_number=linked["number"])
    add_lms_customer(lms, UNLINKED, "E2E-Bez-TV")
    db = connect(lms.db)
    try:
        insert_group(db, "Blok Żeromskiego 7", (LINKED, UNLINKED))
    finally:
        db.close()
    try:
        login(browser, lms, "admin", "m=tvbulk")
        bulk_lock_and_unlock(browser, lms, sms, "Blok Żeromskiego 7", linked["number"])
    finally:
        unlink(lms, LINKED)
