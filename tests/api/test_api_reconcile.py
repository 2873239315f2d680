"""GET /api/v1/reconcile over real HTTP (both engines, real sandbox): cached, fresh=1, and the
fixes it names work through the existing endpoints."""

from __future__ import annotations

from tests.sandbox.sandbox_helpers import Sms


def test_reconcile_report_cache_and_fixes(bridge, sandbox):
    sms = Sms(sandbox)
    today = sms.control.getToday()
    db = bridge.db()
    try:
        from tests.billing.conftest import Lms

        lms = Lms(db)
        gone = sms.customer(cust_external_id="41")
        acc = sms.accountAdd(gone, {"cust_i_street": "Polna", "cust_i_home_nr": "1",
                                    "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
        sms.packagesEntitle(acc, [101], today)
        lms.customer(41, lastname="Usunięty", tv=gone, deleted=1)
        orphan = sms.customer(cust_external_id="42")
        lms.customer(42, lastname="Bezlinku")
    finally:
        db.close()
    r = bridge.get("/api/v1/reconcile")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["summary"]["deleted_with_services"]["count"] == 1
    assert data["summary"]["deleted_with_services"]["total"] == "65.00"
    by_kind = {f["kind"]: f for f in data["findings"]}
    lock = by_kind["deleted_with_services"]
    assert (lock["customer_id"], lock["cust_number"], lock["amount"]) == (41, gone, "65.00")
    link = by_kind["sms_not_linked"]
    assert (link["customer_id"], link["cust_number"]) == (42, orphan)
    assert bridge.get("/api/v1/reconcile").json()["meta"]["cached"] is True
    assert bridge.get("/api/v1/reconcile", params={"fresh": "1"}).json()["meta"]["cached"] is False
    for req in lock["fix"]["requests"] + link["fix"]["requests"]:
        method, path = req.split(" ", 1)
        assert bridge.call(method, path).status_code == 200, req
    after = bridge.get("/api/v1/reconcile", params={"fresh": "1"}).json()["data"]
    assert after["findings"] == [], after["findings"]
    bad = bridge.get("/api/v1/reconcile", params={"only": "nonsense"})
    assert bad.status_code == 400 and "only" in bad.json()["error"]["fields"]
    only = bridge.get("/api/v1/reconcile", params={"only": "stale_link"}).json()["data"]
    assert only["findings"] == []
