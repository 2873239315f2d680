"""`lmstv reconcile` speed and memory on each database, next to the targets.

Target (issue 13): 20,000 customers, 40,000 services, 200,000 billing events: <= 10 s and
<= 300 MB peak memory (the child process's max RSS), printed as figure / target.

Builds the SMS side in-process (sandbox state: customers, one account each with a base and an
extra package, monthly events) and starts the real sandbox on it; creates a throw-away LMS
1.11.17 database per engine ($LMSTV_TEST_PG / $LMSTV_TEST_MYSQL, as the tests) with the
customers linked, 2 % deleted, 1 % disconnected, 1 % TV billing suspended and 2.5 % unlinked;
imports the events with `lmstv billing import`, then times `lmstv reconcile --format json`.

    .venv/bin/python bench/bench_reconcile.py [--customers 20000] [--events 200000]
                                              [--engines postgres,mysql]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import server_config, start_sandbox, stop_process  # noqa: E402

from bridge.config import find_lms_schema  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import migrate  # noqa: E402
from bridge.sandbox import catalog, persist  # noqa: E402
from bridge.sandbox.control import Controls  # noqa: E402
from bridge.sandbox.ops_packages import STATUS_ACTIVE  # noqa: E402
from bridge.sandbox.state import SmsState  # noqa: E402
from bridge.sandbox.values import iso  # noqa: E402

TARGET_SECONDS, TARGET_MB = 10.0, 300.0
ADDRESS = {"cust_i_street": "Długa", "cust_i_home_nr": "1", "cust_i_postal_code": "30-001",
           "cust_i_city": "Kraków"}


def build_sms(path: Path, customers: int, events: int) -> list[str]:
    st = SmsState()
    ctl = Controls(st)
    numbers = ctl.addCustomers(customers)
    start = iso(st.today().replace(day=1) - timedelta(days=40))
    base = catalog.BY_ID[101]
    extra = next(p for p in catalog.PACKAGES if p.kind == catalog.EXTRA)
    for number in numbers:  # 2 services per customer
        acc = st.accountAdd(number, ADDRESS)
        st.new_subscription(acc, base.package_id, start, STATUS_ACTIVE)
        st.new_subscription(acc, extra.package_id, start, STATUS_ACTIVE)
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    ctl.generateBillingEvents(events, customers, last_month.isoformat(), 1)
    persist.save(st, path)
    return numbers


def run_child(ini: Path, *args: str) -> tuple[float, float, int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "--config", str(ini), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"lmstv {' '.join(args)} failed ({code}):\n{out}{err}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024.0, code, out


def seed_lms(db, numbers: list[str]) -> None:
    rows = []
    for i, number in enumerate(numbers, start=1):
        unlinked = i % 40 == 0
        rows.append((i, f"Klient{i}", None if unlinked else number, 1 if i % 50 == 7 else 0,
                     4 if i % 100 == 3 else 3, 1 if i % 100 == 5 else 0))
    one = "(%s, %s, 'Jan', 'ul. Krótka 1', '31-002', 'Kraków', %s, %s, %s, %s, '', '')"
    with db.transaction():
        for k in range(0, len(rows), 1000):
            part = rows[k:k + 1000]
            db.execute("INSERT INTO customers (id, lastname, name, address, zip, city, "
                       "tv_cust_number, deleted, status, tv_suspend_billing, info, message) "
                       "VALUES " + ", ".join([one] * len(part)), [v for r in part for v in r])


def bench_engine(dialect: str, url: str, numbers: list[str], tmp: Path) -> tuple:
    cfg = replace(server_config(dialect), database=f"lmstv_bench_rec_{os.getpid()}")
    create_database(cfg, drop_first=True)
    try:
        load_lms_schema(cfg, find_lms_schema(dialect))
        db = connect(cfg)
        migrate(db, out=lambda _line: None)
        seed_lms(db, numbers)
        db.close()
        ini = tmp / f"lmstv-{dialect}.ini"
        ini.write_text(
            f"[logowanie]\nlogin = Jan Kowalski\nhaslo = demo1234\nserwer = {url}\n"
            "[opcje]\nlong_timeout = 300\n"
            f"[database]\ntype = {dialect}\nhost = {cfg.host}\n"
            f"port = {cfg.port or cfg.default_port}\nuser = {cfg.user}\n"
            f"password = {cfg.password}\ndatabase = {cfg.database}\n", encoding="utf-8")
        last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
        run_child(ini, "billing", "import", "-q", "--start-date", last_month.isoformat())
        seconds, mb, code, out = run_child(ini, "reconcile", "--format", "json")
        summary = json.loads(out)["summary"]
        return seconds, mb, code, summary
    finally:
        drop_database(cfg)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--engines", default="postgres,mysql")
    args = ap.parse_args()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"lmstv-bench-rec-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    state = tmp / "sms.json"
    t0 = time.perf_counter()
    numbers = build_sms(state, args.customers, args.events)
    print(f"data: {len(numbers)} customers, {2 * len(numbers)} services, {args.events} events "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    sb = start_sandbox("--state", str(state))
    try:
        for dialect in args.engines.split(","):
            seconds, mb, code, summary = bench_engine(dialect, sb.url, numbers, tmp)
            found = ", ".join(f"{k} {v['count']} ({v['total']})" for k, v in summary.items()
                              if v["count"])
            print(f"\n[{dialect}] exit {code}; {found}")
            print(f"  lmstv reconcile  {seconds:7.1f} s   / target <= {TARGET_SECONDS:.0f} s")
            print(f"  peak memory      {mb:7.0f} MB  / target <= {TARGET_MB:.0f} MB")
    finally:
        stop_process(sb.proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
