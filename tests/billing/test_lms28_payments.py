"""LMS 28's real bin/lms-payments.php, then lmstv's TV invoicing, on both engines.

The cron order of docs/billing.md on current LMS: lms-payments issues the month's internet
invoices (LMS's own PHP, unmodified, from the tarball), then `lmstv billing invoice` appends the
TV lines to them and issues TV-only invoices.  Every imported event ends on exactly one line, its
cash debit carries SERVICE_TV, and a second invoicing run changes nothing.
"""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bridge.billing.dates import RunClock
from bridge.billing.invoicing import InvoicingOptions, run_invoicing
from bridge.lms import flavour
from bridge.lms.db import connect
from bridge.lms.migrate import migrate
from tests.e2e import lms28 as lms28_tree

from .conftest import Lms, event, ts
from .helpers import invoice_consistency, store

DAY = date(2024, 4, 1)
CLOCK = RunClock(today=DAY, now=ts(DAY))
DOC_INVOICE = 1
MONTHLY = 3
SERVICE_INTERNET = 1


@pytest.fixture(scope="module")
def lms28_dir(tmp_path_factory) -> Path:
    """LMS 28 unpacked with vendor/ (the lms28fix fixture's tree; no web server needed)."""
    return lms28_tree.php_tree(tmp_path_factory.mktemp("lms28-php"))


@pytest.fixture
def lms_flavour() -> str:
    return "lms28"


def lms_payments(lms: Path, cfg, tmp_path: Path) -> subprocess.CompletedProcess:
    ini = tmp_path / "lms.ini"
    ini.write_text(lms28_tree.lms_ini_text(cfg, f"[directories]\nsys_dir = {lms}\n"))
    run = subprocess.run(["php", str(lms / "bin" / "lms-payments.php"), "-C", str(ini),
                          "-f", DAY.strftime("%Y/%m/%d")],
                         cwd=lms, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.stdout, run.stderr)
    return run


def test_lms_payments_then_tv_invoicing_exactly_once(lms28_dir, lms_db_config, tmp_path):
    db = connect(lms_db_config)
    try:
        migrate(db, out=lambda _line: None)
        lms = Lms(db)
        tax23 = lms.tax("23.00")
        div = lms.division()
        lms.plan(divisions=(div,))
        tv_tariff = lms.tariff()
        internet = db.insert_id(
            "INSERT INTO tariffs (name, type, value, taxid, description) "
            "VALUES ('Internet 100', %s, 50, %s, '')", [SERVICE_INTERNET, tax23], "tariffs")
        c1 = lms.customer(division=div, tv="100000001")
        c2 = lms.customer(lastname="Nowak", name="Anna", division=div, tv="100000002")
        # c1 pays LMS for internet monthly on the 1st; c2 has TV only
        db.execute("INSERT INTO assignments (tariffid, customerid, period, at, datefrom, dateto, "
                   "invoice, commited) VALUES (%s, %s, %s, 1, 0, 0, %s, 1)",
                   [internet, c1, MONTHLY, DOC_INVOICE])
        store(db, [event(1, ext=c1, be_selling_date="2024-03-15"),
                   event(2, ext=c1, be_gross="10.01", be_selling_date="2024-03-20"),
                   event(3, "100000002", ext=c2, be_selling_date="2024-03-31")])
        db.raw.commit()

        lms_payments(lms28_dir, lms_db_config, tmp_path)
        issued = db.query("SELECT id, customerid FROM documents WHERE type = %s",
                          [DOC_INVOICE])
        assert [r["customerid"] for r in issued] == [c1], issued

        opts = InvoicingOptions(tariff_id=tv_tariff, mode="append")
        summary = run_invoicing(db, opts, CLOCK)
        assert summary.events_invoiced == 3
        assert summary.invoices_appended == 1 and summary.invoices_new == 1

        docs = {int(r["customerid"]): int(r["id"]) for r in db.query(
            "SELECT id, customerid FROM documents WHERE type = %s", [DOC_INVOICE])}
        assert set(docs) == {c1, c2} and docs[c1] == issued[0]["id"]
        lines = db.query("SELECT ic.itemid, ic.description, c.servicetype, c.value "
                         "FROM invoicecontents ic JOIN cash c ON c.docid = ic.docid "
                         "AND c.itemid = ic.itemid WHERE ic.docid = %s ORDER BY ic.itemid",
                         [docs[c1]])
        assert [(r["itemid"], r["servicetype"]) for r in lines] == [
            (1, SERVICE_INTERNET), (2, flavour.SERVICE_TV), (3, flavour.SERVICE_TV)]
        # every event on exactly one line, its cash debit of service type TV
        for ev in db.query("SELECT beid, docid, itemid, be_gross FROM tv_billing_event"):
            cash = db.query("SELECT servicetype, value FROM cash WHERE docid = %s AND "
                            "itemid = %s", [ev["docid"], ev["itemid"]])
            assert len(cash) == 1, ev
            assert cash[0]["servicetype"] == flavour.SERVICE_TV
            assert Decimal(cash[0]["value"]) == -Decimal(ev["be_gross"])
        assert invoice_consistency(db) == []

        # exactly once: invoicing again adds nothing (lms-payments itself is LMS's to run once)
        before = db.scalar("SELECT COUNT(*) AS n FROM cash")
        again = run_invoicing(db, opts, CLOCK)
        assert again.events_invoiced == 0
        assert db.scalar("SELECT COUNT(*) AS n FROM cash") == before
    finally:
        db.close()
