"""The shape each SMS read must have, checked once, where replies enter the bridge.

A reply that is well-formed XML-RPC can still be the wrong thing (a bare string, a list of
strings, a struct where a list belongs).  Every caller used to trust the shape and failed deep
inside with ``'str' object has no attribute 'get'``.  :func:`check_reply` is called by the client
on every reply: a wrong shape becomes :class:`SmsUnavailable` naming the method and the place,
so the operator sees "SMS problem" (503 / a page part's error) and never a 500.

Tolerated on purpose (what PHP's Zend_XmlRpc may send for a list):
- ``nil`` or ``""`` for an empty list;
- a struct whose keys are all digits, i.e. a PHP array with holes (``array_filter``'s result),
  read as the list of its values in key order; so ``{}`` is an empty list.
Only the members the bridge relies on are checked; the rest pass as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.sms.errors import SmsUnavailable


class _Wrong(Exception):
    def __init__(self, expected: str, value: Any, path: str) -> None:
        super().__init__(expected)
        self.expected, self.value, self.path = expected, value, path


class Shape:
    name = "anything"

    def check(self, value: Any, path: str) -> Any:
        """``value`` (normalised when a tolerated form was sent) or raise :class:`_Wrong`."""
        return value


class Scalar(Shape):
    name = "a single value"

    def check(self, value: Any, path: str) -> Any:
        if isinstance(value, (dict, list)):
            raise _Wrong(self.name, value, path)
        return value


@dataclass(frozen=True)
class Struct(Shape):
    members: dict[str, Shape] = field(default_factory=dict)
    name = "a struct"

    def check(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise _Wrong(self.name, value, path)
        for key, shape in self.members.items():
            if key in value and value[key] is not None:
                old = value[key]
                new = shape.check(old, f"{path}.{key}")
                if new is not old:
                    value[key] = new
        return value


@dataclass(frozen=True)
class ListOf(Shape):
    item: Shape
    name = "a list"

    def check(self, value: Any, path: str) -> Any:
        if value is None or value == "":
            return []
        if isinstance(value, dict) and all(isinstance(k, str) and k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if not isinstance(value, list):
            raise _Wrong(f"a list of {self.item.name.removeprefix('a ')}s"
                         if isinstance(self.item, Struct) else self.name, value, path)
        item = self.item
        if type(item) is Shape:
            return value
        if isinstance(item, Struct) and all(type(m) is Scalar for m in item.members.values()):
            # Flat structs (20,000 customers): check without building a path per item and
            # member; the slow loop below runs only to name the place of a wrong one.
            keys = tuple(item.members)
            if all(isinstance(row, dict) and not any(isinstance(row.get(k), (dict, list))
                                                     for k in keys) for row in value):
                return value
        for i, old in enumerate(value):
            new = item.check(old, f"{path}[{i}]")
            if new is not old:
                value[i] = new
        return value


@dataclass(frozen=True)
class StructOrList(Shape):
    """One struct, or a list of such structs (SMS's answer to a lookup of one item)."""

    struct: Struct
    name = "a struct or a list of structs"

    def check(self, value: Any, path: str) -> Any:
        if isinstance(value, dict) and not all(k.isdigit() for k in value if isinstance(k, str)):
            return self.struct.check(value, path)
        if value is None or value == "":
            return value
        return ListOf(self.struct).check(value, path)


ANY = Shape()
ONE = Scalar()

_SUBSCRIPTION = Struct({"subscription_id": ONE, "package_id": ONE, "order_status_id": ONE,
                        "cust_order_id": ONE})
_ACCOUNT = Struct({"account_id": ONE, "acc_closed": ONE, "acc_locked": ONE,
                   "subscriptions": ListOf(_SUBSCRIPTION)})
_CUSTOMER = Struct({"cust_number": ONE, "cust_external_id": ONE})
_PACKAGE_GROUP = Struct({"pkgt_name": ONE, "packages": ListOf(Struct({"package_id": ONE}))})
_UPGRADE = Struct({"package_id": ONE, "upgrade_dates": ListOf(Struct({
    "upgrade_date": ONE, "termination_fee": Struct()}))})
_UPGRADE_OFFER = StructOrList(Struct({"packages": ListOf(_UPGRADE)}))

# Reads the bridge uses.  Mutations' replies are ignored by the callers (API doc §2), except
# custAdd's new customer number, which is stored in LMS.
REPLIES: dict[str, Shape] = {
    "custGetSubscriptions": ListOf(_ACCOUNT),
    "accountGetSTB": ListOf(Struct({"stb_mac": ONE, "subnet_id": ONE, "cust_order_id": ONE})),
    "packageGetAll": ListOf(_PACKAGE_GROUP),
    "packageGetAvail": ListOf(_PACKAGE_GROUP),
    "getPackagesForUpgrade": _UPGRADE_OFFER,
    "getExtraPackagesForSubscription": ListOf(Struct({"package_id": ONE})),
    "stbGetRegistered": ListOf(Struct({"stb_mac": ONE, "subnet_id": ONE, "account_id": ONE,
                                       "cust_number": ONE})),
    "subnetList": ListOf(Struct({"subnet_id": ONE, "subnet_name": ONE})),
    "meldingerList": ListOf(Struct({"id": ONE, "cust_number": ONE})),
    # the importer checks each event itself and reports bad ones without failing the import
    "billingEventsGet": ListOf(ANY),
    "custAdd": ONE,
}
_ALL_CUSTOMERS = ListOf(_CUSTOMER)
_ONE_CUSTOMER = StructOrList(_CUSTOMER)


def _shown(value: Any) -> str:
    kind = {dict: "a struct", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} ({text[:40]}{'...' if len(text) > 40 else ''})"


def check_reply(method: str, params: tuple[Any, ...], value: Any) -> Any:
    """The reply of ``method(*params)`` (no auth) if its shape is right, else SmsUnavailable."""
    if method == "custList":
        shape = _ALL_CUSTOMERS if not params or params[0] == "" else _ONE_CUSTOMER
    else:
        shape = REPLIES.get(method, ANY)
    try:
        return shape.check(value, "reply")
    except _Wrong as wrong:
        where = "" if wrong.path == "reply" else f" at {wrong.path.removeprefix('reply')}"
        raise SmsUnavailable(f"SMS sent a reply of the wrong shape to {method}: expected "
                             f"{wrong.expected}{where}, got {_shown(wrong.value)}") from None
