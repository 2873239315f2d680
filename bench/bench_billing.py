"""Billing speed on each database: import, re-import and invoicing, next to the targets.

Baseline of the original module (PostgreSQL, 100,000 events for 10,000 customers, a 94 MB SMS
reply): import 292 s with 3.8 GB peak memory, the same import again 530 s; invoicing failed /
169 s for 10,000 invoices.  Targets for lmstv (issue 12), 2-core machine, SMS latency 50 ms:

  --scale 10k   10,000 customers x 10 events: import <= 8 s, again <= 10 s, invoicing <= 30 s
  --scale 100k  100,000 customers x 10 events: import <= 90 s, again <= 45 s,
                invoicing <= 150 s
  both: peak memory of every lmstv run <= 250 MB, the sandbox (the bench's SMS) <= 300 MB.

Starts its own sandbox, creates a throw-away LMS 1.11.17 database per engine (servers from
$LMSTV_TEST_PG / $LMSTV_TEST_MYSQL, as the tests), and runs the real ``lmstv billing`` commands
as child processes (peak memory = the child's max RSS, CPU = its user + system time).  The
machine is shared, so every figure is printed with the 1-minute load average at its end.

    .venv/bin/python bench/bench_billing.py [--scale 10k|100k] [--customers N] [--events N]
                                            [--engines postgres,mysql] [--batch-sizes 100]
                                            [--json FILE]

``--json FILE`` appends one JSON object per figure and line (wall, CPU and peak RSS of each step
per engine, the sandbox's peak RSS): the format bench/issue12.py reads.

``--batch-sizes 1,25,100`` invoices the same events once per size (customers per transaction;
1 = one transaction per customer), wiping the invoices between runs, to compare them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from conftest import free_port, server_config, start_sandbox, stop_process  # noqa: E402
from servercpu import ServerCpu  # noqa: E402

from bridge.config import find_lms_schema  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import migrate  # noqa: E402
from bridge.sms.client import SmsClient  # noqa: E402

SCALES = {"10k": (10_000, 100_000), "100k": (100_000, 1_000_000)}
TARGETS = {
    "10k": {"import": 8.0, "re-import": 10.0, "invoicing": 30.0},
    "100k": {"import": 90.0, "re-import": 45.0, "invoicing": 150.0},
}
PEAK_MB = 250.0
SANDBOX_MB = 300.0
LATENCY_MS = 50
# The original module's figures at 10k (PostgreSQL): the ratio column divides by these.
BASELINE = {"import": 292.0, "re-import": 530.0, "invoicing": 169.0}
BASELINE_TEXT = {"import": "292 s, 3.8 GB", "re-import": "530 s",
                 "invoicing": "failed / 169 s"}


@dataclass
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    load: float
    out: str
    server_cpu: float = 0.0


def load_average() -> float:
    return os.getloadavg()[0]


def vm_hwm_mb(pid: int) -> float:
    """A running process's peak RSS (the sandbox's), from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def run_child(ini: Path, *args: str, server: tuple[str, object] | None = None,
              code: Path = ROOT) -> Run:
    """Run ``lmstv <args>``; its wall and CPU time, peak RSS, the load after it, its output,
    and with ``server`` = (dialect, cfg) the database server's CPU for it (bench/servercpu.py).
    ``code``: the checkout whose ``bridge`` runs (another worktree, for old-vs-new runs).

    Peak RSS is the child's VmHWM polled from /proc: wait4's ru_maxrss starts from this
    process's own RSS at fork (Linux carries it over exec), which at 100,000 customers is
    larger than the child's.
    """
    with contextlib.ExitStack() as stack:  # the probe's connection closed whatever happens
        probe = stack.enter_context(ServerCpu(*server)) if server else None
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bridge", "--config", str(ini), *args],
                                cwd=code, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        peak = [0.0]
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], vm_hwm_mb(proc.pid))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        out = proc.stdout.read().decode() if proc.stdout else ""
        peak[0] = max(peak[0], vm_hwm_mb(proc.pid))  # stdout closed: the child is about to exit
        done.set()
        watcher.join()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        raise SystemExit(f"lmstv {' '.join(args)} failed ({proc.returncode}):\n{out}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak[0], load_average(), out,
               probe.seconds if probe else 0.0)


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
                 batch_sizes: list[int], report: Callable[[str, Run, str], None],
                 code: Path = ROOT) -> dict:
    cfg = replace(server_config(dialect), database=f"lmstv_bench_{os.getpid()}")
    create_database(cfg, drop_first=True)
    try:
        load_lms_schema(cfg, find_lms_schema(dialect))
        db = connect(cfg)
        migrate(db, out=lambda _line: None)
        tariff = seed_lms(db, sms_customers)
        db.close()
        ini = tmp / f"lmstv-{dialect}.ini"
        # The streamed import stages while it reads, so long_timeout bounds reading + staging:
        # a million events on this shared machine took ~5 minutes.
        ini.write_text(
            f"[logowanie]\nlogin = Jan Kowalski\nhaslo = demo1234\nserwer = {sandbox_url}\n"
            "[opcje]\nlong_timeout = 3600\n"
            f"[billing]\ntv_tariff_id = {tariff}\nmode = append\n"
            f"[database]\ntype = {dialect}\nhost = {cfg.host}\n"
            f"port = {cfg.port or cfg.default_port}\nuser = {cfg.user}\n"
            f"password = {cfg.password}\ndatabase = {cfg.database}\n", encoding="utf-8")
        res: dict = {}
        for step in ("import", "re-import"):
            res[step] = run_child(ini, "billing", "import", server=(dialect, cfg), code=code)
            report(step, res[step], " | ".join(ln for ln in res[step].out.splitlines()
                                               if ln.startswith("billing import")))
        for n, size in enumerate(batch_sizes):
            if n:
                wipe_invoices(cfg)
            run = run_child(ini, "billing", "invoice", "-q", "--batch-size", str(size),
                            server=(dialect, cfg), code=code)
            db = connect(cfg)
            counts = [db.scalar(q) for q in (
                "SELECT COUNT(*) AS n FROM documents", "SELECT COUNT(*) AS n FROM invoicecontents",
                "SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NULL")]
            db.close()
            report("invoicing", run, f"{counts[0]} invoices, {counts[1]} lines, {counts[2]} "
                   f"pending; {size} customer(s) per transaction")
        return res
    finally:
        drop_database(cfg)


