"""``lmstv uke sync``: customers with active TV in SMS appear as TV users in LMS's UKE reports
(current LMS only; bridge/uke.py says how).  Exit 0 done, 1 SMS or database unreachable,
3 refused (LMS 1.11.17, no tax rates), 78 configuration error."""

from __future__ import annotations

import argparse
import sys

from bridge import clierrors
from bridge.billing import cli_support as cs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("uke", help="TV in LMS's UKE reports (PIT / SIIS)")
    usub = p.add_subparsers(dest="uke_command", metavar="ACTION", required=True)
    s = usub.add_parser("sync", help="a TV tariff assignment of value 0 on the nodes of every "
                        "customer with active SMS services, ended when they have none")
    s.add_argument("--dry-run", action="store_true", help="show, change nothing")
    s.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    s.set_defaults(func=_sync)


@cs.reports_database_errors("lmstv uke sync")
def _sync(args: argparse.Namespace) -> int:
    from bridge.sms.client import SmsClient
    from bridge.sms.errors import SmsError
    from bridge.uke import UkeSyncError, active_sms_customers, sync

    cs.quiet_logs(args)
    cfg = cs.load(args)
    client = SmsClient.from_config(cfg)
    try:
        with cs.database(cfg) as db, client as sms:
            active = active_sms_customers(db, sms)
            result = sync(db, active, dry_run=args.dry_run)
    except SmsError as exc:
        print(f"lmstv uke sync: SMS could not be read: {clierrors.sms_failure(exc)}",
              file=sys.stderr)
        return cs.EXIT_FAILED
    except UkeSyncError as exc:
        print(f"lmstv uke sync: {exc}", file=sys.stderr)
        return cs.EXIT_PROBLEMS
    if not args.quiet or (args.dry_run and result.changed):
        what = "would change" if args.dry_run else "changed"
        print(f"uke sync: {result.active} customer(s) with active TV; {what}: "
              f"{len(result.started)} started, {len(result.ended)} ended, "
              f"{result.nodes_bound} node(s) bound, {result.nodes_unbound} unbound"
              + (f" (tariff {result.tariff_id})" if result.tariff_id else ""))
        for cid in result.started:
            print(f"  start {cid}")
        for cid in result.ended:
            print(f"  end {cid}")
    return cs.EXIT_OK
