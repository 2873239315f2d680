"""Billing speed on each database: import, re-import and invoicing, next to the targets.

Baseline of the original module (PostgreSQL, 100,000 events for 10,000 customers, a 94 MB SMS
reply): import 292 s with 3.8 GB peak memory, the same import again 530 s; invoicing failed /
169 s for 10,000 invoices.  Targets for lmstv on each database: import <= 20 s, the same import
again <= 10 s with 0 new rows, peak memory <= 400 MB, invoicing 10,000 customers x 10 events
<= 30 s.

Starts its own sandbox, creates a throw-away LMS 1.11.17 database per engine (servers from
$LMSTV_TEST_PG / $LMSTV_TEST_MYSQL, as the tests), and runs the real ``lmstv billing`` commands
as child processes (peak memory = the child's max RSS).

    .venv/bin/python bench/bench_billing.py [--customers 10000] [--events 100000]
                                            [--engines postgres,mysql] [--batch-sizes 25]

``--batch-sizes 1,25,100`` invoices the same events once per size (customers per transaction;
1 = one transaction per customer), wiping the invoices between runs, to compare them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import free_port, server_config, start_sandbox, stop_process  # noqa: E402

from bridge.config import find_lms_schema  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import migrate  # noqa: E402

TARGETS = {"import": 20.0, "re-import": 10.0, "peak MB": 400.0, "invoicing": 30.0}
BASELINE = {"import": "292 s, 3.8 GB", "re-import": "530 s", "invoicing": "failed / 169 s"}


def run_child(ini: Path, *args: str) -> tuple[float, float, str]:
    """Run ``lmstv <args>``; return (seconds, peak RSS in MB, output)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "--config", str(ini), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        raise SystemExit(f"lmstv {' '.join(args)} failed ({proc.returncode}):\n{out}")
    return seconds, usage.ru_maxrss / 1024.0, out


def seed_lms(db, sms_customers: list[dict]) -> int:
    div = db.insert_id("INSERT INTO divisions (shortname, name, address, city, zip) VALUES "
                       "('ISP', 'ISP Sp. z o.o.', 'ul. Długa 1', 'Kraków', '30-001')", None,
                       "divisions")
    plan = db.insert_id("INSERT INTO numberplans (template, period, doctype, isdefault) VALUES "
                        "(%s, 3, 1, 1)", ["%N/TV/%m/%Y"], "numberplans")
    db.execute("INSERT INTO numberplanassignments (planid, divisionid) VALUES (%s, %s)",
               [plan, div])
    db.execute("INSERT INTO taxes (value, taxed, label) VALUES (23, 1, '23%')")
    tariff = db.insert_id("INSERT INTO tariffs (name, type, value, description) VALUES "
                          "('TV', 5, 0, '')", None, "tariffs")
    rows = [(int(c["cust_external_id"]), c.get("cust_surname") or "X", c.get("cust_name") or "",
             c["cust_number"], div) for c in sms_customers]
    one = "(%s, %s, %s, 'ul. Krótka 1', '31-002', 'Kraków', %s, %s, 3, '', '')"
    with db.transaction():
        for i in range(0, len(rows), 1000):
            part = rows[i:i + 1000]
            db.execute("INSERT INTO customers (id, lastname, name, address, zip, city, "
                       "tv_cust_number, divisionid, status, info, message) VALUES "
                       + ", ".join([one] * len(part)), [v for r in part for v in r])
    return tariff


def wipe_invoices(cfg) -> None:
    """Undo an invoicing run of the bench database so the next batch size starts equal."""
    db = connect(cfg)
    try:
        with db.transaction():
            db.execute("DELETE FROM cash")
            db.execute("DELETE FROM invoicecontents")
            db.execute("DELETE FROM documents")
            db.execute("UPDATE tv_billing_event SET docid = NULL, itemid = NULL")
        if db.dialect == "postgres":
            db.raw.autocommit = True
            db.raw.cursor().execute("VACUUM ANALYZE")
    finally:
        db.close()


