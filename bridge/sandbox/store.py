"""The sandbox's in-memory data: records, indexes, id counters, the business clock.

Records are plain dicts keyed by SMS field names (internal fields start with ``_``) so replies
are cheap to build and the whole store serialises to JSON for ``--state``.  Business rules live
in the ``ops_*`` mixins; this module only holds data and the lookups they share.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date

from bridge.sandbox import catalog, faults
from bridge.sandbox.eventblock import EventBlock
from bridge.sandbox.record import CustomerRecord
from bridge.sandbox.values import parse_date

# Billing event tuple layout (immutable, so replies can be serialised outside the state lock).
EVENT_FIELDS = ("id", "cust_external_id", "cust_number", "account_id", "package_id",
                "be_selling_date", "be_desc", "be_vat", "be_gross", "be_b2b_netto", "group_id")
FIRST_CUSTOMER_SEQ = 100001
CUSTOMER_PREFIX = "673"


class Store:
    """All SMS-side data of one sandbox operator."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.today_override: date | None = None
        self.customers: dict[str, CustomerRecord] = {}
        self.by_external: dict[int, str] = {}
        self.accounts: dict[int, dict] = {}
        self.accounts_of: dict[str, list[int]] = {}
        self.subscriptions: dict[int, dict] = {}
        self.subs_of: dict[int, list[int]] = {}
        self.stbs: dict[str, dict] = {}
        self.subnets: dict[int, dict] = {}
        # The offer: the catalog's packages, some renamed by the setPackageName control.
        self.packages: dict[int, catalog.Package] = dict(catalog.BY_ID)
        self.messages: dict[int, dict] = {}
        self.events_by_date: dict[str, list[tuple]] = {}
        self.event_dates: list[str] = []
        self.event_ids: set[int] = set()
        self.event_blocks: list[EventBlock] = []  # generated events, kept as their rule
        self.payment_info: dict = {"upload_date": "", "payment_info": {}}
        self.seq = {"customer": FIRST_CUSTOMER_SEQ, "account": 40323, "subscription": 5001,
                    "order": 197321, "stb": 9001, "subnet": 11, "message": 301, "event": 700001}

    # -- business clock ---------------------------------------------------------------------

    def today(self) -> date:
        return self.today_override or date.today()

    def next_id(self, kind: str) -> int:
        value = self.seq[kind]
        self.seq[kind] = value + 1
        return value

    # -- lookups that fault like SMS ------------------------------------------------------

    def customer(self, number: str) -> dict:
        c = self.customers.get(number)
        if c is None:
            raise faults.unknown_customer(number)
        return c

    def account(self, account_id: int, *, open_only: bool = True) -> dict:
        a = self.accounts.get(account_id)
        if a is None:
            raise faults.unknown_account(account_id)
        if open_only and a["acc_closed"]:
            raise faults.account_closed(account_id)
        return a

    def subscription(self, sub_id: int) -> dict:
        s = self.subscriptions.get(sub_id)
        if s is None:
            raise faults.unknown_subscription(sub_id)
        return s

    # -- events -----------------------------------------------------------------------------

    def add_event(self, event: tuple) -> None:
        day = event[5]
        bucket = self.events_by_date.get(day)
        if bucket is None:
            bucket = self.events_by_date[day] = []
            bisect.insort(self.event_dates, day)
        bucket.append(event)
        self.event_ids.add(event[0])

    def add_block(self, block: EventBlock) -> None:
        for day in block.days():
            if day not in self.events_by_date:
                self.events_by_date[day] = []
                bisect.insort(self.event_dates, day)
        self.event_blocks.append(block)

    def has_event(self, event_id: int) -> bool:
        return event_id in self.event_ids or any(event_id in b.ids for b in self.event_blocks)

    def iter_events_between(self, start: str, end: str) -> Iterator[tuple]:
        """The window's events by sale date, lazily; safe to run after the lock is released.

        The lists of stored tuples are copied now (blocks never change), so a later change of
        the store does not alter a reply being written.
        """
        lo = bisect.bisect_left(self.event_dates, start)
        hi = bisect.bisect_right(self.event_dates, end)
        days = [(day, list(self.events_by_date[day])) for day in self.event_dates[lo:hi]]
        blocks = list(self.event_blocks)

        def rows() -> Iterator[tuple]:
            for day, stored in days:
                yield from stored
                for block in blocks:
                    yield from block.rows_on(day)
        return rows()

    def events_between(self, start: str, end: str) -> list[tuple]:
        return list(self.iter_events_between(start, end))

    def event_count(self) -> int:
        return len(self.event_ids) + sum(b.count for b in self.event_blocks)

    # -- persistence ----------------------------------------------------------------------

    def snapshot(self) -> dict:
        """A JSON-ready copy, cheap enough to take under the state lock."""
        return {
            "format": 1,
            "today": self.today_override.isoformat() if self.today_override else None,
            "seq": dict(self.seq),
            "customers": [dict(c) for c in self.customers.values()],
            "accounts": [dict(a) for a in self.accounts.values()],
            "subscriptions": [dict(s) for s in self.subscriptions.values()],
            "stbs": [dict(s) for s in self.stbs.values()],
            "subnets": [dict(s) for s in self.subnets.values()],
            "messages": [dict(m) for m in self.messages.values()],
            # Generated blocks are written out as plain events (format 1 knows no blocks).
            "events": list(self.iter_events_between("", "9999-12-31")),
            "payment_info": {"upload_date": self.payment_info["upload_date"],
                             "payment_info": dict(self.payment_info["payment_info"])},
            "package_names": {str(pid): p.name for pid, p in self.packages.items()
                              if p.name != catalog.BY_ID[pid].name},
        }

    def restore(self, data: dict) -> None:
        if data.get("format") != 1:
            raise ValueError(f"unknown sandbox state format {data.get('format')!r}")
        self.clear()
        self.today_override = parse_date(data["today"]) if data.get("today") else None
        self.seq.update(data["seq"])
        for c in data["customers"]:
            self.index_customer(c)
        for a in data["accounts"]:
            self.index_account(a)
        for s in data["subscriptions"]:
            self.index_subscription(s)
        self.stbs = {s["stb_mac"]: s for s in data["stbs"]}
        self.subnets = {s["subnet_id"]: s for s in data["subnets"]}
        self.messages = {m["id"]: m for m in data["messages"]}
        for e in data["events"]:
            self.add_event(tuple(e))
        self.payment_info = data["payment_info"]
        for pid, name in data.get("package_names", {}).items():
            self.rename_package(int(pid), name)

    def rename_package(self, package_id: int, name: str) -> None:
        p = self.packages.get(package_id)
        if p is None:
            raise faults.unknown_package(package_id)
        self.packages[package_id] = replace(p, name=name)

    def index_customer(self, c: Mapping) -> CustomerRecord:
        # A record, not a dict: 100,000 customers must fit the sandbox's memory budget.  No
        # empty account list either: readers use accounts_of.get(number, []).
        record = c if isinstance(c, CustomerRecord) else CustomerRecord(c)
        self.customers[record["cust_number"]] = record
        if c["cust_external_id"] != "":
            self.by_external[c["cust_external_id"]] = c["cust_number"]
        return record

    def index_account(self, a: dict) -> None:
        self.accounts[a["account_id"]] = a
        self.accounts_of.setdefault(a["cust_number"], []).append(a["account_id"])
        self.subs_of.setdefault(a["account_id"], [])

    def index_subscription(self, s: dict) -> None:
        self.subscriptions[s["subscription_id"]] = s
        self.subs_of.setdefault(s["account_id"], []).append(s["subscription_id"])
