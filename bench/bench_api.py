"""Bridge speed: customer page and customer list through the real bridge under gunicorn.

Starts the sandbox with --latency-ms 50 (every SMS call waits 50 ms, as in the original's
baseline), adds 20,000 (``--scale 100k``: 100,000) customers, builds a throw-away LMS database
on PostgreSQL (127.0.0.1:5432 or $LMSTV_TEST_PG), runs the bridge under gunicorn (3 workers)
and prints each figure next to its target and the original module's figure, with the load
average (the box is shared).  Run:

    .venv/bin/python bench/bench_api.py [--scale 20k|100k] [--engine pg|mysql] [--json FILE]

``--engine mysql`` puts the LMS database on MariaDB (127.0.0.1:3306 or $LMSTV_TEST_MYSQL).

Before the first figure it waits until the sandbox has rendered its ``custList("")`` reply
ahead (see docs/sandbox.md): the sandbox stands in for an SMS answering in 50 ms, and neither
its rendering nor its CPU should weigh on the figures.

Warm figures after a purge: one fresh list request, then requests on new connections (spread
over every worker, as PHP's curl makes them) for pages the fresh request did not sort.  The
bridge part of the warm page is the bridge's own time (its log line), the rest is the client.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scale  # noqa: E402
from bench.figures import Figures, add_json  # noqa: E402
from bridge.config import DatabaseConfig  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import migrate  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"
HEAD = {"X-LMSTV-Secret": SECRET, "X-LMSTV-User": "bench"}


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


def db_config(engine: str) -> DatabaseConfig:
    if engine == "mysql":
        u = urlparse(os.environ.get("LMSTV_TEST_MYSQL", "mysql://root@127.0.0.1:3306"))
        dialect, port, user = "mysql", 3306, "root"
    else:
        u = urlparse(os.environ.get("LMSTV_TEST_PG", "postgresql://postgres@127.0.0.1:5432"))
        dialect, port, user = "postgres", 5432, "postgres"
    return DatabaseConfig(dialect=dialect, host=u.hostname or "127.0.0.1", port=u.port or port,
                          user=unquote(u.username or user),
                          password=unquote(u.password or ""), database=f"lmstv_bench_{os.getpid()}")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


_TIMING = re.compile(rb"Server-Timing: app;dur=([0-9.]+), cpu;dur=([0-9.]+)", re.I)


def fresh_connection_get(port: int, path: str) -> tuple[float, float, float]:
    """One GET on a new connection with a minimal client: (round trip, bridge, bridge CPU) ms."""
    if path.startswith("http"):
        path = "/" + path.split("/", 3)[3]
    req = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
           f"X-LMSTV-Secret: {SECRET}\r\nX-LMSTV-User: bench\r\n\r\n").encode()
    t = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(req)
        parts = []
        while chunk := sock.recv(1 << 16):
            parts.append(chunk)
    took = (time.perf_counter() - t) * 1000
    head = b"".join(parts)[:1024]
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"{path}: {head[:200]!r}")
    m = _TIMING.search(head)
    if m is None:
        return took, float("nan"), float("nan")
    return took, float(m.group(1)), float(m.group(2))


def hammer(port: int, path: str, seconds: float) -> list[tuple[float, float, float]]:
    out = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        out.append(fresh_connection_get(port, path))
    return out


def server_cpu(header: str) -> float:
    m = re.search(r"cpu;dur=([0-9.]+)", header)
    return float(m.group(1)) if m else float("nan")


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's children."""
    total = 0.0
    try:
        kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return total
    for pid in kids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def worker_rss(master: int, field: str = "VmRSS:") -> list[float]:
    """RSS (MB) of the gunicorn master's children (``VmHWM:``: their peak RSS)."""
    out = []
    try:
        kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return out
    for pid in kids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field):
                    out.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return out


