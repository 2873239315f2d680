"""Sandbox speed: custList("") of 20,000 customers and billingEventsGet of 100,000 events.

Starts its own ``lmstv sandbox`` on a free port, loads 20k customers and 200k events (two
months) through the control methods, then times raw HTTP round trips (server work + transfer,
no client-side XML decoding) and prints each number next to its target.

    .venv/bin/python bench/bench_sandbox.py [--repeat N]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUTH = {"user_name": "Jan Kowalski", "user_pass": hashlib.md5(b"demo1234").hexdigest()}
TARGETS = {"load 20k customers": 3.0, "load 200k events": 3.0, "custList 20k": 1.0,
           "billingEventsGet 100k": 4.0, "billingEventsGet 1 day": 0.2}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, method: str, *params: object) -> tuple[float, int]:
    body = xmlrpc.client.dumps(params, method, allow_none=True).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    conn.request("POST", "/test/xmlrpc", body, {"Content-Type": "text/xml"})
    data = conn.getresponse().read()
    elapsed = time.perf_counter() - start
    conn.close()
    if b"<fault>" in data[:300]:
        raise SystemExit(f"{method} faulted: {data[:300]!r}")
    return elapsed, len(data)


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    fn()
    return report(label, time.perf_counter() - start)


def report(label: str, seconds: float, size: int | None = None) -> float:
    target = TARGETS[label]
    verdict = "ok" if seconds <= target else "SLOW"
    extra = f"  {size / 1e6:7.1f} MB" if size is not None else ""
    print(f"{label:24s} {seconds:7.3f} s   target <= {target:.1f} s   {verdict}{extra}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per reply (best is shown)")
    args = parser.parse_args()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "sandbox", "--host", "127.0.0.1",
                             "--port", str(port), "--seed", "empty"], cwd=ROOT,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("sandbox did not start") from None
                time.sleep(0.05)
        control = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/test/xmlrpc",
                                            allow_none=True).sandbox
        control.setToday("2026-03-10")
        timed("load 20k customers", lambda: control.addCustomers(20_000))
        timed("load 200k events",
              lambda: control.generateBillingEvents(200_000, 20_000, "2026-02-01", 2))
        for label, params in (("custList 20k", ("custList", AUTH, "")),
                              ("billingEventsGet 100k",
                               ("billingEventsGet", AUTH, "2026-02-01", "2026-02-28", "")),
                              ("billingEventsGet 1 day",
                               ("billingEventsGet", AUTH, "2026-03-05", "2026-03-05", ""))):
            runs = [post(port, *params) for _ in range(max(1, args.repeat))]
            best = min(runs)
            report(label, best[0], best[1])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
