"""The demo seed tells one story: a customer exists before its accounts, an account before the
services on it, and a customer before the messages sent to it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bridge.demo.lmsdata import populate_lms
from bridge.lms import migrate
from bridge.lms.db import connect
from bridge.sandbox import seed
from bridge.sandbox.state import SmsState
from tests.conftest import make_lms_database


def test_customers_and_accounts_are_created_before_their_services_start() -> None:
    state = SmsState()
    seed.seed_demo(state)
    customers = {c["cust_number"]: c for c in state.customers.values()}
    assert len(customers) >= 100
    subs_by_account: dict[int, list[str]] = {}
    for s in state.subscriptions.values():
        subs_by_account.setdefault(s["account_id"], []).append(s["sub_valid_from"])
    today = state.today().isoformat()
    checked = 0
    for a in state.accounts.values():
        created = customers[a["cust_number"]]["cust_created_date"]
        assert created <= a["acc_created_date"] <= today, (a["account_id"], created)
        for start in subs_by_account.get(a["account_id"], []):
            assert a["acc_created_date"] <= start, (a["account_id"], a["acc_created_date"], start)
            checked += 1
    assert checked >= 200
    for m in state.messages.values():
        assert customers[m["cust_number"]]["cust_created_date"] <= m["msg_created_date"][:10]
    # not everyone joined on the same day
    assert len({c["cust_created_date"] for c in customers.values()}) > 50


def test_demo_lms_customers_exist_before_their_charges_and_their_sms_export(
        request: pytest.FixtureRequest) -> None:
    state = SmsState()
    seed.seed_demo(state)
    cfg = make_lms_database("postgres", request)
    db = connect(cfg)
    try:
        migrate.apply_pending(db)
        populate_lms(db, [dict(c) for c in state.customers.values()])
        rows = db.query("SELECT c.id, c.creationdate, c.tv_cust_number, "
                      "(SELECT MIN(time) FROM cash WHERE customerid = c.id) AS first_cash, "
                      "(SELECT MIN(datefrom) FROM assignments WHERE customerid = c.id) AS first_a "
                      "FROM customers c")
    finally:
        db.close()
    assert len(rows) >= 100
    for r in rows:
        exported = date.fromisoformat(state.customers[r["tv_cust_number"]]["cust_created_date"])
        assert datetime.fromtimestamp(r["creationdate"], UTC).date() < exported, r
        assert r["creationdate"] < r["first_cash"], r
        assert r["first_a"] is None or r["creationdate"] < r["first_a"], r
