"""Bulk TV message to one LMS customer group, next to the target (issue 14).

5,000 linked customers in one group, our sandbox answering every call after 50 ms; runs the
real ``lmstv bulk message`` as a child process on PostgreSQL ($LMSTV_TEST_PG, as the tests).
Target: <= 60 s.

    .venv/bin/python bench/bench_bulk.py [--customers 5000] [--latency-ms 50] [--workers 8]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import server_config, start_sandbox, stop_process  # noqa: E402

from bridge.config import find_lms_schema  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import migrate  # noqa: E402

TARGET_SECONDS = 60.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=5_000)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--engine", default="postgres")
    args = ap.parse_args()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"lmstv-bench-bulk-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    sb = start_sandbox("--seed", "empty")
    cfg = replace(server_config(args.engine), database=f"lmstv_bench_bulk_{os.getpid()}")
    create_database(cfg, drop_first=True)
    try:
        ctl = xmlrpc.client.ServerProxy(sb.url, allow_none=True)
        ctl.sandbox.addCustomers(args.customers)
        sms = ctl.custList({"user_name": sb.login, "user_pass": sb.password_md5}, "")
        load_lms_schema(cfg, find_lms_schema(args.engine))
        db = connect(cfg)
        migrate(db, out=lambda _line: None)
        db.executemany("INSERT INTO customers (id, lastname, name, address, zip, city, "
                       "tv_cust_number, ten, ssn, info, message) VALUES (%s, 'K', 'J', '', '', "
                       "'', %s, '', '', '', '')",
                       [(int(c["cust_external_id"]), c["cust_number"]) for c in sms])
        gid = db.insert_id("INSERT INTO customergroups (name, description) VALUES "
                           "('Wszyscy', '')", [], "customergroups")
        db.executemany("INSERT INTO customerassignments (customergroupid, customerid) VALUES "
                       "(%s, %s)", [(gid, int(c["cust_external_id"])) for c in sms])
        db.raw.commit()
        db.close()
        ini = tmp / "lmstv.ini"
        ini.write_text(
            f"[logowanie]\nlogin = {sb.login}\nhaslo = {sb.password_md5}\nserwer = {sb.url}\n"
            f"[bridge]\naudit_log = {tmp}/audit.log\n"
            f"[database]\ntype = {cfg.dialect}\nhost = {cfg.host}\n"
            f"port = {cfg.port or cfg.default_port}\nuser = {cfg.user}\n"
            f"password = {cfg.password}\ndatabase = {cfg.database}\n", encoding="utf-8")
        ctl.sandbox.setLatency(args.latency_ms)
        start = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "bulk",
                              "message", "--group", "Wszyscy", "--body", "Test", "-q",
                              "--workers", str(args.workers)], cwd=ROOT, capture_output=True,
                             text=True)
        seconds = time.perf_counter() - start
        print(f"[{args.engine}] bulk message to {len(sms)} customers at {args.latency_ms} ms, "
              f"{args.workers} workers: {seconds:6.1f} s   target <= {TARGET_SECONDS:.0f} s;  "
              f"exit {res.returncode}")
        if res.returncode:
            print(res.stderr[-2000:])
    finally:
        drop_database(cfg)
        stop_process(sb.proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
