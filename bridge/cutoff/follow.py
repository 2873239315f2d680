"""``lmstv accounts follow-cutoff``: TV accounts follow LMS's debtor block.

A linked customer is *blocked* when all of their LMS nodes have ``access = 0`` (what
``bin/lms-cutoff`` and lmsd's cutoff do), or when LMS has a debt-collection status and the
customer is in it.  A customer without nodes is never blocked by the node rule.  LMS's own
protections apply as in ``lms-cutoff``: ``cutoffstop`` in the future and lms.ini ``[cutoff]``
``excluded_customergroups`` / ``customergroups``; a protected customer counts as not blocked.

The decision is made from the database alone: ``tv_cutoff_customer`` remembers the customers
already handled, so a run with nothing to change asks SMS nothing.  Locking reads the
customer's accounts and locks the active ones (an account already locked was locked by
someone else and is left out of ``tv_account_lock``); unlocking touches only the accounts in
``tv_account_lock`` with ``locked_by = 'lmstv-cutoff'``, never one an operator locked by hand.
Each account is its own step, recorded right after SMS confirmed it, so an interrupted run is
simply run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bridge.cutoff import store
from bridge.cutoff.settings import CutoffSettings, resolve_groups
from bridge.lms import flavour
from bridge.sms.errors import SmsFault, SmsUnavailable

log = logging.getLogger("lmstv.cutoff")

Audit = Callable[[str, int, dict[str, Any], str, str | None], None]

# Two plain queries joined here instead of one LEFT JOIN on an aggregate: PostgreSQL picks a
# nested loop over fresh, unanalysed tables for the join (20 s for 20,000 customers).
_LINKED_SQL = ("SELECT id, tv_cust_number, status, cutoffstop FROM customers "
               "WHERE deleted = 0 AND tv_cust_number IS NOT NULL")
_NODES_SQL = ("SELECT ownerid, COUNT(*) AS total, "
              "SUM(CASE WHEN access = 1 THEN 1 ELSE 0 END) AS opened FROM nodes GROUP BY ownerid")


@dataclass
class Plan:
    to_lock: dict[int, str] = field(default_factory=dict)  # customer id -> SMS number
    to_unlock: list[int] = field(default_factory=list)
    blocked: int = 0


@dataclass
class FollowResult:
    locked: list[tuple[int, int]] = field(default_factory=list)  # (customer, account)
    unlocked: list[tuple[int, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    limit_stop: str | None = None
    blocked: int = 0
    dry_run: bool = False


def plan(db: Any, settings: CutoffSettings, now: int, source: str | None = None) -> Plan:
    excluded = resolve_groups(db, settings.excluded_groups, source, "excluded_customergroups")
    only = resolve_groups(db, settings.only_groups, source, "customergroups")
    members: dict[int, set[int]] = {}
    if excluded or only:
        for r in db.query("SELECT customerid, customergroupid FROM "
                          + flavour.group_memberships(db)):
            members.setdefault(int(r["customerid"]), set()).add(int(r["customergroupid"]))
    handled = store.handled_customers(db)
    nodes = {int(r["ownerid"]): (int(r["total"]), int(r["opened"] or 0))
             for r in db.query(_NODES_SQL)}
    out = Plan()
    for r in db.query(_LINKED_SQL):
        cid = int(r["id"])
        total, opened = nodes.get(cid, (0, 0))
        by_nodes = total > 0 and opened == 0
        by_status = (settings.debt_status is not None
                     and int(r["status"] or 0) == settings.debt_status)
        groups = members.get(cid, set())
        protected = (int(r["cutoffstop"] or 0) > now or bool(groups & excluded)
                     or bool(only and not groups & only))
        blocked = (by_nodes or by_status) and not protected
        out.blocked += blocked
        if blocked and cid not in handled:
            out.to_lock[cid] = str(r["tv_cust_number"]).strip()
        elif not blocked and cid in handled:
            out.to_unlock.append(cid)
    return out


def _active_accounts(sms: Any, number: str) -> list[int]:
    accounts = sms.custGetSubscriptions(number) or []
    if isinstance(accounts, dict):
        accounts = [accounts]
    out = []
    for acc in accounts:
        closed = str(acc.get("acc_closed") or "0").strip() not in ("", "0", "false")
        active = str(acc.get("acc_active") or "0").strip() not in ("", "0", "false")
        if active and not closed:
            out.append(int(acc["account_id"]))
    return out


def follow_cutoff(db: Any, sms: Any, settings: CutoffSettings, audit: Audit, *,
                  dry_run: bool = False, now: int | None = None, source: str | None = None,
                  on_customer: Callable[[int], None] | None = None) -> FollowResult:
    """Lock the newly blocked, unlock the unblocked; SmsUnavailable stops the run (what was
    done so far is recorded and listed by the caller)."""
    now = int(time.time()) if now is None else now
    p = plan(db, settings, now, source)
    result = FollowResult(dry_run=dry_run, blocked=p.blocked)
    # Unlocks first: they are always safe, even when the lock limit stops the rest.
    for cid in p.to_unlock:
        _unlock_customer(db, sms, cid, audit, result, dry_run)
    if len(p.to_lock) > settings.max_locks_per_run:
        result.limit_stop = (f"{len(p.to_lock)} customers would get their TV locked, more than "
                             f"[cutoff] max_locks_per_run = {settings.max_locks_per_run}; "
                             "nothing was locked. Check LMS's blocks, then raise the limit "
                             "for one run (or run with --max-locks N)")
        return result
    for cid, number in sorted(p.to_lock.items()):
        _lock_customer(db, sms, cid, number, audit, result, dry_run, now)
        if on_customer is not None:
            on_customer(cid)
    return result


def _lock_customer(db: Any, sms: Any, cid: int, number: str, audit: Audit,
                   result: FollowResult, dry_run: bool, now: int) -> None:
    try:
        accounts = _active_accounts(sms, number)
    except SmsFault as exc:
        result.failures.append(f"LMS customer {cid} (SMS {number}): cannot read TV accounts: "
                               f"{exc}")
        return
    ok = _each_account(
        "lock", cid, accounts, sms.accountLock,
        lambda aid: store.record_lock(db, aid, cid, store.AUTO, store.REASON, now),
        result.locked, audit, result, dry_run)
    # Only a complete customer counts as handled, so a failed one is retried next run.
    if ok and not dry_run:
        store.mark_handled(db, cid, now)


def _unlock_customer(db: Any, sms: Any, cid: int, audit: Audit, result: FollowResult,
                     dry_run: bool) -> None:
    ok = _each_account("unlock", cid, sorted(store.auto_locks(db, cid)), sms.accountUnlock,
                       lambda aid: store.forget_lock(db, aid), result.unlocked, audit, result,
                       dry_run)
    if ok and not dry_run:
        store.unmark_handled(db, cid)


def _each_account(action: str, cid: int, accounts: Iterable[int],
                  sms_call: Callable[[int], object], record: Callable[[int], None],
                  done: list[tuple[int, int]], audit: Audit, result: FollowResult,
                  dry_run: bool) -> bool:
    """Lock or unlock (*action* "lock" / "unlock") one customer's *accounts* one at a time:
    *sms_call* asks SMS, and only once SMS confirmed is it audited and *record* stores it (the
    "each account is its own step" of the module docstring). One shape for both directions, so
    their fault handling cannot drift apart. Returns False when SMS refused any account."""
    ok = True
    for aid in accounts:
        if dry_run:
            done.append((cid, aid))
            continue
        params = {"account_id": aid, "reason": store.REASON}
        try:
            sms_call(aid)
        except SmsFault as exc:
            audit(f"account.{action}", cid, params, "sms_fault", f"{exc.code}: {exc.message}")
            result.failures.append(f"LMS customer {cid}: account {aid} not {action}ed: {exc}")
            ok = False
            continue
        except SmsUnavailable as exc:
            # SMS is gone: stop the whole run; what was recorded so far stays recorded.
            audit(f"account.{action}", cid, params, "sms_unavailable", exc.reason)
            raise
        audit(f"account.{action}", cid, params, "ok", None)
        record(aid)
        done.append((cid, aid))
    return ok
