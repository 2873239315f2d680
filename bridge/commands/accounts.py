"""``lmstv accounts follow-cutoff``: TV accounts follow LMS's debtor block (cron, after LMS's
cutoff).  Exit codes as the billing commands: 0 done, 3 the operator must look (the lock
limit stopped a mass lock, or some accounts failed), 1 SMS unreachable or database error,
78 configuration error."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from typing import Any

from bridge import clierrors
from bridge.billing import cli_support as cs

log = logging.getLogger("lmstv.cutoff")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("accounts", help="TV accounts across customers")
    asub = p.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    f = asub.add_parser("follow-cutoff", help="lock the TV of customers LMS blocked, unlock it "
                        "when LMS unblocks them")
    f.add_argument("--dry-run", action="store_true", help="show, change nothing")
    f.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    f.add_argument("--max-locks", type=int, metavar="N",
                   help="this run only: allow N customers to be locked ([cutoff] "
                   "max_locks_per_run otherwise)")
    f.set_defaults(func=_follow)


def _invalidator(cfg: Any) -> Any:
    """Clean the bridge's cache for changed customers -- only when the cache directory exists
    and is ours to write, so a root cron job never creates files the bridge cannot use."""
    if not cfg.cache_enabled or not os.path.isdir(cfg.cache_dir) \
            or not os.access(cfg.cache_dir, os.W_OK):
        return None
    from bridge.cache import SmsCache

    try:
        return SmsCache(cfg.cache_dir, enabled=True, lifetime=cfg.cache_lifetime)
    except OSError as exc:
        log.warning("cannot open the SMS cache %s (%s); the TV box may show the old state "
                    "until it expires or \"Odśwież dane\" is used", cfg.cache_dir, exc)
        return None


@cs.reports_database_errors("lmstv accounts")
def _follow(args: argparse.Namespace) -> int:
    from bridge.audit import AuditLog
    from bridge.cache import customer_tag
    from bridge.cutoff.follow import follow_cutoff
    from bridge.cutoff.settings import load_settings
    from bridge.sms.errors import SmsUnavailable

    cs.quiet_logs(args)
    cfg = cs.load(args)
    settings = load_settings(cfg)
    if args.max_locks is not None:
        if args.max_locks < 0:
            print("lmstv accounts: --max-locks must be 0 or more; use e.g. --max-locks 50",
                  file=sys.stderr)
            return cs.EXIT_CONFIG
        settings = dataclasses.replace(settings, max_locks_per_run=args.max_locks)
    audit_log = AuditLog(cfg.audit_log)
    cache = None if args.dry_run else _invalidator(cfg)

    def audit(action: str, cid: int, params: dict[str, Any], outcome: str,
              error: str | None) -> None:
        audit_log.record(user="lmstv-cutoff", action=action, customer_id=cid, params=params,
                         outcome=outcome, error=error)
        if outcome == "ok" and cache is not None:
            cache.invalidate(customer_tag(cid))

    try:
        with cs.database(cfg) as db, cs.sms_client(cfg) as sms:
            r = follow_cutoff(db, sms, settings, audit, dry_run=args.dry_run,
                              source=cfg.source)
    except SmsUnavailable as exc:
        # Every account changed before this point is recorded; a re-run continues.
        print(f"lmstv accounts: follow-cutoff stopped, SMS unreachable: {exc}; accounts "
              "changed before this point are recorded (see the audit log); "
              f"{clierrors.SMS_UNREACHABLE_FIX}, then run again", file=sys.stderr)
        return cs.EXIT_FAILED
    finally:
        if cache is not None:
            cache.close()
    verb = ("would lock", "would unlock") if r.dry_run else ("locked", "unlocked")
    if not args.quiet:
        print(f"blocked in LMS: {r.blocked} customers; {verb[0]} {len(r.locked)} TV accounts, "
              f"{verb[1]} {len(r.unlocked)}")
        for cid, aid in r.locked:
            print(f"  {verb[0]}: LMS customer {cid}, TV account {aid}")
        for cid, aid in r.unlocked:
            print(f"  {verb[1]}: LMS customer {cid}, TV account {aid}")
    for line in r.failures:
        print(f"  FAILED: {line}", file=sys.stderr)
    if r.limit_stop:
        print(f"lmstv accounts: STOPPED: {r.limit_stop}", file=sys.stderr)
    return cs.EXIT_PROBLEMS if r.failures or r.limit_stop else cs.EXIT_OK
