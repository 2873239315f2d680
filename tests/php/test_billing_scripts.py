"""The manual's root scripts (tvbillingimport.php, tvbilling.php, tvcustidupdate.php,
tvcustbalanceexport.php) run with php-cli against an lmstv.ini, and the billing-events screen
rendered over what they stored: a real sandbox (demo seed), a real bridge, a real LMS 1.11.17
database populated like the demo's (division, taxes, number plan, TV tariff), on both engines."""

from __future__ import annotations

import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from bridge.demo.lmsdata import populate_lms
from bridge.lms.db import connect
from tests.support import lmstv_ini

SHIM = Path(__file__).resolve().parent.parent.parent / "php-shim"
TODAY = "2025-01-20"


@pytest.fixture
def billing_env(tmp_path, sandbox, lms_db_config, bridge_url, shim_secret):
    """Demo customers in SMS and in LMS (linked), plus an lmstv.ini for the scripts."""
    ctl = sandbox.control()
    ctl.sandbox.reset("demo", TODAY)
    customers = ctl.custList(sandbox.auth, "")
    db = connect(lms_db_config)
    try:
        made = populate_lms(db, customers)
    finally:
        db.close()
    ini = tmp_path / "lmstv.ini"
    ini.write_text(lmstv_ini(tmp_path, lms_db_config, sandbox_url=sandbox.url, secret=shim_secret,
                             login=sandbox.login, password_md5=sandbox.password_md5,
                             tariff_id=made["tv_tariff_id"]))
    return {"ini": ini, "ctl": ctl, "customers": customers, "made": made, "db": lms_db_config}


def script(env: dict, name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["php", str(SHIM / name), *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "LMSTV_CONFIG": str(env["ini"])})


def scalar(cfg, sql: str, args: list | None = None):
    db = connect(cfg)
    try:
        return db.scalar(sql, args or [])
    finally:
        db.close()


