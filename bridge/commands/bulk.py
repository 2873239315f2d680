"""``lmstv bulk lock|unlock|message|add-package --group NAME``: one TV action for every linked
member of an LMS customer group; ``lmstv bulk groups`` lists the groups.  Exit codes as the
billing commands: 0 done, 3 some customers failed (listed), 1 bad input (unknown group, …) or
database error, 78 configuration."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bridge.billing import cli_support as cs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bulk", help="TV actions for a whole LMS customer group")
    bsub = p.add_subparsers(dest="bulk_command", metavar="ACTION", required=True)
    for name, text in (("lock", "lock every TV account"), ("unlock", "unlock every TV account"),
                       ("message", "send a TV message to every customer"),
                       ("add-package", "add a package to every active TV account")):
        s = bsub.add_parser(name, help=text)
        s.add_argument("--group", required=True, help="LMS customer group name")
        s.add_argument("--dry-run", action="store_true", help="show, change nothing")
        s.add_argument("-q", "--quiet", action="store_true", help="print only problems")
        s.add_argument("--workers", type=int, default=8, help="SMS calls at once (default 8)")
        if name == "message":
            s.add_argument("--body", required=True, help="teaser text")
            s.add_argument("--extended", help="full text (default: the teaser)")
        if name == "add-package":
            s.add_argument("--package", type=int, required=True, help="SMS package id")
            s.add_argument("--activate", action="store_true",
                           help="add and activate (packagesEntitle); default inactive")
        s.set_defaults(func=_bulk, bulk_action=name)
    g = bsub.add_parser("groups", help="list LMS customer groups: members, linked to SMS")
    g.set_defaults(func=_groups)


@cs.reports_database_errors("lmstv bulk groups")
def _groups(args: argparse.Namespace) -> int:
    from bridge.bulk.run import customer_groups

    cs.quiet_logs(args)
    cfg = cs.load(args)
    with cs.database(cfg) as db:
        groups = customer_groups(db)
    if not groups:
        print("LMS has no customer groups; add one in LMS (Klienci -> Grupy)")
    for grp in groups:
        print(f"{grp.name}\t{grp.customers} customers, {grp.linked} linked to SMS")
    return cs.EXIT_OK


@cs.reports_database_errors("lmstv bulk")
def _bulk(args: argparse.Namespace) -> int:
    from bridge.audit import AuditLog
    from bridge.bulk.run import BadInput, run_bulk

    cs.quiet_logs(args)
    cfg = cs.load(args)
    if not 1 <= args.workers <= 32:
        print("lmstv bulk: --workers must be 1..32; use e.g. --workers 4", file=sys.stderr)
        return 2
    opts: dict[str, Any] = {k: getattr(args, k, None)
                            for k in ("body", "extended", "package", "activate")}
    if args.bulk_action == "message" and not (args.body or "").strip():
        print("lmstv bulk: --body must not be empty; give the message text, e.g. "
              "--body 'Przerwa techniczna 2:00-4:00'", file=sys.stderr)
        return 2
    log = AuditLog(cfg.audit_log)
    user = f"cli:{getpass.getuser()}"

    def audit(action: str, cid: int, params: dict[str, Any], outcome: str,
              error: str | None) -> None:
        log.record(user=user, action=action, customer_id=cid,
                   params={**params, "bulk_group": args.group}, outcome=outcome, error=error)

    try:
        with cs.database(cfg) as db, cs.sms_client(cfg) as sms:
            r = run_bulk(db, sms, args.group, args.bulk_action, opts, audit,
                         dry_run=args.dry_run, workers=args.workers)
    except BadInput as exc:
        print(f"lmstv bulk: {exc}; nothing changed", file=sys.stderr)
        return cs.EXIT_FAILED
    if not args.quiet:
        print(f"group {args.group!r}: {len(r.members)} customers, "
              f"{'would change' if r.dry_run else 'changed'} {len(r.changed)}, "
              f"skipped {len(r.skipped)}, failed {len(r.failures)}")
        for line in r.changed + r.skipped:
            print(f"  {line}")
    for line in r.failures:
        print(f"  FAILED: {line}", file=sys.stderr)
    return cs.EXIT_PROBLEMS if r.failures else cs.EXIT_OK
