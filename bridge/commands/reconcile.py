"""``lmstv reconcile``: where LMS and SMS disagree, one line each, with the money involved.

Exit 0 when everything agrees, 3 when something needs the operator, 1 on failure (SMS or the
database unreachable).  ``-q`` prints nothing when clean, so cron mails only real findings.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from bridge import clierrors
from bridge.billing import cli_support as cs


def register(sub: argparse._SubParsersAction) -> None:
    from bridge.reconcile import KINDS

    p = sub.add_parser("reconcile", help="where LMS and SMS disagree (money, links, STBs)")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--only", nargs="+", choices=sorted(KINDS), metavar="KIND",
                   help=f"only these kinds: {', '.join(KINDS)}")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when clean")
    p.set_defaults(func=run)


@cs.reports_database_errors("lmstv reconcile")
def run(args: argparse.Namespace) -> int:
    from bridge.reconcile import reconcile
    from bridge.sms.client import SmsClient
    from bridge.sms.errors import SmsError

    cs.quiet_logs(args)
    cfg = cs.load(args)
    # one reply cap for every caller: [opcje] max_reply_mb
    client = SmsClient.from_config(cfg)
    try:
        with cs.database(cfg) as db, client as sms:
            report = reconcile(db, sms, only=args.only)
    except SmsError as exc:
        print(f"lmstv reconcile: SMS could not be read: {clierrors.sms_failure(exc)}",
              file=sys.stderr)
        return cs.EXIT_FAILED
    if report.findings or not args.quiet:
        _print(report, args.format, sys.stdout)
    return cs.EXIT_PROBLEMS if report.findings else cs.EXIT_OK


def _print(report: Any, fmt: str, out: Any) -> None:
    if fmt == "json":
        json.dump(report.as_json(), out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(["kind", "customer_id", "customer_name", "cust_number", "problem", "amount",
                    "action"])
        for f in report.findings:
            w.writerow([f.kind, f.customer_id or "", f.customer_name, f.cust_number, f.problem,
                        "" if f.amount is None else f"{f.amount:.2f}", f.action])
        return
    summary = report.summary()
    if not report.findings:
        print("reconcile: LMS and SMS agree", file=out)
        return
    for s in summary.values():
        if s["count"]:
            print(f"{s['title']}: {s['count']}, total {s['total']}", file=out)
    for f in report.findings:
        money = "" if f.amount is None else f" [{f.amount:.2f} zł]"
        who = f"LMS {f.customer_id} {f.customer_name}" if f.customer_id else "LMS -"
        print(f"{f.kind}: {who}; SMS {f.cust_number}: {f.problem}{money} -> {f.action}",
              file=out)
