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


def _drip_until_answered(socks: dict[str, object], every: float, limit: float) -> dict:
    """Send each connection one byte every ``every`` seconds (always well inside the per-read
    timeout) until the server answers or closes it; returns name -> (seconds, first bytes)."""
    import select
    import time

    started = time.monotonic()
    done: dict[str, tuple[float, bytes]] = {}
    while len(done) < len(socks) and time.monotonic() - started < limit:
        for name, s in socks.items():
            if name in done:
                continue
            ready, _, _ = select.select([s], [], [], 0)
            try:
                if ready:
                    done[name] = (time.monotonic() - started, s.recv(200))  # type: ignore
                    continue
                s.send(b" ")  # type: ignore[attr-defined]
            except OSError:
                done[name] = (time.monotonic() - started, b"")
        time.sleep(every)
    return done


def test_a_client_dripping_bytes_is_cut_off_at_the_request_deadlines(tmp_path: Path) -> None:
    """Per-read timeouts alone let a client that sends a byte just before each timeout hold a
    thread for ever; the whole headers and the whole body have deadlines."""
    import socket

    from bridge.config import DatabaseConfig

    port = free_port()
    nowhere = DatabaseConfig(dialect="postgres", host="127.0.0.1", port=1, user="x",
                             database="x")
    ini = _ini(tmp_path, f"127.0.0.1:{port}", nowhere)
    proc = subprocess.Popen([GUNICORN, "-c", "python:bridge.gunicorn_conf", "bridge.wsgi:app"],
                            cwd=ROOT, env={"LMSTV_CONFIG": str(ini), "PATH": "/usr/bin:/bin",
                                           "LMSTV_WORKERS": "1", "LMSTV_CLIENT_TIMEOUT": "2",
                                           "LMSTV_HEADER_DEADLINE": "3",
                                           "LMSTV_BODY_DEADLINE": "3"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socks: dict[str, socket.socket] = {}
    try:
        wait_for_port(port, timeout=60, proc=proc)
        socks["headers"] = socket.create_connection(("127.0.0.1", port))
        socks["headers"].sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Drip: ")
        socks["body"] = socket.create_connection(("127.0.0.1", port))
        socks["body"].sendall(("POST /api/v1/system/cache/purge HTTP/1.1\r\nHost: x\r\n"
                               + SECRET_HEADERS + "Content-Type: application/json\r\n"
                               "Content-Length: 1000\r\n\r\n{").encode())
        done = _drip_until_answered(socks, every=0.5, limit=20)
        assert set(done) == {"headers", "body"}, f"still held after 20 s: {done}"
        # cut off at the deadline (3 s), not at the end of the drip (never)
        assert done["headers"][1] == b"" and done["headers"][0] < 12, done
        assert done["body"][1].startswith(b"HTTP/1.1 408") and done["body"][0] < 12, done
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=10) as r:
            assert r.status == 200
    finally:
        for s in socks.values():
            s.close()
        stop_process(proc)


def test_bad_deadline_settings_stop_the_bridge_with_the_fix(tmp_path: Path) -> None:
    from bridge.config import DatabaseConfig

    ini = _ini(tmp_path, f"127.0.0.1:{free_port()}", DatabaseConfig(dialect="postgres"))
    proc = subprocess.run([GUNICORN, "-c", "python:bridge.gunicorn_conf", "bridge.wsgi:app"],
                          cwd=ROOT, env={"LMSTV_CONFIG": str(ini), "PATH": "/usr/bin:/bin",
                                         "LMSTV_HEADER_DEADLINE": "soon"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "LMSTV_HEADER_DEADLINE='soon' is not a number of seconds" in proc.stderr
