"""`lmstv demo` started again after a run that stopped half-way, and after a clean stop.

Every test starts from the state a finished first run leaves (LMS database built, everything
stopped).  One first run per module: before each test its small state files (demo.json,
sandbox.json, secret, lmstv.ini) are put back as that run wrote them; pgdata is shared, as
every test leaves it stopped with a complete LMS database (reused, or rebuilt alike by
`_build_lms`).  Each test thus pays for one demo start instead of two, without copying the
51 MB pgdata."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.procs import free_port
from tests.conftest import ROOT
from tests.demo_support import demo_workdir


def _smoke(workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bridge", "demo", "--dir", str(workdir), "--port",
         str(free_port()), "--sandbox-port", str(free_port()), "--smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=240)


STATE_FILES = ("demo.json", "sandbox.json", "secret", "lmstv.ini")


@pytest.fixture(scope="module")
def first_run() -> Iterator[tuple[Path, dict[str, tuple[bytes, int]]]]:
    """The module's work directory after one finished `lmstv demo --smoke` from nothing, and
    its state files as that run left them (content, mode)."""
    with demo_workdir() as path:
        first = _smoke(path)
        assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
        yield path, {name: ((path / name).read_bytes(), (path / name).stat().st_mode)
                     for name in STATE_FILES}


@pytest.fixture
def workdir(first_run: tuple[Path, dict[str, tuple[bytes, int]]]) -> Path:
    path, state = first_run
    assert not (path / "pgdata" / "postmaster.pid").exists()  # the last run stopped PostgreSQL
    for name, (content, mode) in state.items():
        (path / name).unlink(missing_ok=True)
        (path / name).write_bytes(content)
        (path / name).chmod(mode)
    return path


def test_demo_rebuilds_a_half_built_lms_database(workdir: Path) -> None:
    # A run that stopped between creating the database and recording it leaves exactly this:
    # the database in pgdata, no demo.json.
    (workdir / "demo.json").unlink()
    again = _smoke(workdir)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert "Traceback" not in again.stderr and "demo smoke test: OK" in again.stdout
    assert "creating the LMS 1.11.17 database" in again.stdout  # rebuilt, not reused
    assert (workdir / "demo.json").is_file()


def test_demo_keeps_its_secret_across_restarts(workdir: Path) -> None:
    def secret() -> str:
        ini = (workdir / "lmstv.ini").read_text()
        return next(line.split("=", 1)[1].strip() for line in ini.splitlines()
                    if line.startswith("secret"))

    secrets = [secret()]  # the first run's (the module's, copied)
    run = _smoke(workdir)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    secrets.append(secret())
    assert secrets[0] == secrets[1] and len(secrets[0]) >= 16
    assert secrets[0] in run.stdout  # the banner's curl lines carry the kept secret
    assert (workdir / "secret").stat().st_mode & 0o077 == 0


def test_demo_rebuilds_when_its_record_is_half_written(workdir: Path) -> None:
    (workdir / "demo.json").write_text('{"division_id": 1, "numberp')  # killed mid-write
    again = _smoke(workdir)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert "Traceback" not in again.stderr and "demo smoke test: OK" in again.stdout


def test_damaged_sandbox_state_says_use_fresh(workdir: Path) -> None:
    (workdir / "sandbox.json").write_text('{"custo')  # killed mid-write
    again = _smoke(workdir)
    assert again.returncode == 1
    last = again.stderr.strip().splitlines()[-1]
    assert last.startswith("lmstv demo: ") and last.endswith("start over with --fresh"), last
    assert "Traceback" not in again.stderr