def test_import_invoice_and_the_events_screen(billing_env, sandbox, run_module) -> None:
    env = billing_env
    sms = {e["id"]: e for e in env["ctl"].billingEventsGet(sandbox.auth, "2024-12-01", TODAY)}
    assert len(sms) > 100, "the demo seed bills enough to need a second page"

    out = script(env, "tvbillingimport.php", "-f", "2025/01/20", "-q")
    assert out.returncode in (0, 3), out.stdout + out.stderr
    assert out.stdout == "", "-q reaches lmstv as --quiet"
    stored = scalar(env["db"], "SELECT COUNT(*) FROM tv_billing_event")
    assert stored == len(sms)
    again = script(env, "tvbillingimport.php", "--fakedate=2025/01/20")
    assert again.returncode in (0, 3), again.stdout + again.stderr
    assert (f"billing import 2024-12-01..2025-01-20: fetched {len(sms)}, new 0, already stored "
            f"{len(sms)}") in again.stdout
    assert scalar(env["db"], "SELECT COUNT(*) FROM tv_billing_event") == stored

    screen = run_module("tvbillingevents", get={"date_from": "2024/12/01", "date_to": TODAY})
    assert screen["problems"] == [], screen["problems"]
    html = screen["html"]
    assert f"Razem zdarzeń: {len(sms)}" in html
    gross = sum(Decimal(str(e["be_gross"])) for e in sms.values())
    assert f"{gross:.2f}" in html, "totals cover the whole filter, not one page"
    pages = -(-len(sms) // 100)
    assert f"page={pages}" in html, "the pager reaches the last page"
    last = run_module("tvbillingevents", get={"date_from": "2024/12/01", "date_to": TODAY,
                                               "page": str(pages)})["html"]
    assert last.count('<TR class="highlight') == len(sms) - 100 * (pages - 1)

    grosses = sorted((Decimal(str(e["be_gross"])) for e in sms.values()), reverse=True)
    by_gross = run_module("tvbillingevents", get={"date_from": "2024/12/01", "date_to": TODAY,
                                                   "sort": "be_gross", "direction": "desc"})
    rows = by_gross["html"].split('<TR class="highlight')[1:]
    shown = [Decimal(re.findall(r'<TD class="text-right nobr">([\d.]+)</TD>', r)[0]) for r in rows]
    assert shown == grosses[:100]
    bad = run_module("tvbillingevents", get={"sort": "be_gross;drop", "date_from": "2024/12/01"})
    assert "Nie można sortować po tej kolumnie." in bad["html"]

    out = script(env, "tvbilling.php", "-f", "2025/02/01")
    assert out.returncode in (0, 3), out.stdout + out.stderr
    docid = scalar(env["db"], "SELECT MIN(docid) FROM tv_billing_event")
    assert docid, out.stdout
    invoiced = run_module("tvbillingevents", get={"preset": "all", "sort": "invoice"})["html"]
    assert f'href="?m=invoice&amp;id={docid}"' in invoiced
    number = scalar(env["db"], "SELECT number FROM documents WHERE id = %s", [docid])
    assert f"{number}/" in invoiced or str(number) in invoiced
    skipped = run_module("tvbillingevents", get={"preset": "skipped"})["html"]
    left = scalar(env["db"], "SELECT COUNT(*) FROM tv_billing_event WHERE docid IS NULL")
    assert f"Razem zdarzeń: {left}" in skipped


def test_idupdate_and_balance_export_scripts(billing_env, sandbox) -> None:
    env = billing_env
    victim = next(c for c in env["customers"] if str(c.get("cust_external_id") or "").isdigit())
    db = connect(env["db"])
    try:
        with db.transaction():
            db.execute("UPDATE customers SET tv_cust_number = NULL WHERE id = %s",
                       [int(victim["cust_external_id"])])
    finally:
        db.close()
    dry = script(env, "tvcustidupdate.php", "--dry-run")
    assert dry.returncode in (0, 3), dry.stdout + dry.stderr
    assert scalar(env["db"], "SELECT tv_cust_number FROM customers WHERE id = %s",
                  [int(victim["cust_external_id"])]) is None
    out = script(env, "tvcustidupdate.php")
    assert out.returncode in (0, 3), out.stdout + out.stderr
    assert scalar(env["db"], "SELECT tv_cust_number FROM customers WHERE id = %s",
                  [int(victim["cust_external_id"])]) == victim["cust_number"]

    out = script(env, "tvcustbalanceexport.php", "-q")
    assert out.returncode in (0, 3), out.stdout + out.stderr
    sent = env["ctl"].sandbox.getPaymentInfo()
    assert sent and victim["cust_number"] in sent["payment_info"], sent


def test_script_help_names_the_command_and_its_options(billing_env) -> None:
    out = script(billing_env, "tvbillingimport.php", "--help")
    assert out.returncode == 0 and "Runs: lmstv billing import" in out.stdout
    for opt in (" -f", " --fakedate", " -s", " --start-date", " -e", " --end-date", " -q"):
        assert opt in out.stdout
    out = script(billing_env, "tvbilling.php", "-h")
    assert "Runs: lmstv billing invoice" in out.stdout and " --dry-run" in out.stdout


@pytest.mark.parametrize("args", [("--fake-date=2025/02/01",), ("2025/02/01",),
                                  ("-f",), ("--quiet=1",), ("-x",)],
                         ids=["misspelt", "positional", "no-value", "flag-value", "unknown-short"])
def test_scripts_refuse_arguments_they_do_not_know(billing_env, args) -> None:
    # A misspelt --fakedate used to be dropped silently, so the invoices got today's date.
    env = billing_env
    assert script(env, "tvbillingimport.php", "-f", "2025/01/20", "-q").returncode in (0, 3)
    out = script(env, "tvbilling.php", *args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "tvbilling.php:" in out.stderr and args[0].split("=")[0] in out.stderr
    assert out.stdout == ""
    assert scalar(env["db"], "SELECT COUNT(*) FROM documents") == 0, "nothing was invoiced"
    assert scalar(env["db"], "SELECT COUNT(*) FROM tv_billing_event WHERE docid IS NOT NULL") == 0


def test_script_option_spellings_reach_lmstv(billing_env) -> None:
    env = billing_env
    out = script(env, "tvbillingimport.php", "--fakedate", "2025/01/20", "-q")
    assert out.returncode in (0, 3) and out.stdout == "", out.stdout + out.stderr
    out = script(env, "tvbilling.php", "-f2025/02/01", "--dry-run")
    assert out.returncode in (0, 3), out.stdout + out.stderr
    assert "2025-02-01" in out.stdout or "2025/02/01" in out.stdout, out.stdout
    assert scalar(env["db"], "SELECT COUNT(*) FROM documents") == 0, "--dry-run reached lmstv"
