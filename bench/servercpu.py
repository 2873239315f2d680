"""The database server's CPU time spent on a benchmark's run, read from /proc.

Client CPU (the lmstv child's user + system time) leaves out what the server does for it:
parsing, planning, index maintenance, commits.  This module samples it while a run goes on:

- PostgreSQL: every backend connected to the bench's database (``pg_stat_activity``), its
  ``/proc/<pid>/stat`` utime + stime, the last value seen before it went away (sampled every
  0.1 s, so a backend that works less than that before exiting is under-counted by up to that).
- MariaDB/MySQL: the whole ``mariadbd`` process's CPU (performance_schema, which maps
  connections to OS threads, is off on Debian's default), so background work (purge, page
  cleaner, log writer) is included -- and so is any other client's work on the same server
  at the same time: read it next to the load average.

The server must run on this machine (the bench's default, 127.0.0.1).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int, task: int | None = None) -> float | None:
    """utime + stime of a process (or one of its threads) in seconds, None when gone."""
    path = f"/proc/{pid}/stat" if task is None else f"/proc/{pid}/task/{task}/stat"
    try:
        text = Path(path).read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _mysqld_pid() -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("mariadbd", "mysqld"):
                    return int(entry.name)
            except OSError:
                continue
    return None


class ServerCpu:
    """``with ServerCpu(dialect, cfg) as probe: ...``; then ``probe.seconds``."""

    def __init__(self, dialect: str, cfg: Any) -> None:
        self.dialect, self.cfg = dialect, cfg
        self.seconds = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._backends: dict[int, tuple[float, float]] = {}  # pid -> (first seen, last seen)
        self._mysqld: int | None = None
        self._mysqld_start = 0.0
        self._db: Any = None

    def __enter__(self) -> ServerCpu:
        if self.dialect == "postgres":
            from bridge.lms.db import connect

            self._db = connect(self.cfg)
            self._db.raw.autocommit = True
        else:
            self._mysqld = _mysqld_pid()
            self._mysqld_start = (proc_cpu(self._mysqld) or 0.0) if self._mysqld else 0.0
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        if self._db is None:
            return
        cur = self._db.raw.cursor()
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()", [self.cfg.database])
        for row in cur.fetchall():
            pid = int(row["pid"] if isinstance(row, dict) else row[0])
            now = proc_cpu(pid)
            if now is None:
                continue
            first, _ = self._backends.get(pid, (now, now))
            self._backends[pid] = (first, now)
        for pid, (first, _last) in list(self._backends.items()):
            now = proc_cpu(pid)
            if now is not None:
                self._backends[pid] = (first, now)

    def _watch(self) -> None:
        while not self._done.wait(0.1):
            try:
                self._sample()
            except Exception:  # noqa: BLE001 - a probe must never break the bench
                pass

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread:
            self._thread.join()
        if self.dialect == "postgres":
            # A backend first seen mid-run had already worked: count from its start (its
            # CPU before our run is zero, the bench's child opened it).
            self.seconds = sum(last for _first, last in self._backends.values())
            self._db.close()
        elif self._mysqld:
            self.seconds = max(0.0, (proc_cpu(self._mysqld) or 0.0) - self._mysqld_start)
