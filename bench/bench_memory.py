"""Bridge worker memory under repeated fresh reads of a big customer list.

Starts the sandbox with 20,300 customers, a throw-away LMS database on PostgreSQL (127.0.0.1:5432
or $LMSTV_TEST_PG) and the bridge under gunicorn with ONE worker process, then sends 80
`GET /api/v1/customers?fresh=1` and prints the worker's resident memory (VmRSS) before, during
and after.  Target: under 300 MB after the 80 reads (it was 1,030 MB before the per-process memos
were bounded by size).  Run: .venv/bin/python bench/bench_memory.py   (about a minute)

Measured on the 2-core development machine: 44 MB at start, 138 MB after 80 reads (the code
before the bound: 1,024 MB).
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


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="lmstv-bench-mem-"))
    sb_port, port = free_port(), free_port()
    dbc = db_config()
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
        env = {**os.environ, "LMSTV_CONFIG": str(ini)}
        master = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                                   "python:bridge.gunicorn_conf", "--workers", "1",
                                   "--log-level", "warning", "bridge.wsgi:app"], cwd=ROOT,
                                  env=env)
        procs.append(master)
        wait_http(f"http://127.0.0.1:{port}/health/live", timeout=60)
        worker = worker_pid(master.pid)
        print(f"{CUSTOMERS} customers; worker pid {worker}; RSS at start {rss_mb(worker):.0f} MB")
        started = time.perf_counter()
        for i in range(1, READS + 1):
            r = requests.get(f"http://127.0.0.1:{port}/api/v1/customers",
                             params={"fresh": "1"}, headers=HEAD, timeout=120)
            assert r.status_code == 200, r.text[:300]
            if i in (1, 10, 20, 40, 60, READS):
                print(f"after {i:2d} fresh reads: RSS {rss_mb(worker):.0f} MB")
        print(f"{READS} reads in {time.perf_counter() - started:.0f} s; "
              f"final RSS {rss_mb(worker):.0f} MB (target < 300 MB)")
    finally:
        for p in reversed(procs):
            stop_process(p)
        try:
            drop_database(dbc)
        except Exception:  # noqa: BLE001 - best effort clean-up of a bench database
            pass


if __name__ == "__main__":
    main()
