"""PUT /customers/{id}/billing-suspension: the "do not invoice TV" switch, on both engines."""

from __future__ import annotations


def _flag(bridge, customer_id):
    db = bridge.db()
    try:
        return db.scalar("SELECT tv_suspend_billing FROM customers WHERE id = %s", [customer_id])
    finally:
        db.close()


def test_suspend_and_resume_is_stored_shown_and_audited(bridge, customer):
    path = f"/api/v1/customers/{customer}/billing-suspension"
    r = bridge.put(path, json={"suspended": True})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"customer_id": customer, "tv_suspend_billing": True}
    assert _flag(bridge, customer) == 1
    page = bridge.get(f"/api/v1/customers/{customer}/tv").json()["data"]
    assert page["customer"]["tv_suspend_billing"] is True
    line = bridge.audit()[-1]
    assert (line["action"], line["customer_id"], line["outcome"], line["params"]) == \
        ("customer.billing_suspension", customer, "ok", {"suspended": True})

    assert bridge.put(path, json={"suspended": "false"}).status_code == 200
    assert _flag(bridge, customer) == 0


def test_bad_input_and_unknown_customer_change_nothing(bridge, customer):
    path = f"/api/v1/customers/{customer}/billing-suspension"
    for bad in ({}, {"suspended": "perhaps"}, {"suspended": 7}):
        r = bridge.put(path, json=bad)
        assert r.status_code == 400, r.text
        assert "suspended" in r.json()["error"]["fields"]
    assert _flag(bridge, customer) == 0
    r = bridge.put("/api/v1/customers/999999/billing-suspension", json={"suspended": True})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert bridge.put(path, json={"suspended": True}, secret="wrong-secret-xxxxxxxx") \
        .status_code == 401
    assert _flag(bridge, customer) == 0