def start_sandbox(port: int, procs: list[subprocess.Popen]) -> str:
    """``lmstv sandbox`` with no customers on ``port`` (added to ``procs``); its XML-RPC URL."""
    procs.append(subprocess.Popen([sys.executable, "-m", "bridge", "sandbox", "--host",
                                   "127.0.0.1", "--port", str(port), "--seed", "empty"],
                                  cwd=ROOT, stderr=subprocess.DEVNULL))
    wait_http(f"http://127.0.0.1:{port}/")
    return f"http://127.0.0.1:{port}/test/xmlrpc"


def build_world(dbc: DatabaseConfig, sms_url: str, customers: int) -> int:
    """A throw-away LMS database and ``customers`` SMS customers, one of them with a full TV
    box (2 accounts x 3 services, each with an STB); SMS latency 50 ms from then on.  Returns
    that customer's LMS id."""
    import xmlrpc.client

    ctl = xmlrpc.client.ServerProxy(sms_url, allow_none=True)
    auth = {"user_name": "Jan Kowalski", "user_pass": "6e9bece1914809fb8493146417e722f6"}
    create_database(dbc)
    load_lms_schema(dbc)
    db = connect(dbc)
    migrate(db, out=lambda _l: None)
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
    for done in range(1, customers, 10_000):
        ctl.sandbox.addCustomers(min(10_000, customers - done))
    db.close()
    sandbox_ready(sms_url, auth)
    ctl.sandbox.setLatency(50)
    return cid


def sandbox_ready(sms_url: str, auth: dict) -> None:
    """Wait until the sandbox has its custList("") reply ready: it renders it ahead once the
    data is set up (100,000 customers: ~1 s of its CPU), and that rendering must not overlap
    the figures taken next (the cold page's SMS calls wait for the sandbox's GIL).  The reply
    is read and dropped 1 MB at a time."""
    import http.client
    import xmlrpc.client

    u = urlparse(sms_url)
    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=120)
    try:
        conn.request("POST", u.path, xmlrpc.client.dumps((auth, ""), "custList").encode(),
                     {"Content-Type": "text/xml"})
        reply = conn.getresponse()
        while reply.read(1 << 20):
            pass
    finally:
        conn.close()


def write_ini(work: Path, sms_url: str, port: int, dbc: DatabaseConfig,
              cache_dir: Path | None = None) -> Path:
    """The bridge's lmstv.ini for the benchmark (cache in ``work/cache`` unless given)."""
    ini = work / "lmstv.ini" if cache_dir is None else cache_dir.with_suffix(".ini")
    ini.write_text(f"""[logowanie]
login = Jan Kowalski
haslo = 6e9bece1914809fb8493146417e722f6
serwer = {sms_url}
[opcje]
cache = 1
cache_lifetime = 3600
http_timeout = 60
[bridge]
bind = 127.0.0.1:{port}
secret = {SECRET}
cache_dir = {cache_dir or work / "cache"}
audit_log = {work}/audit.log
[database]
type = {dbc.dialect}
host = {dbc.host}
port = {dbc.port}
user = {dbc.user}
password = {dbc.password}
database = {dbc.database}
""")
    return ini


def start_bridge(ini: Path, tree: Path, workers: int = 3) -> subprocess.Popen:
    """The bridge of source tree ``tree`` under gunicorn (this venv's gunicorn and packages)."""
    env = {**os.environ, "LMSTV_CONFIG": str(ini), "LMSTV_WORKERS": str(workers),
           "PYTHONPATH": str(tree)}
    return subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                             "python:bridge.gunicorn_conf", "--log-level", "warning",
                             "bridge.wsgi:app"], cwd=tree, env=env, stderr=subprocess.DEVNULL)


