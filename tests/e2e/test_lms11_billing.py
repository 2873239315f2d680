"""Flow 8: the manual's cron chain in the real LMS tree, each step run twice — tvbillingimport.php,
LMS's own (patched) bin/lms-payments.php, tvbilling.php: every imported event ends on exactly one
invoice line, and the invoices show on the customer's page."""

from __future__ import annotations

import os
import subprocess

from bridge.lms.db import connect
from tests.e2e import lms11
from tests.e2e.ui import login


def php(lms, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        ["php", "-d", f"auto_prepend_file={lms11.COMPAT / 'prepend.php'}", *args],
        cwd=lms.lms, capture_output=True, text=True, timeout=300,
        env={**os.environ, "LMSTV_CONFIG": str(lms.ini)})
    fatal = [ln for ln in proc.stderr.splitlines() if "Fatal error" in ln]
    # LMS 1.11.17's PostgreSQL driver closes its link again in a shutdown function, which PHP 8
    # turns into a fatal error (exit 255) after the script's work is done; nothing else may fail.
    lms_pg_close = fatal and all("connection has already been closed" in ln for ln in fatal)
    assert proc.returncode in (0, 3) or (proc.returncode == 255 and lms_pg_close), \
        f"{args}: {proc.returncode}\n{proc.stdout}{proc.stderr}"
    return proc


def rows(lms, sql: str) -> list:
    db = connect(lms.db)
    try:
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in db.query(sql, [])]
    finally:
        db.close()


def test_billing_chain_twice_puts_each_event_on_one_invoice_line(browser, lms, sms) -> None:
    # The stack's internet assignments are monthly on the 1st (at = 1), and lms-payments
    # invoices only what is due on the day it is given: the chain runs for the 1st of the
    # sandbox's month, the day the operator's cron makes the month's invoices.
    day = sms.sandbox.getToday()[:8].replace("-", "/") + "01"    # YYYY/MM/01
    for _ in range(2):
        php(lms, "tvbillingimport.php", "-f", day, "-q")
    events = rows(lms, "SELECT beid FROM tv_billing_event")
    assert len(events) == len({e[0] for e in events}) > 50
    for _ in range(2):
        php(lms, "bin/lms-payments.php", "-C", str(lms.lms / "lms.ini"), "-f", day)
    attached = rows(lms, "SELECT count(*) FROM tv_billing_event WHERE docid IS NOT NULL")[0][0]
    assert attached > 0, "lms-payments' lmstv hook put TV lines on the internet invoices"
    for _ in range(2):
        php(lms, "tvbilling.php", "-f", day)
    # Every event is on one invoice line, or was skipped for a stated reason.
    assert rows(lms, "SELECT count(*) FROM tv_billing_event "
                     "WHERE docid IS NULL AND skip_reason IS NULL")[0][0] == 0
    lines = rows(lms, "SELECT e.docid, e.itemid, count(*) FROM tv_billing_event e "
                      "JOIN invoicecontents c ON c.docid = e.docid AND c.itemid = e.itemid "
                      "WHERE e.docid IS NOT NULL GROUP BY e.docid, e.itemid")
    invoiced = rows(lms, "SELECT count(*) FROM tv_billing_event WHERE docid IS NOT NULL")[0][0]
    assert invoiced > attached
    assert len(lines) == invoiced and all(n == 1 for *_, n in lines), \
        "each invoiced event has its own invoice line"
    customer = rows(lms, "SELECT customerid FROM tv_billing_event WHERE docid IS NOT NULL "
                         "ORDER BY id LIMIT 1")[0][0]
    descs = [r[0] for r in rows(lms, "SELECT be_desc FROM tv_billing_event WHERE docid IS NOT "
                                     f"NULL AND customerid = {int(customer)}")]
    page = login(browser, lms, "admin", f"m=customerinfo&id={customer}")
    balance = page[page.index("Konto klienta"):]
    for desc in descs:
        assert balance.count(desc) == 1, f"{desc!r} once on the customer's balance"
