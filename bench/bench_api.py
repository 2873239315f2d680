"""Bridge speed: customer page and customer list through the real bridge under gunicorn.

Starts the sandbox with --latency-ms 50 (every SMS call waits 50 ms, as in the original's
baseline), adds 20,000 customers, builds a throw-away LMS database on PostgreSQL
(127.0.0.1:5432 or $LMSTV_TEST_PG), runs the bridge under gunicorn and prints each figure next to
its target.  Run: .venv/bin/python bench/bench_api.py   (takes about a minute)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bridge.config import DatabaseConfig  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import migrate  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"
HEAD = {"X-LMSTV-Secret": SECRET, "X-LMSTV-User": "bench"}
CUSTOMERS = 20_000


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def db_config() -> DatabaseConfig:
    u = urlparse(os.environ.get("LMSTV_TEST_PG", "postgresql://postgres@127.0.0.1:5432"))
    return DatabaseConfig(dialect="postgres", host=u.hostname or "127.0.0.1", port=u.port or 5432,
                          user=unquote(u.username or "postgres"),
                          password=unquote(u.password or ""), database=f"lmstv_bench_{os.getpid()}")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="lmstv-bench-"))
    sb_port, br_port = free_port(), free_port()
    procs: list[subprocess.Popen] = []
    dbc = db_config()
    try:
        sandbox = subprocess.Popen([sys.executable, "-m", "bridge", "sandbox", "--host",
                                    "127.0.0.1", "--port", str(sb_port), "--seed", "empty"],
                                   cwd=ROOT, stderr=subprocess.DEVNULL)
        procs.append(sandbox)
        sms_url = f"http://127.0.0.1:{sb_port}/test/xmlrpc"
        wait_http(f"http://127.0.0.1:{sb_port}/")
        import xmlrpc.client

        ctl = xmlrpc.client.ServerProxy(sms_url, allow_none=True)
        auth = {"user_name": "Jan Kowalski", "user_pass": "6e9bece1914809fb8493146417e722f6"}

        create_database(dbc)
        load_lms_schema(dbc)
        db = connect(dbc)
        migrate(db, out=lambda _l: None)
        # the customer with the page: 2 accounts x 3 services, each with an STB
        cid = db.insert_id("INSERT INTO customers (lastname, name, status, address, zip, city, "
                           "ssn, icn, info, notes, message) VALUES ('Bench', 'Jan', 3, "
                           "'Polna 1', '30-001', 'Kraków', '', '', '', '', '')", [], "customers")
        [number] = ctl.sandbox.addCustomers([{
            "cust_name": "Jan", "cust_surname": "Bench", "cust_m_street": "Polna",
            "cust_m_home_nr": "1", "cust_m_postal_code": "30-001", "cust_m_city": "Kraków",
            "cust_external_id": cid}])
        db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s", [number, cid])
        subnet = ctl.subnetList(auth)[0]["subnet_id"]
        n = 0
        for _ in range(2):
            acc = ctl.accountAdd(auth, number, {"cust_i_street": "Polna", "cust_i_home_nr": "1",
                                                "cust_i_flat": "", "cust_i_postal_code":
                                                "30-001", "cust_i_city": "Kraków"})
            ctl.packagesEntitle(auth, acc, [101, 201, 203], time.strftime("%Y-%m-%d"))
            for s in ctl.custGetSubscriptions(auth, number)[-1]["subscriptions"]:
                if s["pkg_class"].startswith("pkg_base"):
                    mac = f"00:1A:2B:3C:{n // 256:02X}:{n % 256:02X}"
                    n += 1
                    ctl.stbRegister(auth, mac, f"SER{n}", "VIP1960")
                    ctl.stbLink(auth, acc, mac, subnet, s["cust_order_id"])
        ctl.sandbox.addCustomers(CUSTOMERS - 1)
        db.close()
        ctl.sandbox.setLatency(50)

        ini = work / "lmstv.ini"
        ini.write_text(f"""[logowanie]
login = Jan Kowalski
haslo = 6e9bece1914809fb8493146417e722f6
serwer = {sms_url}
[opcje]
cache = 1
cache_lifetime = 3600
[bridge]
bind = 127.0.0.1:{br_port}
secret = {SECRET}
cache_dir = {work}/cache
audit_log = {work}/audit.log
[database]
type = postgres
host = {dbc.host}
port = {dbc.port}
user = {dbc.user}
password = {dbc.password}
database = {dbc.database}
""")
        env = {**os.environ, "LMSTV_CONFIG": str(ini), "LMSTV_WORKERS": "3"}
        gunicorn = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                                     "python:bridge.gunicorn_conf", "--log-level", "warning",
                                     "bridge.wsgi:app"], cwd=ROOT, env=env,
                                    stderr=subprocess.DEVNULL)
        procs.append(gunicorn)
        base = f"http://127.0.0.1:{br_port}"
        wait_http(base + "/health/live")
        s = requests.Session()
        s.headers.update(HEAD)
        page = f"{base}/api/v1/customers/{cid}/tv"
        listing = f"{base}/api/v1/customers?sort=cust_surname&page=3"

        def get(url: str) -> None:
            r = s.get(url, timeout=60)
            if r.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {r.status_code} {r.text[:300]}")

        rows = []
        cold_page = timed(lambda: get(page))
        warm_page = statistics.median(timed(lambda: get(page)) for _ in range(50))
        cold_list = timed(lambda: get(listing))
        # One sample is at the mercy of whatever else the box is doing: empty the cache
        # ("Odśwież dane") and ask again a few times for a steadier cold figure.
        again = []
        for _ in range(4):
            s.post(f"{base}/api/v1/system/cache/purge", timeout=30).raise_for_status()
            again.append(timed(lambda: get(listing)))
        # each worker memoises the sorted list once; warm up all of them, then measure
        for _ in range(6):
            get(listing)
        warm_list = statistics.median(timed(lambda: get(listing)) for _ in range(50))
        rows += [("customer page (2 acc x 3 services), cold", cold_page, "<= 250 ms"),
                 ("customer page, warm (median)", warm_page, "<= 5 ms"),
                 (f"customer list {CUSTOMERS:,}, sorted page of 25, cold", cold_list, "<= 400 ms"),
                 ("customer list, cold after a cache purge (median of 4)",
                  statistics.median(again), "<= 400 ms"),
                 ("customer list, warm (median)", warm_list, "<= 15 ms")]

        count = 0
        lock = threading.Lock()
        stop_at = time.monotonic() + 5.0

        def worker() -> None:
            nonlocal count
            sess = requests.Session()
            sess.headers.update(HEAD)
            while time.monotonic() < stop_at:
                sess.get(page, timeout=30).raise_for_status()
                with lock:
                    count += 1

        threads = [threading.Thread(target=worker) for _ in range(8)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rps = count / (time.monotonic() - t0)

        print(f"lmstv bridge benchmark (SMS latency 50 ms, {CUSTOMERS:,} SMS customers, "
              f"gunicorn 3 workers)")
        print(f"{'measure':55} {'ours':>10}  target      original")
        base_line = {0: "2.1 s", 1: "58 ms", 2: "1.9 s", 3: "1.9 s", 4: "66 ms"}
        for i, (name, ms, target) in enumerate(rows):
            print(f"{name:55} {ms:8.1f}ms  {target:10}  {base_line[i]}")
        print(f"{'warm customer page, 8 clients, requests/s':55} {rps:8.0f}/s   >= 300/s")
        return 0
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            drop_database(replace(dbc))
        except Exception as exc:  # noqa: BLE001
            print(f"(could not drop {dbc.database}: {exc})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
