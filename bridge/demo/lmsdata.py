"""Fill an empty LMS 1.11.17 database with a small believable ISP, matching the SMS sandbox.

Each SMS customer carries ``cust_external_id`` = the LMS customer id, so the demo's LMS customers
are created with exactly those ids and linked through ``tv_cust_number`` — every screen has data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bridge.lms.db import Database

TV_TARIFF_NAME = "TV"


def _house(customer: dict[str, Any]) -> str:
    street = (customer.get("cust_m_street") or "").strip()
    home = (customer.get("cust_m_home_nr") or "").strip(" .")
    flat = (customer.get("cust_m_flat") or "").strip(" .")
    line = f"{street} {home}".strip()
    return f"{line}/{flat}" if flat else line


def _created(customer: dict[str, Any], now: int, rng: random.Random) -> int:
    """When the ISP signed the customer up in LMS: before it was exported to SMS (SMS's
    cust_created_date) and before the first internet charge two months ago."""
    first_charge = now - 61 * 86400
    try:
        day = date.fromisoformat(str(customer.get("cust_created_date") or "")[:10])
        exported = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    except ValueError:
        exported = now
    return min(exported, first_charge) - rng.randint(1, 60) * 86400


def _sync_sequence(db: Database, table: str) -> None:
    # PostgreSQL sequences do not follow explicit ids; MySQL's AUTO_INCREMENT does.
    if db.dialect == "postgres":
        db.execute(f"SELECT setval('{table}_id_seq', (SELECT COALESCE(MAX(id), 1) FROM {table}))")


def populate_lms(db: Database, sms_customers: Iterable[dict[str, Any]], *,
                 seed: int = 7) -> dict[str, int]:
    """Create division, taxes, number plan, the "TV" tariff, customers, contacts and cash rows.

    Returns ids and counts of what was created (``tv_tariff_id`` for the demo's lmstv.ini).
    """
    rng = random.Random(seed)
    now = int(time.time())
    poland = db.scalar("SELECT id FROM countries WHERE name = %s", ["Poland"]) or 0
    with db.transaction():
        division = db.insert_id(
            "INSERT INTO divisions (shortname, name, address, city, zip, countryid, ten, regon, "
            "account, inv_header, inv_footer, inv_author, inv_cplace, inv_paytime, inv_paytype, "
            "description, status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s)",
            ["Demo-Net", "Demo-Net Sp. z o.o.", "ul. Światłowodowa 1", "Kraków", "30-001", poland,
             "676-000-00-00", "123456789", "12345678901234567890123456", "", "", "Biuro",
             "Kraków", 14, 2, "Demo ISP for lmstv", 0], "divisions")
        taxes = {}
        for value, label in ((Decimal("23.00"), "23%"), (Decimal("8.00"), "8%"),
                             (Decimal("0.00"), "zw.")):
            taxes[label] = db.insert_id(
                "INSERT INTO taxes (value, taxed, label, validfrom, validto) "
                "VALUES (%s, %s, %s, %s, %s)", [value, 1 if value else 0, label, 0, 0], "taxes")
        plan = db.insert_id(
            "INSERT INTO numberplans (template, period, doctype, isdefault) "
            "VALUES (%s, %s, %s, %s)", ["%N/DN/%m/%Y", 3, 1, 1], "numberplans")
        db.execute("INSERT INTO numberplanassignments (planid, divisionid) VALUES (%s, %s)",
                   [plan, division])
        tariff = db.insert_id(
            "INSERT INTO tariffs (name, type, value, taxid, description) "
            "VALUES (%s, %s, %s, %s, %s)",
            [TV_TARIFF_NAME, 5, 0, taxes["23%"], "Telewizja JAMBOX (SGT) - pozycje z SMS"],
            "tariffs")
        internet = db.insert_id(
            "INSERT INTO tariffs (name, type, value, taxid, description) "
            "VALUES (%s, %s, %s, %s, %s)",
            ["Internet 300 Mb/s", 1, Decimal("69.00"), taxes["23%"], "Światłowód"], "tariffs")

        # Rows gathered first and sent per table with executemany (multi-row INSERTs): ~1,500
        # single-row round trips per demo build were most of its time.  Per table the rows keep
        # the customers' order, so every id is what row-by-row inserts gave.
        customers, contacts, assignments, cash = [], [], [], []
        for cust in sms_customers:
            lms_id = str(cust.get("cust_external_id") or "").strip()
            if not lms_id.isdigit():
                continue
            cid = int(lms_id)
            created = _created(cust, now, rng)
            customers.append(
                [cid, (cust.get("cust_surname") or "")[:128], (cust.get("cust_name") or "")[:128],
                 3, 0, (cust.get("cust_email") or "")[:255], _house(cust)[:255],
                 (cust.get("cust_m_postal_code") or "")[:10], (cust.get("cust_m_city") or "")[:32],
                 poland, (cust.get("cust_pesel") or "")[:11], "", "", "", created, created,
                 division,
                 "", f"{rng.randint(0, 999999):06d}", -1, str(cust.get("cust_number") or "")
                 or None])
            phone = cust.get("cust_phone1") or f"6{rng.randint(10000000, 99999999)}"
            contacts.append([cid, "", phone, 1])
            if rng.random() < 0.7:
                assignments.append([internet, cid, 3, 1, now - 86400 * 60, 0, 1])
            for months_ago in (2, 1):
                when = now - months_ago * 30 * 86400
                cash.append([when, 0, Decimal("-69.00"), taxes["23%"], cid, "Internet 300 Mb/s"])
                if rng.random() < 0.85:
                    cash.append([when + 5 * 86400, 1, Decimal("69.00"), 0, cid, "Wpłata"])
        db.executemany(
            "INSERT INTO customers (id, lastname, name, status, type, email, address, zip, "
            "city, countryid, ssn, icn, info, notes, creationdate, moddate, divisionid, "
            "message, pin, paytime, tv_cust_number) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", customers)
        db.executemany("INSERT INTO customercontacts (customerid, name, phone, type) "
                       "VALUES (%s, %s, %s, %s)", contacts)
        db.executemany("INSERT INTO assignments (tariffid, customerid, period, at, datefrom, "
                       "dateto, invoice) VALUES (%s, %s, %s, %s, %s, %s, %s)", assignments)
        db.executemany("INSERT INTO cash (time, type, value, taxid, customerid, comment) "
                       "VALUES (%s, %s, %s, %s, %s, %s)", cash)
        count = len(customers)
        _sync_sequence(db, "customers")
    return {"division_id": division, "numberplan_id": plan, "tv_tariff_id": tariff,
            "customers": count, "tax_23_id": taxes["23%"]}


# LMS-side disagreements for `lmstv reconcile` and TV → Zgodność LMS–SMS (docs/reconcile.md):
# customers deleted or disconnected in LMS whose TV still runs in SMS, one with TV billing
# suspended, one linked to a number SMS does not know (its SMS customer is then unlinked) and
# one whose link was lost.
DEMO_DELETED = (5, 17)
DEMO_DISCONNECTED = (30,)
DEMO_SUSPENDED = (42,)
DEMO_STALE = {53: "999999901"}
DEMO_UNLINKED = (67,)  # link lost in LMS: SMS still names it by external id


def plant_disagreements(db: Database) -> None:
    with db.transaction():
        for cid in DEMO_DELETED:
            db.execute("UPDATE customers SET deleted = 1 WHERE id = %s", [cid])
        for cid in DEMO_DISCONNECTED:
            db.execute("UPDATE customers SET status = 4 WHERE id = %s", [cid])
        for cid in DEMO_SUSPENDED:
            db.execute("UPDATE customers SET tv_suspend_billing = 1 WHERE id = %s", [cid])
        for cid, number in DEMO_STALE.items():
            db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s", [number, cid])
        for cid in DEMO_UNLINKED:
            db.execute("UPDATE customers SET tv_cust_number = NULL WHERE id = %s", [cid])
