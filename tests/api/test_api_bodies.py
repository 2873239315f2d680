"""A body that is not a JSON object is 400 bad_request on every endpoint, before SMS is asked,
even on actions that take no body; docs/api.md's error table matches the answers."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import SECRET, USER
from tests.conftest import ROOT

BAD_BODIES = [b"notjson", b"{", b"[1, 2]", b'"text"', b"NaN", b'{"a": NaN}', b"\xff\xfe{",
              b"[" * 100_000]


def _filled(rule: str, linked: dict) -> str:
    values = {"customer_id": linked["id"], "account_id": linked["account_id"],
              "subscription_id": 1, "subnet_id": 1, "message_id": 1, "mac": "00:11:22:33:44:55",
              "action": "lock"}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def test_unlock_with_a_broken_body_changes_nothing(bridge, sandbox, linked):
    acc = f"/api/v1/customers/{linked['id']}/accounts/{linked['account_id']}"
    assert bridge.post(acc + "/lock").status_code == 200
    r = bridge.session.post(bridge.base + acc + "/unlock", data=b"notjson",
                            headers={"X-LMSTV-Secret": SECRET, "X-LMSTV-User": USER,
                                     "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "bad_request"
    assert r.json()["error"]["message"] == "Treść żądania musi być obiektem JSON."
    accounts = sandbox.control().custGetSubscriptions(sandbox.auth, linked["cust_number"])
    assert accounts[0]["acc_active"] in (0, False, "0")  # still locked
    assert bridge.audit()[-1]["action"] == "account.lock"


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_every_endpoint_refuses_a_body_that_is_not_a_json_object(bridge, sandbox, linked):
    calls_before = len(sandbox.control().sandbox.getCalls(1000))
    tried = 0
    for rule in bridge.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = _filled(rule.rule, linked)
            for raw in BAD_BODIES:
                r = bridge.session.request(method, bridge.base + path, data=raw, headers={
                    "X-LMSTV-Secret": SECRET, "X-LMSTV-User": USER,
                    "Content-Type": "application/json"}, timeout=30)
                if path == "/health/live":
                    continue  # public, takes nothing, answers without reading
                assert r.status_code == 400, (method, path, raw[:10], r.text)
                assert r.json()["error"]["code"] == "bad_request", (method, path)
                tried += 1
    assert tried > 100
    assert len(sandbox.control().sandbox.getCalls(1000)) == calls_before


def _documented_errors() -> set[tuple[int, str]]:
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    return {(int(m.group(1)), m.group(2))
            for m in re.finditer(r"^\s*\| (\d{3}) \| `(\w+)` \|", doc, re.M)}


def test_every_refusal_is_in_the_documented_error_table(bridge, customer):
    documented = _documented_errors()
    h = {"X-LMSTV-Secret": SECRET, "X-LMSTV-User": USER}
    answers = [
        bridge.get("/api/v1/packages", secret="wrong"),
        bridge.get("/api/v1/packages", user=None),
        bridge.get("/api/v1/packages", user="x" * 65),
        bridge.post(f"/api/v1/customers/{customer}/export", json=[1]),
        bridge.session.post(bridge.base + "/api/v1/messages", data=b"x" * (2 << 20), headers=h),
        bridge.get("/api/v1/nothing"),
        bridge.get("/api/v1/customers/999999/tv"),
        bridge.call("PATCH", "/api/v1/packages"),
        bridge.get(f"/api/v1/customers/{customer}/accounts"),
        bridge.put(f"/api/v1/customers/{customer}/pins", json={"cust_vod_pin": "x"}),
    ]
    for r in answers:
        err = r.json()["error"]
        assert (r.status_code, err["code"]) in documented, (r.status_code, err)
        assert err["message"] and "Traceback" not in r.text
    allow = answers[7].headers.get("Allow", "")
    assert {"GET"} <= {m.strip() for m in allow.split(",")}, answers[7].headers
