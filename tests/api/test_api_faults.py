"""SMS down, slow or garbled: 503 with the reason, faults 422 verbatim, nothing half-done."""

from __future__ import annotations

from pathlib import Path

import pytest

ADDRESS = {"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "",
           "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}


@pytest.mark.parametrize("kind", ["html", "garbage", "timeout"])
def test_sms_unavailable_during_a_change_is_503(bridge, sandbox, linked, kind):
    url = f"/api/v1/customers/{linked['id']}/accounts/{linked['account_id']}/lock"
    sandbox.control().sandbox.failNext(1, kind)
    r = bridge.post(url)
    assert r.status_code == 503
    err = r.json()["error"]
    assert (err["code"], err["message"]) == ("sms_unavailable", "Brak połączenia z SMS")
    assert err["reason"] and "Traceback" not in r.text
    line = bridge.audit()[-1]
    assert (line["action"], line["outcome"]) == ("account.lock", "sms_unavailable")
    # the worker is alive and the next call works
    assert bridge.post(url).status_code == 200


def test_export_with_sms_down_stores_nothing(bridge, sandbox, customer):
    sandbox.control().sandbox.failNext(1, "garbage")
    r = bridge.post(f"/api/v1/customers/{customer}/export")
    assert r.status_code == 503
    db = bridge.db()
    assert db.scalar("SELECT tv_cust_number FROM customers WHERE id = %s", [customer]) is None
    db.close()
    assert sandbox.control().custList(sandbox.auth, "") == []
    assert bridge.post(f"/api/v1/customers/{customer}/export").status_code == 200


def test_sms_fault_is_422_verbatim(bridge, linked, sandbox):
    sandbox.control().sandbox.failNext(1, "fault", 3999, "Konto zablokowane przez SGT – ąęł")
    r = bridge.post(f"/api/v1/customers/{linked['id']}/accounts/{linked['account_id']}/lock")
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "sms_fault", "message":
                                 "Konto zablokowane przez SGT – ąęł", "fields": {},
                                 "sms_code": 3999, "reason": None}
    line = bridge.audit()[-1]
    assert (line["action"], line["outcome"]) == ("account.lock", "sms_fault")
    assert "3999" in line["error"]


def test_sms_unreachable(make_bridge, migrated_config, add_customer):
    b = make_bridge(migrated_config, sms_url="http://127.0.0.1:9/test/xmlrpc")
    r = b.get("/api/v1/packages")
    assert r.status_code == 503
    assert "unreachable" in r.json()["error"]["reason"].lower()
    check = b.get("/api/v1/system/check").json()["data"]
    assert check["ok"] is False
    by_name = {c["name"]: c for c in check["checks"]}
    assert by_name["sms"]["ok"] is False and by_name["sms"]["fix"]
    assert by_name["database"]["ok"] is True


def test_failed_mutation_does_not_invalidate_or_half_write(bridge, linked, sandbox):
    base = f"/api/v1/customers/{linked['id']}/accounts"
    before = bridge.get(base).json()["data"]
    sandbox.control().sandbox.failNext(1, "http500")
    r = bridge.put(f"{base}/{linked['account_id']}", json={**ADDRESS, "cust_i_street": "Nowa"})
    assert r.status_code == 503
    after = bridge.get(base).json()
    assert after["meta"]["cached"] is True and after["data"] == before
    fresh = bridge.get(base, params={"fresh": "1"}).json()["data"]
    assert fresh["accounts"][0]["cust_i_street"] == "Polna"


def test_system_check_and_config(bridge):
    data = bridge.get("/api/v1/system/check").json()["data"]
    assert data["ok"] is True, data
    assert [c["name"] for c in data["checks"]] == ["config", "sms", "database", "cache"]
    cfg = bridge.get("/api/v1/system/config").json()["data"]
    assert cfg["cache_enabled"] is True and "password" not in str(cfg).lower()


def test_system_check_names_pending_migrations_and_non_lms_databases(make_bridge, lms_db_config,
                                                                     dialect, request):
    from tests.conftest import make_lms_database

    unmigrated = make_bridge(lms_db_config).get("/api/v1/system/check").json()["data"]
    db = {c["name"]: c for c in unmigrated["checks"]}["database"]
    assert db["ok"] is False and db["fix"] == "run `lmstv migrate`"
    steps = len(list((Path(__file__).resolve().parents[2] / "sql" / "postgres").glob("*.sql")))
    assert f"needs {steps} step(s)" in db["detail"] and "tv-billing-event" in db["detail"]

    empty = make_lms_database(dialect, request, empty=True)
    other = make_bridge(empty).get("/api/v1/system/check").json()["data"]
    db = {c["name"]: c for c in other["checks"]}["database"]
    assert db["ok"] is False and "not an LMS database" in db["detail"]
