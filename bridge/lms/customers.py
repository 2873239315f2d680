"""LMS customers as lmstv needs them: reads for screens and SMS export, and the TV link columns.

Rows carry LMS 1.11.17's field names: one-line ``address`` + ``zip`` + ``city``, ``post_*``
correspondence address, ``email``.  On LMS 1.11.17 these are columns of ``customers``; on
current LMS (28) they come from its ``addresses`` and ``customercontacts`` (plus the street,
house and flat as LMS keeps them) -- :mod:`bridge.lms.flavour` holds that difference.  The TV
columns ``tv_cust_number`` and ``tv_suspend_billing`` come from lmstv's own migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from bridge.lms import flavour
from bridge.lms.address import MISSING, AddressParts, split_address
from bridge.lms.db import Database

MAX_PHONES = 2
TV_NUMBER_MAX = 20
_TV_NUMBER = re.compile(r"^[0-9A-Za-z_-]{1,20}$")
_CHUNK = 1000
ZERO = Decimal("0.00")

# Columns of customers itself on every LMS version; the address fields come from
# flavour.customer_address_sql.
_OWN_COLUMNS = (
    "id", "name", "lastname", "status", "deleted", "type", "divisionid", "tv_cust_number",
    "tv_suspend_billing", "ssn", "icn", "ten", "paytime", "paytype",
)
CUSTOMER_COLUMNS = _OWN_COLUMNS + flavour.ADDRESS_FIELDS


def _select_customer(db: Database) -> str:
    fields, joins = flavour.customer_address_sql(db, "c")
    return ("SELECT " + ", ".join(f"c.{col}" for col in _OWN_COLUMNS) + ", " + fields
            + " FROM customers c" + joins)


class CustomerNotFound(LookupError):
    """No LMS customer has this id."""

    def __init__(self, customer_id: int) -> None:
        self.customer_id = customer_id
        super().__init__(f"LMS customer {customer_id} does not exist")


class InvalidTvNumber(ValueError):
    """A value that cannot be an SMS customer number."""


class LinkConflict(Exception):
    """The SMS customer number already belongs to another LMS customer."""

    def __init__(self, cust_number: str, other_customer_id: int) -> None:
        self.cust_number = cust_number
        self.customer_id = other_customer_id
        super().__init__(f"SMS customer number {cust_number} is already linked to LMS "
                         f"customer {other_customer_id}")


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("status", "deleted", "type", "divisionid", "tv_suspend_billing", "paytime"):
        if out.get(key) is not None:
            out[key] = int(out[key])
    out["id"] = int(out["id"])
    return out


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for first in range(0, len(values), _CHUNK):
        yield values[first:first + _CHUNK]


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def check_tv_number(cust_number: object) -> str:
    """Return a clean SMS customer number or raise :class:`InvalidTvNumber`."""
    text = str(cust_number).strip() if cust_number is not None else ""
    if not _TV_NUMBER.match(text):
        raise InvalidTvNumber(f"invalid SMS customer number {text[:40]!r}: use 1 to "
                              f"{TV_NUMBER_MAX} letters, digits, '-' or '_'")
    return text


# -- single customer ---------------------------------------------------------------------------


def get_customer(db: Database, customer_id: int) -> dict[str, Any] | None:
    """The LMS customer row (fields of ``CUSTOMER_COLUMNS``), or None."""
    row = db.one(_select_customer(db) + " WHERE c.id = %s", [int(customer_id)])
    return _normalise(row) if row else None


def get_customer_by_tv_number(db: Database, cust_number: str) -> dict[str, Any] | None:
    """The LMS customer linked to an SMS customer number, or None."""
    text = str(cust_number or "").strip()
    if not text:
        return None
    row = db.one(_select_customer(db) + " WHERE c.tv_cust_number = %s", [text])
    return _normalise(row) if row else None


def customer_phones(db: Database, customer_id: int, limit: int = MAX_PHONES) -> list[str]:
    """Up to ``limit`` non-fax phone numbers in the order they were entered."""
    sql, params = flavour.phone_contacts_sql(db)
    rows = db.query(sql, [int(customer_id), *params])
    return [str(r["phone"]).strip() for r in rows if str(r["phone"]).strip()][:limit]


def customer_balance(db: Database, customer_id: int) -> Decimal:
    """LMS balance: the sum of all cash rows of the customer (negative = debt)."""
    value = db.scalar("SELECT SUM(value) AS balance FROM cash WHERE customerid = %s",
                      [int(customer_id)])
    return Decimal(value).quantize(ZERO) if value is not None else ZERO


def sms_customer_data(db: Database, customer_id: int) -> dict[str, Any]:
    """The ``cust_data`` struct of the API doc §2.1.1 for custAdd/custEdit (without PINs).

    Raises :class:`CustomerNotFound`.  The correspondence address is the LMS postal address
    when one is set, otherwise the main address; "." marks only truly missing parts.
    """
    cust = get_customer(db, customer_id)
    if cust is None:
        raise CustomerNotFound(int(customer_id))
    main = address_parts(cust)
    post_line = (cust.get("post_address") or "").strip()
    post = address_parts(cust, "post_") if post_line else main
    phones = customer_phones(db, cust["id"]) + ["", ""]

    def text(value: object) -> str:
        return str(value or "").strip()

    return {
        "cust_name": text(cust["name"]),
        "cust_surname": text(cust["lastname"]),
        "cust_pesel": text(cust["ssn"]),
        "cust_valid_num": text(cust["icn"]),
        "cust_m_street": main.street,
        "cust_m_home_nr": main.house,
        "cust_m_flat": main.flat,
        "cust_m_postal_code": text(cust["zip"]) or MISSING,
        "cust_m_city": text(cust["city"]) or MISSING,
        "cust_c_street": post.street,
        "cust_c_home_nr": post.house,
        "cust_c_flat": post.flat,
        "cust_c_postal_code": text(cust.get("post_zip")) or text(cust["zip"]) or MISSING,
        "cust_c_city": text(cust.get("post_city")) or text(cust["city"]) or MISSING,
        "cust_email": text(cust["email"]),
        "cust_phone1": phones[0],
        "cust_phone2": phones[1],
        "cust_external_id": cust["id"],
    }


def address_parts(cust: dict[str, Any], prefix: str = "") -> AddressParts:
    """Street, house and flat of the customer's main (or, with ``prefix="post_"``, postal)
    address: as LMS 28 keeps them, else split from LMS 1.11.17's one-line address."""
    street = str(cust.get(f"{prefix}street") or "").strip()
    if street or cust.get(f"{prefix}house"):
        return AddressParts(street or str(cust.get(f"{prefix}city") or "").strip() or MISSING,
                            str(cust.get(f"{prefix}house") or "").strip() or MISSING,
                            str(cust.get(f"{prefix}flat") or "").strip() or MISSING)
    return split_address(cust.get(f"{prefix}address"))


