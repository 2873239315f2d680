"""``lmstv billing import|events|invoice|attach|export-balances`` (manual chapter 4).

Quiet on success with ``-q`` (cron mails any output), explicit on failure, non-zero exit on
failure: 1 = failed (nothing half-written), 3 = done but something needs the operator,
75 = another run is active.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bridge import clierrors
from bridge.billing import cli_support as cs
from bridge.billing.dates import DateError, RunClock, import_window, parse_date
from bridge.billing.events import DEFAULT_PER_PAGE, DEFAULT_SORT, MAX_PER_PAGE, SORT_COLUMNS
from bridge.billing.linkage import REASON_TEXT

SHOWN_INVALID = 20  # malformed events listed one by one by `billing import`; the rest counted


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("billing", help="TV billing: import events, invoice, export balances")
    bsub = p.add_subparsers(dest="billing_command", metavar="ACTION", required=True)

    imp = bsub.add_parser("import", help="fetch SMS billing events into tv_billing_event")
    imp.add_argument("--start-date", help="first sale date (default: 1st of previous month)")
    imp.add_argument("--end-date", help="last sale date (default: today)")
    imp.add_argument("--fakedate", help="treat this day (YYYY/MM/DD) as today")
    imp.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    imp.set_defaults(func=_import)

    ev = bsub.add_parser("events", help="list imported billing events",
                         description="List imported SMS billing events, one page at a time, "
                         "with their invoice or the reason invoicing skipped them.")
    ev.add_argument("--start-date", dest="date_from", metavar="YYYY-MM-DD",
                    help="only events sold on or after this day")
    ev.add_argument("--end-date", dest="date_to", metavar="YYYY-MM-DD",
                    help="only events sold on or before this day")
    ev.add_argument("--group-id", metavar="N",
                    help="only events of this SGT report (group_id, a whole number)")
    ev.add_argument("--not-invoiced", action="store_true",
                    help="only events not on an invoice (including those invoicing skipped)")
    ev.add_argument("--customer", dest="customerid", metavar="ID",
                    help="only this LMS customer (its id, a whole number)")
    ev.add_argument("--cust-number", metavar="NUMBER",
                    help="only this SMS customer number (up to 20 characters)")
    ev.add_argument("--sort", default=DEFAULT_SORT, metavar="COLUMN",
                    help=f"sort by one of: {', '.join(SORT_COLUMNS)} (default {DEFAULT_SORT})")
    ev.add_argument("--desc", action="store_true", help="sort in descending order")
    ev.add_argument("--page", default="1", metavar="N", help="page to show, from 1 (default 1)")
    ev.add_argument("--per-page", default=str(DEFAULT_PER_PAGE), metavar="N",
                    help=f"events per page, 1..{MAX_PER_PAGE} (default {DEFAULT_PER_PAGE})")
    ev.add_argument("--json", action="store_true",
                    help="print the page as the bridge API's JSON instead of a table")
    ev.set_defaults(func=_events)

    for name, helptext in (("invoice", "invoice pending TV events (TV-only invoices)"),
                           ("attach", "put pending TV events on today's lms-payments invoices")):
        inv = bsub.add_parser(name, help=helptext)
        inv.add_argument("--fakedate", help="run as if today were YYYY/MM/DD")
        if name == "invoice":
            inv.add_argument("--mode", choices=("append", "separate"),
                             help="default: [billing] mode")
            inv.add_argument("--customergroups", help='only these groups, e.g. "tv vip"')
            inv.add_argument("--customer", type=_customer_id, metavar="ID",
                             help="only this LMS customer's events, invoiced now (the "
                             "reconciliation screen's 'Zafakturuj'; attach mode becomes append)")
        inv.add_argument("--dry-run", action="store_true", help="show, write nothing")
        inv.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                         help="wait this long for another run to finish (default: exit)")
        inv.add_argument("--batch-size", type=_batch_size, default=None, metavar="N",
                         help="customers per database transaction (default 100)")
        inv.add_argument("-q", "--quiet", action="store_true", help="print only problems")
        inv.set_defaults(func=_invoice, attach_only=(name == "attach"))

    bal = bsub.add_parser("export-balances", help="send LMS balances to the TV panel")
    bal.add_argument("--dry-run", action="store_true")
    bal.add_argument("-q", "--quiet", action="store_true")
    bal.set_defaults(func=_balances)


# API parameter names of the events filter -> the CLI options that set them.
_EVENT_OPTIONS = {"per_page": "--per-page", "date_from": "--start-date", "date_to": "--end-date",
                  "group_id": "--group-id", "customerid": "--customer",
                  "cust_number": "--cust-number"}


def _err(msg: str) -> None:
    print(f"lmstv billing: {msg}", file=sys.stderr)


@cs.reports_database_errors("lmstv billing")
def _import(args: argparse.Namespace) -> int:
    from bridge.billing.importer import MalformedReply, import_events
    from bridge.sms.errors import SmsError

    cs.quiet_logs(args)
    try:
        clock = RunClock.from_fakedate(args.fakedate)
        start = parse_date(args.start_date, "--start-date") if args.start_date else None
        end = parse_date(args.end_date, "--end-date") if args.end_date else None
        start, end = import_window(clock.today, start, end)
    except DateError as exc:
        _err(str(exc))
        return 2
    cfg = cs.load(args)
    try:
        with cs.database(cfg) as db, cs.sms_client(cfg) as sms:
            s = import_events(db, sms, start, end, progress=cs.ProgressBar("storing"))
    except SmsError as exc:
        _err(f"import {start}..{end} failed, nothing stored: {clierrors.sms_failure(exc)}")
        return cs.EXIT_FAILED
    except MalformedReply as exc:
        _err(f"import {start}..{end} failed, nothing stored: malformed SMS reply: {exc}; "
             "ask SGT about this reply (run again with -v for the details)")
        return cs.EXIT_FAILED
    out = sys.stdout
    if not args.quiet or s.invalid:
        print(f"billing import {start}..{end}: fetched {s.fetched}, new {s.new}, already "
              f"stored {s.already_stored}, invalid {s.invalid_total}", file=out)
    if s.invalid:
        print(f"{s.invalid_total} malformed event(s) NOT stored (ask SGT to correct them):",
              file=out)
        # Cron mails stdout: a broken SMS day must not become 50,000 lines.
        for bad in s.invalid[:SHOWN_INVALID]:
            print(f"  {bad.describe()}", file=out)
        if s.invalid_total > SHOWN_INVALID:
            print(f"  ... and {s.invalid_total - SHOWN_INVALID} more not shown", file=out)
    if not args.quiet:
        print(f"for customers not linked to LMS: {s.unlinked_events} event(s) "
              f"(never invoiced until fixed)", file=out)
        for u in s.unlinked:
            print(f"  SMS customer {u.cust_number} (external id {u.customerid or '-'}): "
                  f"{REASON_TEXT[u.reason]}; {u.events} event(s)", file=out)
        print(f"for suspended customers: {s.suspended_new} new event(s) (never invoiced)",
              file=out)
    return cs.EXIT_PROBLEMS if s.invalid else cs.EXIT_OK


@cs.reports_database_errors("lmstv billing")
def _events(args: argparse.Namespace) -> int:
    from bridge.billing.events import FilterError, list_events, parse_filter

    params: dict[str, Any] = {
        "date_from": args.date_from, "date_to": args.date_to, "group_id": args.group_id,
        "not_invoiced": "1" if args.not_invoiced else None, "customerid": args.customerid,
        "cust_number": args.cust_number, "sort": args.sort,
        "direction": "desc" if args.desc else "asc", "page": args.page,
        "per_page": args.per_page}
    try:
        flt = parse_filter({k: v for k, v in params.items() if v is not None})
    except FilterError as exc:
        # The filter speaks the API's parameter names; name the options instead.
        text = str(exc)
        for api, option in _EVENT_OPTIONS.items():
            if text.startswith(api + " "):
                text = option + text[len(api):]
        _err(f"{text}; see `lmstv billing events --help`")
        return 2
    cfg = cs.load(args)
    with cs.database(cfg) as db:
        page = list_events(db, flt)
    if args.json:
        print(json.dumps(page, ensure_ascii=False, indent=1))
        return 0
    print(f"{'beid':>10} {'date':10} {'SMS cust':>10} {'LMS':>6} {'report':>7} {'gross':>9} "
          f"{'b2b net':>9}  invoice / skipped  description")
    for e in page["events"]:
        inv = e["invoice"]["number"] if e["invoice"] else (e["skip_reason"] or "-")
        print(f"{e['beid']:>10} {e['be_selling_date']:10} {e['cust_number']:>10} "
              f"{e['customer']['id'] or '-':>6} {e['group_id']:>7} {e['be_gross']:>9} "
              f"{e['be_b2b_netto'] or '-':>9}  {inv:17}  {e['be_desc']}")
    t = page["totals"]
    print(f"{page['total']} event(s), page {page['page']}/{page['pages']}; total gross "
          f"{t['be_gross']}, total B2B net {t['be_b2b_netto']}")
    return 0


def _customer_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**31:
        raise argparse.ArgumentTypeError(f"{text!r} is not an LMS customer id")
    return int(text)


def _batch_size(text: str) -> int:
    from bridge.billing.invoicing import MAX_BATCH_SIZE

    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_BATCH_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r}: use a whole number 1 to {MAX_BATCH_SIZE}")
    return value


@cs.reports_database_errors("lmstv billing")
def _invoice(args: argparse.Namespace) -> int:
    from bridge.billing.invoicing import (
        AlreadyRunning,
        InvoicingConfigError,
        InvoicingError,
        InvoicingOptions,
        customer_options,
        run_invoicing,
    )

    cs.quiet_logs(args)
    try:
        clock = RunClock.from_fakedate(args.fakedate)
    except DateError as exc:
        _err(str(exc))
        return 2
    cfg = cs.load(args)
    if args.attach_only:
        mode = "attach"
        groups: tuple[str, ...] = ()
    else:
        mode = args.mode or cfg.invoicing_mode
        groups = tuple(args.customergroups.split()) if args.customergroups is not None \
            else cfg.customergroups
    opts = InvoicingOptions(tariff_id=cfg.tv_tariff_id, mode=mode,
                            numberplan_id=cfg.numberplan_id, customergroups=groups,
                            dry_run=args.dry_run, lock_wait=args.wait,
                            **({"batch_size": args.batch_size} if args.batch_size is not None
                               else {}))
    if getattr(args, "customer", None):
        # the code path of the reconciliation screen's "Zafakturuj" (bridge/services/invoicing)
        opts = customer_options(cfg, args.customer, mode=args.mode, dry_run=args.dry_run,
                                lock_wait=args.wait)
    try:
        with cs.database(cfg) as db:
            s = run_invoicing(db, opts, clock, hook=cs.test_hook_from_env(),
                              progress=cs.ProgressBar("invoicing"))
    except AlreadyRunning as exc:
        _err(str(exc))
        return cs.EXIT_RUNNING
    except InvoicingConfigError as exc:
        _err(f"configuration error: {exc}")
        return cs.EXIT_CONFIG
    except InvoicingError as exc:
        _err(str(exc))
        return cs.EXIT_FAILED
    problems = {k: v for k, v in s.skipped.items() if v}
    if not args.quiet or args.dry_run:
        head = "DRY RUN, nothing written: would invoice" if s.dry_run else "invoiced"
        print(f"{head} {s.events_invoiced} event(s) for {clock.today} (mode {s.mode}): "
              f"{s.invoices_new} new invoice(s), {s.invoices_appended} appended, total "
              f"{s.total:.2f}")
        for r in s.customers if (args.dry_run or s.customers_total <= 50) else []:
            kind = "new" if r.new_invoice else "append to"
            print(f"  customer {r.customerid}: {kind} {r.fullnumber}: {r.lines} line(s), "
                  f"{r.total:.2f}")
        if s.waiting_for_invoice:
            print(f"{s.waiting_for_invoice} customer(s) had no invoice today; left for "
                  "`lmstv billing invoice`")
        if s.not_in_groups:
            print(f"{s.not_in_groups} event(s) of customers outside the customer groups")
    for reason, n in sorted(problems.items()):
        if reason == "suspended" and args.quiet:
            continue
        print(f"skipped {n} event(s): {REASON_TEXT[reason]} ({reason})")
    actionable = {k for k in problems if k != "suspended"}
    return cs.EXIT_PROBLEMS if actionable else cs.EXIT_OK


@cs.reports_database_errors("lmstv billing")
def _balances(args: argparse.Namespace) -> int:
    from bridge.billing.balances import export_balances
    from bridge.sms.errors import SmsError

    cs.quiet_logs(args)
    cfg = cs.load(args)
    clock = RunClock.from_fakedate(None)
    try:
        with cs.database(cfg) as db, cs.sms_client(cfg) as sms:
            r = export_balances(db, sms, clock.today, dry_run=args.dry_run)
    except SmsError as exc:
        _err(f"balance export failed: {clierrors.sms_failure(exc)}")
        return cs.EXIT_FAILED
    except ValueError as exc:
        _err(f"balance export failed: {exc}; fix that value in LMS and run again")
        return cs.EXIT_FAILED
    if not args.quiet:
        verb = "would send" if r.dry_run else "sent"
        print(f"balances {verb}: {len(r.sent)} SMS customer(s)")
        for number, ext, reason in r.unmatched:
            print(f"  SMS customer {number} (external id {ext or '-'}): {REASON_TEXT[reason]}")
        if not r.unmatched:
            print("every SMS customer has an LMS customer")
    return 0
