"""TV → Akcje grupowe in a real current LMS (28-git) with the TV plugin: an LMS customer group
picked from the list, its members previewed, the action confirmed — checked in SMS."""

from __future__ import annotations

from bridge.lms.db import connect
from tests.e2e.steps import bulk_lock_and_unlock
from tests.e2e.test_lms28_customer import export_with_account, new_customer
from tests.e2e.ui import login, open_module
from tests.lmsrows import insert_group


def test_group_lock_then_unlock_from_the_list(browser, tv28, sms28) -> None:
    linked = new_customer(tv28, lastname="Grupowa")
    login(browser, tv28, "admin", f"m=customerinfo&id={linked}")
    number, _acc = export_with_account(browser, tv28, sms28, linked)
    unlinked = new_customer(tv28, lastname="Bez-TV")
    db = connect(tv28.db)
    try:
        insert_group(db, "Osiedle Łąkowe", (linked, unlinked))
    finally:
        db.close()
    assert "Akcje grupowe" in open_module(browser, tv28, "m=tvbulk")
    bulk_lock_and_unlock(browser, tv28, sms28, "Osiedle Łąkowe", number)
