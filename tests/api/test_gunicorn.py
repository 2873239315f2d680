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
