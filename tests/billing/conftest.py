"""Billing fixtures: a real LMS 1.11.17 database (both engines) with lmstv's migrations, LMS
master data (taxes, number plans, a division, the TV tariff) and helpers to seed customers."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bridge.lms import flavour
from bridge.lms.bootstrap import split_mysql_script
from bridge.lms.db import Database, connect
from tests.lmsrows import (
    insert_customer,
    insert_division,
    insert_group,
    insert_plan,
    insert_tax,
    insert_tv_tariff,
)

ROOT = Path(__file__).resolve().parents[2]


def apply_lmstv_schema(db: Database) -> None:
    """lmstv's migrations: `lmstv migrate` when it exists, else the sql/ files in order."""
    try:
        from bridge.lms import migrate  # type: ignore[attr-defined]

        run = getattr(migrate, "apply_all", None) or getattr(migrate, "migrate", None)
    except ImportError:
        run = None
    if run is not None:
        try:
            run(db)
            return
        except TypeError:
            pass
    folder = ROOT / "sql" / ("postgres" if db.dialect == "postgres" else "mysql")
    for path in sorted(folder.glob("*.sql")):
        if "adopt" in path.name:
            continue  # adopting the original module's table needs the migration runner
        script = path.read_text(encoding="utf-8")
        if db.dialect == "postgres":
            with db.raw.cursor() as cur:
                cur.execute(script)
            db.raw.commit()
        else:
            for stmt in split_mysql_script(script):
                with db.raw.cursor() as cur:
                    cur.execute(stmt)
            db.raw.commit()


def ts(day: date, hour: int = 0) -> int:
    return int(time.mktime((day.year, day.month, day.day, hour, 0, 0, 0, 0, -1)))


