"""A newcomer's first commands on a clone that is not next to ``../shared`` and has no LMS_DIR.

The repository is copied into a temporary directory (so ``../shared`` is not beside it) and run
with this checkout's virtualenv: the tests must stop at once with one line that says what to set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

_COPIED = ("bridge", "tests", "sql", "lmstv.sh", "setup.cfg", "setup.py", "pyproject.toml")


def _clone_elsewhere(tmp_path: Path) -> Path:
    dest = tmp_path / "lmstv"
    dest.mkdir()
    for name in _COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def _env_without_lms() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LMS_DIR"}
    # This checkout's virtualenv (sys.prefix, not the resolved interpreter, which is the base
    # Python): lmstv.sh must not install anything anywhere.
    assert sys.prefix != sys.base_prefix, "run the tests from the project's virtualenv"
    env["LMSTV_VENV"] = sys.prefix
    return env


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    if any(Path(p, n).is_file() for p in ("/usr/share/lms/doc", "/var/www/lms/doc")
           for n in ("lms.pgsql",)):
        pytest.fail("this machine has an LMS installed system-wide; the test needs one without")
    return _clone_elsewhere(tmp_path)


def test_lmstv_sh_test_stops_with_one_line_when_no_lms_schema(clone: Path) -> None:
    proc = subprocess.run(["./lmstv.sh", "test"], cwd=clone, env=_env_without_lms(),
                          capture_output=True, text=True, timeout=120)
    said = (proc.stdout + proc.stderr).splitlines()
    lines = [ln for ln in said if not ln.startswith("==>")]
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    # the schema is looked for before the virtualenv is touched (here: this checkout's)
    assert not [ln for ln in said if "install" in ln or "creating" in ln], said
    assert len(lines) == 1, lines[:20]
    assert "set LMS_DIR" in lines[0] and "lms.pgsql" in lines[0]
    assert "is invalid" not in lines[0]


def test_pytest_stops_with_one_line_when_no_lms_schema(clone: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/lms/test_lms_customers.py"], cwd=clone,
                          env=_env_without_lms(), capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]
    assert "Traceback" not in out and out.count("set LMS_DIR") == 1, out[-3000:]
    assert len(out.splitlines()) < 10, out[-3000:]


def test_wrong_lms_dir_names_the_directory(clone: Path, tmp_path: Path) -> None:
    env = {**_env_without_lms(), "LMS_DIR": str(tmp_path / "nolms")}
    proc = subprocess.run([sys.executable, "-c", "from bridge.config import find_lms_schema; "
                           "find_lms_schema('mysql')"], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=60)
    last = proc.stderr.strip().splitlines()[-1]
    assert f"LMS_DIR={tmp_path / 'nolms'} has no doc/lms.mysql" in last, proc.stderr
