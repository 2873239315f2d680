"""Every kind of LMS ↔ SMS disagreement planted in a real LMS database (both engines) and the
real sandbox over HTTP; the report must name the right customer and amount."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bridge.reconcile import reconcile
from bridge.sms.client import SmsClient
from tests.billing.conftest import event
from tests.conftest import FLAVOURS
from tests.sandbox.sandbox_helpers import Sms


@pytest.fixture(params=FLAVOURS)
def lms_flavour(request) -> str:
    """Every database test here runs on LMS 1.11.17 and on LMS 28."""
    return request.param


ROOT = Path(__file__).resolve().parents[2]


def store_event(db, beid: int, number: str, gross: str, ext=None, docid=None) -> None:
    e = event(beid, number, ext)
    db.execute("INSERT INTO tv_billing_event (beid, customerid, cust_number, be_selling_date, "
               "be_desc, be_vat, be_gross, group_id, docid) VALUES (%s, %s, %s, %s, %s, %s, "
               "%s, %s, %s)", [beid, ext, number, e["be_selling_date"], e["be_desc"],
                               Decimal("0.23"), Decimal(gross), 1, docid])


def plant(sandbox, lms, db) -> dict[str, object]:
    """One of each kind, plus a clean, correctly linked customer that must not appear."""
    sms = Sms(sandbox)
    today = sms.control.getToday()
    n: dict[str, object] = {}

    def with_service(ext: str, package: int) -> tuple[str, int]:
        number = sms.customer(cust_external_id=ext)
        _, acc = sms.account(number)
        sms.packagesEntitle(acc, [package], today)
        return number, acc

    n["ok"], _ = with_service("1", 107)
    lms.customer(1, tv=n["ok"])
    n["deleted"], n["deleted_acc"] = with_service("2", 101)          # 65.00
    lms.customer(2, lastname="Usunięty", tv=n["deleted"], deleted=1)
    n["disc"], n["disc_acc"] = with_service("3", 107)                # 29.90
    lms.customer(3, lastname="Odłączony", tv=n["disc"], status=4)
    n["susp"], _ = with_service("4", 101)                            # 65.00
    lms.customer(4, lastname="Wstrzymany", tv=n["susp"], suspend=1)
    n["unlinked"] = sms.customer(cust_external_id="5")
    lms.customer(5, lastname="Niepowiązany")
    lms.customer(6, lastname="Nieaktualny", tv="999000111")
    store_event(db, 1, "888000001", "29.99", ext=77)
    store_event(db, 2, "888000001", "10.01", ext=77)
    store_event(db, 3, str(n["ok"]), "50.00", ext=1)                 # linked: not a finding
    # an STB on the deleted customer's account
    sub = sms.custGetSubscriptions(n["deleted"])[0]["subscriptions"][0]
    subnet = sms.subnetList()[0]["subnet_id"]
    sms.stbRegister("00:11:22:33:44:55", "SER-RECON-1", "VIP1960")
    sms.stbLink(n["deleted_acc"], "00:11:22:33:44:55", subnet, sub["cust_order_id"])
    return n


def test_every_kind_names_the_customer_and_amount(billing_db, lms, sandbox):
    n = plant(sandbox, lms, billing_db)
    with SmsClient(sandbox.url, sandbox.login, sandbox.password_md5) as sms:
        report = reconcile(billing_db, sms)
    got = {(f.kind, f.customer_id, f.cust_number): f for f in report.findings}
    dele = got[("deleted_with_services", 2, n["deleted"])]
    assert dele.amount == Decimal("65.00") and dele.customer_name == "Usunięty Jan"
    assert dele.fix["account_ids"] == [n["deleted_acc"]] and dele.fix["action"] == "lock"
    assert got[("disconnected_with_services", 3, n["disc"])].amount == Decimal("29.90")
    assert got[("suspended_with_services", 4, n["susp"])].amount == Decimal("65.00")
    link = got[("sms_not_linked", 5, n["unlinked"])]
    assert link.fix["requests"] == ["POST /api/v1/customers/5/export"]
    assert ("stale_link", 6, "999000111") in got
    unb = got[("unbilled_unknown", None, "888000001")]
    assert unb.amount == Decimal("40.00") and "2 event(s)" in unb.problem
    stb = got[("stb_on_deleted", 2, n["deleted"])]
    assert "00:11:22:33:44:55" in stb.problem
    assert not [f for f in report.findings if f.customer_id == 1]
    assert len(report.findings) == 7, report.findings
    s = report.summary()
    assert s["deleted_with_services"] == {**s["deleted_with_services"], "count": 1,
                                          "total": "65.00"}


def test_only_a_deleted_customer_s_events_count_as_unbilled(billing_db, lms, sandbox):
    sms = Sms(sandbox)
    number = sms.customer(cust_external_id="9")
    lms.customer(9, tv=number, deleted=1)
    store_event(billing_db, 10, number, "12.34", ext=9)
    store_event(billing_db, 11, number, "99.00", ext=9, docid=5)  # invoiced: not counted
    with SmsClient(sandbox.url, sandbox.login, sandbox.password_md5) as sms_client:
        report = reconcile(billing_db, sms_client, only=["unbilled_unknown"])
    [f] = report.findings
    assert (f.customer_id, f.amount) == (9, Decimal("12.34")) and "deleted" in f.problem


def cli(ini: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "reconcile",
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_cli_formats_filters_and_exit_codes(billing_db, lms, sandbox, lms_db_config, tmp_path):
    c = lms_db_config
    ini = tmp_path / "lmstv.ini"
    ini.write_text(
        f"[logowanie]\nlogin = {sandbox.login}\nhaslo = {sandbox.password}\n"
        f"serwer = {sandbox.url}\n"
        f"[database]\ntype = {c.dialect}\nhost = {c.host}\nport = {c.port or c.default_port}\n"
        f"user = {c.user}\npassword = {c.password}\ndatabase = {c.database}\n")
    clean = cli(ini, "-q")
    assert (clean.returncode, clean.stdout) == (0, ""), clean.stderr
    n = plant(sandbox, lms, billing_db)
    text = cli(ini)
    assert text.returncode == 3, text.stderr
    assert f"deleted_with_services: LMS 2 Usunięty Jan; SMS {n['deleted']}" in text.stdout
    assert "[65.00 zł]" in text.stdout
    js = cli(ini, "--format", "json", "--only", "unbilled_unknown")
    data = json.loads(js.stdout)
    assert [f["amount"] for f in data["findings"]] == ["40.00"]
    csv_out = cli(ini, "--format", "csv", "--only", "stale_link", "-q")
    assert csv_out.stdout.splitlines()[1].startswith("stale_link,6,Nieaktualny Jan,999000111")
    ini.write_text(ini.read_text().replace(sandbox.url, "http://127.0.0.1:9/xmlrpc"))
    down = cli(ini, "-q")
    assert down.returncode == 1 and "SMS could not be read" in down.stderr