class Lms:
    """Small writer of LMS master data for tests (what an operator sets up in LMS's UI)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def tax(self, value: str, label: str = "", validfrom: int = 0, validto: int = 0,
            taxed: int = 1) -> int:
        return insert_tax(self.db, value, label, validfrom, validto, taxed)

    def division(self, shortname: str = "ISP", **kw: Any) -> int:
        values = {"shortname": shortname, "name": kw.pop("name", f"{shortname} Sp. z o.o."),
                  "address": "ul. Długa 1", "city": "Kraków", "zip": "30-001",
                  "ten": "6750001122", "account": "12345678901234567890123456",
                  "inv_author": "Jan Nowak", "inv_cplace": "Kraków", **kw}
        return insert_division(self.db, values)

    def plan(self, template: str = "%N/TV/%m/%Y", period: int = 3, isdefault: int = 1,
             divisions: tuple[int, ...] = (), **lms28: Any) -> int:
        """An invoice number plan; ``lms28`` sets current LMS's own columns (datefrom,
        dateto, customertype)."""
        pid = insert_plan(self.db, template, period, isdefault, divisions)
        for column, value in lms28.items():
            self.db.execute(f"UPDATE numberplans SET {column} = %s WHERE id = %s", [value, pid])
        return pid

    def _any_tax(self) -> int | None:
        """LMS 1.11.17 takes taxid 0 for "none"; LMS 28 guards it with a foreign key."""
        if flavour.detect(self.db).address_columns:
            return 0
        taxid = self.db.scalar("SELECT MIN(id) AS id FROM taxes")
        return int(taxid) if taxid is not None else self.tax("0.00", "tariff")

    def tariff(self, name: str = "TV") -> int:
        return insert_tv_tariff(self.db, self._any_tax(), name)

    def customer(self, cid: int | None = None, *, lastname: str = "Kowalski", name: str = "Jan",
                 division: int = 0, tv: str | None = None, suspend: int = 0,
                 paytime: int = -1, paytype: int | None = None, deleted: int = 0,
                 status: int = 3) -> int:
        cols = ["lastname", "name", "address", "zip", "city", "divisionid", "tv_cust_number",
                "tv_suspend_billing", "paytime", "paytype", "deleted", "status", "ten", "ssn",
                "info", "message"]
        vals: list[Any] = [lastname, name, "ul. Krótka 5/2", "31-002", "Kraków", division, tv,
                           suspend, paytime, paytype, deleted, status, "", "80010112345", "", ""]
        row = dict(zip(cols, vals, strict=True))
        if cid is not None:
            row = {"id": cid, **row}
            if flavour.detect(self.db).address_columns:
                sql = (f"INSERT INTO customers ({', '.join(row)}) VALUES "
                       f"({', '.join(['%s'] * len(row))})")
                self.db.execute(sql, list(row.values()))
                if self.db.dialect == "postgres":
                    self.db.execute("SELECT setval('customers_id_seq', "
                                    "(SELECT MAX(id) FROM customers))")
                return cid
        return insert_customer(self.db, row)

    def group(self, name: str, members: tuple[int, ...]) -> int:
        return insert_group(self.db, name, members)

    def user(self, uid: int) -> int:
        """LMS user ``uid`` (current LMS's documents.userid is a foreign key to users)."""
        if self.db.scalar("SELECT id FROM users WHERE id = %s", [uid]) is None:
            self.db.execute("INSERT INTO users (id, login) VALUES (%s, %s)", [uid, f"user{uid}"])
        return uid

    def payments_invoice(self, cid: int, cdate: int, number: int, plan: int, value: str = "50.00",
                         taxid: int = 0, userid: int = 0) -> int:
        """An internet invoice as LMS's lms-payments writes it (one line + cash debit)."""
        no_tariff: int | None = 0
        if not flavour.detect(self.db).address_columns:
            # LMS 28's foreign keys: "none" is NULL, and a line needs a real tax
            taxid = taxid or self._any_tax() or 0
            userid = userid or None  # type: ignore[assignment]
            no_tariff = None
            if userid:
                self.user(userid)
        docid = self.db.insert_id(
            "INSERT INTO documents (number, numberplanid, type, customerid, name, address, zip, "
            "city, cdate, sdate, paytime, paytype, userid, fullnumber) VALUES (%s, %s, 1, %s, "
            "'Kowalski Jan', 'ul. Krótka 5/2', '31-002', 'Kraków', %s, %s, 14, 2, %s, %s)",
            [number, plan, cid, cdate, cdate, userid, f"{number}/LMS"], "documents")
        self.db.execute("INSERT INTO invoicecontents (docid, itemid, value, taxid, prodid, "
                        "content, count, description, tariffid) VALUES (%s, 1, %s, %s, '', "
                        "'szt.', 1, 'Internet', %s)",
                        [docid, Decimal(value), taxid, no_tariff])
        self.db.execute("INSERT INTO cash (time, value, taxid, customerid, comment, docid, "
                        "itemid) VALUES (%s, %s, %s, %s, 'Internet', %s, 1)",
                        [cdate, -Decimal(value), taxid, cid, docid])
        return docid


@pytest.fixture
def billing_db(lms_db_config):
    db = connect(lms_db_config)
    apply_lmstv_schema(db)
    yield db
    db.close()


@pytest.fixture
def lms(billing_db) -> Lms:
    return Lms(billing_db)


def event(beid: int, cust_number: str = "100000001", ext: Any = 1, **kw: Any) -> dict[str, Any]:
    """One billingEventsGet struct as SMS sends it."""
    ev = {"id": beid, "cust_external_id": ext, "cust_number": cust_number, "account_id": 7,
          "package_id": 3, "be_selling_date": "2024-03-01", "be_desc": f"Pakiet Start #{beid}",
          "be_vat": 0.23, "be_gross": 29.99, "be_b2b_netto": 12.5, "group_id": 4401}
    ev.update(kw)
    return ev


def sms_customer(surname: str, external_id: str) -> dict[str, Any]:
    """A complete cust_data struct for the sandbox's sandbox.addCustomers."""
    return {"cust_name": "Jan", "cust_surname": surname, "cust_external_id": external_id,
            "cust_m_street": "Krótka", "cust_m_home_nr": "5", "cust_m_postal_code": "31-002",
            "cust_m_city": "Kraków"}
