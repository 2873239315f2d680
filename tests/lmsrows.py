"""Test rows in LMS's own tables, written the way the LMS version under test keeps them.

Tests describe a customer or division with LMS 1.11.17's flat fields (``address``, ``zip``,
``city``, ``post_*``, ``email``, ``countryid``); on current LMS (28) those go into
``addresses`` + ``customer_addresses`` / ``divisions.address_id`` and ``customercontacts``, as
LMS 28's own forms store them.  Test data only: lmstv itself never writes these.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bridge.lms import flavour
from bridge.lms.address import MISSING, split_address

_ADDRESS = ("address", "zip", "city", "countryid")
_POST = ("post_name", "post_address", "post_zip", "post_city", "post_countryid")


def _address_row(db: Any, line: str | None, zip_: str | None, city: str | None,
                 countryid: Any = None, name: str | None = None) -> int:
    """An LMS 28 ``addresses`` row from a one-line address ("ul. Długa 12/3")."""
    # The parts an operator types into LMS 28's address form: split like the SMS export splits
    # LMS 1.11.17's line.
    parts = split_address(line)
    street, house, flat = (None if p == MISSING else p for p in parts)
    return db.insert_id(
        "INSERT INTO addresses (name, city, street, zip, country_id, house, flat) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [name, city or None, street or None, zip_ or None, countryid or None, house, flat],
        "addresses")


def insert_customer(db: Any, fields: dict[str, Any]) -> int:
    """Insert a customer described with LMS 1.11.17's fields; returns its id."""
    row = {"info": "", "notes": "", "message": "", **fields}
    if flavour.detect(db).address_columns:
        cols, marks = ", ".join(row), ", ".join(["%s"] * len(row))
        return db.insert_id(f"INSERT INTO customers ({cols}) VALUES ({marks})",
                            list(row.values()), "customers")
    main = {k: row.pop(k) for k in _ADDRESS if k in row}
    post = {k: row.pop(k) for k in _POST if k in row}
    email = row.pop("email", None)
    row.setdefault("divisionid", None)
    if not row["divisionid"]:
        row["divisionid"] = None  # a foreign key on LMS 28
    elif db.scalar("SELECT id FROM divisions WHERE id = %s", [row["divisionid"]]) is None:
        # LMS 28 guards customers.divisionid with a foreign key; 1.11.17 tests name divisions
        # they never created.
        db.execute("INSERT INTO divisions (id, shortname, name) VALUES (%s, %s, %s)",
                   [row["divisionid"], f"D{row['divisionid']}", f"D{row['divisionid']}"])
    cols, marks = ", ".join(row), ", ".join(["%s"] * len(row))
    cid = int(row["id"]) if "id" in row else None
    sql = f"INSERT INTO customers ({cols}) VALUES ({marks})"
    if cid is not None:
        db.execute(sql, list(row.values()))
        if db.dialect == "postgres":
            db.execute("SELECT setval('customers_id_seq', (SELECT MAX(id) FROM customers))")
    else:
        cid = db.insert_id(sql, list(row.values()), "customers")
    addr = _address_row(db, main.get("address"), main.get("zip"), main.get("city"),
                        main.get("countryid"))
    db.execute("INSERT INTO customer_addresses (customer_id, address_id, type) "
               "VALUES (%s, %s, %s)", [cid, addr, flavour.BILLING_ADDRESS])
    if (post.get("post_address") or "").strip():
        paddr = _address_row(db, post.get("post_address"), post.get("post_zip"),
                             post.get("post_city"), post.get("post_countryid"),
                             post.get("post_name"))
        db.execute("INSERT INTO customer_addresses (customer_id, address_id, type) "
                   "VALUES (%s, %s, %s)", [cid, paddr, flavour.POSTAL_ADDRESS])
    if email:
        db.execute("INSERT INTO customercontacts (customerid, name, contact, type) "
                   "VALUES (%s, '', %s, %s)", [cid, email, flavour.CONTACT_EMAIL])
    return cid


def insert_phone(db: Any, customerid: int, phone: str, ctype: int | None = None,
                 name: str = "") -> None:
    """A phone contact with LMS 1.11.17's type (None = landline, 1 = mobile, 2 = fax)."""
    if flavour.detect(db).address_columns:
        db.execute("INSERT INTO customercontacts (customerid, name, phone, type) "
                   "VALUES (%s, %s, %s, %s)", [customerid, name, phone, ctype])
        return
    lms28_type = {None: flavour.CONTACT_LANDLINE, 1: flavour.CONTACT_MOBILE,
                  2: flavour.CONTACT_LANDLINE | flavour.CONTACT_FAX}[ctype]
    db.execute("INSERT INTO customercontacts (customerid, name, contact, type) "
               "VALUES (%s, %s, %s, %s)", [customerid, name, phone, lms28_type])


def insert_division(db: Any, values: dict[str, Any]) -> int:
    """Insert a division described with LMS 1.11.17's fields; returns its id."""
    row = dict(values)
    if not flavour.detect(db).address_columns:
        main = {k: row.pop(k, None) for k in _ADDRESS}
        row["address_id"] = _address_row(db, main["address"], main["zip"], main["city"],
                                         main["countryid"])
    cols, marks = ", ".join(row), ", ".join(["%s"] * len(row))
    return db.insert_id(f"INSERT INTO divisions ({cols}) VALUES ({marks})", list(row.values()),
                        "divisions")


def insert_group(db: Any, name: str, members: tuple[int, ...] | list[int] = ()) -> int:
    """An LMS customer group with ``members`` (customer ids); returns its id.  Both LMS versions
    take a membership as (group, customer); current LMS's dates keep their defaults (current)."""
    gid = db.insert_id("INSERT INTO customergroups (name, description) VALUES (%s, '')",
                       [name], "customergroups")
    for cid in members:
        db.execute("INSERT INTO customerassignments (customergroupid, customerid) "
                   "VALUES (%s, %s)", [gid, cid])
    return gid


def insert_tax(db: Any, value: str, label: str = "", validfrom: int = 0, validto: int = 0,
               taxed: int = 1) -> int:
    """An LMS tax rate (``value`` in percent, e.g. "23.00"); returns its id."""
    return db.insert_id(
        "INSERT INTO taxes (value, taxed, label, validfrom, validto) VALUES (%s, %s, %s, %s, "
        "%s)", [Decimal(value), taxed, label or f"{value}%", validfrom, validto], "taxes")


def insert_tv_tariff(db: Any, taxid: int | None, name: str = "TV") -> int:
    """A tariff of LMS's type TV (5) at no price, as lmstv.ini's [billing] tv_tariff_id names."""
    return db.insert_id("INSERT INTO tariffs (name, type, value, taxid, description) "
                        "VALUES (%s, 5, 0, %s, '')", [name, taxid], "tariffs")


def insert_plan(db: Any, template: str = "%N/TV/%m/%Y", period: int = 3, isdefault: int = 1,
                divisions: tuple[int, ...] | list[int] = ()) -> int:
    """An invoice number plan (doctype 1) assigned to ``divisions``; returns its id."""
    pid = db.insert_id("INSERT INTO numberplans (template, period, doctype, isdefault) "
                       "VALUES (%s, %s, 1, %s)", [template, period, isdefault], "numberplans")
    for d in divisions:
        db.execute("INSERT INTO numberplanassignments (planid, divisionid) VALUES (%s, %s)",
                   [pid, d])
    return pid
