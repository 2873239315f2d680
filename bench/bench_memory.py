"""Bridge worker memory under repeated fresh reads of a big customer list, and after one huge one.

Starts the sandbox with 20,300 customers, a throw-away LMS database on PostgreSQL (127.0.0.1:5432
or $LMSTV_TEST_PG) and the bridge under gunicorn with ONE worker process, then

1. sends 80 `GET /api/v1/customers?fresh=1` and prints the worker's resident memory (VmRSS)
   before, during and after.  Target: under 300 MB after the 80 reads (it was 1,030 MB before
   the per-process memos were bounded by size);
2. adds customers until SMS's custList reply is about 50 MB, starts a fresh worker and sends ONE
   fresh read, then prints the worker's RSS and its peak (VmHWM).  Target: RSS under 300 MB
   after the reply (issue 9 item 2: "a single 50 MB reply leaves a worker at 690 MB").

Run: .venv/bin/python bench/bench_memory.py   (a few minutes)

Measured on the 2-core development machine: 44 MB at start, 138 MB after 80 reads (the code
before the bound: 1,024 MB).  2026-12-01 (load average 16-18): 118 MB after the 80 reads; one
50.0 MB reply (27,169 customers) on a fresh worker: 44 MB before, 84 MB after, peak 97 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_api import db_config, free_port, wait_http  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import migrate  # noqa: E402
from bridge.procs import stop_process  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"
HEAD = {"X-LMSTV-Secret": SECRET, "X-LMSTV-User": "bench"}
CUSTOMERS = 20_300
READS = 80


SINGLE_REPLY_MB = 50


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def custlist_bytes(sms_url: str) -> int:
    """Size of SMS's custList("") reply as the bridge receives it."""
    import hashlib
    import xmlrpc.client

    body = xmlrpc.client.dumps(({"user_name": "Jan Kowalski",
                                 "user_pass": hashlib.md5(b"demo1234").hexdigest()}, ""),
                               "custList")
    r = requests.post(sms_url, data=body.encode(), headers={"Content-Type": "text/xml"},
                      timeout=300)
    r.raise_for_status()
    return len(r.content)


def start_bridge(ini: Path, port: int) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "LMSTV_CONFIG": str(ini)}
    master = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                               "python:bridge.gunicorn_conf", "--workers", "1",
                               "--log-level", "warning", "bridge.wsgi:app"], cwd=ROOT, env=env)
    wait_http(f"http://127.0.0.1:{port}/health/live", timeout=60)
    return master, worker_pid(master.pid)


def fresh_read(port: int) -> None:
    r = requests.get(f"http://127.0.0.1:{port}/api/v1/customers", params={"fresh": "1"},
                     headers=HEAD, timeout=300)
    assert r.status_code == 200, r.text[:300]


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="lmstv-bench-mem-"))
    sb_port, port = free_port(), free_port()
    dbc = db_config("pg")
    procs: list[subprocess.Popen] = []
    try:
        sandbox = subprocess.Popen([sys.executable, "-m", "bridge", "sandbox", "--port",
                                    str(sb_port), "--seed", "empty"], cwd=ROOT,
                                   stderr=subprocess.DEVNULL)
        procs.append(sandbox)
        sms_url = f"http://127.0.0.1:{sb_port}/test/xmlrpc"
        wait_http(f"http://127.0.0.1:{sb_port}/")
        import xmlrpc.client

        xmlrpc.client.ServerProxy(sms_url).sandbox.addCustomers(CUSTOMERS)
        create_database(dbc)
        load_lms_schema(dbc)
        db = connect(dbc)
        migrate(db, out=lambda _l: None)
        db.close()
        ini = work / "lmstv.ini"
        ini.write_text(f"[logowanie]\nlogin = Jan Kowalski\nhaslo = demo1234\nserwer = {sms_url}\n"
                       f"[opcje]\nhttp_timeout = 60\n[bridge]\nbind = 127.0.0.1:{port}\n"
                       f"secret = {SECRET}\ncache_dir = {work}/cache\n"
                       f"audit_log = {work}/audit.log\n[database]\ntype = postgres\n"
                       f"host = {dbc.host}\nport = {dbc.port}\nuser = {dbc.user}\n"
                       f"password = {dbc.password}\ndatabase = {dbc.database}\n")
        master, worker = start_bridge(ini, port)
        procs.append(master)
        print(f"{CUSTOMERS} customers; worker pid {worker}; RSS at start {rss_mb(worker):.0f} MB")
        started = time.perf_counter()
        for i in range(1, READS + 1):
            fresh_read(port)
            if i in (1, 10, 20, 40, 60, READS):
                print(f"after {i:2d} fresh reads: RSS {rss_mb(worker):.0f} MB")
        print(f"{READS} reads in {time.perf_counter() - started:.0f} s; "
              f"final RSS {rss_mb(worker):.0f} MB (target < 300 MB)")
        stop_process(master)
        procs.remove(master)

        # 2. one ~50 MB reply on a fresh worker
        size = custlist_bytes(sms_url)
        per_customer = size / CUSTOMERS
        total = int(SINGLE_REPLY_MB * 1024 * 1024 / per_customer) + 1
        proxy = xmlrpc.client.ServerProxy(sms_url)
        proxy.sandbox.addCustomers(total - CUSTOMERS)
        size = custlist_bytes(sms_url)
        master, worker = start_bridge(ini, port)
        procs.append(master)
        before = rss_mb(worker)
        started = time.perf_counter()
        fresh_read(port)
        print(f"{total} customers, custList reply {size / 1024 / 1024:.1f} MB: one fresh read in "
              f"{time.perf_counter() - started:.1f} s; worker RSS {before:.0f} MB before, "
              f"{rss_mb(worker):.0f} MB after (peak {rss_mb(worker, 'VmHWM'):.0f} MB) "
              "(target < 300 MB after)")
    finally:
        for p in reversed(procs):
            stop_process(p)
        try:
            drop_database(dbc)
        except Exception:  # noqa: BLE001 - best effort clean-up of a bench database
            pass


if __name__ == "__main__":
    main()
