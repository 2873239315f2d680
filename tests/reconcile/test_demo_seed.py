"""The demo (sandbox seed + demo LMS data) shows every kind of disagreement, on both engines."""

from __future__ import annotations

from datetime import date, timedelta

from bridge.billing.importer import import_events
from bridge.demo.lmsdata import plant_disagreements, populate_lms
from bridge.reconcile import KINDS, reconcile
from bridge.sms.client import SmsClient


def test_demo_data_has_each_kind(billing_db, sandbox):
    ctl = sandbox.control()
    ctl.sandbox.reset("demo")
    today = date.fromisoformat(ctl.sandbox.getToday())
    with SmsClient(sandbox.url, sandbox.login, sandbox.password_md5) as sms:
        populate_lms(billing_db, sms.custList(""))
        plant_disagreements(billing_db)
        import_events(billing_db, sms, today - timedelta(days=70), today)
        report = reconcile(billing_db, sms)
        summary = report.summary()
        # 53's events came while its link was wrong; once corrected they wait for "Zafakturuj"
        assert summary["unbilled_linked"]["count"] == 0
        number = next(f.cust_number for f in report.findings
                      if f.kind == "unbilled_unknown" and f.customer_id == 53)
        billing_db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = 53", [number])
        linked = reconcile(billing_db, sms, only=["unbilled_linked", "unbilled_unknown"])
        billing_db.execute("UPDATE customers SET tv_cust_number = '999999901' WHERE id = 53")
    assert [(f.customer_id, f.cust_number, f.fix["action"]) for f in linked.findings
            if f.kind == "unbilled_linked"] == [(53, number, "invoice")]
    assert all(f.customer_id != 53 for f in linked.findings if f.kind == "unbilled_unknown")
    summary.pop("unbilled_linked")
    assert {k: s["count"] for k, s in summary.items() if not s["count"]} == {}, summary
    deleted = {f.customer_id for f in report.findings if f.kind == "deleted_with_services"}
    assert deleted <= {5, 17} and deleted
    assert any(f.customer_id == 53 for f in report.findings if f.kind == "stale_link")
    assert any(f.customer_id == 67 and f.fix.get("action") == "link"
               for f in report.findings if f.kind == "sms_not_linked")
    assert any("external id 53 names LMS customer already linked to 999999901" in f.problem
               for f in report.findings if f.kind == "sms_not_linked")
    assert set(summary) | {"unbilled_linked"} == set(KINDS)
