"""Shared helpers of the sandbox tests (raw stdlib XML-RPC, like SGT's PHP clients)."""

from __future__ import annotations

import xmlrpc.client

import pytest

ADDRESS = {"cust_m_street": "ul. Długa", "cust_m_home_nr": "5", "cust_m_flat": ".",
           "cust_m_postal_code": "30-001", "cust_m_city": "Kraków"}
INSTALL = {"cust_i_street": "ul. Długa", "cust_i_home_nr": "5", "cust_i_flat": "2",
           "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}


class Sms:
    """Calls SGT methods with the auth struct prepended, like the PHP module did."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.proxy = xmlrpc.client.ServerProxy(sandbox.url, allow_none=True)
        self.auth = sandbox.auth
        self.control = sandbox.control().sandbox

    def __getattr__(self, name: str):
        method = getattr(self.proxy, name)
        return lambda *args: method(self.auth, *args)

    def customer(self, **extra: object) -> str:
        data = {"cust_name": "Jan", "cust_surname": "Nowak", **ADDRESS, **extra}
        return self.custAdd(data)

    def account(self, number: str | None = None) -> tuple[str, int]:
        number = number or self.customer()
        return number, self.accountAdd(number, INSTALL)

    def active_subscription(self, package_id: int = 101, start: str | None = None) -> dict:
        """A customer with one installed subscription; returns ids for the test."""
        number, account = self.account()
        today = self.control.getToday()
        [sub_id] = self.packagesEntitle(account, [package_id], start or today)
        sub = self.custGetSubscriptions(number)[0]["subscriptions"][0]
        return {"number": number, "account": account, "sub": sub_id,
                "order": sub["cust_order_id"]}


def fault_of(call, *args) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args)
    return info.value
