"""A throw-away lmstv stack for the PHPUnit tests: a fresh LMS 1.11.17 database (LMS's own schema,
migrated), a real `lmstv sandbox` and a real `lmstv serve`, each on a free loopback port.

    python tests/php/stack.py [--dialect postgres|mysql]

Prints one JSON line (bridge_url, sandbox_url, secret, config, dialect, database, customers) once
everything answers, then serves one JSON request per stdin line so PHP tests can arrange state
without speaking XML-RPC or SQL themselves:

    {"op": "control", "method": "sandbox.setToday", "args": ["2025-01-10"]}
    {"op": "add_customer", "fields": {"lastname": "Nowak"}}
    {"op": "query", "sql": "SELECT count(*) FROM tv_billing_event", "args": []}
    {"op": "reset"}   (empty sandbox, no LMS customer linked, no billing events, clock 2025-01-10)

and answers {"ok": true, "result": ...} or {"ok": false, "error": "..."}. When stdin closes (the
PHP process ended) or on SIGTERM everything stops and the database is dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import xmlrpc.client
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bridge.config import DatabaseConfig  # noqa: E402
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from bridge.lms.migrate import apply_pending  # noqa: E402
from bridge.procs import free_port, stop_process, wait_for_port  # noqa: E402
from tests.support import add_lms_customer, lmstv_ini, server_config, unique_name  # noqa: E402

SECRET = "phpunit-stack-secret-0123456789abcdef"


def add_customer(cfg: DatabaseConfig, fields: dict[str, Any]) -> int:
    db = connect(cfg)
    try:
        return add_lms_customer(db, **fields)
    finally:
        db.close()


def query(cfg: DatabaseConfig, sql: str, args: list[Any]) -> list[list[Any]]:
    if not sql.lstrip().upper().startswith("SELECT"):
        raise ValueError("only SELECT is served")
    db = connect(cfg)
    try:
        return [[v if isinstance(v, (int, float, str, type(None))) else str(v)
                 for v in (row.values() if isinstance(row, dict) else row)]
                for row in db.query(sql, args)]
    finally:
        db.close()


def reset(cfg: DatabaseConfig, control: xmlrpc.client.ServerProxy) -> None:
    # The sandbox hands out the same numbers again after a reset, so LMS must forget its links.
    control.sandbox.reset("empty")
    control.sandbox.setLatency(0)
    control.sandbox.setToday("2025-01-10")
    db = connect(cfg)
    try:
        with db.transaction():
            db.execute("UPDATE customers SET tv_cust_number = NULL, tv_suspend_billing = 0")
            db.execute("DELETE FROM tv_billing_event")
    finally:
        db.close()


def serve_requests(cfg: DatabaseConfig, sandbox_url: str) -> None:
    control = xmlrpc.client.ServerProxy(sandbox_url, allow_none=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "control":
                if not str(req["method"]).startswith("sandbox."):
                    raise ValueError("only sandbox.* control methods are served")
                result = getattr(control, req["method"])(*req.get("args", []))
            elif op == "reset":
                result = reset(cfg, control)
            elif op == "add_customer":
                result = add_customer(cfg, req.get("fields", {}))
            elif op == "query":
                result = query(cfg, req["sql"], req.get("args", []))
            else:
                raise ValueError(f"unknown op {op!r}")
            answer: dict[str, Any] = {"ok": True, "result": result}
        except Exception as exc:  # every failure goes back to the PHP test as text
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer, default=str), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dialect", choices=("postgres", "mysql"),
                    default=os.environ.get("LMSTV_PHP_DIALECT", "postgres"))
    args = ap.parse_args()
    # SIGTERM takes the same orderly way out as a closed stdin.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(0)))

    cfg = server_config(args.dialect, unique_name("lmstv_php"))
    procs: list[subprocess.Popen] = []
    created = False
    with tempfile.TemporaryDirectory(prefix="lmstv-php-") as tmp:
        work = Path(tmp)
        try:
            create_database(cfg)
            created = True
            load_lms_schema(cfg)
            db = connect(cfg)
            try:
                apply_pending(db)
            finally:
                db.close()
            sb_port, br_port = free_port(), free_port()
            sandbox = subprocess.Popen(
                [sys.executable, "-m", "bridge", "sandbox", "--host", "127.0.0.1", "--port",
                 str(sb_port), "--seed", "empty"], cwd=ROOT, stdout=subprocess.DEVNULL,
                stderr=open(work / "sandbox.log", "w"))
            procs.append(sandbox)
            sandbox_url = f"http://127.0.0.1:{sb_port}/test/xmlrpc"
            ini = work / "lmstv.ini"
            ini.write_text(lmstv_ini(work, cfg, sandbox_url=sandbox_url, secret=SECRET,
                                     bridge_port=br_port, http_timeout=5, long_timeout=10,
                                     shim_timeout=10))
            bridge = subprocess.Popen(
                [sys.executable, "-m", "bridge", "--config", str(ini), "serve"], cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=open(work / "bridge.log", "w"))
            procs.append(bridge)
            wait_for_port(sb_port, proc=sandbox)
            wait_for_port(br_port, proc=bridge)
            print(json.dumps({
                "bridge_url": f"http://127.0.0.1:{br_port}", "sandbox_url": sandbox_url,
                "secret": SECRET, "config": str(ini), "dialect": cfg.dialect,
                "database": cfg.database, "python": sys.executable,
                "free_port": free_port(),
            }), flush=True)
            serve_requests(replace(cfg), sandbox_url)
        except SystemExit:
            pass
        finally:
            for proc in reversed(procs):
                stop_process(proc)
            if created:
                drop_database(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
