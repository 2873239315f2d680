"""The shipped gunicorn configuration: the bridge runs under gunicorn from lmstv.ini, answers on
loopback, and refuses a network-facing bind unless explicitly allowed."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

from bridge.procs import free_port, stop_process, wait_for_port
from tests.conftest import ROOT

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _ini(tmp_path: Path, bind: str, db_config) -> Path:
    path = tmp_path / "lmstv.ini"
    path.write_text(
        "[logowanie]\nlogin = Jan Kowalski;\nhaslo = demo1234;\n"
        "serwer = http://127.0.0.1:9/test/xmlrpc;\n"
        f"[bridge]\nbind = {bind}\nsecret = 0123456789abcdef0123\n"
        f"cache_dir = {tmp_path / 'cache'}\naudit_log = {tmp_path / 'audit.log'}\n"
        f"[database]\ntype = {db_config.dialect}\nhost = {db_config.host}\n"
        f"port = {db_config.port or db_config.default_port}\nuser = {db_config.user}\n"
        f"password = {db_config.password}\ndatabase = {db_config.database}\n")
    return path


def test_gunicorn_serves_the_bridge(tmp_path: Path, lms_db_config) -> None:
    port = free_port()
    ini = _ini(tmp_path, f"127.0.0.1:{port}", lms_db_config)
    proc = subprocess.Popen([GUNICORN, "-c", "python:bridge.gunicorn_conf", "bridge.wsgi:app"],
                            cwd=ROOT, env={"LMSTV_CONFIG": str(ini), "PATH": "/usr/bin:/bin",
                                           "LMSTV_WORKERS": "2"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, timeout=60, proc=proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=10) as r:
            assert r.status == 200
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/system/config",
                                     headers={"X-LMSTV-Secret": "0123456789abcdef0123",
                                              "X-LMSTV-User": "t"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert b"demo1234" not in r.read()
    finally:
        stop_process(proc)


def test_gunicorn_refuses_a_network_bind(tmp_path: Path, lms_db_config) -> None:
    ini = _ini(tmp_path, f"0.0.0.0:{free_port()}", lms_db_config)
    proc = subprocess.run([GUNICORN, "-c", "python:bridge.gunicorn_conf", "bridge.wsgi:app"],
                          cwd=ROOT, env={"LMSTV_CONFIG": str(ini), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "not a loopback address" in proc.stderr


SECRET_HEADERS = "X-LMSTV-Secret: 0123456789abcdef0123\r\nX-LMSTV-User: t\r\n"


def hold_slow_connections(port: int, stalled_headers: int, stalled_bodies: int) -> list:
    """Connections that never finish their headers, and authenticated POSTs announcing a body
    they never send (what froze the stock gthread worker)."""
    import socket

    held = []
    for _ in range(stalled_headers):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")  # no blank line, ever
        held.append(s)
    for _ in range(stalled_bodies):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(("POST /api/v1/system/cache/purge HTTP/1.1\r\nHost: x\r\n" + SECRET_HEADERS +
                   "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").encode())
        held.append(s)
    return held


def test_slow_clients_do_not_freeze_the_bridge(tmp_path: Path, sandbox) -> None:
    import time

    from bridge.config import DatabaseConfig

    port = free_port()
    nowhere = DatabaseConfig(dialect="postgres", host="127.0.0.1", port=1, user="x",
                             database="x")
    ini = _ini(tmp_path, f"127.0.0.1:{port}", nowhere)
    ini.write_text(ini.read_text().replace("http://127.0.0.1:9/test/xmlrpc", sandbox.url))
    proc = subprocess.Popen([GUNICORN, "-c", "python:bridge.gunicorn_conf", "bridge.wsgi:app"],
                            cwd=ROOT, env={"LMSTV_CONFIG": str(ini), "PATH": "/usr/bin:/bin",
                                           "LMSTV_WORKERS": "2", "LMSTV_CLIENT_TIMEOUT": "2"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    held: list = []
    try:
        wait_for_port(port, timeout=60, proc=proc)
        read = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/packages",
                                      headers={"X-LMSTV-Secret": "0123456789abcdef0123",
                                               "X-LMSTV-User": "t"})
        with urllib.request.urlopen(read, timeout=10) as r:  # warm the cache
            assert r.status == 200
        held = hold_slow_connections(port, 8, 8)
        time.sleep(0.5)  # let the workers pick them up
        # Liveness check, not a timing claim: with the stock worker these never answered
        # while the connections were held (bench/bench_slow_clients.py measures the time).
        for _ in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live",
                                        timeout=5) as r:
                assert r.status == 200
            with urllib.request.urlopen(read, timeout=5) as r:
                assert r.status == 200
        # After LMSTV_CLIENT_TIMEOUT the stalled ones are let go: a body never sent is a 408,
        # headers never finished are closed; their threads are free again.
        for s in held:
            s.settimeout(10)
        answers = [s.recv(200) for s in held]
        assert [a for a in answers[:8] if a] == []
        assert all(a.startswith(b"HTTP/1.1 408") for a in answers[8:]), answers[8:]
    finally:
        for s in held:
            s.close()
        stop_process(proc)
