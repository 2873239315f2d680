"""The sandbox operator: store + business rules, one object guarded by one lock."""

from __future__ import annotations

import threading

from bridge.sandbox.ops_billing import BillingOps
from bridge.sandbox.ops_customers import CustomerOps
from bridge.sandbox.ops_messages import MessageOps
from bridge.sandbox.ops_packages import PackageOps
from bridge.sandbox.ops_stb import StbOps
from bridge.sandbox.store import Store


class SmsState(Store, CustomerOps, PackageOps, StbOps, MessageOps, BillingOps):
    """All state and rules of the simulated SMS; callers hold ``lock`` around every use."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self.version = 0  # bumped by every mutation; the saver compares it

    def counts(self) -> dict[str, object]:
        statuses = {"1": 0, "2": 0, "3": 0}
        for s in self.subscriptions.values():
            statuses[str(s["order_status_id"])] += 1
        return {
            "today": self.today().isoformat(),
            "customers": len(self.customers),
            "accounts": len(self.accounts),
            "accounts_locked": sum(1 for a in self.accounts.values() if not a["acc_active"]),
            "accounts_closed": sum(1 for a in self.accounts.values() if a["acc_closed"]),
            "subscriptions": len(self.subscriptions),
            "subscriptions_by_status": statuses,
            "stb_stock": sum(1 for s in self.stbs.values() if s["stb_usage"] == "stock"),
            "stb_customer": sum(1 for s in self.stbs.values() if s["stb_usage"] == "customer"),
            "subnets": len(self.subnets),
            "messages": len(self.messages),
            "billing_events": self.event_count(),
        }
