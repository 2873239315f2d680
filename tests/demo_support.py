"""A work directory for `lmstv demo` runs in the tests.

Not under pytest's tmp_path: as root, pgserver runs PostgreSQL as its own user, which must
traverse every parent of the data directory; pytest resets /tmp/pytest-of-<user> to 0700 whenever
any pytest session starts on the machine, which made the embedded server fail to start at random.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def demo_workdir() -> Iterator[Path]:
    # The demo, its work directory and every process it starts stay off tmpfs even when
    # `lmstv.sh test` has put TMPDIR there: in both full runs with TMPDIR=/dev/shm the two tests
    # that stop a running demo with SIGINT waited over 60 s for it to end (with the work
    # directory on /dev/shm, then on disk), which no run before did. Alone, or the two side by
    # side, they pass in seconds; the cause is not known.
    disk = os.environ.get("LMSTV_DISK_TMPDIR") or None
    saved = os.environ.get("TMPDIR")
    base = Path(tempfile.mkdtemp(prefix="lmstv-demo-test-", dir=disk))
    if disk:
        os.environ["TMPDIR"] = disk   # inherited by the demo the test starts
    try:
        yield base / "demo"
    finally:
        if disk:
            if saved is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = saved
        shutil.rmtree(base, ignore_errors=True)
