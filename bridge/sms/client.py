"""The SMS XML-RPC client: one Python method per business method of API v1.4.1 (section 2).

Method names and parameter order are exactly SMS's, minus the auth struct, which the client
adds as parameter 0 of every call.  Values come back as plain Python decoded from XML-RPC.
Arguments are checked before anything is sent (ValueError), dates always go as YYYY-MM-DD,
read-only methods are retried once after a transient transport failure, mutating ones never
(a retried write could run twice on SMS).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bridge.sms import args as a
from bridge.sms.errors import SmsFault, SmsUnavailable
from bridge.sms.rows import Layouts, as_dict
from bridge.sms.shapes import check_reply
from bridge.sms.stream import DEFAULT_BATCH, NotAList, Sink, StreamDecoder
from bridge.sms.transport import Decoder, ReplyDecoder, XmlRpcTransport, safe_url

if TYPE_CHECKING:
    from bridge.config import Config

log = logging.getLogger("lmstv.sms")

# [opcje] max_reply_mb's default (bridge/config.py): the whole customer list of 100,000 customers.
DEFAULT_MAX_REPLY_BYTES = 256 << 20
# 100k billing events are about 94 MB of XML-RPC; a month of a large operator must fit.
DEFAULT_MAX_BILLING_REPLY_BYTES = 1 << 30

OnCall = Callable[[str, float, str], None]
Struct = dict[str, Any]
Amount = Decimal | int | float | str
_MD5_RE = re.compile(r"^[0-9a-f]{32}$")

STB_SHOW_MODES = ("", "stock", "customer")


class SmsClient:
    """Thread-safe client of one SMS endpoint (production, SGT's sandbox or ours)."""

    def __init__(self, url: str, login: str, password_md5: str, *, http_timeout: float = 10.0,
                 long_timeout: float = 30.0, max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
                 max_billing_reply_bytes: int = DEFAULT_MAX_BILLING_REPLY_BYTES,
                 on_call: OnCall | None = None, verify: bool | str = True) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"SMS URL must start with http:// or https://, got {url!r}")
        if not isinstance(login, str) or not login.strip():
            raise ValueError("SMS login must be a non-empty string")
        md5 = password_md5.lower() if isinstance(password_md5, str) else ""
        if not _MD5_RE.match(md5):
            raise ValueError("SMS password_md5 must be the 32-character hex MD5 of the password")
        for name, value in (("http_timeout", http_timeout), ("long_timeout", long_timeout),
                            ("max_reply_bytes", max_reply_bytes),
                            ("max_billing_reply_bytes", max_billing_reply_bytes)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        self.url = url
        self.login = login
        self._auth = {"user_name": login, "user_pass": md5}
        self.http_timeout = float(http_timeout)
        self.long_timeout = float(long_timeout)
        self.max_reply_bytes = int(max_reply_bytes)
        self.max_billing_reply_bytes = int(max_billing_reply_bytes)
        self.on_call = on_call
        # The conformance probe turns this off: it must see SMS's replies as they came.
        self.check_shapes = True
        self._transport = XmlRpcTransport(url, verify=verify)

    @classmethod
    def from_config(cls, cfg: Config, *, on_call: OnCall | None = None) -> SmsClient:
        # The billing cap stays the larger one: it only bounds billingEventsGet, whose month of
        # events outgrows the customer list.
        return cls(cfg.sms_url, cfg.sms_login, cfg.sms_password_md5,
                   http_timeout=cfg.http_timeout, long_timeout=cfg.long_timeout,
                   max_reply_bytes=cfg.max_reply_mb << 20,
                   max_billing_reply_bytes=max(DEFAULT_MAX_BILLING_REPLY_BYTES,
                                               cfg.max_reply_mb << 20),
                   on_call=on_call)

    def __repr__(self) -> str:  # never shows the password hash
        return f"SmsClient({safe_url(self.url)!r}, login={self.login!r})"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> SmsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one place every call goes through ---------------------------------------------

    def _call(self, method: str, *params: Any, read_only: bool, billing: bool = False,
              decoder: Callable[[], Decoder] | None = None) -> Any:
        timeout = self.long_timeout if billing else self.http_timeout
        limit = self.max_billing_reply_bytes if billing else self.max_reply_bytes
        started = time.monotonic()
        outcome = "unavailable"
        attempt = 1
        try:
            while True:
                try:
                    # A retry gets a fresh decoder: a streaming one starts its sink over.
                    result = self._transport.call(method, (dict(self._auth), *params),
                                                  timeout=timeout, max_bytes=limit,
                                                  decoder=decoder() if decoder else None)
                except SmsUnavailable as exc:
                    if read_only and attempt == 1 and exc.retryable:
                        log.warning("SMS %s: %s; retrying once", method, exc.reason)
                        attempt += 1
                        continue
                    raise
                # A reply of the wrong shape is SMS's problem, not a retryable transport one.
                try:
                    if self.check_shapes and decoder is None:
                        result = check_reply(method, params, result)
                except SmsUnavailable as exc:
                    log.warning("SMS %s: %s", method, exc.reason)
                    raise
                outcome = "ok"
                return result
        except SmsFault as fault:
            outcome = f"fault {fault.code}"
            raise
        finally:
            self._report(method, time.monotonic() - started, outcome, attempt)

    def _report(self, method: str, seconds: float, outcome: str, attempts: int) -> None:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        level = logging.WARNING if outcome == "unavailable" else logging.INFO
        log.log(level, "SMS %s %s in %.3f s%s", method, outcome, seconds, tries)
        if self.on_call is not None:
            try:
                self.on_call(method, seconds, outcome)
            except Exception:  # a metrics hook must never break an SMS call
                log.exception("SMS on_call hook failed for %s", method)

    # -- 2.1 customers ---------------------------------------------------------------------

    def custList(self, cust_number: str = "", *, rows: bool = False  # noqa: N802
                 ) -> list[Struct] | Struct:
        """All customers (``""``) as a list, or one customer's struct.

        ``rows=True``: the customers come as compact rows (:mod:`bridge.sms.rows`, about a
        quarter of the memory of dicts), for the bridge's customer list of 100,000 customers.
        """
        number = a.cust_number(cust_number, allow_empty=True)
        if not rows:
            return self._call("custList", number, read_only=True)
        got = self._call("custList", number, read_only=True,
                         decoder=lambda: ReplyDecoder(rows=True))
        if isinstance(got, list) and all(type(item) is tuple for item in got):
            return got  # flat structs only: a customer's shape (scalars) holds by construction
        # Anything else is checked as dicts would be, which also names what is wrong.
        try:
            checked = check_reply("custList", (number,), [as_dict(item) for item in got]
                                  if isinstance(got, list) else got)
        except SmsUnavailable as exc:
            log.warning("SMS custList: %s", exc.reason)
            raise
        if not isinstance(checked, list):
            return checked
        layouts = Layouts()
        return [layouts.row(item) if isinstance(item, dict) and not any(
            isinstance(v, (dict, list)) for v in item.values()) else item for item in checked]

    def custAdd(self, cust_data: Mapping[str, Any]) -> Any:  # noqa: N802
        """Create a customer; returns the new cust_number."""
        return self._call("custAdd", a.struct(cust_data, "cust_data"), read_only=False)

    def custEdit(self, cust_number: str, cust_data: Mapping[str, Any]) -> Any:  # noqa: N802
        """Update a customer; ``cust_data`` may be partial (e.g. only the two PINs)."""
        return self._call("custEdit", a.cust_number(cust_number),
                          a.struct(cust_data, "cust_data"), read_only=False)

    # -- 2.2 accounts ----------------------------------------------------------------------

    def custGetSubscriptions(self, cust_number: str) -> list[Struct]:  # noqa: N802
        """The customer's accounts, each with its ``subscriptions`` list."""
        return self._call("custGetSubscriptions", a.cust_number(cust_number), read_only=True)

    def accountAdd(self, cust_number: str, acc_data: Mapping[str, Any]) -> Any:  # noqa: N802
        return self._call("accountAdd", a.cust_number(cust_number),
                          a.struct(acc_data, "acc_data"), read_only=False)

    def accountEdit(self, account_id: int, acc_data: Mapping[str, Any]) -> Any:  # noqa: N802
        return self._call("accountEdit", a.sms_id(account_id, "account_id"),
                          a.struct(acc_data, "acc_data"), read_only=False)

    def accountDel(self, account_id: int) -> Any:  # noqa: N802
        return self._call("accountDel", a.sms_id(account_id, "account_id"), read_only=False)

    def accountLock(self, account_id: int) -> Any:  # noqa: N802
        """Collection lock: services restricted, billing continues."""
        return self._call("accountLock", a.sms_id(account_id, "account_id"), read_only=False)

    def accountUnlock(self, account_id: int) -> Any:  # noqa: N802
        return self._call("accountUnlock", a.sms_id(account_id, "account_id"), read_only=False)

    def accountGetSTB(self, account_id: int) -> list[Struct]:  # noqa: N802
        return self._call("accountGetSTB", a.sms_id(account_id, "account_id"), read_only=True)

    # -- 2.3 packages and subscriptions ----------------------------------------------------

    def packageGetAll(self) -> list[Struct]:  # noqa: N802
        """Package groups on sale: ``[{pkgt_name, packages: [...]}, ...]``."""
        return self._call("packageGetAll", read_only=True)

    def packageGetAvail(self, account_id: int) -> list[Struct]:  # noqa: N802
        return self._call("packageGetAvail", a.sms_id(account_id, "account_id"), read_only=True)

    def packagesAdd(self, account_id: int, package_ids: Iterable[int],  # noqa: N802
                    start_date: a.DateLike) -> Any:
        """Add packages inactive (not billable until subscriptionActivate)."""
        return self._call("packagesAdd", a.sms_id(account_id, "account_id"),
                          a.sms_id_list(package_ids, "package_ids"),
                          a.sms_date(start_date, "start_date"), read_only=False)

    def packagesEntitle(self, account_id: int, package_ids: Iterable[int],  # noqa: N802
                        start_date: a.DateLike) -> Any:
        """Add packages and activate them (billable from activation)."""
        return self._call("packagesEntitle", a.sms_id(account_id, "account_id"),
                          a.sms_id_list(package_ids, "package_ids"),
                          a.sms_date(start_date, "start_date"), read_only=False)

    def subscriptionActivate(self, account_id: int, subscription_id: int) -> Any:  # noqa: N802
        return self._call("subscriptionActivate", a.sms_id(account_id, "account_id"),
                          a.sms_id(subscription_id, "subscription_id"), read_only=False)

    def subscriptionTerminate(self, account_id: int, subscription_id: int,  # noqa: N802
                              term_date: a.DateLike, term_fee: Amount | None = "",
                              term_desc: str = "") -> Any:
        """Terminate at ``term_date`` (SMS accepts only the end of a billing period)."""
        return self._call("subscriptionTerminate", a.sms_id(account_id, "account_id"),
                          a.sms_id(subscription_id, "subscription_id"),
                          a.sms_date(term_date, "term_date"),
                          a.optional_amount(term_fee, "term_fee"),
                          a.text(term_desc if term_desc is not None else "", "term_desc"),
                          read_only=False)

    def getPackagesForUpgrade(self, subscription_id: int) -> Struct:  # noqa: N802
        """``{packages: [{package_id, pkg_name, pkg_desc, upgrade_dates: [...]}, ...]}``."""
        return self._call("getPackagesForUpgrade", a.sms_id(subscription_id, "subscription_id"),
                          read_only=True)

    def packageUpgrade(self, subscription_id: int, new_package_id: int,  # noqa: N802
                       new_package_date: a.DateLike) -> Any:
        # The references always sent a literal true as a 4th parameter (meaning undocumented,
        # API doc section 9.4); SMS may require it, so it is kept.
        return self._call("packageUpgrade", a.sms_id(subscription_id, "subscription_id"),
                          a.sms_id(new_package_id, "new_package_id"),
                          a.sms_date(new_package_date, "new_package_date"), True,
                          read_only=False)

    def getExtraPackagesForSubscription(self, subscription_id: int) -> list[Struct]:  # noqa: N802
        return self._call("getExtraPackagesForSubscription",
                          a.sms_id(subscription_id, "subscription_id"), read_only=True)

    def addExtraPackageForSubscription(self, subscription_id: int,  # noqa: N802
                                       package_id: int) -> Any:
        return self._call("addExtraPackageForSubscription",
                          a.sms_id(subscription_id, "subscription_id"),
                          a.sms_id(package_id, "package_id"), read_only=False)

    # -- 2.4 set-top boxes -----------------------------------------------------------------

    def stbGetRegistered(self, show_mode: str = "") -> list[Struct]:  # noqa: N802
        """STBs of the operator: all (``""``), in ``stock`` or issued to a ``customer``."""
        return self._call("stbGetRegistered", a.choice(show_mode, "show_mode", STB_SHOW_MODES),
                          read_only=True)

    def stbRegister(self, stb_mac: str, stb_serial: str, stb_model: str) -> Any:  # noqa: N802
        return self._call("stbRegister", a.text(stb_mac, "stb_mac", allow_empty=False),
                          a.text(stb_serial, "stb_serial", allow_empty=False),
                          a.text(stb_model, "stb_model", allow_empty=False), read_only=False)

    def stbRemove(self, stb_mac: str) -> Any:  # noqa: N802
        return self._call("stbRemove", a.text(stb_mac, "stb_mac", allow_empty=False),
                          read_only=False)

    def stbLink(self, account_id: int, stb_mac: str, subnet_id: int,  # noqa: N802
                cust_order_id: int) -> Any:
        return self._call("stbLink", a.sms_id(account_id, "account_id"),
                          a.text(stb_mac, "stb_mac", allow_empty=False),
                          a.sms_id(subnet_id, "subnet_id"),
                          a.sms_id(cust_order_id, "cust_order_id"), read_only=False)

    def stbUnlink(self, account_id: int, stb_mac: str) -> Any:  # noqa: N802
        return self._call("stbUnlink", a.sms_id(account_id, "account_id"),
                          a.text(stb_mac, "stb_mac", allow_empty=False), read_only=False)

    # -- 2.5 subnets -----------------------------------------------------------------------

    def subnetList(self) -> list[Struct]:  # noqa: N802
        return self._call("subnetList", read_only=True)

    def subnetSplit(self, subnet_id: int, subnet_name1: str,  # noqa: N802
                    subnet_name2: str) -> Any:
        return self._call("subnetSplit", a.sms_id(subnet_id, "subnet_id"),
                          a.text(subnet_name1, "subnet_name1"),
                          a.text(subnet_name2, "subnet_name2"), read_only=False)

    # -- 2.6 messages ----------------------------------------------------------------------

    def meldingerList(self, cust_number: str = "") -> list[Struct]:  # noqa: N802
        return self._call("meldingerList", a.cust_number(cust_number, allow_empty=True),
                          read_only=True)

    def meldingerSend(self, cust_number: str | None, msg_body: str,  # noqa: N802
                      msg_teaser_valid_from: a.DateLike, msg_teaser_valid_to: a.DateLike | None,
                      msg_body_extended: str, msg_valid_from: a.DateLike | None,
                      msg_valid_to: a.DateLike | None, msg_prio: int,
                      msg_show_priority: int) -> Any:
        """Send a message to one customer, or (``cust_number=None``) to all active ones.

        Returns the number of messages sent.  ``msg_prio`` is the read-confirmation mode
        (1 on click, 0 after PIN, 2 once the teaser was shown).
        """
        number = None if cust_number is None else a.cust_number(cust_number)
        return self._call(
            "meldingerSend", number,
            a.text(msg_body, "msg_body", allow_empty=False),
            a.sms_date(msg_teaser_valid_from, "msg_teaser_valid_from"),
            a.optional_sms_date(msg_teaser_valid_to, "msg_teaser_valid_to"),
            a.text(msg_body_extended, "msg_body_extended", allow_empty=False),
            a.optional_sms_date(msg_valid_from, "msg_valid_from"),
            a.optional_sms_date(msg_valid_to, "msg_valid_to"),
            a.small_int(msg_prio, "msg_prio", (0, 1, 2)),
            a.small_int(msg_show_priority, "msg_show_priority"),
            read_only=False)

    def meldingerDel(self, message_ids: Iterable[int]) -> Any:  # noqa: N802
        """XML-RPC ``meldingerDel([ids])``: delete these messages."""
        return self._call("meldingerDel", a.sms_id_list(message_ids, "message_ids"),
                          read_only=False)

    def meldingerDelCustomer(self, cust_number: str) -> Any:  # noqa: N802
        """XML-RPC ``meldingerDel(nil, cust_number)``: delete all messages of one customer."""
        return self._call("meldingerDel", None, a.cust_number(cust_number), read_only=False)

    # -- 2.7 billing -----------------------------------------------------------------------

    def billingEventsGet(self, start_date: a.DateLike, end_date: a.DateLike,  # noqa: N802
                         id: str | int = "", *,  # noqa: A002 - SMS's name
                         sink: Sink | None = None, restart: Callable[[], None] | None = None,
                         batch: int = DEFAULT_BATCH) -> list[Struct] | int | NotAList:
        """Billing events sold in [start_date, end_date]; uses long_timeout and the big cap.

        With ``sink`` the reply is streamed: events go to ``sink`` in lists of about ``batch``
        while it arrives, and the call returns how many were handed over, or NotAList with the
        reply's value when it was not an array.  ``restart`` runs before every attempt (a read is
        retried once after a transient failure), so the caller drops what a failed attempt
        handed over.  What the sink got is provisional until the call returns: a failure later
        raises exactly as without a sink.
        """
        start = a.sms_date(start_date, "start_date")
        end = a.sms_date(end_date, "end_date")
        if start > end:
            raise ValueError(f"start_date {start} is after end_date {end}")
        if isinstance(id, bool) or not isinstance(id, (str, int)):
            raise ValueError(f"id must be a string or a whole number, got {id!r}")
        if sink is None:
            return self._call("billingEventsGet", start, end, id, read_only=True, billing=True)
        stream_to = sink

        def fresh() -> StreamDecoder:
            if restart is not None:
                restart()
            return StreamDecoder(stream_to, batch=batch)

        return self._call("billingEventsGet", start, end, id, read_only=True, billing=True,
                          decoder=fresh)

    def setCustomerPaymentInfo(self, upload_date: a.DateLike,  # noqa: N802
                               payment_info: Mapping[str, Mapping[str, Any]]) -> Any:
        """Publish balances: ``{cust_number: {"cust_total_balance": amount or None}}``."""
        if not isinstance(payment_info, Mapping):
            raise ValueError(f"payment_info must be a dict keyed by cust_number, got "
                             f"{type(payment_info).__name__}")
        info: dict[str, dict[str, Any]] = {}
        for number, entry in payment_info.items():
            key = a.cust_number(number, "payment_info key")
            if not isinstance(entry, Mapping) or "cust_total_balance" not in entry:
                raise ValueError(f"payment_info[{key!r}] must be a dict with "
                                 f"'cust_total_balance', got {entry!r}")
            value = entry["cust_total_balance"]
            info[key] = {"cust_total_balance": None if value is None else a.decimal_text(
                value, f"payment_info[{key!r}].cust_total_balance")}
        return self._call("setCustomerPaymentInfo", a.sms_date(upload_date, "upload_date"),
                          info, read_only=False)
