"""lmstv.sh waits (bounded, saying so) while another apt/dpkg holds the package manager's lock.

The lock is a real fcntl lock, as dpkg takes it, on a file of our own (LMSTV_APT_LOCKS): the
machine's own dpkg lock is never touched.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
import time
from pathlib import Path

from tests.conftest import ROOT


def _wait_for_lock(lock: Path, wait_s: int) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "LMSTV_APT_LOCKS": str(lock), "LMSTV_APT_LOCK_WAIT": str(wait_s)}
    start = time.monotonic()
    proc = subprocess.run(["bash", "-c", "source ./lmstv.sh && wait_for_apt_lock"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    return proc, time.monotonic() - start


def test_waits_for_the_lock_and_goes_on_when_it_is_released(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    with open(lock, "w") as fh:
        fcntl.lockf(fh, fcntl.LOCK_EX)
        threading.Timer(2.0, fcntl.lockf, (fh, fcntl.LOCK_UN)).start()
        proc, took = _wait_for_lock(lock, 30)
    assert proc.returncode == 0, proc.stderr
    assert took >= 1.5
    assert f"waiting up to 30s for {lock} (held by {os.getpid()}" in proc.stderr
    assert "lock is free" in proc.stderr


def test_gives_up_after_the_bound_with_one_line(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    with open(lock, "w") as fh:
        fcntl.lockf(fh, fcntl.LOCK_EX)
        proc, took = _wait_for_lock(lock, 2)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"lmstv.sh: {lock} (held by {os.getpid()}") and "run again" in last
    assert 2 <= took < 20


def test_a_free_lock_is_not_waited_for(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    lock.write_text("")
    proc, took = _wait_for_lock(lock, 30)
    assert proc.returncode == 0 and proc.stderr == "" and took < 5