def tear_down(procs: list[subprocess.Popen], dbc: DatabaseConfig, work: Path) -> None:
    """Stop what a benchmark started (last started first), drop its database and remove its
    work directory (the bridge's cache: ~40 MB a run at 100k)."""
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
    shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    scale.add_scale(parser)
    parser.add_argument("--engine", choices=("pg", "mysql"), default="pg",
                        help="the LMS database: PostgreSQL (default) or MariaDB")
    add_json(parser)
    args = parser.parse_args()
    customers = scale.SCALES[args.scale]
    work = Path(tempfile.mkdtemp(prefix="lmstv-bench-"))
    sb_port, br_port = free_port(), free_port()
    procs: list[subprocess.Popen] = []
    dbc = db_config(args.engine)
    try:
        sms_url = start_sandbox(sb_port, procs)
        cid = build_world(dbc, sms_url, customers)
        ini = write_ini(work, sms_url, br_port, dbc)
        gunicorn = start_bridge(ini, ROOT)
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

        # (short figure name for --json, printed measure, value, unit, target, cmp, original)
        rows: list[tuple[str, str, float, str, float | None, str, float | None]] = []
        def after_a_purge(url: str) -> tuple[float, float]:
            """(wall ms, bridge CPU ms) of ``url`` asked right after the cache is emptied."""
            s.post(f"{base}/api/v1/system/cache/purge", timeout=30).raise_for_status()
            t0 = time.perf_counter()
            r = s.get(url, timeout=60)
            return (time.perf_counter() - t0) * 1000, server_cpu(r.headers.get("Server-Timing", ""))

        cold_page = timed(lambda: get(page))
        warm_page = [timed(lambda: get(page)) for _ in range(50)]
        # More cold pages (cache purged before each): one sample is at the mercy of the box.
        cold_pages, cold_page_cpu = [cold_page], []
        for _ in range(4):
            wall, cpu = after_a_purge(page)
            cold_pages.append(wall)
            cold_page_cpu.append(cpu)
        cold_list = timed(lambda: get(listing))
        # One sample is at the mercy of whatever else the box is doing: empty the cache
        # ("Odśwież dane") and ask again a few times for a steadier cold figure; right after
        # each, the warm list on new connections (every worker) for pages not asked yet.
        again, again_cpu, after_purge = [], [], []
        for n in range(4):
            wall, cpu = after_a_purge(listing)
            again.append(wall)
            again_cpu.append(cpu)
            for p in range(40):
                url = f"{base}/api/v1/customers?sort=cust_surname&page={(n * 40 + p) % 60 + 4}"
                after_purge.append(fresh_connection_get(br_port, url))
        warm_list = [timed(lambda: get(listing)) for _ in range(50)]
        t_list = scale.TARGETS_MS
        fresh_t = t_list["list_fresh"][args.scale]
        warm_t = t_list["list_warm_p99"][args.scale]
        orig = scale.ORIGINAL_MS
        rows += [("page cold wall median", "customer page (2 acc x 3 services), cold, median of "
                  f"{len(cold_pages)}", statistics.median(cold_pages), "ms", 250.0, "<=",
                  orig["page_cold"]),
                 ("page cold bridge CPU median", "  same, bridge CPU (request thread) median",
                  statistics.median(cold_page_cpu), "ms", None, "<=", None),
                 ("page warm wall median", "customer page, warm, one client (median)",
                  statistics.median(warm_page), "ms", 5.0, "<=", orig["page_warm"]),
                 ("list first fetch wall", f"customer list {customers:,}, page of 25, first "
                  "fetch", cold_list, "ms", fresh_t, "<=", orig["list_fresh"]),
                 ("list fresh wall median", "customer list, fresh after a cache purge (median "
                  "of 4)", statistics.median(again), "ms", fresh_t, "<=", orig["list_fresh"]),
                 ("list fresh bridge CPU median", "  same, bridge CPU (request thread, median "
                  "of 4)", statistics.median(again_cpu), "ms", None, "<=", None),
                 ("list warm keep-alive wall median", "customer list, warm, keep-alive (median)",
                  statistics.median(warm_list), "ms", None, "<=", orig["list_warm"]),
                 ("list warm after purge wall p99", "customer list, warm right after purge, all "
                  "workers, p99", p99([a for a, _, _ in after_purge]), "ms", warm_t, "<=",
                  orig["list_warm"]),
                 ("list warm after purge bridge p99", "  same, bridge part p99",
                  p99([b for _, b, _ in after_purge]), "ms", warm_t, "<=", None),
                 ("list warm after purge bridge CPU p99", "  same, bridge CPU p99",
                  p99([c for _, _, c in after_purge]), "ms", warm_t, "<=", None)]

        # 8 concurrent clients, each request on a new connection (as PHP's curl makes them),
        # in separate processes so the client's own GIL does not cap the figure.
        cpu_before = workers_cpu(gunicorn.pid)
        with multiprocessing.Pool(8) as pool:
            results = pool.starmap(hammer, [(br_port, page.removeprefix(base), 5.0)] * 8)
        cpu_used = workers_cpu(gunicorn.pid) - cpu_before
        total = [r for res in results for r in res]
        rps = len(total) / 5.0
        per_request = cpu_used * 1000 / max(1, len(total))
        rows += [("page warm 8 clients bridge median", "warm page, 8 clients, new connections: "
                  "bridge part median", statistics.median([b for _, b, _ in total]), "ms", 2.0,
                  "<=", None),
                 ("page warm 8 clients bridge p99", "warm page, 8 clients, new connections: "
                  "bridge part p99", p99([b for _, b, _ in total]), "ms", 10.0, "<=", None),
                 ("page warm 8 clients bridge CPU median", "  same, bridge CPU (request thread) "
                  "median", statistics.median([c for _, _, c in total]), "ms", 2.0, "<=", None),
                 ("page warm 8 clients bridge CPU p99", "  same, bridge CPU (request thread) "
                  "p99", p99([c for _, _, c in total]), "ms", 10.0, "<=", None),
                 ("page warm 8 clients workers CPU per request", "  same, all workers' CPU per "
                  "request (gunicorn included)", per_request, "ms", None, "<=", None),
                 ("page warm 8 clients round trip median", "warm page, 8 clients, new "
                  "connections: round trip median", statistics.median([a for a, _, _ in total]),
                  "ms", None, "<=", orig["page_warm"]),
                 ("page warm 8 clients req/s", "warm page, 8 clients, new connections, "
                  "requests/s", rps, "req/s", 600.0, ">=", None),
                 ("page warm capacity req/s", "  same, 2 cores / workers CPU per request "
                  "(bridge capacity)", 2000 / per_request if per_request else 0.0, "req/s",
                  600.0, ">=", None)]
        rss = worker_rss(gunicorn.pid)
        peaks = worker_rss(gunicorn.pid, "VmHWM:")
        rows += [("worker peak RSS", f"worker peak RSS (VmHWM), largest of {len(peaks)}",
                  max(peaks or [0]), "MB", 300.0, "<=", None),
                 ("worker RSS at end", f"worker RSS at the end, largest of {len(rss)}",
                  max(rss or [0]), "MB", 300.0, "<=", None)]

        print(f"lmstv bridge benchmark (SMS latency 50 ms, {customers:,} SMS customers, "
              f"LMS on {dbc.dialect}, gunicorn 3 workers; {scale.load()})")
        print(f"{'measure':60} {'figure':>14} {'target':>12} {'original':>9} {'ratio':>7}")
        figures = Figures(args.json, "bench_api", args.scale)
        for short, name, value, unit, target, cmp, original in rows:
            shown = f"{cmp} {target:g} {unit}" if target else ""
            print(f"{name:60} {value:8.1f} {unit:<5} {shown:>12} "
                  f"{(f'{original:g} {unit}' if original else '—'):>9} "
                  f"{scale.ratio(value, original):>7}")
            figures.add(short, value, unit, target, cmp=cmp, engine=args.engine,
                        original=original)
        figures.write()
        print(f"(finished with {scale.load()})")
        return 0
    finally:
        tear_down(procs, dbc, work)


if __name__ == "__main__":
    sys.exit(main())
