"""``lmstv demo``: everything on embedded defaults, for a first look without LMS or SGT access.

Starts the SMS sandbox (seed "demo"), an embedded PostgreSQL (pgserver) holding an LMS 1.11.17
database filled to match the sandbox's customers, migrates it for lmstv, and runs the bridge.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="start sandbox + embedded LMS database + bridge for a trial",
                       description=__doc__)
    p.add_argument("--dir", default=".demo", help="working directory for the demo's state "
                   "(default: .demo)")
    p.add_argument("--port", type=int, default=8765, help="bridge port (default 8765)")
    p.add_argument("--sandbox-port", type=int, default=8899, help="sandbox port (default 8899)")
    p.add_argument("--fresh", action="store_true", help="throw away earlier demo data first")
    p.add_argument("--smoke", action="store_true", help="start, check the bridge answers, "
                   "then stop (used by the tests)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bridge.demo.runner import DemoError, run_demo

    def _term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    try:
        return run_demo(Path(args.dir).resolve(), bridge_port=args.port,
                        sandbox_port=args.sandbox_port, fresh=args.fresh, smoke=args.smoke,
                        out=sys.stdout)
    except DemoError as exc:
        print(f"lmstv demo: {exc}", file=sys.stderr)
        return 1

