"""Access rules, health, the error envelope, request logging and the OpenAPI contract."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bridge.api.openapi import openapi_path
from bridge.config import ConfigError, DatabaseConfig

SECRET = "test-secret-0123456789abcdef"  # as tests/api/conftest.py

ROOT = Path(__file__).resolve().parents[2]


def test_live_needs_no_secret_and_touches_nothing(bridge, sandbox):
    r = bridge.get("/health/live", secret=None, user=None)
    assert r.status_code == 200
    assert r.json()["data"] == {"status": "ok"}
    assert r.headers["X-Request-Id"]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-0123456789", SECRET + "x"])
def test_wrong_or_missing_secret_is_401_and_nothing_else(bridge, customer, secret):
    r = bridge.post(f"/api/v1/customers/{customer}/export", secret=secret)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert r.json()["error"]["message"] == "Brak autoryzacji."
    # nothing reached SMS, nothing was audited, nothing linked
    assert bridge.audit() == []
    db = bridge.db()
    assert db.scalar("SELECT tv_cust_number FROM customers WHERE id = %s", [customer]) is None
    db.close()
    r = bridge.get("/health/ready", secret=secret)
    assert r.status_code == 401


def test_missing_lms_user_is_400(bridge):
    r = bridge.get("/api/v1/packages", user=None)
    assert r.status_code == 400
    assert "X-LMSTV-User" in r.json()["error"]["message"]


def test_ready_reports_database_and_last_sms_call(bridge):
    r = bridge.get("/health/ready", user=None)
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["database"] == {"ok": True, "error": None}
    assert data["sms"]["last_ok_at"] is None
    assert bridge.get("/api/v1/packages").status_code == 200
    data = bridge.get("/health/ready").json()["data"]
    assert data["sms"]["last_ok_at"] is not None
    assert 0 <= data["sms"]["last_ok_age_seconds"] < 5
    # "Odśwież dane" empties the SMS data, not the bridge's memory of SMS being up
    assert bridge.post("/api/v1/system/cache/purge").status_code == 200
    after = bridge.get("/health/ready").json()["data"]
    assert after["sms"]["last_ok_at"] == data["sms"]["last_ok_at"]


def test_ready_is_503_when_database_is_down(make_bridge):
    dead = DatabaseConfig(dialect="postgres", host="127.0.0.1", port=1, user="postgres",
                          database="nothing")
    b = make_bridge(dead)
    r = b.get("/health/ready")
    assert r.status_code == 503
    assert r.json()["data"]["database"]["ok"] is False
    r = b.get("/api/v1/customers/1/tv")
    assert r.status_code == 503
    err = r.json()["error"]
    assert err["code"] == "db_unavailable"
    assert err["message"] == "Brak połączenia z bazą danych LMS"
    assert "Traceback" not in r.text


def test_unknown_route_and_method_use_the_envelope(bridge):
    r = bridge.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = bridge.call("PATCH", "/api/v1/packages")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_non_object_body_is_400(bridge, customer):
    r = bridge.call("PUT", f"/api/v1/customers/{customer}/pins", json=[1, 2])
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "bad_request"


def test_bridge_refuses_to_start_without_secret(make_bridge):
    with pytest.raises(ConfigError, match="secret"):
        make_bridge(None, secret="")


def test_one_log_line_per_request_without_secrets(bridge, caplog):
    caplog.set_level(logging.INFO, logger="lmstv.api")
    bridge.get("/api/v1/packages", headers={"X-Request-Id": "req-42"})
    lines = [r.getMessage() for r in caplog.records if r.name == "lmstv.api"]
    assert any("id=req-42" in line and "user=admin" in line and "/api/v1/packages" in line
               and "status=200" in line for line in lines), lines
    assert not any(SECRET in line for line in lines)


def _routes(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            out.add((method.lower(), openapi_path(rule.rule)))
    return out


def test_openapi_lists_every_route_and_nothing_else(bridge):
    spec = bridge.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    served = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert served == _routes(bridge.app)
    for p, ops in spec["paths"].items():
        for m, op in ops.items():
            assert op["summary"] and op["summary"] != op["operationId"], (m, p)
            names = {x["name"] for x in op["parameters"] if x["in"] == "path"}
            assert names == set(re.findall(r"\{(\w+)\}", p))


def test_docs_api_md_documents_every_route(bridge):
    """docs/api.md is the PHP engineer's contract: every served path must appear in it."""
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    doc = doc.replace("…", "/api/v1/customers/{customer_id}/accounts/{account_id}")
    missing = []
    for method, path in sorted(_routes(bridge.app)):
        if "billing" in path:
            continue  # the billing engineer's section
        short = path.replace("/api/v1/customers/{customer_id}/accounts/{account_id}", "…")
        if path not in doc and short not in doc:
            missing.append(f"{method.upper()} {path}")
    assert missing == []


def test_deeply_nested_json_body_is_400_not_500(bridge, customer):
    # json.loads raises RecursionError (not ValueError) on deep nesting; it is still bad input.
    deep = "[" * 100_000 + "]" * 100_000
    r = bridge.session.put(bridge.base + f"/api/v1/customers/{customer}/pins", data=deep,
                           headers={"X-LMSTV-Secret": SECRET, "X-LMSTV-User": "admin",
                                    "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "bad_request"
