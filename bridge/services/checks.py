"""Connection test: configuration, SMS (reachable, credentials accepted), LMS database, cache.

Shared by ``lmstv check`` and ``GET /api/v1/system/check``; each check says OK/FAIL and the fix.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bridge.config import Config
from bridge.lms import migrate
from bridge.sms.errors import SmsFault, SmsUnavailable


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_config(cfg: Config) -> Check:
    problems = []
    if not cfg.secret:
        problems.append("[bridge] secret is empty")
    if problems:
        return Check("config", False, "; ".join(problems),
                     "set [bridge] secret to at least 16 random characters")
    return Check("config", True, f"{cfg.source or 'lmstv.ini'} is valid; SMS {cfg.sms_url} as "
                 f"{cfg.sms_login!r}, bridge on {cfg.bind}")


def check_sms(sms: Any, cfg: Config) -> Check:
    started = time.perf_counter()
    try:
        sms.subnetList()
    except SmsFault as exc:
        return Check("sms", False, f"SMS at {cfg.sms_url} refused the call: {exc.message} "
                     f"(fault {exc.code})", "check [logowanie] login and haslo (the SMS user's "
                     "full name and password or its MD5)")
    except SmsUnavailable as exc:
        return Check("sms", False, exc.reason, "check [logowanie] serwer, the network and that "
                     "SMS is up")
    ms = (time.perf_counter() - started) * 1000
    return Check("sms", True, f"SMS at {cfg.sms_url} answered and accepted the credentials "
                 f"({ms:.0f} ms)")


def check_database(db_factory: Callable[[], Any], cfg: Config) -> Check:
    where = cfg.database.describe() if cfg.database else "LMS database"
    try:
        db = db_factory()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Check("database", False, str(exc).splitlines()[0] if str(exc) else repr(exc),
                     "check [database] in lmstv.ini or LMS's lms.ini, and that the server runs")
    try:
        db.scalar("SELECT 1")
        try:
            migrate.check_lms(db)
            pending = migrate.pending_steps(db)
        except migrate.MigrationError as exc:
            return Check("database", False, f"{where} reachable, but: {exc}",
                         "point [database] (lmstv.ini or LMS's lms.ini) at LMS's database")
        if pending:
            names = ", ".join(f"{s.version}-{s.name}" for s in pending)
            return Check("database", False, f"{where} reachable, but the lmstv schema needs "
                         f"{len(pending)} step(s): {names}", "run `lmstv migrate`")
        return Check("database", True, f"{where} reachable, lmstv schema current")
    except Exception as exc:  # noqa: BLE001
        return Check("database", False, str(exc).splitlines()[0], "check the database server")
    finally:
        db.close()


def check_cache(cfg: Config) -> Check:
    path = cfg.cache_dir
    if not cfg.cache_enabled:
        return Check("cache", True, "cache switched off ([opcje] cache = 0)")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        probe = os.path.join(path, ".lmstv-check")
        with open(probe, "w") as fh:
            fh.write("ok")
        os.unlink(probe)
    except OSError as exc:
        return Check("cache", False, f"cache directory {path}: {exc.strerror}",
                     "create it writable by the bridge's user, or set [bridge] cache_dir")
    if mode & 0o077:
        return Check("cache", False, f"cache directory {path} is readable by others "
                     f"(mode {mode:o})", f"chmod 700 {path}")
    return Check("cache", True, f"cache directory {path} (mode {mode:o}), lifetime "
                 f"{cfg.cache_lifetime} s")


def run_checks(cfg: Config, sms: Any, db_factory: Callable[[], Any]) -> list[Check]:
    return [check_config(cfg), check_sms(sms, cfg), check_database(db_factory, cfg),
            check_cache(cfg)]
