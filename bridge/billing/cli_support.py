"""What the billing commands share: config + connections, a terminal progress bar, the test
hook that lets the exactly-once tests kill a run at a chosen point, and exit codes."""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, TextIO

from bridge import clierrors
from bridge.config import Config, ConfigError, load_config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_PROBLEMS = 3  # the job ran, but something needs the operator (listed in the output)
EXIT_RUNNING = 75  # EX_TEMPFAIL: another run holds the lock
EXIT_CONFIG = 78  # EX_CONFIG: lmstv.ini names something LMS does not have

TEST_HOOK_ENV = "LMSTV_BILLING_TEST_HOOK"


def load(args: Any) -> Config:
    cfg = load_config(getattr(args, "config", None))
    if cfg.database is None:
        raise ConfigError(cfg.source, "[database]", "", "no LMS database configured")
    return cfg


def reports_database_errors(prog: str) -> Callable[[Callable[[Any], int]], Callable[[Any], int]]:
    """A command whose database fails (unreachable, lost, a refused statement) prints one
    clear line ending with the fix and exits 1 instead of a traceback; every write is a
    transaction, so what failed was rolled back."""

    def wrap(fn: Callable[[Any], int]) -> Callable[[Any], int]:
        @functools.wraps(fn)
        def run(args: Any) -> int:
            try:
                return fn(args)
            except clierrors.database_errors() as exc:
                print(f"{prog}: {clierrors.database_failure(exc)}", file=sys.stderr)
                return EXIT_FAILED

        return run

    return wrap


def quiet_logs(args: Any) -> None:
    """With ``-q`` only warnings and errors are logged: cron mails any output at all, and the
    routine INFO lines (each SMS call's timing, the summary) would make every run mail."""
    if getattr(args, "quiet", False) and not getattr(args, "verbose", False):
        logging.getLogger("lmstv").setLevel(logging.WARNING)


@contextmanager
def database(cfg: Config):
    from bridge.lms.db import connect

    assert cfg.database is not None
    db = connect(cfg.database)
    try:
        yield db
    finally:
        db.close()


def sms_client(cfg: Config) -> Any:
    from bridge.sms.client import SmsClient

    return SmsClient.from_config(cfg)


class ProgressBar:
    """A one-line bar on stderr, only when stderr is a terminal (cron gets no noise)."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def test_hook_from_env() -> Callable[[str], None] | None:
    """``LMSTV_BILLING_TEST_HOOK="kill@lines:3"`` SIGKILLs this process the 3rd time the run
    reaches stage ``lines``; ``sleep@customer:1:2.5`` sleeps 2.5 s there instead.  Stages, in
    order: batch (a transaction starts), customer (each customer of it), number (each new
    invoice number taken), document (headers inserted), lines (lines and cash inserted), marked
    (events marked), committed.  For the exactly-once tests only."""
    spec = os.environ.get(TEST_HOOK_ENV, "").strip()
    if not spec:
        return None
    action, _, rest = spec.partition("@")
    parts = rest.split(":")
    stage, nth = parts[0], int(parts[1]) if len(parts) > 1 else 1
    seconds = float(parts[2]) if len(parts) > 2 else 1.0
    seen = {"n": 0}

    def hook(name: str) -> None:
        if name != stage:
            return
        seen["n"] += 1
        if seen["n"] != nth:
            return
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif action == "sleep":
            time.sleep(seconds)

    return hook
