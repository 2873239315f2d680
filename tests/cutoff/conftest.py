"""follow-cutoff fixtures: the billing tests' LMS database (both engines, lmstv's schema) and
helpers to give customers nodes and TV accounts in the real sandbox."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bridge.cutoff.settings import CutoffSettings
from bridge.sms.client import SmsClient
from tests.billing.conftest import billing_db, lms, sms_customer  # noqa: F401

_ip = itertools.count(167772161)  # 10.0.0.1


class World:
    """LMS customers linked to sandbox customers, each with TV accounts."""

    def __init__(self, db: Any, writer: Any, sandbox: Any) -> None:
        self.db, self.lms, self.sandbox = db, writer, sandbox
        self.sms = SmsClient(sandbox.url, sandbox.login, sandbox.password_md5)
        self.audit: list[tuple] = []
        self.netid: int | None = None

    def customer(self, cid: int, *, accounts: int = 1, nodes: tuple[int, ...] = (1,),
                 **kw: Any) -> list[int]:
        """LMS customer ``cid`` linked to a new SMS customer with ``accounts`` TV accounts and
        one node per entry of ``nodes`` (its access flag)."""
        number = self.sandbox.control().sandbox.addCustomers(
            [sms_customer(f"K{cid}", str(cid))])[0]
        self.lms.customer(cid, tv=number, **kw)
        for access in nodes:
            self.node(cid, access)
        return [int(self.sms.accountAdd(number, {
            "cust_i_street": "Krótka", "cust_i_home_nr": str(k + 1), "cust_i_flat": "",
            "cust_i_postal_code": "31-002", "cust_i_city": "Kraków"})) for k in range(accounts)]

    def node(self, cid: int, access: int) -> None:
        if self.netid is None:
            self.netid = self.db.insert_id(
                "INSERT INTO networks (name, address, mask) VALUES ('LAN', 167772160, "
                "'255.0.0.0')", [], "networks")
        ip = next(_ip)
        self.db.execute("INSERT INTO nodes (name, ipaddr, ipaddr_pub, ownerid, access, "
                        "creationdate, netid) VALUES (%s, %s, 0, %s, %s, 1, %s)",
                        [f"N{ip}", ip, cid, access, self.netid])

    def set_access(self, cid: int, access: int) -> None:
        self.db.execute("UPDATE nodes SET access = %s, warning = %s WHERE ownerid = %s",
                        [access, 1 - access, cid])

    def active(self, cid: int) -> dict[int, bool]:
        number = self.db.scalar("SELECT tv_cust_number FROM customers WHERE id = %s", [cid])
        return {int(a["account_id"]): bool(int(a["acc_active"]))
                for a in self.sms.custGetSubscriptions(number)}

    def record(self, action: str, cid: int, params: dict, outcome: str, error: str | None):
        self.audit.append((action, cid, params, outcome, error))

    def calls(self) -> list[str]:
        return [c["method"] for c in self.sandbox.control().sandbox.getCalls(1000)]


@pytest.fixture
def world(billing_db, lms, sandbox):  # noqa: F811
    w = World(billing_db, lms, sandbox)
    yield w
    w.sms.close()


@pytest.fixture
def settings() -> CutoffSettings:
    return CutoffSettings(max_locks_per_run=50)
