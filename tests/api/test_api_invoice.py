"""POST /api/v1/customers/{id}/billing/invoice over real HTTP on both engines (real sandbox, real
LMS database): the reconciliation screen's "Zafakturuj zdarzenia" invoices that customer's
passed-over events exactly once, through the cron run's code path, and nobody else's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest

from bridge.billing.importer import import_events
from bridge.lms.db import connect
from bridge.sms.client import SmsClient
from tests.billing.conftest import Lms
from tests.billing.helpers import invoice_consistency
from tests.sandbox.sandbox_helpers import Sms

A, B = 71, 72


@pytest.fixture
def world(make_bridge, migrated_config, sandbox):
    """Customers A (events imported before its link was made) and B (linked, events pending),
    a bridge whose [billing] names the LMS tariff 'TV'."""
    sms = Sms(sandbox)
    today = sms.control.getToday()
    db = connect(migrated_config)
    lms = Lms(db)
    div = lms.division()
    lms.plan(divisions=(div,))
    tariff = lms.tariff()
    lms.tax("23.00")
    numbers = {cid: sms.customer(cust_external_id=str(cid)) for cid in (A, B)}
    lms.customer(A, lastname="Późnopowiązany", division=div)
    lms.customer(B, lastname="Oczekujący", division=div, tv=numbers[B])
    sms.control.addBillingEvents([
        {"id": 880001, "cust_number": numbers[A], "be_selling_date": today, "be_gross": "65.00",
         "be_desc": "Pakiet Wielotematyczny 65 - abonament"},
        {"id": 880002, "cust_number": numbers[A], "be_selling_date": today, "be_gross": "10.00",
         "be_desc": "Pakiet Sport - abonament"},
        {"id": 880003, "cust_number": numbers[B], "be_selling_date": today, "be_gross": "29.90",
         "be_desc": "Pakiet Mini - abonament"}])
    with SmsClient(sandbox.url, sandbox.login, sandbox.password_md5) as client:
        day = date.fromisoformat(today)
        import_events(db, client, day, day)
    db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s", [numbers[A], A])
    bridge = make_bridge(migrated_config, tv_tariff_id=tariff)
    yield {"bridge": bridge, "db": db, "numbers": numbers, "tariff": tariff, "lms": lms}
    db.close()


def _events(db, cid):
    return db.query("SELECT beid, docid FROM tv_billing_event WHERE customerid = %s "
                    "ORDER BY beid", [cid])


def test_reconcile_offers_invoice_and_it_invoices_exactly_once(world):
    bridge, db = world["bridge"], world["db"]
    report = bridge.get("/api/v1/reconcile", params={"fresh": "1"}).json()["data"]
    assert report["summary"]["unbilled_linked"] == {
        "count": 1, "total": "75.00", "title": report["summary"]["unbilled_linked"]["title"],
        "title_pl": "Niezafakturowane zdarzenia powiązanego klienta"}
    [row] = [f for f in report["findings"] if f["kind"] == "unbilled_linked"]
    assert (row["customer_id"], row["cust_number"], row["amount"]) == (
        A, world["numbers"][A], "75.00")
    assert row["fix"]["requests"] == [f"POST /api/v1/customers/{A}/billing/invoice"]

    method, path = row["fix"]["requests"][0].split(" ", 1)
    r = bridge.call(method, path)
    assert r.status_code == 200, r.text
    got = r.json()["data"]
    assert (got["events_invoiced"], got["invoices_new"], got["total"]) == (2, 1, "75.00")
    [inv] = got["invoices"]
    doc = db.one("SELECT customerid, fullnumber FROM documents WHERE id = %s", [inv["id"]])
    assert (doc["customerid"], doc["fullnumber"]) == (A, inv["number"])
    assert inv["link"] == f"?m=invoice&id={inv['id']}" and inv["lines"] == 2
    assert [e["docid"] for e in _events(db, A)] == [inv["id"], inv["id"]]
    assert _events(db, B)[0]["docid"] is None          # nobody else's events
    lines = db.query("SELECT value, tariffid FROM invoicecontents WHERE docid = %s",
                     [inv["id"]])
    assert sorted(Decimal(x["value"]) for x in lines) == [Decimal("10.00"), Decimal("65.00")]
    assert {x["tariffid"] for x in lines} == {world["tariff"]}
    assert invoice_consistency(db) == []

    again = bridge.call(method, path)
    assert again.status_code == 200 and again.json()["data"]["events_invoiced"] == 0
    assert db.scalar("SELECT COUNT(*) AS n FROM documents WHERE customerid = %s", [A]) == 1
    after = bridge.get("/api/v1/reconcile", params={"fresh": "1"}).json()["data"]
    assert after["summary"]["unbilled_linked"]["count"] == 0
    audit = [a for a in bridge.audit() if a["action"] == "billing.invoice"]
    assert [a["outcome"] for a in audit] == ["ok", "ok"]
    assert audit[0]["customer_id"] == A and audit[0]["params"]["events"] == 2


def test_concurrent_presses_invoice_once(world):
    bridge, db = world["bridge"], world["db"]
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: bridge.post(f"/api/v1/customers/{B}/billing/invoice"),
                                range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert sum(a.json()["data"]["events_invoiced"] for a in answers) == 1
    assert db.scalar("SELECT COUNT(*) AS n FROM documents WHERE customerid = %s", [B]) == 1
    assert _events(db, A)[0]["docid"] is None
    assert invoice_consistency(db) == []


def test_refusals_change_nothing(world, make_bridge, migrated_config):
    bridge, db, lms = world["bridge"], world["db"], world["lms"]
    assert bridge.post("/api/v1/customers/999999/billing/invoice").status_code == 404
    lonely = lms.customer(73, lastname="Bezlinku")
    r = bridge.post(f"/api/v1/customers/{lonely}/billing/invoice")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_linked")
    db.execute("UPDATE customers SET tv_suspend_billing = 1 WHERE id = %s", [A])
    r = bridge.post(f"/api/v1/customers/{A}/billing/invoice")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
    assert "wstrzymane" in r.json()["error"]["message"]
    db.execute("UPDATE customers SET tv_suspend_billing = 0 WHERE id = %s", [A])
    unconfigured = make_bridge(migrated_config)
    r = unconfigured.post(f"/api/v1/customers/{A}/billing/invoice")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
    # the operator's text is Polish through and through (the CLI's English stays in the logs)
    assert r.json()["error"]["message"] == (
        "Fakturowanie TV nie jest skonfigurowane: w lmstv.ini brak [billing] tv_tariff_id: "
        "utwórz w LMS taryfę „TV” (Finanse → Nowa taryfa) i wpisz tam jej numer.")
    missing = make_bridge(migrated_config, tv_tariff_id=987654)
    r = missing.post(f"/api/v1/customers/{A}/billing/invoice")
    assert r.json()["error"]["message"] == (
        "Fakturowanie TV nie jest skonfigurowane: [billing] tv_tariff_id = 987654: w LMS nie ma "
        "takiej taryfy; utwórz taryfę „TV” i wpisz jej numer.")
    assert db.scalar("SELECT COUNT(*) AS n FROM documents") == 0
    assert [e["docid"] for e in _events(db, A)] == [None, None]
    refused = [a["outcome"] for a in bridge.audit() + unconfigured.audit() + missing.audit()
               if a["action"] == "billing.invoice"]
    assert refused and set(refused) == {"refused"}


def test_cli_customer_option_is_the_same_path(world, migrated_config, tmp_path):
    import subprocess
    import sys

    from tests.billing.test_exactly_once import write_ini
    from tests.conftest import ROOT

    db = world["db"]
    ini = write_ini(tmp_path, migrated_config, world["tariff"])

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "billing",
                               "invoice", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)

    dry = cli("--customer", str(A), "--dry-run")
    assert dry.returncode == 0 and "would invoice 2 event(s)" in dry.stdout, dry.stdout
    assert db.scalar("SELECT COUNT(*) AS n FROM documents") == 0
    done = cli("--customer", str(A))
    assert done.returncode == 0 and "invoiced 2 event(s)" in done.stdout, done.stdout
    assert f"customer {A}: new" in done.stdout and "75.00" in done.stdout
    assert _events(db, B)[0]["docid"] is None  # B's pending event is left for the cron run
    assert cli("--customer", str(A)).stdout.startswith("invoiced 0 event(s)")
    assert cli("--customer", "x").returncode == 2
    assert world["bridge"].post(f"/api/v1/customers/{A}/billing/invoice").json()[
        "data"]["events_invoiced"] == 0


def test_a_database_that_keeps_refusing_is_a_polish_refusal(world, monkeypatch, caplog):
    from bridge.billing.invoicing import InvoicingError
    from bridge.services import invoicing

    def refuse(*_a, **_k):
        raise InvoicingError("invoice of LMS customer 1: gave up after 5 attempts")

    monkeypatch.setattr(invoicing, "run_invoicing", refuse)
    r = world["bridge"].post(f"/api/v1/customers/{A}/billing/invoice")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
    assert r.json()["error"]["message"] == (
        "Nie udało się zapisać faktury w bazie LMS (zajęta przez inne zapisy); nic nie "
        "zafakturowano, spróbuj ponownie za chwilę.")
    assert "gave up after 5 attempts" in caplog.text  # the detail is in the log
    assert world["db"].scalar("SELECT COUNT(*) AS n FROM documents") == 0
