"""follow-cutoff speed with nothing to change, next to the target (issue 14).

20,000 linked LMS customers with one node each, 1,000 of them blocked in LMS and already
handled (their TV locked by an earlier run), the rest open.  Runs the real
``lmstv accounts follow-cutoff -q`` as a child process per engine (servers from
$LMSTV_TEST_PG / $LMSTV_TEST_MYSQL, as the tests) against our sandbox, and counts the SMS calls
the sandbox received.  Target: <= 5 s and at most one SMS list read.

    .venv/bin/python bench/bench_cutoff.py [--customers 20000] [--engines postgres,mysql]
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

TARGET_SECONDS = 5.0
TARGET_SMS_READS = 1


def seed(db, customers: int, blocked: int) -> None:
    net = db.insert_id("INSERT INTO networks (name, address, mask) VALUES ('LAN', 167772160, "
                       "'255.0.0.0')", [], "networks")
    rows = [(cid, "Klient", "Jan", "", "", "", f"{100000000 + cid}", 3, "", "", "", "")
            for cid in range(1, customers + 1)]
    db.executemany("INSERT INTO customers (id, lastname, name, address, zip, city, "
                   "tv_cust_number, status, ten, ssn, info, message) VALUES (%s, %s, %s, %s, "
                   "%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    db.executemany("INSERT INTO nodes (name, ipaddr, ownerid, access, netid) VALUES "
                   "(%s, %s, %s, %s, %s)",
                   [(f"N{cid}", 167772160 + cid, cid, 0 if cid <= blocked else 1, net)
                    for cid in range(1, customers + 1)])
    db.executemany("INSERT INTO tv_cutoff_customer (customerid, blocked_since) VALUES (%s, 1)",
                   [(cid,) for cid in range(1, blocked + 1)])
    db.executemany("INSERT INTO tv_account_lock (account_id, customerid, locked_by, reason, "
                   "locked_at) VALUES (%s, %s, 'lmstv-cutoff', 'blokada windykacyjna LMS', 1)",
                   [(cid, cid) for cid in range(1, blocked + 1)])
    db.raw.commit()


def bench_engine(dialect: str, sb, customers: int, tmp: Path) -> tuple[float, int, int]:
    cfg = replace(server_config(dialect), database=f"lmstv_bench_cutoff_{os.getpid()}")
    create_database(cfg, drop_first=True)
    try:
        load_lms_schema(cfg, find_lms_schema(dialect))
        db = connect(cfg)
        migrate(db, out=lambda _line: None)
        seed(db, customers, customers // 20)
        db.close()
        ini = tmp / f"lmstv-{dialect}.ini"
        ini.write_text(
            f"[logowanie]\nlogin = {sb.login}\nhaslo = {sb.password_md5}\nserwer = {sb.url}\n"
            f"[opcje]\ncache = 0\n[bridge]\naudit_log = {tmp}/audit.log\n"
            f"[lms]\nlms_ini = {tmp}/none.ini\nlms_dir = {tmp}\n"
            f"[database]\ntype = {dialect}\nhost = {cfg.host}\n"
            f"port = {cfg.port or cfg.default_port}\nuser = {cfg.user}\n"
            f"password = {cfg.password}\ndatabase = {cfg.database}\n", encoding="utf-8")
        ctl = xmlrpc.client.ServerProxy(sb.url, allow_none=True)
        before = len(ctl.sandbox.getCalls(1000))
        start = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "accounts",
                              "follow-cutoff", "-q"], cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        calls = len(ctl.sandbox.getCalls(1000)) - before
        return seconds, calls, res.returncode
    finally:
        drop_database(cfg)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--engines", default="postgres,mysql")
    args = ap.parse_args()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"lmstv-bench-cutoff-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    sb = start_sandbox("--seed", "empty")
    try:
        print(f"data: {args.customers} linked customers, {args.customers // 20} blocked and "
              "already handled, nothing to change")
        for dialect in args.engines.split(","):
            seconds, calls, rc = bench_engine(dialect, sb, args.customers, tmp)
            print(f"[{dialect}] follow-cutoff {seconds:6.2f} s   target <= {TARGET_SECONDS:.0f} s"
                  f";  SMS calls {calls}   target <= {TARGET_SMS_READS};  exit {rc}")
    finally:
        stop_process(sb.proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