def bench_engine(dialect: str, sandbox_url: str, sms_customers: list[dict], tmp: Path,
                 batch_sizes: list[int]) -> dict:
    cfg = replace(server_config(dialect), database=f"lmstv_bench_{os.getpid()}")
    create_database(cfg, drop_first=True)
    try:
        load_lms_schema(cfg, find_lms_schema(dialect))
        db = connect(cfg)
        migrate(db, out=lambda _line: None)
        tariff = seed_lms(db, sms_customers)
        db.close()
        ini = tmp / f"lmstv-{dialect}.ini"
        ini.write_text(
            f"[logowanie]\nlogin = Jan Kowalski\nhaslo = demo1234\nserwer = {sandbox_url}\n"
            "[opcje]\nlong_timeout = 300\n"
            f"[billing]\ntv_tariff_id = {tariff}\nmode = append\n"
            f"[database]\ntype = {dialect}\nhost = {cfg.host}\n"
            f"port = {cfg.port or cfg.default_port}\nuser = {cfg.user}\n"
            f"password = {cfg.password}\ndatabase = {cfg.database}\n", encoding="utf-8")
        res = {}
        res["import"], res["import MB"], out1 = run_child(ini, "billing", "import")
        res["re-import"], res["re-import MB"], out2 = run_child(ini, "billing", "import")
        res["out"] = " | ".join(ln for ln in (out1 + out2).splitlines()
                                if ln.startswith("billing import"))
        res["invoicing"] = []
        for n, size in enumerate(batch_sizes):
            if n:
                wipe_invoices(cfg)
            seconds, _, _ = run_child(ini, "billing", "invoice", "-q", "--batch-size", str(size))
            db = connect(cfg)
            res["invoicing"].append((size, seconds, db.scalar(
                "SELECT COUNT(*) AS n FROM documents"), db.scalar(
                "SELECT COUNT(*) AS n FROM invoicecontents"), db.scalar(
                "SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NULL")))
            db.close()
        return res
    finally:
        drop_database(cfg)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--engines", default="postgres,mysql")
    ap.add_argument("--batch-sizes", default="25",
                    help="customers per invoicing transaction, comma-separated to compare")
    args = ap.parse_args()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"lmstv-bench-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    sb = start_sandbox("--seed", "empty")
    try:
        ctl = xmlrpc.client.ServerProxy(sb.url, allow_none=True)
        ctl.sandbox.reset("empty")
        today = date.today()
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        ctl.sandbox.addCustomers(args.customers)
        ctl.sandbox.generateBillingEvents(args.events, args.customers, last_month.isoformat(), 1)
        proxy = xmlrpc.client.ServerProxy(sb.url, allow_none=True)
        customers = proxy.custList({"user_name": sb.login, "user_pass": sb.password_md5}, "")
        print(f"data: {args.events} events for {len(customers)} customers, sale dates in "
              f"{last_month:%Y-%m}; original baseline (PostgreSQL): "
              + "; ".join(f"{k} {v}" for k, v in BASELINE.items()))
        for dialect in args.engines.split(","):
            r = bench_engine(dialect, sb.url, customers, tmp,
                             [int(x) for x in args.batch_sizes.split(",")])
            peak = max(r["import MB"], r["re-import MB"])
            print(f"\n[{dialect}] {r['out']}")
            print(f"  import            {r['import']:7.1f} s   target <= {TARGETS['import']:.0f} s")
            print(f"  same import again {r['re-import']:7.1f} s   target <= "
                  f"{TARGETS['re-import']:.0f} s (0 new rows: see line above)")
            print(f"  peak memory       {peak:7.0f} MB  target <= {TARGETS['peak MB']:.0f} MB")
            for size, seconds, invoices, lines, pending in r["invoicing"]:
                print(f"  invoicing         {seconds:7.1f} s   target <= "
                      f"{TARGETS['invoicing']:.0f} s ({invoices} invoices, {lines} lines, "
                      f"{pending} events left pending; {size} customer(s) per transaction)")
    finally:
        stop_process(sb.proc)
    _ = free_port
    return 0


if __name__ == "__main__":
    sys.exit(main())
