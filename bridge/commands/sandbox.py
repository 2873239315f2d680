"""``lmstv sandbox``: run the local SMS simulator (see docs/sandbox.md)."""

from __future__ import annotations

import argparse
import hashlib
import logging
import signal
import threading
from pathlib import Path

log = logging.getLogger("lmstv.sandbox")
DEFAULT_LOGIN = "Jan Kowalski"
DEFAULT_PASSWORD = "demo1234"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sandbox", help="run the local SGT SMS simulator (XML-RPC)",
        description="Stateful SGT SMS simulator serving XML-RPC at /sms/xmlrpc and "
                    "/test/xmlrpc, with sandbox.* control methods for tests and demos.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default "
                   "127.0.0.1)")
    p.add_argument("--port", type=int, default=8899, help="port (default 8899, as in "
                   "lmstv.ini.example)")
    p.add_argument("--state", metavar="FILE", type=Path, help="keep state in this JSON file "
                   "(loaded at start if present, saved after changes and at exit)")
    p.add_argument("--seed", choices=("demo", "empty"), default="demo",
                   help="data to start with when there is no state file (default demo)")
    p.add_argument("--latency-ms", type=int, default=0, metavar="N",
                   help="delay every SGT API call by N ms")
    p.add_argument("--login", default=DEFAULT_LOGIN, help="SMS user name to accept")
    p.add_argument("--password", default=DEFAULT_PASSWORD,
                   help="SMS password to accept (callers send its MD5)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bridge.sandbox.server import Sandbox, build, make_server

    if not 0 <= args.latency_ms <= 60_000:
        log.error("--latency-ms must be between 0 and 60000; use e.g. --latency-ms 200")
        return 2
    if args.state is not None and not args.state.parent.is_dir():
        log.error("--state %s: directory %s does not exist; create it or choose another path",
                  args.state, args.state.parent)
        return 2
    try:
        state, controls, saver = build(args.state, args.seed)
    except (OSError, ValueError, KeyError) as exc:
        log.error("cannot load sandbox state from %s: %s; fix or remove that file (or use "
                  "another --state)", args.state, exc)
        return 1
    controls.latency_ms = args.latency_ms
    md5 = hashlib.md5(args.password.encode()).hexdigest()
    sandbox = Sandbox(state, controls, args.login, md5, saver)
    sandbox.start_prerendering()
    try:
        server = make_server(sandbox, args.host, args.port)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s; choose another --port or stop what listens there",
                  args.host, args.port, exc)
        if saver is not None:
            saver.stop()
        return 1

    def stop(signum: int, frame: object) -> None:
        sandbox.stopping.set()
        # shutdown() waits for serve_forever() to return, so it must not run on its thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("SMS sandbox on http://%s:%s/test/xmlrpc (and /sms/xmlrpc), login %r, seed %s, "
             "today %s", args.host, server.server_address[1], args.login, args.seed,
             state.today().isoformat())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if saver is not None:
            saver.stop()
        log.info("SMS sandbox stopped")
    return 0
