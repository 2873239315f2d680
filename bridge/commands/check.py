"""``lmstv check``: configuration valid, SMS reachable and credentials accepted, database
reachable, cache usable, the shim's lmstv-shim.ini agreeing with the bridge — one OK/WARN/FAIL
line each, with the fix."""

from __future__ import annotations

import argparse

from bridge.config import ConfigError, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="test the configuration, SMS, the LMS database, the "
                       "cache and lmstv-shim.ini; print OK/FAIL and the fix for each")
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from bridge.lms.db import Database
    from bridge.services.checks import run_checks
    from bridge.shim import shimini
    from bridge.sms.client import SmsClient

    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        # The message already ends with its fix; exit 78 (EX_CONFIG) like every other command.
        print(f"FAIL  config    {exc}")
        return 78
    db_cfg = cfg.database

    def db_factory() -> Database:
        if db_cfg is None:
            raise RuntimeError("no LMS database configured")
        return Database(db_cfg, connect_timeout=5)

    sms = SmsClient.from_config(cfg)
    try:
        checks = run_checks(cfg, sms, db_factory)
    finally:
        sms.close()
    for c in checks:
        print(f"{'OK  ' if c.ok else 'FAIL'}  {c.name.ljust(8)}  {c.detail}")
        if not c.ok and c.fix:
            print(f"      fix: {c.fix}")
    shim = shimini.inspect(cfg)
    for f in shim:
        print(f"{f.level.ljust(4)}  {'shim'.ljust(8)}  {f.detail}")
        if f.level != "OK" and f.fix:
            print(f"      fix: {f.fix}")
    _warn_if_web_server_reads(cfg.source)
    _warn_if_decoder_slow()
    failed = not all(c.ok for c in checks) or any(f.level == "FAIL" for f in shim)
    return 1 if failed else 0


def _warn_if_web_server_reads(path: str | None) -> None:
    """lmstv.ini holds the SMS password: the web server must read lmstv-shim.ini instead."""
    from bridge.secretfiles import web_server_readers

    if not path:
        return
    readers = web_server_readers(path)
    if readers:
        print(f"WARN  secrets   {path} holds the SMS password and {', '.join(readers)} (the web "
              "server) can read it")
        print(f"      fix: chown root:lmstv {path} && chmod 640 {path}; give the PHP shim "
              "/etc/lms/lmstv-shim.ini ([bridge] bind, secret, [shim]) and name it in "
              "lmstv.ini [bridge] shim_config (README, Installing next to a real LMS)")


def _warn_if_decoder_slow() -> None:
    """The SMS decoder's C loop (bridge/sms/_fastrun.c) is optional: without it big lists
    decode about twice as slowly, which an operator with 100,000 customers notices."""
    from bridge.sms import fastdecode

    if fastdecode._fastrun is None:  # noqa: SLF001 - the one fact this check reads
        print("WARN  decoder   SMS replies are decoded without the C loop "
              "(bridge/sms/_fastrun.c is not built): big lists take about twice as long")
        print("      fix: apt-get install gcc python3-dev, then ./lmstv.sh setup in lmstv's "
              "directory (it builds the C loop)")
