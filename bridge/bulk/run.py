"""Bulk TV actions over the linked members of one LMS customer group.

SMS work runs with bounded concurrency (``workers`` threads; the SMS client is thread-safe);
the database is used only from the calling thread.  Each customer is independent: a failure is
reported by customer and the others go on.  Re-running is safe: an account already in the wanted
state, a package already on the account, or a message with the same text already in the
customer's messages, is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bridge.cutoff.store import forget_lock
from bridge.lms import flavour
from bridge.sms.errors import SmsError
from bridge.validation import BODY_TAGS, TEASER_TAGS, polish_text_key, sanitize_html

ACTIONS = ("lock", "unlock", "message", "add-package")
Audit = Callable[[str, int, dict[str, Any], str, str | None], None]


class BadInput(ValueError):
    """Refused before anything was sent."""


class UnknownGroup(BadInput):
    pass


@dataclass
class Member:
    id: int
    name: str
    number: str | None


@dataclass
class Group:
    id: int
    name: str
    customers: int  # current members, not deleted
    linked: int  # of them, linked to SMS (the ones a bulk action touches)


@dataclass
class BulkResult:
    members: list[Member] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    dry_run: bool = False
    touched_accounts: list[int] = field(default_factory=list)


def customer_groups(db: Any) -> list[Group]:
    """Every LMS customer group with its members as :func:`group_members` counts them, in
    Polish alphabetical order of name (what the operator picks a bulk action's group from)."""
    rows = db.query(
        "SELECT g.id, g.name, COUNT(c.id) AS customers, "
        "SUM(CASE WHEN c.tv_cust_number IS NOT NULL AND c.tv_cust_number <> '' "
        "THEN 1 ELSE 0 END) AS linked FROM customergroups g "
        f"LEFT JOIN {flavour.group_memberships(db)} a ON a.customergroupid = g.id "
        "LEFT JOIN customers c ON c.id = a.customerid AND c.deleted = 0 "
        "GROUP BY g.id, g.name", [])
    groups = [Group(int(r["id"]), str(r["name"]), int(r["customers"] or 0),
                    int(r["linked"] or 0)) for r in rows]
    return sorted(groups, key=lambda g: (polish_text_key(g.name), g.id))


def group_members(db: Any, group: str) -> list[Member]:
    gid = db.scalar("SELECT id FROM customergroups WHERE name = %s", [group])
    if gid is None:
        raise UnknownGroup(f"LMS has no customer group named {group!r}; use a group name "
                           "from LMS (Klienci -> Grupy), exactly as spelled there")
    rows = db.query("SELECT c.id, c.lastname, c.name, c.tv_cust_number FROM customers c "
                    f"JOIN {flavour.group_memberships(db)} a ON a.customerid = c.id "
                    "WHERE a.customergroupid = %s AND c.deleted = 0 ORDER BY c.id", [gid])
    return [Member(int(r["id"]), f"{r['lastname']} {r['name']}".strip(),
                   str(r["tv_cust_number"]).strip() if r["tv_cust_number"] else None)
            for r in rows]


def _truthy(v: Any) -> bool:
    return str(v if v is not None else "0").strip() not in ("", "0", "false")


def _accounts(sms: Any, number: str) -> list[dict[str, Any]]:
    accs = sms.custGetSubscriptions(number) or []
    return [a for a in ([accs] if isinstance(accs, dict) else accs)
            if not _truthy(a.get("acc_closed"))]


def _one(sms: Any, m: Member, action: str, opts: dict[str, Any], dry_run: bool,
         audit: Audit) -> tuple[list[str], list[str], list[int]]:
    """(changes, skips, accounts locked/unlocked) for one customer; raises SmsError."""
    assert m.number is not None
    changes: list[str] = []
    skips: list[str] = []
    touched: list[int] = []

    def do(what: str, act: str, params: dict[str, Any], call: Callable[[], Any]) -> None:
        if dry_run:
            changes.append(f"LMS customer {m.id}: would {what}")
            return
        try:
            call()
        except SmsError as exc:
            audit(act, m.id, params, "sms_fault", str(exc))
            raise
        audit(act, m.id, params, "ok", None)
        changes.append(f"LMS customer {m.id}: {what}")

    if action == "message":
        body = opts["body"]
        if m.number in opts["_has_message"]:
            skips.append(f"LMS customer {m.id}: message already there")
            return changes, skips, touched
        today = dt.date.today()
        do("message sent", "message.send", {"cust_number": m.number, "msg_body": body},
           lambda: sms.meldingerSend(m.number, body, today, None, opts.get("extended") or body,
                                     today, None, 1, 0))
        return changes, skips, touched
    for acc in _accounts(sms, m.number):
        aid = int(acc["account_id"])
        active = _truthy(acc.get("acc_active"))
        if action in ("lock", "unlock"):
            lock = action == "lock"
            if active != lock:
                skips.append(f"LMS customer {m.id}: account {aid} already {action}ed")
                continue
            call = sms.accountLock if lock else sms.accountUnlock
            do(f"account {aid} {action}ed", f"account.{action}", {"account_id": aid},
               lambda call=call, aid=aid: call(aid))
            touched.append(aid)
        else:  # add-package
            pid = opts["package"]
            subs = acc.get("subscriptions") or []
            if any(int(s.get("package_id") or 0) == pid and not s.get("sub_valid_to")
                   for s in subs):
                skips.append(f"LMS customer {m.id}: account {aid} has package {pid}")
                continue
            if not active:
                skips.append(f"LMS customer {m.id}: account {aid} is locked, package not added")
                continue
            call = sms.packagesEntitle if opts.get("activate") else sms.packagesAdd
            do(f"account {aid} package {pid} added", "subscription.add",
               {"account_id": aid, "package_ids": [pid],
                "activate": bool(opts.get("activate"))},
               lambda call=call, aid=aid, pid=pid: call(aid, [pid], dt.date.today()))
    return changes, skips, touched


def run_bulk(db: Any, sms: Any, group: str, action: str, opts: dict[str, Any], audit: Audit,
             *, dry_run: bool = False, workers: int = 8) -> BulkResult:
    if action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    result = BulkResult(dry_run=dry_run, members=group_members(db, group))
    linked = [m for m in result.members if m.number]
    for m in result.members:
        if not m.number:
            result.skipped.append(f"LMS customer {m.id}: not linked to SMS")

    if action == "message":
        # The same HTML rules as a single message (the TV portal shows only these tags).
        opts = {**opts, "body": sanitize_html(opts["body"], TEASER_TAGS),
                "extended": sanitize_html(opts.get("extended") or opts["body"], BODY_TAGS)}
        if not opts["body"].strip() or not opts["extended"].strip():
            raise BadInput("the message text is empty once disallowed HTML is removed; "
                           "give plain text")
    if action == "message" and linked:
        # One list of all messages instead of one read per customer (half the SMS calls).
        opts = {**opts, "_has_message": {
            str(x.get("cust_number")) for x in (sms.meldingerList("") or [])
            if str(x.get("msg_body") or "") == opts["body"]}}

    def work(m: Member) -> tuple[Member, Any]:
        try:
            return m, _one(sms, m, action, opts, dry_run, audit)
        except SmsError as exc:
            return m, exc

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for m, out in pool.map(work, linked):
            if isinstance(out, SmsError):
                result.failures.append(f"LMS customer {m.id} ({m.name}): {out}")
                continue
            changes, skips, touched = out
            result.changed += changes
            result.skipped += skips
            result.touched_accounts += touched
    if not dry_run:
        # A lock/unlock by the operator takes the account over from follow-cutoff.
        for aid in result.touched_accounts:
            forget_lock(db, aid)
    return result
