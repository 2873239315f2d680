"""Runs the PHPUnit tests of LMSTV.class.php (tests/php/*Test.php) on each database engine, so a
plain pytest run covers them too (lmstv.sh also runs phpunit directly, on PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_phpunit_client_tests(engine: str) -> None:
    # ./lmstv.sh test installs Debian's phpunit; a missing one is a failure, not a skip.
    assert shutil.which("phpunit"), "phpunit is not installed (apt-get install phpunit)"
    env = {**os.environ, "LMSTV_PYTHON": sys.executable, "LMSTV_PHP_DIALECT": engine}
    out = subprocess.run(["phpunit", "--colors=never", "tests/php"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "OK (" in out.stdout and "Tests: 0" not in out.stdout
