"""Warm customer page under 8 concurrent clients: this tree against another, paired (A/B).

The machine is shared, so one run of bench_api.py's capacity figure moves with whatever else
runs.  This benchmark builds one world (the sandbox with 50 ms latency, ``--scale`` customers, an
LMS database on ``--engine``), starts the bridge of each tree under gunicorn (3 workers, their
own cache directories, both kept running) and then alternates: a burst of 8 clients on new
connections (as PHP's curl makes them) against A, then against B, ``--rounds`` times.  Per
burst it prints requests/s, the workers' CPU per request (user + system of every worker,
gunicorn's share included; and the system part of it), the database's CPU per request
(PostgreSQL: the backends of the benchmark's database, which only the tree under load uses;
MariaDB: the whole server, which also serves whatever else runs), the capacity on 2 cores
from the workers' CPU, the bridge part and its CPU (Server-Timing) median / p99, the client's
round trip and the load average; then the medians of the bursts.

    .venv/bin/python bench/bench_warmpage.py --old ../lmstv-old [--scale 20k] [--engine pg]
        [--rounds 4] [--seconds 5] [--path /health/live] [--profile DIR]

``--old`` is a checkout of the code to compare with (``git worktree add --detach ../lmstv-old
main``); both trees run with this venv's packages.  ``--profile DIR`` also records one worker of
each tree with py-spy (``pip install py-spy``) during one extra burst and writes
``DIR/{old,new}.txt`` (raw folded stacks) -- the bursts with a profiler attached are not counted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scale  # noqa: E402
from bench.bench_api import (  # noqa: E402
    build_world,
    db_config,
    free_port,
    fresh_connection_get,
    hammer,
    p99,
    start_bridge,
    start_sandbox,
    tear_down,
    wait_http,
    write_ini,
)
from bridge.config import DatabaseConfig  # noqa: E402
from bridge.lms.db import connect  # noqa: E402

CLIENTS = 8


@dataclass
class Bridge:
    name: str
    tree: Path
    port: int
    proc: subprocess.Popen | None = None
    bursts: list[dict[str, float]] = field(default_factory=list)


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in
                Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def workers_times(master: int) -> tuple[float, float]:
    """(user, system) CPU seconds used so far by the gunicorn master's children."""
    user = system = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in worker_pids(master):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11]) / tick
        system += int(fields[12]) / tick
    return user, system


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by ``pids``."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def database_pids(dbc: DatabaseConfig) -> list[int]:
    """The processes serving the benchmark's database: PostgreSQL's backends of that database
    (only the tree under load uses its connections), or MariaDB's whole server process (it also
    serves whatever else runs on the machine)."""
    if dbc.dialect == "postgres":
        with connect(replace(dbc, database="postgres")) as db:
            return [int(r["pid"]) for r in db.query(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [dbc.database])]
    found = subprocess.run(["pidof", "mariadbd", "mysqld"], capture_output=True, text=True,
                           check=False).stdout.split()
    return [int(p) for p in found]


def burst(bridge: Bridge, path: str, seconds: float, dbc: DatabaseConfig) -> dict[str, float]:
    """8 clients on new connections for ``seconds``: the burst's figures."""
    assert bridge.proc is not None
    load_before = os.getloadavg()[0]
    db_pids = database_pids(dbc)
    db0 = process_cpu(db_pids)
    user0, sys0 = workers_times(bridge.proc.pid)
    with multiprocessing.Pool(CLIENTS) as pool:
        results = pool.starmap(hammer, [(bridge.port, path, seconds)] * CLIENTS)
    user1, sys1 = workers_times(bridge.proc.pid)
    db1 = process_cpu(db_pids)
    total = [r for res in results for r in res]
    count = max(1, len(total))
    per_request = ((user1 - user0) + (sys1 - sys0)) * 1000 / count
    return {"rps": len(total) / seconds, "cpu_per_request": per_request,
            "sys_per_request": (sys1 - sys0) * 1000 / count,
            "db_per_request": (db1 - db0) * 1000 / count,
            "capacity": 2000 / per_request if per_request else 0.0,
            "bridge_median": statistics.median(b for _, b, _ in total),
            "bridge_p99": p99([b for _, b, _ in total]),
            "bridge_cpu_median": statistics.median(c for _, _, c in total),
            "bridge_cpu_p99": p99([c for _, _, c in total]),
            "round_trip_median": statistics.median(a for a, _, _ in total),
            "load": (load_before + os.getloadavg()[0]) / 2}


