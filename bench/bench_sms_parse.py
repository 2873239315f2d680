#!/usr/bin/env python3
"""Benchmark: parse a 100k-event billingEventsGet reply (~94 MB) through SmsClient.

A local HTTP server streams a generated reply from a temporary file (so the server holds only
one chunk at a time); the client fetches and parses it with its normal code path.  Prints the
time and the process's peak RSS next to the targets of the billing import (import of 100k
events <= 20 s overall, peak <= 400 MB).  Numbers, not assertions: run it on the target box.

    .venv/bin/python bench/bench_sms_parse.py [--events 100000] [--decoder fast|full]

``--decoder full`` forces the hardened expat path the fast decoder falls back to (the figures
before the fast decoder); each run is its own process, so peak RSS is that decoder's own.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bridge.sms import SmsClient  # noqa: E402

TARGET_SECONDS = 20.0
TARGET_PEAK_MB = 400.0

EVENT = """<value><struct>
<member>
<name>id</name>
<value><int>{id}</int></value>
</member>
<member>
<name>cust_external_id</name>
<value><string>{ext}</string></value>
</member>
<member>
<name>cust_number</name>
<value><string>{num}</string></value>
</member>
<member>
<name>account_id</name>
<value><int>{acc}</int></value>
</member>
<member>
<name>package_id</name>
<value><int>{pkg}</int></value>
</member>
<member>
<name>be_selling_date</name>
<value><string>2024-01-{day:02d}</string></value>
</member>
<member>
<name>be_desc</name>
<value><string>{desc}</string></value>
</member>
<member>
<name>be_vat</name>
<value><double>0.23</double></value>
</member>
<member>
<name>be_gross</name>
<value><string>{gross}</string></value>
</member>
<member>
<name>be_b2b_netto</name>
<value><string>{net}</string></value>
</member>
<member>
<name>group_id</name>
<value><int>{group}</int></value>
</member>
</struct></value>
"""

PACKAGES = ["Pakiet Podstawowy", "Pakiet Komfort", "Pakiet Złoty", "HBO", "Canal+ Prestige"]


def write_reply(path: Path, events: int) -> int:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"
                 "<value><array><data>\n")
        for i in range(1, events + 1):
            cust = i % 3000 + 1
            fh.write(EVENT.format(id=1_000_000 + i, ext=cust, num=f"673{cust:06d}",
                                  acc=40000 + cust, pkg=i % 5 + 1, day=i % 28 + 1,
                                  desc=f"Abonament JAMBOX {PACKAGES[i % 5]} - opłata za okres "
                                       f"2024-01-01 - 2024-01-31 ({i})",
                                  gross=f"{19.9 + i % 50:.2f}",
                                  net=f"{9.5 + i % 30:.2f}", group=202401))
        fh.write("</data></array></value>\n</param>\n</params>\n</methodResponse>\n")
    return path.stat().st_size


def serve_file(path: Path) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(path.stat().st_size))
            self.end_headers()
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 16):
                    self.wfile.write(chunk)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--decoder", choices=("fast", "full"), default="fast")
    args = parser.parse_args()
    if args.decoder == "full":
        import functools

        from bridge.sms import transport

        transport.ReplyDecoder = functools.partial(  # type: ignore[misc]
            transport.ReplyDecoder, fast=False)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "billing.xml"
        t0 = time.perf_counter()
        size = write_reply(path, args.events)
        print(f"generated {args.events} events, {size / 1e6:.1f} MB of XML-RPC "
              f"in {time.perf_counter() - t0:.1f} s")
        httpd = serve_file(path)
        client = SmsClient(f"http://127.0.0.1:{httpd.server_port}/sms/xmlrpc", "bench",
                           hashlib.md5(b"bench").hexdigest(), long_timeout=300)
        before = peak_mb()
        t0 = time.perf_counter()
        events = client.billingEventsGet("2024-01-01", "2024-01-31")
        seconds = time.perf_counter() - t0
        peak = peak_mb()
        client.close()
        httpd.shutdown()
        httpd.server_close()
    assert len(events) == args.events and events[-1]["id"] == 1_000_000 + args.events
    ok_t = "ok" if seconds <= TARGET_SECONDS else "OVER"
    ok_m = "ok" if peak <= TARGET_PEAK_MB else "OVER"
    print(f"decoder: {args.decoder}")
    print(f"billingEventsGet fetch+parse: {seconds:6.2f} s   (target: whole import "
          f"<= {TARGET_SECONDS:g} s) {ok_t}")
    print(f"peak RSS:                     {peak:6.0f} MB  (target <= {TARGET_PEAK_MB:g} MB; "
          f"{before:.0f} MB before the call) {ok_m}")
    print(f"pid {os.getpid()}, {len(events)} events decoded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
