"""Slow clients against the bridge under gunicorn (issue: 16 held connections froze it).

Starts the sandbox and the bridge under gunicorn (2 workers, the shipped configuration), warms
/api/v1/packages, then

1. holds 8 connections that never finish their headers and 8 authenticated POSTs that announce a
   body and never send it, and times /health/live and the warm read while they are held;
2. holds 16 dripping clients (8 in their headers, 8 in their body) that send one byte every
   --drip-every seconds -- inside the per-read timeout, so only the whole-request deadlines
   (LMSTV_HEADER_DEADLINE / LMSTV_BODY_DEADLINE) end them -- times the same two calls while they
   drip, and then how long the bridge let each of them hold a thread.

Target: each answer under 1 s; drippers let go at the deadlines.  No database is needed.
Run: .venv/bin/python bench/bench_slow_clients.py   [--worker gthread] to see the stock worker.
"""

from __future__ import annotations

import argparse
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bridge.procs import free_port, stop_process, wait_for_port  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"
HEAD = {"X-LMSTV-Secret": SECRET, "X-LMSTV-User": "bench"}


def hold(port: int, headers: int, bodies: int) -> list[socket.socket]:
    held = []
    for _ in range(headers):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
        held.append(s)
    for _ in range(bodies):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall((f"POST /api/v1/system/cache/purge HTTP/1.1\r\nHost: x\r\nX-LMSTV-Secret: "
                   f"{SECRET}\r\nX-LMSTV-User: bench\r\nContent-Type: application/json\r\n"
                   "Content-Length: 100\r\n\r\n{").encode())
        held.append(s)
    return held


class Drippers:
    """Clients sending one byte every ``every`` seconds until the bridge answers or closes."""

    def __init__(self, port: int, headers: int, bodies: int, every: float) -> None:
        self.every = every
        self.socks: list[tuple[str, socket.socket]] = []
        for _ in range(headers):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Drip: ")
            self.socks.append(("headers", s))
        for _ in range(bodies):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall((f"POST /api/v1/system/cache/purge HTTP/1.1\r\nHost: x\r\n"
                       f"X-LMSTV-Secret: {SECRET}\r\nX-LMSTV-User: bench\r\nContent-Type: "
                       "application/json\r\nContent-Length: 100000\r\n\r\n{").encode())
            self.socks.append(("body", s))
        self.started = time.monotonic()
        self.released: dict[int, tuple[float, str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set() and len(self.released) < len(self.socks):
            for i, (_, s) in enumerate(self.socks):
                if i in self.released:
                    continue
                try:
                    if select.select([s], [], [], 0)[0]:
                        got = s.recv(100)
                        self.released[i] = (time.monotonic() - self.started,
                                            got.split(b"\r\n", 1)[0].decode() or "closed")
                        continue
                    s.send(b" ")
                except OSError:
                    self.released[i] = (time.monotonic() - self.started, "reset")
            self._stop.wait(self.every)

    def wait(self, limit: float) -> None:
        self._thread.join(limit)
        self._stop.set()

    def report(self) -> list[str]:
        out = []
        for kind in ("headers", "body"):
            idx = [i for i, (k, _) in enumerate(self.socks) if k == kind]
            held = [self.released[i] for i in idx if i in self.released]
            if len(held) < len(idx):
                out.append(f"{kind:7}: {len(idx) - len(held)} of {len(idx)} still held after "
                           f"{time.monotonic() - self.started:.0f} s")
            if held:
                secs = sorted(h[0] for h in held)
                out.append(f"{kind:7}: {len(held)} let go after {secs[0]:.1f}-{secs[-1]:.1f} s "
                           f"({', '.join(sorted({h[1] for h in held}))})")
        return out

    def close(self) -> None:
        self._stop.set()
        for _, s in self.socks:
            s.close()


def timed(url: str, **kw: object) -> str:
    started = time.perf_counter()
    try:
        r = requests.get(url, timeout=30, **kw)  # type: ignore[arg-type]
        return f"{r.status_code} in {time.perf_counter() - started:.3f} s"
    except requests.RequestException as exc:
        return f"no answer after {time.perf_counter() - started:.1f} s ({type(exc).__name__})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", default="", help="gunicorn worker class (default: shipped)")
    ap.add_argument("--drip-every", type=float, default=5.0, metavar="SECONDS",
                    help="seconds between a dripping client's bytes (default 5, half the "
                    "shipped per-read timeout)")
    ap.add_argument("--drip-wait", type=float, default=75.0, metavar="SECONDS",
                    help="how long to wait for the bridge to let the drippers go (default 75)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lmstv-bench-slow-"))
    sb_port, port = free_port(), free_port()
    sandbox = subprocess.Popen([sys.executable, "-m", "bridge", "sandbox", "--port", str(sb_port),
                                "--seed", "demo"], cwd=ROOT, stderr=subprocess.DEVNULL)
    wait_for_port(sb_port, proc=sandbox)
    ini = tmp / "lmstv.ini"
    ini.write_text(f"[logowanie]\nlogin = Jan Kowalski\nhaslo = demo1234\n"
                   f"serwer = http://127.0.0.1:{sb_port}/test/xmlrpc\n"
                   f"[bridge]\nbind = 127.0.0.1:{port}\nsecret = {SECRET}\n"
                   f"cache_dir = {tmp / 'cache'}\naudit_log = {tmp / 'audit.log'}\n"
                   "[database]\ntype = postgres\nhost = 127.0.0.1\nport = 1\nuser = x\n"
                   "database = x\n")
    cmd = [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:bridge.gunicorn_conf"]
    if args.worker:
        cmd += ["--worker-class", args.worker, "--threads", "4"]
    env = dict(os.environ, LMSTV_CONFIG=str(ini), LMSTV_WORKERS="2")
    bridge = subprocess.Popen([*cmd, "bridge.wsgi:app"], cwd=ROOT, env=env,
                              stderr=subprocess.DEVNULL)
    held: list[socket.socket] = []
    try:
        wait_for_port(port, proc=bridge, timeout=60)
        base = f"http://127.0.0.1:{port}"
        print("worker:", args.worker or "shipped (bridge.gunicorn_worker.BridgeThreadWorker)")
        print("warm read before     :", timed(base + "/api/v1/packages", headers=HEAD))
        held = hold(port, 8, 8)
        time.sleep(0.5)
        for i in range(3):
            print(f"/health/live held #{i}:", timed(base + "/health/live"), "(target < 1 s)")
            print(f"warm read   held #{i}:", timed(base + "/api/v1/packages", headers=HEAD),
                  "(target < 1 s)")
        for s in held:
            s.close()
        held = []
        drippers = Drippers(port, 8, 8, args.drip_every)
        try:
            time.sleep(0.5)
            for i in range(3):
                print(f"/health/live drip #{i}:", timed(base + "/health/live"), "(target < 1 s)")
                print(f"warm read   drip #{i}:", timed(base + "/api/v1/packages", headers=HEAD),
                      "(target < 1 s)")
            drippers.wait(args.drip_wait)
            for line in drippers.report():
                print("drippers", line)
        finally:
            drippers.close()
    finally:
        for s in held:
            s.close()
        stop_process(bridge)
        stop_process(sandbox)


if __name__ == "__main__":
    main()