def warm(bridge: Bridge, path: str) -> None:
    """Fill the cache and let every worker read the page (and import what it imports) once."""
    for _ in range(60):
        fresh_connection_get(bridge.port, path)


def profile(bridge: Bridge, path: str, seconds: float, out: Path, dbc: DatabaseConfig) -> None:
    assert bridge.proc is not None
    pid = worker_pids(bridge.proc.pid)[0]
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    # --gil: only the thread holding the GIL is sampled, so waits (sockets, the database,
    # idle pool threads) do not show up as if they were work.
    rec = subprocess.Popen([spy, "record", "--pid", str(pid), "--rate", "500", "--gil",
                            "--duration", str(int(seconds)), "--format", "raw", "--nonblocking",
                            "-o", str(out)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    burst(bridge, path, seconds - 1.5, dbc)
    rec.wait(timeout=60)


COLUMNS = [("rps", "req/s", "{:7.0f}"), ("cpu_per_request", "CPU/req ms", "{:10.2f}"),
           ("sys_per_request", "of it sys", "{:9.2f}"), ("db_per_request", "DB CPU/req",
                                                          "{:10.2f}"),
           ("capacity", "capacity/s", "{:10.0f}"), ("bridge_median", "bridge med", "{:10.2f}"),
           ("bridge_p99", "bridge p99", "{:10.2f}"), ("bridge_cpu_median", "b.CPU med",
                                                      "{:9.2f}"),
           ("bridge_cpu_p99", "b.CPU p99", "{:9.2f}"), ("round_trip_median", "trip med",
                                                        "{:8.2f}"),
           ("load", "load", "{:5.2f}")]


def row(label: str, figures: dict[str, float]) -> str:
    return f"{label:12}" + " ".join(fmt.format(figures[key]) for key, _, fmt in COLUMNS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    scale.add_scale(parser)
    parser.add_argument("--engine", choices=("pg", "mysql"), default="pg")
    parser.add_argument("--old", type=Path, required=True,
                        help="source tree of the code to compare with (e.g. a worktree of main)")
    parser.add_argument("--path", default=None,
                        help="another URL path to load instead of the page (e.g. /health/live: "
                             "what gunicorn and Flask cost without the page)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--profile", type=Path, default=None,
                        help="directory for one py-spy profile of a worker of each tree")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lmstv-warmpage-"))
    procs: list[subprocess.Popen] = []
    dbc = db_config(args.engine)
    bridges = [Bridge("old", args.old.resolve(), free_port()),
               Bridge("new", ROOT, free_port())]
    try:
        sms_url = start_sandbox(free_port(), procs)
        cid = build_world(dbc, sms_url, scale.SCALES[args.scale])
        path = args.path or f"/api/v1/customers/{cid}/tv"
        for b in bridges:
            ini = write_ini(work, sms_url, b.port, dbc, cache_dir=work / f"cache-{b.name}")
            b.proc = start_bridge(ini, b.tree)
            procs.append(b.proc)
            wait_http(f"http://127.0.0.1:{b.port}/health/live")
            warm(b, path)
        print(f"warm customer page, {CLIENTS} clients on new connections, "
              f"{scale.SCALES[args.scale]:,} SMS customers, LMS on {dbc.dialect}, "
              f"{args.rounds} x {args.seconds:g} s per tree, alternated; {scale.load()}")
        print(f"{'burst':12}" + " ".join(f"{title:>{len(fmt.format(0))}}"
                                         for _, title, fmt in COLUMNS))
        for n in range(args.rounds):
            order = bridges if n % 2 == 0 else bridges[::-1]
            for b in order:
                figures = burst(b, path, args.seconds, dbc)
                b.bursts.append(figures)
                print(row(f"{b.name} {n + 1}", figures), flush=True)
        print("medians of the bursts:")
        for b in bridges:
            print(row(b.name, {key: statistics.median(f[key] for f in b.bursts)
                               for key, _, _ in COLUMNS}))
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            for b in bridges:
                profile(b, path, max(args.seconds, 6.0), args.profile / f"{b.name}.txt", dbc)
            print(f"profiles: {args.profile}/old.txt, new.txt")
        print(f"(finished with {scale.load()})")
        return 0
    finally:
        tear_down(procs, dbc, work)


if __name__ == "__main__":
    sys.exit(main())
