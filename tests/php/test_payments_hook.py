"""The lms-payments hook (lmstv_payments_attach in php-shim/lib/lmstv.cli.php): how the exit code
of `lmstv billing attach` is reported to the operator running lms-payments."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parent.parent.parent / "php-shim" / "lib" / "lmstv.cli.php"


def _run_hook(tmp_path: Path, exit_code: int) -> subprocess.CompletedProcess:
    # A stand-in for the lmstv command that only exits with a given code: what is under test is
    # the hook's reading of the documented exit codes, not the billing run itself.
    fake = tmp_path / "lmstv"
    fake.write_text(f"#!/bin/sh\necho \"lmstv $*\"\nexit {exit_code}\n")
    fake.chmod(0o755)
    ini = tmp_path / "lmstv.ini"
    ini.write_text(f"[shim]\nlmstv_command = {fake}\n")
    code = (f"require '{CLI}'; $rc = lmstv_payments_attach('2026/12/01', true); "
            "echo \"rc=$rc\\n\";")
    return subprocess.run(["php", "-r", code], capture_output=True, text=True, timeout=30,
                          env={"LMSTV_CONFIG": str(ini), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("rc,says,not_says", [
    (0, None, "failed"),
    (3, "TV lines were added; some events need attention", "failed"),
    (1, "failed with exit code 1; TV lines were not added", "were added"),
    (75, "failed with exit code 75", "were added"),
])
def test_exit_codes_are_reported_as_documented(tmp_path, rc, says, not_says):
    out = _run_hook(tmp_path, rc)
    assert f"rc={rc}" in out.stdout
    assert "billing attach --fakedate 2026/12/01 --quiet" in out.stdout
    if says:
        assert says in out.stderr
    else:
        assert out.stderr == ""
    assert not_says not in out.stderr
