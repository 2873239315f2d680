"""A compact customer record: the SMS customer fields in slots, read and written like a dict.

100,000 customers as plain dicts of 23 keys took ~225 MB of the sandbox (issue 12 asks every
process to stay under 300 MB while it serves them).  A record with one slot per field is about
a fifth of a dict's size, and the values that repeat across customers (streets, towns, postal
codes, house numbers, PINs, dates) are interned so customers share one copy of each.  The
record answers the dict operations the sandbox uses (``r[k]``, ``r[k] = v``, ``get``,
``update``, ``dict(r)``, iteration in field order), so the business rules did not change.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

CUSTOMER_FIELDS = (
    "cust_number", "cust_external_id", "cust_name", "cust_surname", "cust_pesel",
    "cust_m_street", "cust_m_home_nr", "cust_m_flat", "cust_m_postal_code", "cust_m_city",
    "cust_c_street", "cust_c_home_nr", "cust_c_flat", "cust_c_postal_code", "cust_c_city",
    "cust_email", "cust_phone1", "cust_phone2", "cust_valid_num", "cust_vod_pin",
    "cust_master_pin", "cust_created_date", "cust_total_balance")
# Values many customers share; unique ones (PESEL, e-mail, phone...) are not worth a lookup.
_SHARED = frozenset(("cust_name", "cust_surname", "cust_m_street", "cust_m_home_nr",
                     "cust_m_flat", "cust_m_postal_code", "cust_m_city", "cust_c_street",
                     "cust_c_home_nr", "cust_c_flat", "cust_c_postal_code", "cust_c_city",
                     "cust_phone2", "cust_vod_pin", "cust_master_pin", "cust_created_date",
                     "cust_total_balance"))
_SLOT = set(CUSTOMER_FIELDS)


def _shared(key: str, value: Any) -> Any:
    return _intern(value) if key in _SHARED and value.__class__ is str else value


_intern = sys.intern


class CustomerRecord(MutableMapping[str, Any]):
    """One SMS customer: exactly the fields of :data:`CUSTOMER_FIELDS` (others: KeyError)."""

    __slots__ = CUSTOMER_FIELDS

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        data = data or {}
        unknown = data.keys() - _SLOT
        if unknown:
            raise KeyError(sorted(unknown)[0])
        get = data.get
        for key in CUSTOMER_FIELDS:
            value = get(key, "")
            setattr(self, key, _intern(value) if key in _SHARED and value.__class__ is str
                    else value)

    def update(self, data: Any = (), /, **more: Any) -> None:  # type: ignore[override]
        # MutableMapping's generic update goes through __setitem__ per key, slowly.
        items = data.items() if isinstance(data, Mapping) else data
        for key, value in (*items, *more.items()):
            if key not in _SLOT:
                raise KeyError(key)
            setattr(self, key, _shared(key, value))

    def __getitem__(self, key: str) -> Any:
        if key not in _SLOT:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in _SLOT:
            raise KeyError(key)
        setattr(self, key, _shared(key, value))

    def __delitem__(self, key: str) -> None:
        raise TypeError("a customer record always has every field")

    def __iter__(self) -> Iterator[str]:
        return iter(CUSTOMER_FIELDS)

    def __len__(self) -> int:
        return len(CUSTOMER_FIELDS)

    def __contains__(self, key: object) -> bool:
        return key in _SLOT

    def __repr__(self) -> str:
        return f"CustomerRecord({dict(self)!r})"