# -- many customers (list screens) -------------------------------------------------------------


def customers_by_ids(db: Database, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """id, name, lastname, status, deleted, address, zip, city, tv_cust_number and balance
    of each existing customer, keyed by id (one query per 1000 ids)."""
    wanted = sorted({int(i) for i in ids})
    out: dict[int, dict[str, Any]] = {}
    for part in _chunks(wanted):
        marks = _marks(len(part))
        fields, joins = flavour.customer_address_sql(db, "c")
        rows = db.query(
            "SELECT c.id, c.name, c.lastname, c.status, c.deleted, c.tv_cust_number, "
            f"{fields}, COALESCE(b.balance, 0) AS balance FROM customers c{joins} "
            "LEFT JOIN (SELECT customerid, SUM(value) AS balance FROM cash "
            f"WHERE customerid IN ({marks}) GROUP BY customerid) b ON b.customerid = c.id "
            f"WHERE c.id IN ({marks})", [*part, *part])
        for row in rows:
            row = _normalise(row)
            row["balance"] = Decimal(row["balance"]).quantize(ZERO)
            out[row["id"]] = row
    return out


def customers_by_tv_numbers(db: Database, numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Linked LMS customers keyed by their SMS customer number (unknown numbers are absent)."""
    wanted = sorted({str(n).strip() for n in numbers if n is not None and str(n).strip()})
    out: dict[str, dict[str, Any]] = {}
    for part in _chunks(wanted):
        rows = db.query(_select_customer(db)
                        + f" WHERE c.tv_cust_number IN ({_marks(len(part))})",
                        list(part))
        for row in rows:
            out[str(row["tv_cust_number"])] = _normalise(row)
    return out


def balances_by_ids(db: Database, ids: Iterable[int]) -> dict[int, Decimal]:
    """Cash balance per customer id; ids without any cash row are ABSENT from the result
    (SMS is sent nil for them, not 0)."""
    wanted = sorted({int(i) for i in ids})
    out: dict[int, Decimal] = {}
    for part in _chunks(wanted):
        rows = db.query("SELECT customerid, SUM(value) AS balance FROM cash "
                        f"WHERE customerid IN ({_marks(len(part))}) GROUP BY customerid",
                        list(part))
        for row in rows:
            out[int(row["customerid"])] = Decimal(row["balance"]).quantize(ZERO)
    return out


# -- writes ------------------------------------------------------------------------------------


def _is_unique_violation(exc: Exception) -> bool:
    code = getattr(exc, "pgcode", None)
    if code == "23505":
        return True
    args = getattr(exc, "args", ())
    return bool(args) and args[0] == 1062  # MySQL ER_DUP_ENTRY


def link_tv_number(db: Database, customer_id: int, cust_number: str) -> None:
    """Store the SMS customer number on an LMS customer.

    Raises :class:`InvalidTvNumber`, :class:`CustomerNotFound`, or :class:`LinkConflict` when
    another customer already holds the number (the unique index is the final guard against a
    concurrent link).  Linking a customer to the number it already has is a no-op.
    """
    number = check_tv_number(cust_number)
    cid = int(customer_id)
    try:
        with db.transaction():
            if db.scalar("SELECT id FROM customers WHERE id = %s", [cid]) is None:
                raise CustomerNotFound(cid)
            other = db.scalar("SELECT id FROM customers WHERE tv_cust_number = %s AND id <> %s",
                              [number, cid])
            if other is not None:
                raise LinkConflict(number, int(other))
            db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s", [number, cid])
    except (CustomerNotFound, LinkConflict):
        raise
    except Exception as exc:
        if not _is_unique_violation(exc):
            raise
        try:
            other = db.scalar("SELECT id FROM customers WHERE tv_cust_number = %s", [number])
        except Exception:  # noqa: BLE001 - an enclosing transaction may be aborted already
            other = None
        raise LinkConflict(number, int(other or 0)) from None


def unlink_tv_number(db: Database, customer_id: int) -> str | None:
    """Clear the customer's SMS number; returns the number it had (None if none)."""
    cid = int(customer_id)
    with db.transaction():
        row = db.one("SELECT tv_cust_number FROM customers WHERE id = %s", [cid])
        if row is None:
            raise CustomerNotFound(cid)
        db.execute("UPDATE customers SET tv_cust_number = NULL WHERE id = %s", [cid])
    return row["tv_cust_number"]


def set_suspend_billing(db: Database, customer_id: int, flag: bool) -> None:
    """Set "do not invoice TV for this customer" (``customers.tv_suspend_billing``)."""
    cid = int(customer_id)
    with db.transaction():
        if db.scalar("SELECT id FROM customers WHERE id = %s", [cid]) is None:
            raise CustomerNotFound(cid)
        db.execute("UPDATE customers SET tv_suspend_billing = %s WHERE id = %s",
                   [1 if flag else 0, cid])


# -- groups ------------------------------------------------------------------------------------


def customer_groups(db: Database) -> list[dict[str, Any]]:
    """All LMS customer groups: id, name, description, customers (member count)."""
    rows = db.query(
        "SELECT g.id, g.name, g.description, COUNT(a.id) AS customers FROM customergroups g "
        "LEFT JOIN customerassignments a ON a.customergroupid = g.id "
        "GROUP BY g.id, g.name, g.description ORDER BY g.name")
    return [{**r, "id": int(r["id"]), "customers": int(r["customers"])} for r in rows]


def customer_ids_in_groups(db: Database, names: Iterable[str]) -> set[int]:
    """Ids of customers in at least one of the named groups (names compared case-insensitively;
    an empty list of names gives an empty set)."""
    wanted = sorted({str(n).strip().lower() for n in names if str(n).strip()})
    if not wanted:
        return set()
    rows = db.query(
        "SELECT DISTINCT a.customerid FROM customerassignments a "
        "JOIN customergroups g ON g.id = a.customergroupid "
        f"WHERE LOWER(g.name) IN ({_marks(len(wanted))})", wanted)
    return {int(r["customerid"]) for r in rows}
