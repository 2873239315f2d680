"""``lmstv sms probe``: read-only conformance check of the configured SMS (docs/install-lms.md).

Exit 0 when SMS answers as lmstv expects, 3 with differences (listed, and written to
``--report FILE`` for SGT or us), 1 when SMS cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridge import clierrors
from bridge.billing import cli_support as cs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sms", help="SMS tools: read-only conformance probe")
    ssub = p.add_subparsers(dest="sms_command", metavar="ACTION", required=True)
    pr = ssub.add_parser("probe", help="compare SMS's answers with what lmstv expects "
                         "(calls read methods only)")
    pr.add_argument("--report", metavar="FILE", help="write the report to FILE as well")
    pr.set_defaults(func=_probe)


def _probe(args: argparse.Namespace) -> int:
    from bridge.config import load_config
    from bridge.sms.client import SmsClient
    from bridge.sms.errors import SmsUnavailable
    from bridge.sms.probe import probe

    cfg = load_config(getattr(args, "config", None))
    # one reply cap for every caller: [opcje] max_reply_mb
    client = SmsClient.from_config(cfg)
    try:
        with client as sms:
            result = probe(sms)
    except SmsUnavailable as exc:
        print(f"lmstv sms probe: SMS cannot be reached: {clierrors.sms_failure(exc)}",
              file=sys.stderr)
        return cs.EXIT_FAILED
    text = result.report()
    sys.stdout.write(text)
    if args.report:
        Path(args.report).write_text(text, encoding="utf-8")
    return cs.EXIT_PROBLEMS if result.differences else cs.EXIT_OK
