#!/usr/bin/env python3
"""custList("") of 20,000 or 100,000 customers fetched from ``lmstv sandbox`` and decoded.

The sandbox answers every call after 50 ms (``--latency-ms 50``, the issue's SMS); the client
is the bridge's own SmsClient, so the figure is the bridge's fetch + decode of the list
(``--form rows``, the default: compact rows, as the bridge's customer list asks for them;
``--form dicts``: one dict per customer, as every other caller gets them).  Wall
time and the client process's CPU time are printed (the box is shared: CPU time is the steadier
figure), with the load average.  Numbers, not assertions.

    .venv/bin/python bench/bench_custlist.py [--scale 20k|100k] [--runs 5] [--decoder fast|full]
                                             [--form rows|dicts] [--loop c|python]
                                             [--json FILE]

``--loop python`` runs the fast decoder's generated Python loop instead of its C loop
(bridge/sms/_fastrun.c): what an install without a C compiler gets.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scale  # noqa: E402
from bench.figures import Figures, add_json  # noqa: E402
from bridge.procs import free_port, stop_process, wait_for_port  # noqa: E402
from bridge.sms import SmsClient  # noqa: E402

LOGIN, MD5 = "Jan Kowalski", "6e9bece1914809fb8493146417e722f6"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    scale.add_scale(parser)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--decoder", choices=("fast", "full"), default="fast")
    parser.add_argument("--form", choices=("rows", "dicts"), default="rows",
                        help="customers as compact rows (the bridge's list) or as dicts")
    parser.add_argument("--loop", choices=("c", "python"), default="c",
                        help="the fast decoder's loop over structs: C (built) or Python")
    add_json(parser)
    args = parser.parse_args()
    from bridge.sms import fastdecode
    if args.loop == "python":
        fastdecode._fastrun = None  # noqa: SLF001 - what a build without a compiler runs
    elif fastdecode._fastrun is None:  # noqa: SLF001
        parser.error("the C loop is not built (pip install -e . needs gcc and Python's headers)")
    customers = scale.SCALES[args.scale]
    if args.decoder == "full":
        import functools

        from bridge.sms import client as sms_client
        from bridge.sms import transport

        transport.ReplyDecoder = functools.partial(  # type: ignore[misc]
            transport.ReplyDecoder, fast=False)
        sms_client.ReplyDecoder = transport.ReplyDecoder  # type: ignore[misc] # the rows' one
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "sandbox", "--host", "127.0.0.1",
                             "--port", str(port), "--seed", "empty"], cwd=ROOT,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc=proc)
        url = f"http://127.0.0.1:{port}/sms/xmlrpc"
        ctl = xmlrpc.client.ServerProxy(url, allow_none=True).sandbox
        for done in range(0, customers, 10_000):
            ctl.addCustomers(min(10_000, customers - done))
        ctl.setLatency(50)
        client = SmsClient(url, LOGIN, MD5, http_timeout=60)
        # the sandbox renders the list once per state version
        first = client.custList("", rows=args.form == "rows")
        assert len(first) == customers
        del first
        walls, cpus = [], []
        for _ in range(args.runs):
            c0, t0 = time.process_time(), time.perf_counter()
            got = client.custList("", rows=args.form == "rows")
            walls.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
            assert len(got) == customers
            del got
        client.close()
    finally:
        stop_process(proc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    target = scale.TARGETS_MS["custlist_fetch_decode"][args.scale]
    print(f"custList(\"\") fetch + decode, {customers:,} customers, SMS latency 50 ms, "
          f"decoder {args.decoder}, {args.form}, {args.loop} loop; {scale.load()}")
    print(f"{'measure':44} {'figure':>10} {'target':>10} {'vs target':>9}")
    med = statistics.median(walls)
    print(f"{'wall, median of ' + str(args.runs):44} {med:8.0f}ms {target:8.0f}ms "
          f"{scale.ratio(med, target):>9}")
    print(f"{'wall, best':44} {min(walls):8.0f}ms {target:8.0f}ms "
          f"{scale.ratio(min(walls), target):>9}")
    print(f"{'client CPU (fetch + decode), median':44} {statistics.median(cpus):8.0f}ms")
    print(f"{'client peak RSS':44} {peak:8.0f}MB {300:8.0f}MB")
    figures = Figures(args.json, "bench_custlist", args.scale)
    suffix = ("" if args.decoder == "fast" else " (expat)") + (
        "" if args.form == "rows" else " (dicts)") + ("" if args.loop == "c" else " (Python loop)")
    figures.add(f"custList fetch+decode wall median{suffix}", med, "ms", target)
    figures.add(f"custList fetch+decode wall best{suffix}", min(walls), "ms", target)
    figures.add(f"custList fetch+decode CPU median{suffix}", statistics.median(cpus), "ms")
    figures.add(f"custList client peak RSS{suffix}", peak, "MB", 300.0)
    figures.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
