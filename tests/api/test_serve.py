"""`lmstv serve`: loopback or a unix socket by default, one log line per request, and a refusal
to listen on the network without --allow-remote."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from bridge.procs import stop_process
from tests.conftest import ROOT

SECRET = "0123456789abcdef0123"


def _ini(tmp_path: Path, lms_db_config) -> Path:
    c = lms_db_config
    path = tmp_path / "lmstv.ini"
    path.write_text(
        "[logowanie]\nlogin = Jan Kowalski;\nhaslo = demo1234;\n"
        "serwer = http://127.0.0.1:9/test/xmlrpc;\n"
        f"[bridge]\nsecret = {SECRET}\ncache_dir = {tmp_path / 'cache'}\n"
        f"audit_log = {tmp_path / 'audit.log'}\n"
        f"[database]\ntype = {c.dialect}\nhost = {c.host}\nport = {c.port or c.default_port}\n"
        f"user = {c.user}\npassword = {c.password}\ndatabase = {c.database}\n")
    return path


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)


def _get(sock_path: str, url: str, headers: dict[str, str]) -> tuple[int, dict]:
    conn = UnixConnection(sock_path)
    try:
        conn.request("GET", url, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_serve_on_a_unix_socket_logs_one_line_per_request(tmp_path: Path, lms_db_config) -> None:
    sock_path = str(tmp_path / "bridge.sock")
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "--config",
                             str(_ini(tmp_path, lms_db_config)), "serve", "--bind",
                             f"unix:{sock_path}"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not Path(sock_path).exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert oct(Path(sock_path).stat().st_mode & 0o777) == "0o660"
        status, body = _get(sock_path, "/api/v1/system/config",
                            {"X-LMSTV-Secret": SECRET, "X-LMSTV-User": "anna"})
        assert status == 200 and body["data"]["sms_login"] == "Jan Kowalski"
        status, body = _get(sock_path, "/api/v1/system/config", {"X-LMSTV-User": "anna"})
        assert status == 401 and body["error"]["code"] == "unauthorized"
    finally:
        stop_process(proc)
    log = proc.stderr.read()
    lines = [ln for ln in log.splitlines() if "/api/v1/system/config" in ln]
    assert len(lines) == 2, log
    assert "user=anna" in lines[0] and "status=200" in lines[0]
    assert SECRET not in log and "demo1234" not in log


def test_serve_refuses_a_network_address(tmp_path: Path, lms_db_config) -> None:
    ini = str(_ini(tmp_path, lms_db_config))
    proc = subprocess.run([sys.executable, "-m", "bridge", "--config", ini, "serve", "--bind",
                           "0.0.0.0:18999"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "not a loopback address" in proc.stderr
