"""A work directory for `lmstv demo` runs in the tests.

Not under pytest's tmp_path: as root, pgserver runs PostgreSQL as its own user, which must
traverse every parent of the data directory; pytest resets /tmp/pytest-of-<user> to 0700 whenever
any pytest session starts on the machine, which made the embedded server fail to start at random.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def demo_workdir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="lmstv-demo-test-"))
    try:
        yield base / "demo"
    finally:
        shutil.rmtree(base, ignore_errors=True)
