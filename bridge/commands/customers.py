"""``lmstv customers sync-ids``: the first synchronisation of SMS customer numbers into LMS."""

from __future__ import annotations

import argparse
import sys

from bridge import clierrors
from bridge.billing import cli_support as cs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("customers", help="LMS <-> SMS customer maintenance")
    csub = p.add_subparsers(dest="customers_command", metavar="ACTION", required=True)
    s = csub.add_parser("sync-ids", help="fill customers.tv_cust_number from SMS external ids")
    s.add_argument("--dry-run", action="store_true", help="show, change nothing")
    s.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    s.set_defaults(func=_sync)


@cs.reports_database_errors("lmstv customers")
def _sync(args: argparse.Namespace) -> int:
    from bridge.billing.idsync import sync_ids
    from bridge.sms.errors import SmsError

    cs.quiet_logs(args)
    cfg = cs.load(args)
    try:
        with cs.database(cfg) as db, cs.sms_client(cfg) as sms:
            r = sync_ids(db, sms, dry_run=args.dry_run)
    except SmsError as exc:
        # SMS is asked first, before any link is written.
        print(f"lmstv customers: sync-ids failed, nothing changed: "
              f"{clierrors.sms_failure(exc)}", file=sys.stderr)
        return cs.EXIT_FAILED
    except ValueError as exc:
        # Each link is its own transaction: those made before the bad one stay (re-run is safe).
        print(f"lmstv customers: sync-ids stopped: {exc}; links made before this point are "
              "kept, the rest were not made (fix it and run again)", file=sys.stderr)
        return cs.EXIT_FAILED
    if not args.quiet:
        verb = "would link" if r.dry_run else "linked"
        print(f"{verb} {len(r.linked)}, already linked {r.already}, conflicts "
              f"{len(r.conflicts)}, stale links {len(r.stale)}, SMS customers without "
              f"external id {len(r.no_external_id)}")
        for number, cid in r.linked:
            print(f"  {verb}: SMS customer {number} -> LMS customer {cid}")
        for number in r.no_external_id:
            print(f"  SMS customer {number} has no external id (Zewnętrzne ID) in SMS")
    for line in r.conflicts:
        print(f"  CONFLICT: {line}")
    for line in r.stale:
        print(f"  STALE: {line}")
    return cs.EXIT_PROBLEMS if r.conflicts or r.stale else cs.EXIT_OK
