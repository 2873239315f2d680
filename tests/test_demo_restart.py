"""`lmstv demo` started again after a run that stopped half-way, and after a clean stop."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.procs import free_port
from tests.conftest import ROOT
from tests.demo_support import demo_workdir


@pytest.fixture
def workdir() -> Iterator[Path]:
    with demo_workdir() as path:
        yield path


def _smoke(workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bridge", "demo", "--dir", str(workdir), "--port",
         str(free_port()), "--sandbox-port", str(free_port()), "--smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=240)


def test_demo_rebuilds_a_half_built_lms_database(workdir: Path) -> None:
    first = _smoke(workdir)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    # A run that stopped between creating the database and recording it leaves exactly this:
    # the database in pgdata, no demo.json.
    (workdir / "demo.json").unlink()
    again = _smoke(workdir)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert "Traceback" not in again.stderr and "demo smoke test: OK" in again.stdout
    assert (workdir / "demo.json").is_file()


def test_demo_keeps_its_secret_across_restarts(workdir: Path) -> None:
    secrets = []
    for _ in range(2):
        run = _smoke(workdir)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
        ini = (workdir / "lmstv.ini").read_text()
        secrets.append(next(line.split("=", 1)[1].strip() for line in ini.splitlines()
                            if line.startswith("secret")))
    assert secrets[0] == secrets[1] and len(secrets[0]) >= 16
    assert secrets[0] in run.stdout  # the banner's curl lines carry the kept secret
    assert (workdir / "secret").stat().st_mode & 0o077 == 0


def test_demo_rebuilds_when_its_record_is_half_written(workdir: Path) -> None:
    first = _smoke(workdir)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    (workdir / "demo.json").write_text('{"division_id": 1, "numberp')  # killed mid-write
    again = _smoke(workdir)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert "Traceback" not in again.stderr and "demo smoke test: OK" in again.stdout


def test_damaged_sandbox_state_says_use_fresh(workdir: Path) -> None:
    first = _smoke(workdir)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    (workdir / "sandbox.json").write_text('{"custo')  # killed mid-write
    again = _smoke(workdir)
    assert again.returncode == 1
    last = again.stderr.strip().splitlines()[-1]
    assert last.startswith("lmstv demo: ") and last.endswith("start over with --fresh"), last
    assert "Traceback" not in again.stderr
