"""Requests generated from the served OpenAPI document are accepted: a schema-driven client that
follows the document (bodies, query parameters; ids from the links, i.e. ones that exist) gets a
400 for at most 1% of them.  Bridge over real HTTP, real sandbox, real LMS database."""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning
from hypothesis_jsonschema import from_schema

EXAMPLES = 400


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path.endswith(("/openapi.json", "/cache/purge")) or "messages" in path \
                    and method == "delete" and path.endswith("/messages"):
                continue  # nothing to learn; delete-everything would empty the world each time
            out.append((method.upper(), path, op))
    return sorted(out, key=lambda o: (o[1], o[0]))


_OBJECT_KEYS = {"type", "properties", "required", "additionalProperties", "description", "title"}


def _object(schema: dict[str, Any]) -> st.SearchStrategy:
    """from_schema for a closed object (its properties, no others): each property drawn by
    from_schema, required ones always, the rest each present or not.  The same objects as
    hypothesis-jsonschema's generic object strategy, whose per-key bookkeeping made up most of
    this test's CPU time; any other object schema goes to from_schema as it is."""
    if set(schema) - _OBJECT_KEYS or schema.get("type") != "object" \
            or schema.get("additionalProperties") is not False:
        return from_schema(schema)
    props = schema.get("properties", {})
    needed = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {k: from_schema(v) for k, v in props.items() if k in needed},
        optional={k: from_schema(v) for k, v in props.items() if k not in needed})


def _request_strategy(op: dict[str, Any]) -> st.SearchStrategy:
    query = {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
    needed = [p["name"] for p in op["parameters"] if p["in"] == "query" and p["required"]]
    qs = _object({"type": "object", "properties": query, "required": needed,
                  "additionalProperties": False})
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    bs = _object(body["schema"]) if body else st.none()
    return st.tuples(qs, bs)


def _day(value: Any, default: str) -> str:
    return str(value).replace("/", "-") if value else default


def _cross_field_rules_hold(path: str, query: dict[str, Any], body: Any) -> bool:
    """The rules a JSON Schema cannot state (each written in the field's description): an end
    date not before its start.  Requests breaking them are not schema-valid requests."""
    today = dt.date.today().isoformat()
    if path.endswith("/messages") and isinstance(body, dict):
        t_from = _day(body.get("msg_teaser_valid_from"), today)
        m_from = _day(body.get("msg_valid_from"), today)
        return (_day(body.get("msg_teaser_valid_to"), max(t_from, today)) >= t_from
                and _day(body.get("msg_valid_to"), max(m_from, today)) >= m_from)
    if path.endswith("/billing/events") and query.get("date_from") and query.get("date_to"):
        return _day(query["date_from"], "") <= _day(query["date_to"], "")
    return True


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_schema_valid_requests_are_not_refused(bridge, sandbox, installed):
    spec = bridge.get("/api/v1/openapi.json").json()
    ctl = sandbox.control()
    ctl.sandbox.addCustomers(5)
    ctl.stbRegister(sandbox.auth, "00:1A:2B:3C:4D:5E", "SN1", "MAG250")
    subnet = ctl.subnetList(sandbox.auth)[0]["subnet_id"]
    ids = {"customer_id": installed["id"], "account_id": installed["account_id"],
           "subscription_id": installed["subscription_id"], "subnet_id": subnet,
           "message_id": 1, "mac": "00:1A:2B:3C:4D:5E"}
    ops = _operations(spec)
    strategies = [_request_strategy(op) for _m, _p, op in ops]
    answers: Counter[int] = Counter()
    refused: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(ops) - 1).flatmap(
        lambda i: st.tuples(st.just(i), strategies[i])))
    def send(case: tuple[int, tuple[dict[str, Any], Any]]) -> None:
        i, (query, body) = case
        method, path, _op = ops[i]
        url = path
        for name, value in ids.items():
            url = url.replace("{" + name + "}", str(value))
        r = bridge.call(method, url, params={k: _text(v) for k, v in query.items()},
                        json=body)
        assert r.status_code < 500, (method, url, r.text)
        if not _cross_field_rules_hold(path, query, body):
            return
        answers[r.status_code] += 1
        if r.status_code == 400:
            refused.append(f"{method} {path} {query} {body} -> {r.text[:200]}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        send()
    total = sum(answers.values())
    assert total >= EXAMPLES * 0.9
    by_op = Counter(line.split(" {")[0] + " " + line.split("-> ")[1][:160] for line in refused)
    print("\n".join(f"{n} {k}" for k, n in by_op.most_common()))
    assert answers[400] <= total // 100, (dict(answers), by_op.most_common())


def test_document_states_bodies_patterns_enums_and_links(bridge):
    spec = bridge.get("/api/v1/openapi.json").json()
    ops = {op["operationId"]: op for p in spec["paths"].values() for op in p.values()}
    pins = ops["customers.set_pins_put"]["requestBody"]
    assert pins["required"] is True
    schema = pins["content"]["application/json"]["schema"]
    assert schema["required"] == ["cust_vod_pin", "cust_master_pin"]
    assert schema["properties"]["cust_vod_pin"]["pattern"] == "^[0-9]{4}$"
    stb = ops["stb.issue_post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "pattern" in stb["properties"]["mac"] and stb["required"] == ["mac", "subnet_id"]
    sort = {p["name"]: p for p in ops["customers.customer_list_get"]["parameters"]}["sort"]
    assert "cust_surname" in sort["schema"]["enum"]
    links = [link for op in ops.values()
             for link in op["responses"]["200"].get("links", {}).values()]
    assert len(links) >= 10 and all(link["operationId"] in ops for link in links)


def test_message_end_left_out_follows_a_future_start(bridge, linked):
    start = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    r = bridge.post(f"/api/v1/customers/{linked['id']}/messages",
                    json={"msg_body": "Przerwa", "msg_body_extended": "Przerwa techniczna",
                          "msg_teaser_valid_from": start, "msg_valid_from": start})
    assert r.status_code == 200, r.text
