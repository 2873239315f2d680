"""The customer's whole "Konta TV" box in one call, SMS calls fanned out concurrently.

Two rounds: customer, accounts, subnets and messages at once; then, per open account, its STBs
and available packages, and per live installed service its upgrade and gift offers.  A part that
fails is reported in ``errors`` with its data ``None`` — never shown as "no accounts" (bug #27).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from bridge.cutoff.view import auto_lock_notes
from bridge.services import accounts as acs
from bridge.services import customers as cs
from bridge.services import messages as ms
from bridge.services import subnets as sn
from bridge.services import subscriptions as subs
from bridge.services.context import Context, NotCached, ServiceError, today
from bridge.sms.errors import SmsError, SmsFault, SmsUnavailable


def part_error(part: str, exc: Exception) -> dict[str, Any]:
    if isinstance(exc, SmsFault):
        return {"part": part, "code": "sms_fault", "message": exc.message, "reason": None,
                "sms_code": exc.code}
    if isinstance(exc, SmsUnavailable):
        return {"part": part, "code": "sms_unavailable", "message": "Brak połączenia z SMS",
                "reason": exc.reason, "sms_code": None}
    if isinstance(exc, ServiceError):
        return {"part": part, "code": exc.code, "message": exc.message, "reason": None,
                "sms_code": None}
    return {"part": part, "code": "sms_unavailable", "message": "Brak połączenia z SMS",
            "reason": f"unexpected reply: {type(exc).__name__}", "sms_code": None}


class _Done:
    """A part taken inline: its value or its exception, read like a Future's ``result()``
    (a Future with its Condition, for each of a warm page's ~20 parts, was a tenth of it)."""

    __slots__ = ("value", "exc")

    def __init__(self, value: Any, exc: BaseException | None) -> None:
        self.value = value
        self.exc = exc

    def result(self) -> Any:
        if self.exc is not None:
            raise self.exc
        return self.value


class _Parts:
    def __init__(self, ctx: Context, executor: Executor) -> None:
        self.ctx = ctx
        self.executor = executor
        self.futures: dict[str, Future | _Done] = {}
        self.errors: list[dict[str, Any]] = []

    def start(self, name: str, fn: Callable[[], Any]) -> None:
        # A part whose data is cached is taken here: handing a cache read to a thread and
        # back cost more than the read (a warm page is all cache reads).
        if not self.ctx.fresh:
            with self.ctx.cached_only():
                try:
                    self.futures[name] = _Done(fn(), None)
                    return
                except NotCached:
                    pass
                except Exception as exc:  # noqa: BLE001 - reported by get(), as from a thread
                    self.futures[name] = _Done(None, exc)
                    return
        self.futures[name] = self.executor.submit(fn)

    def get(self, name: str) -> Any:
        """The part's value, or None after recording why it failed."""
        try:
            return self.futures[name].result()
        except (SmsError, ServiceError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # Malformed SMS data (wrong types) is reported as such, not as a crash of the page.
            self.errors.append(part_error(name, exc))
            return None


def customer_page(ctx: Context, customer_id: int, executor: Executor) -> dict[str, Any]:
    cust = cs.lms_customer(ctx, customer_id)
    number = str(cust["tv_cust_number"]) if cust.get("tv_cust_number") else None
    page: dict[str, Any] = {
        "customer": {"id": cust["id"], "name": cust.get("name"),
                     "lastname": cust.get("lastname"), "status": cust.get("status"),
                     "deleted": bool(cust.get("deleted")), "tv_cust_number": number,
                     "linked": number is not None,
                     "tv_suspend_billing": bool(cust.get("tv_suspend_billing")),
                     "can_add_account": not cust.get("deleted") and cust.get("status") != 1,
                     "new_account_address": acs.lms_install_address(cust)},
        "sms_customer": None,
        "summary": {"accounts": 0, "locked": 0, "label": "Konta TV (0)"},
        "accounts": [], "subnets": [], "messages": [], "errors": [],
        "sms_unavailable": False,
    }
    if number is None:
        return page
    try:
        cs.check_stored_number(number)
    except ServiceError as exc:
        page["errors"].append(part_error("customer", exc))
        _explain_errors(page)
        return page

    parts = _Parts(ctx, executor)
    parts.start("customer", lambda: cs.sms_customer(ctx, customer_id, number))
    parts.start("accounts", lambda: acs.raw_accounts(ctx, customer_id, number))
    parts.start("subnets", lambda: sn.raw_subnets(ctx))
    parts.start("messages", lambda: ms.raw_customer_messages(ctx, customer_id, number))

    raw_accounts = parts.get("accounts")
    open_accounts = [a for a in (raw_accounts or []) if not acs.truthy(a.get("acc_closed"))]
    on = today()
    for acc in open_accounts:
        aid = acs.as_int(acc.get("account_id"))
        parts.start(f"account:{aid}:stbs",
                    lambda aid=aid: acs.account_stbs(ctx, customer_id, aid))
        parts.start(f"account:{aid}:packages",
                    lambda aid=aid: subs.packages_available(ctx, customer_id, aid))
        for sub in cs.as_list(acc.get("subscriptions")):
            sid = acs.as_int(sub.get("subscription_id"))
            # Offers only for live installed services (the original asked for every one, #29).
            if sub.get("sub_valid_to") or acs.as_int(sub.get("order_status_id")) != 3:
                continue
            parts.start(f"subscription:{sid}:upgrades",
                        lambda sid=sid: subs.raw_upgrades(ctx, customer_id, sid))
            parts.start(f"subscription:{sid}:gifts",
                        lambda sid=sid: subs.raw_gifts(ctx, customer_id, sid))

    page["sms_customer"] = parts.get("customer")
    subnets = parts.get("subnets")
    page["subnets"] = None if subnets is None else sn_items(subnets)
    names = {acs.as_int(s.get("subnet_id")): str(s.get("subnet_name") or "")
             for s in (subnets or [])}
    raw_msgs = parts.get("messages")
    page["messages"] = (None if raw_msgs is None
                        else ms.shape_customer_messages(raw_msgs, number, cust))

    if raw_accounts is None:
        page["accounts"] = None
        page["summary"] = None
    else:
        accounts = []
        for acc in open_accounts:
            accounts.append(_account(ctx, parts, number, acc, names, on))
        notes = auto_lock_notes(ctx.db, customer_id) if any(a["locked"] for a in accounts) \
            else {}
        for shaped in accounts:
            # Locked by follow-cutoff (LMS's debtor block), not by an operator.
            shaped["auto_lock"] = notes.get(shaped["account_id"]) if shaped["locked"] else None
        page["accounts"] = accounts
        page["summary"] = acs.summary(accounts)
    page["errors"] = parts.errors
    _explain_errors(page)
    return page


_PART_LABELS = {"customer": "dane klienta", "accounts": "konta", "subnets": "podsieci",
                "messages": "wiadomości"}
_SUB_PART_LABELS = {"stbs": "STB konta", "packages": "pakiety konta",
                    "upgrades": "upgrade usługi", "gifts": "prezenty usługi"}


def part_label(part: str) -> str:
    """Polish name of a page part for the operator ("account:12:stbs" → "STB konta 12")."""
    if part in _PART_LABELS:
        return _PART_LABELS[part]
    _, _, rest = part.partition(":")
    ident, _, what = rest.partition(":")
    return f"{_SUB_PART_LABELS[what]} {ident}" if what in _SUB_PART_LABELS else part


def _explain_errors(page: dict[str, Any]) -> None:
    """Polish part names, and one flag for "SMS did not answer": the box then shows one banner
    instead of a line per part, and offers no action that needs SMS (a new account would only
    fail). The LMS-side facts (SMS number, billing suspension) stay usable."""
    for err in page["errors"]:
        err["label"] = part_label(err["part"])
    down = any(err["code"] == "sms_unavailable" for err in page["errors"])
    page["sms_unavailable"] = down
    if down:
        page["customer"]["can_add_account"] = False


def sn_items(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"subnet_id": acs.as_int(s.get("subnet_id")), "subnet_name": s.get("subnet_name"),
             "subnet_net": s.get("subnet_net"), "subnet_mask": s.get("subnet_mask")}
            for s in raw]


def _account(ctx: Context, parts: _Parts, number: str, acc: dict[str, Any],
             names: dict[int | None, str], on: Any) -> dict[str, Any]:
    aid = acs.as_int(acc.get("account_id"))
    raw_stbs = parts.get(f"account:{aid}:stbs")
    stbs = [acs.shape_stb(ctx, s, names) for s in (raw_stbs or [])]
    shaped = acs.shape_account(ctx, number, acc, stbs, on)
    if raw_stbs is None:
        shaped["stbs"] = None
    shaped["packages_available"] = parts.get(f"account:{aid}:packages")
    for sub in shaped["subscriptions"]:
        sid = sub["subscription_id"]
        if raw_stbs is None:
            sub["stbs"] = None
            sub["allowed"]["issue_stb"] = False
        if f"subscription:{sid}:upgrades" in parts.futures:
            up = parts.get(f"subscription:{sid}:upgrades")
            gifts = parts.get(f"subscription:{sid}:gifts")
            sub["upgrade_offers"] = None if up is None else subs.upgrade_offers_of(up)
            sub["gifts"] = None if gifts is None else subs.gifts_of(gifts)
        else:
            sub["upgrade_offers"], sub["gifts"] = [], []
        sub["allowed"]["upgrade"] = bool(sub["upgrade_offers"])
        sub["allowed"]["gift"] = bool(sub["gifts"])
    return shaped
