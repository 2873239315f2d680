"""``--state FILE``: load at start, save atomically (temp file + rename) shortly after changes."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import TextIO

from bridge.sandbox.state import SmsState

log = logging.getLogger("lmstv.sandbox")
SAVE_DELAY = 0.5  # seconds of quiet before a save, so bulk changes are written once


def load(state: SmsState, path: Path) -> bool:
    """Fill ``state`` from ``path``; False if the file does not exist yet."""
    if not path.exists():
        return False
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    with state.lock:
        state.restore(data)
    return True


_CHUNK = 2000  # list items encoded at a time


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_json(snapshot: dict, f: TextIO) -> None:
    """``json.dump(snapshot, f)`` (compact, UTF-8), in C: ``json.dump`` itself always encodes
    with the pure-Python encoder, which made saving a quarter of a test sandbox's CPU. The
    top-level lists go out in slices, so the whole document is never one string in memory."""
    f.write("{")
    for n, (key, value) in enumerate(snapshot.items()):
        f.write(("," if n else "") + _dumps(key) + ":")
        if not isinstance(value, list):
            f.write(_dumps(value))
            continue
        f.write("[")
        for start in range(0, len(value), _CHUNK):
            f.write(("," if start else "") + _dumps(value[start:start + _CHUNK])[1:-1])
        f.write("]")
    f.write("}")


def save(state: SmsState, path: Path) -> int:
    """Write the state atomically; returns the version written."""
    with state.lock:
        version = state.version
        snapshot = state.snapshot()
    fd, tmp = tempfile.mkstemp(prefix=".sandbox-", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            write_json(snapshot, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return version


class Saver:
    """Background thread that saves a little after each burst of mutations, and at stop()."""

    def __init__(self, state: SmsState, path: Path) -> None:
        self.state, self.path = state, path
        self.saved_version = state.version
        self.wake = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="sandbox-saver", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def notify(self) -> None:
        self.wake.set()

    def _run(self) -> None:
        while not self.stopping:
            self.wake.wait()
            self.wake.clear()
            # Let a burst of calls finish so it is written once.
            while not self.stopping and self.wake.wait(SAVE_DELAY):
                self.wake.clear()
            self.save_if_changed()

    def save_if_changed(self) -> None:
        if self.state.version == self.saved_version:
            return
        try:
            self.saved_version = save(self.state, self.path)
        except OSError as exc:
            log.error("cannot save sandbox state to %s: %s", self.path, exc)

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=30)
        self.save_if_changed()
