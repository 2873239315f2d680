"""`lmstv demo` starts the sandbox, an embedded PostgreSQL with an LMS database and the bridge,
and the bridge's health and customer screens answer with linked data; then it shuts down clean."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.procs import free_port, wait_for_port
from tests.conftest import ROOT
from tests.demo_support import demo_workdir


@pytest.fixture
def workdir() -> Iterator[Path]:
    with demo_workdir() as path:
        yield path


def test_demo_smoke(workdir: Path) -> None:
    port, sb_port = free_port(), free_port()
    proc = subprocess.run(
        [sys.executable, "-m", "bridge", "demo", "--dir", str(workdir), "--port",
         str(port), "--sandbox-port", str(sb_port), "--smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "demo smoke test: OK" in proc.stdout
    meta = json.loads((workdir / "demo.json").read_text())
    assert meta["customers"] >= 100 and meta["tv_tariff_id"] > 0
    # everything it started is gone again
    for p in (port, sb_port):
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{p}/health/live", timeout=2)


def test_demo_serves_linked_customers_until_stopped(workdir: Path) -> None:
    port, sb_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bridge", "demo", "--dir", str(workdir), "--port",
         str(port), "--sandbox-port", str(sb_port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, timeout=240, proc=proc)
        ini = (workdir / "lmstv.ini").read_text()
        secret = next(line.split("=", 1)[1].strip() for line in ini.splitlines()
                      if line.startswith("secret"))
        headers = {"X-LMSTV-Secret": secret, "X-LMSTV-User": "test"}
        deadline = time.monotonic() + 30
        while True:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/customers/1/tv",
                                             headers=headers)
                with urllib.request.urlopen(req, timeout=10) as resp:
                    page = json.load(resp)["data"]
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert page["customer"]["linked"] is True
        assert page["sms_customer"]["cust_external_id"] in (1, "1")
        assert page["errors"] == []
    finally:
        os.kill(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out[-3000:]
    assert "stopping" in out
