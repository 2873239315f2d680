"""What LMS 1.11.17's invoice form does when an operator saves a new invoice, statement by
statement, for concurrency tests.

Facts read from LMS's source (modules/invoicenew.php, lib/LMSManagers/LMSDocumentManager.php
GetNewDocumentNumber, LMSFinanceManager.php AddInvoice/AddBalance, lib/LMSDB_driver_*.php) and
rewritten here: the PHP drivers run with autocommit on (mysqli's default; pg_query outside an
explicit BEGIN), ``BeginTrans`` sends ``BEGIN``, ``LockTables`` sends ``LOCK TABLES t1 WRITE, …``
on MySQL and ``LOCK t1, …`` (ACCESS EXCLUSIVE) on PostgreSQL, ``UnLockTables`` sends ``UNLOCK
TABLES`` on MySQL and nothing on PostgreSQL, ``CommitTrans`` sends ``COMMIT``.  On MySQL the
``LOCK TABLES`` implicitly commits the ``BEGIN``, so the statements after it autocommit one by one
under the table locks -- exactly as in LMS.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bridge.config import DatabaseConfig

# invoicenew.php: $DB->LockTables(array('documents', 'cash', 'invoicecontents', 'numberplans',
# 'divisions'));
LMS_INVOICE_LOCKS = ("documents", "cash", "invoicecontents", "numberplans", "divisions")


def raw_autocommit_connection(cfg: DatabaseConfig) -> Any:
    """A driver connection set up like LMS's PHP driver: autocommit on, no wrapper."""
    if cfg.dialect == "postgres":
        import psycopg2

        conn = psycopg2.connect(dbname=cfg.database, user=cfg.user, password=cfg.password or None,
                                host=cfg.host, port=cfg.port or 5432)
        conn.autocommit = True
        return conn
    import pymysql

    return pymysql.connect(database=cfg.database, user=cfg.user, password=cfg.password,
                           host=cfg.host, port=cfg.port or 3306, charset="utf8mb4",
                           autocommit=True)


class LmsInvoiceForm:
    """One operator's browser session saving invoices (one connection, like one PHP request
    after another reusing a persistent connection)."""

    def __init__(self, cfg: DatabaseConfig) -> None:
        self.dialect = cfg.dialect
        self.conn = raw_autocommit_connection(cfg)

    def close(self) -> None:
        self.conn.close()

    def _one(self, cur: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
        cur.execute(sql, params)
        row = cur.fetchone()
        return row[0] if row else None

    def save(self, customerid: int, planid: int, cdate: int, start: int, end: int,
             items: list[tuple[str, Decimal]], divisionid: int = 0) -> tuple[int, int]:
        """invoicenew.php's 'save' action; returns (document id, number).

        ``start``/``end`` are the plan's period bounds for ``cdate`` (GetNewDocumentNumber's
        mktime() arithmetic).  Raises whatever the database raises -- an operator's failed save.
        """
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN")
            try:
                return self._save(cur, customerid, planid, cdate, start, end, items, divisionid)
            except BaseException:
                # LMS has no error handling here: PHP dies, the connection closes and the
                # server rolls back.  Roll back explicitly so the session can be reused.
                if self.dialect != "postgres":
                    cur.execute("UNLOCK TABLES")
                cur.execute("ROLLBACK")
                raise
        finally:
            cur.close()

    def _save(self, cur: Any, customerid: int, planid: int, cdate: int, start: int, end: int,
              items: list[tuple[str, Decimal]], divisionid: int) -> tuple[int, int]:
        if self.dialect == "postgres":
            cur.execute("LOCK " + ", ".join(LMS_INVOICE_LOCKS))
        else:
            cur.execute("LOCK TABLES " + " WRITE, ".join(LMS_INVOICE_LOCKS) + " WRITE")
        # GetNewDocumentNumber(DOC_INVOICE, planid, cdate)
        self._one(cur, "SELECT period FROM numberplans WHERE id=%s", (planid,))
        top = self._one(cur, "SELECT MAX(number) FROM documents WHERE cdate >= %s AND "
                        "cdate < %s AND type = %s AND numberplanid = %s",
                        (start, end, 1, planid))
        number = int(top or 0) + 1
        # AddInvoice
        template = self._one(cur, "SELECT template FROM numberplans WHERE id = %s", (planid,))
        cur.execute("SELECT name, shortname, address, city, zip, countryid, ten, regon, "
                    "account, inv_header, inv_footer, inv_author, inv_cplace FROM divisions "
                    "WHERE id = %s", (divisionid,))
        cur.fetchall()
        fullnumber = str(template or "%N").replace("%N", str(number))
        cur.execute(
            "INSERT INTO documents (number, numberplanid, type, cdate, sdate, paytime, paytype, "
            "userid, customerid, name, address, ten, ssn, zip, city, countryid, divisionid, "
            "div_name, div_shortname, div_address, div_city, div_zip, div_countryid, div_ten, "
            "div_regon, div_account, div_inv_header, div_inv_footer, div_inv_author, "
            "div_inv_cplace, fullnumber) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (number, planid, 1, cdate, cdate, 14, 1, 1, customerid, "Operator Klient",
             "ul. Długa 1", "", "", "30-001", "Kraków", 0, divisionid, "", "", "", "", "", 0,
             "", "", "", "", "", "", "", fullnumber))
        if self.dialect == "postgres":
            iid = int(self._one(cur, "SELECT currval('documents_id_seq')"))
        else:
            iid = int(self._one(cur, "SELECT LAST_INSERT_ID()"))
        for itemid, (name, value) in enumerate(items, start=1):
            cur.execute("INSERT INTO invoicecontents (docid, itemid, value, taxid, prodid, "
                        "content, count, pdiscount, vdiscount, description, tariffid) VALUES "
                        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        (iid, itemid, value, 0, "", "szt.", 1, 0, 0, name, 0))
            # AddBalance
            cur.execute("INSERT INTO cash (time, userid, value, type, taxid, customerid, "
                        "comment, docid, itemid, importid, sourceid) VALUES (%s, %s, %s, %s, "
                        "%s, %s, %s, %s, %s, %s, %s)",
                        (cdate, 1, -value, 0, 0, customerid, name, iid, itemid, None, None))
        if self.dialect != "postgres":
            cur.execute("UNLOCK TABLES")
        cur.execute("COMMIT")
        return iid, number