ENGINE_KEYS = {"postgres": "pg", "mysql": "mysql"}


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


class JsonFigures:
    """``--json FILE``: one object per figure, appended a line each (shared #12 format)."""

    def __init__(self, path: str | None, scale: str) -> None:
        self.path, self.scale = path, scale

    def add(self, figure: str, engine: str, value: float, unit: str, target: float | None,
            cmp: str = "<=") -> None:
        if not self.path:
            return
        met = None if target is None else (value <= target if cmp == "<=" else value >= target)
        record = {"bench": "bench_billing", "figure": figure,
                  "engine": ENGINE_KEYS.get(engine, engine), "scale": self.scale,
                  "value": round(value, 3), "unit": unit, "target": target, "cmp": cmp,
                  "met": met, "load": load_text()}
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    def run(self, what: str, engine: str, run: Run, target: float) -> None:
        self.add(f"{what} wall", engine, run.seconds, "s", target)
        self.add(f"{what} cpu", engine, run.cpu, "s", None)
        self.add(f"{what} server cpu", engine, run.server_cpu, "s", None)
        self.add(f"{what} peak rss", engine, run.peak_mb, "MB", PEAK_MB)


def row(what: str, run: Run, target: float, note: str = "", baseline: bool = True) -> str:
    # The original module was only measured at 10k: no ratio for other sizes.
    ratio = f"{BASELINE[what] / run.seconds:6.1f}x" if baseline else "     -"
    ok = "ok  " if run.seconds <= target and run.peak_mb <= PEAK_MB else "MISS"
    return (f"  {what:<10} {run.seconds:7.1f} s  <= {target:5.0f} s {ok} {ratio} "
            f"{run.cpu:7.1f} s {run.server_cpu:7.1f} s {run.peak_mb:6.0f} MB {run.load:5.2f}  "
            f"{note}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="10k",
                    help="10k: 10,000 customers x 10 events; 100k: 100,000 x 10")
    ap.add_argument("--customers", type=int, default=0, help="overrides the scale's")
    ap.add_argument("--events", type=int, default=0, help="overrides the scale's")
    ap.add_argument("--engines", default="postgres,mysql")
    ap.add_argument("--no-invoicing", action="store_true", help="import and re-import only")
    ap.add_argument("--batch-sizes", default="100",
                    help="customers per invoicing transaction, comma-separated to compare")
    ap.add_argument("--code", metavar="DIR", type=Path, default=ROOT,
                    help="run the lmstv of another checkout (e.g. a worktree of main) for "
                    "old-vs-new pairs; the bench itself, its sandbox and schema stay this one's")
    ap.add_argument("--json", metavar="FILE",
                    help="append every figure to FILE as JSON lines (bench/issue12.py format)")
    args = ap.parse_args()
    customers_n = args.customers or SCALES[args.scale][0]
    events_n = args.events or SCALES[args.scale][1]
    targets = TARGETS[args.scale]
    scale = args.scale if (customers_n, events_n) == SCALES[args.scale] else \
        f"{customers_n}x{events_n // max(customers_n, 1)}"
    figures = JsonFigures(args.json, scale)
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"lmstv-bench-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    sb = start_sandbox("--seed", "empty")
    try:
        ctl = xmlrpc.client.ServerProxy(sb.url, allow_none=True)
        ctl.sandbox.reset("empty")
        today = date.today()
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        ctl.sandbox.addCustomers(customers_n)
        ctl.sandbox.generateBillingEvents(events_n, customers_n, last_month.isoformat(), 1)
        # lmstv's own client: the stdlib's decoding of 100,000 customers held ~400 MB.
        with SmsClient(sb.url, sb.login, sb.password_md5, http_timeout=300) as sms:
            customers = [{k: c.get(k) for k in ("cust_external_id", "cust_surname", "cust_name",
                                                 "cust_number")} for c in sms.custList("")]
        ctl.sandbox.setLatency(LATENCY_MS)
        print(f"code: {args.code.resolve()}; load average at start: {load_average():.2f}; "
              f"data: {events_n} events for {len(customers)} customers, sale dates in "
              f"{last_month:%Y-%m}, SMS latency {LATENCY_MS} ms; original module (PostgreSQL, "
              "10k): " + "; ".join(f"{k} {v}" for k, v in BASELINE_TEXT.items()))
        print("  (ratio = original module's 10k figure / this figure; load = 1-min load "
              "average when the run ended)")
        for dialect in args.engines.split(","):
            print(f"\n[{dialect}]\n  {'what':<10} {'figure':>9}  {'target':>9} {'':4} "
                  f"{'ratio':>7} {'CPU':>9} {'server':>9} {'peak≤250':>9} {'load':>5}", flush=True)

            def report(what: str, run: Run, note: str, engine: str = dialect) -> None:
                print(row(what, run, targets[what], note,
                          baseline=(customers_n, events_n) == SCALES["10k"]), flush=True)
                figures.run(what, engine, run, targets[what])

            sizes = [] if args.no_invoicing else [int(x) for x in args.batch_sizes.split(",")]
            bench_engine(dialect, sb.url, customers, tmp, sizes, report, args.code.resolve())
            sandbox_mb = vm_hwm_mb(sb.proc.pid)
            print(f"  sandbox peak so far {sandbox_mb:.0f} MB (target <= {SANDBOX_MB:.0f} MB) "
                  f"{'ok' if sandbox_mb <= SANDBOX_MB else 'MISS'}; load average {load_text()}",
                  flush=True)
            figures.add("sandbox peak rss", "-", sandbox_mb, "MB", SANDBOX_MB)
    finally:
        stop_process(sb.proc)
    _ = free_port
    return 0


if __name__ == "__main__":
    sys.exit(main())
