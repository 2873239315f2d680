"""Exactly-once invoicing under kill -9, concurrent runs and LMS issuing invoices meanwhile, on
LMS 1.11.17 and on current LMS (28) databases.

Runs ``python -m bridge billing invoice`` as a real subprocess against the test database and
kills it (SIGKILL) at chosen points through the test hook, and at random moments.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from bridge.billing.dates import RunClock
from bridge.billing.invoicing import InvoicingOptions, run_invoicing
from bridge.lms.db import connect
from tests.conftest import FLAVOURS

from .conftest import event, ts
from .helpers import invoice_consistency, store

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2024, 4, 1)
FAKEDATE = "2024/04/01"


@pytest.fixture(params=FLAVOURS)
def lms_flavour(request) -> str:
    return request.param


def write_ini(tmp_path: Path, dbcfg, tariff: int) -> Path:
    ini = tmp_path / "lmstv.ini"
    ini.write_text(
        "[logowanie]\nlogin = Jan Kowalski\nhaslo = demo1234\n"
        "serwer = http://127.0.0.1:9/test/xmlrpc\n"
        f"[billing]\ntv_tariff_id = {tariff}\nmode = append\n"
        f"[database]\ntype = {dbcfg.dialect}\nhost = {dbcfg.host}\n"
        f"port = {dbcfg.port or dbcfg.default_port}\nuser = {dbcfg.user}\n"
        f"password = {dbcfg.password}\ndatabase = {dbcfg.database}\n", encoding="utf-8")
    return ini


def run_cli(ini: Path, *args: str, hook: str = "", timeout: float = 60) -> subprocess.Popen:
    env = dict(os.environ, LMSTV_BILLING_TEST_HOOK=hook)
    return subprocess.Popen([sys.executable, "-m", "bridge", "--config", str(ini), "billing",
                             "invoice", "--fakedate", FAKEDATE, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def world(billing_db, lms, lms_db_config, tmp_path):
    div = lms.division()
    plan = lms.plan(divisions=(div,))
    tariff = lms.tariff()
    lms.tax("23.00")
    evs = []
    for cid in range(1, 13):
        lms.customer(cid, division=div, tv=f"1000000{cid:02d}")
        evs += [event(cid * 10 + k, f"1000000{cid:02d}", ext=cid, be_gross=f"{cid}.{k}0")
                for k in range(3)]
    # Half of them already have today's internet invoice from lms-payments.
    for cid in range(1, 7):
        lms.payments_invoice(cid, ts(DAY), cid, plan)
    store(billing_db, evs)
    return {"ini": write_ini(tmp_path, lms_db_config, tariff), "plan": plan, "events": len(evs),
            "tariff": tariff, "division": div}


def check_state(db) -> None:
    assert invoice_consistency(db) == []
    # no invoice without lines (a header is never committed alone)
    assert db.scalar("SELECT COUNT(*) AS n FROM documents d WHERE NOT EXISTS (SELECT 1 FROM "
                     "invoicecontents i WHERE i.docid = d.id)") == 0
    dup = db.query("SELECT number, COUNT(*) AS n FROM documents GROUP BY numberplanid, number "
                   "HAVING COUNT(*) > 1")
    assert dup == []


def invoiced_customers(db) -> int:
    return int(db.scalar("SELECT COUNT(DISTINCT customerid) AS n FROM tv_billing_event "
                         "WHERE docid IS NOT NULL"))


# (hook, customers per transaction, customers invoiced afterwards).  Customers 1-6 append to
# their internet invoice, 7-12 get new ones; each killed run commits whole batches only.
KILL_STEPS = [
    ("kill@customer:2", 1, 1),   # per-customer transactions: customer 1 done, 2 killed
    ("kill@batch:2", 3, 4),      # batch 2-4 committed, killed as the next batch starts
    ("kill@customer:3", 4, 4),   # killed while reading batch 5-8
    ("kill@number:1", 4, 4),     # killed after taking customer 7's number
    ("kill@document:2", 3, 7),   # 5-7 committed; 8-10 killed after inserting headers
    ("kill@lines:2", 2, 9),      # 8-9 committed; 10-11 killed after lines and cash
    ("kill@marked:1", 3, 9),     # 10-12 killed after marking, before COMMIT
    ("kill@committed:1", 2, 11),  # 10-11 committed, killed right after
    ("kill@lines:1", 1, 11),     # 12 killed after lines and cash
]


def test_kill_minus_9_at_many_points_then_rerun(billing_db, world):
    db = billing_db
    for hook, batch, done in KILL_STEPS:
        proc = run_cli(world["ini"], "--batch-size", str(batch), hook=hook)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, (hook, out, err)
        check_state(db)
        # a batch is all-or-nothing: exactly the batches before the kill point are invoiced
        assert invoiced_customers(db) == done, hook
        assert db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NOT "
                         "NULL") == 3 * done
    rng = random.Random(5)
    for _ in range(2):
        proc = run_cli(world["ini"], hook="sleep@customer:1:0.5")
        time.sleep(rng.uniform(0.6, 1.2))
        proc.kill()
        proc.communicate(timeout=30)
        check_state(db)
    proc = run_cli(world["ini"])
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    check_state(db)
    assert db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NULL") == 0
    # 6 appended to internet invoices, 6 new TV invoices numbered 7..12 after them
    numbers = sorted(int(r["number"]) for r in db.query("SELECT number FROM documents"))
    assert numbers == list(range(1, 13))
    assert db.scalar("SELECT COUNT(*) AS n FROM invoicecontents") == 6 + world["events"]


def test_two_runs_at_once(billing_db, world):
    first = run_cli(world["ini"], hook="sleep@customer:1:3")
    time.sleep(1.0)
    second = run_cli(world["ini"])
    out2, err2 = second.communicate(timeout=60)
    assert second.returncode == 75 and "already running" in err2
    waiting = run_cli(world["ini"], "--wait", "30")
    out1, err1 = first.communicate(timeout=60)
    out3, err3 = waiting.communicate(timeout=60)
    assert first.returncode == 0, err1
    assert waiting.returncode == 0, err3
    assert "invoiced 0 event(s)" in out3
    check_state(billing_db)
    assert billing_db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS "
                             "NULL") == 0


@pytest.mark.parametrize("batch", [1, 3])
def test_numbering_while_lms_issues_invoices(billing_db, lms, lms_db_config, world, batch):
    """An LMS user issuing invoices on the same plan meanwhile (LMS's invoicenew locks
    documents, computes MAX+1, inserts) never gets or causes a duplicate number, whether our
    transactions hold one customer or several."""
    # LMS's invoices: a customer with no TV, issued by an LMS user (current LMS's foreign keys)
    lms.customer(999, division=world["division"], lastname="Internetowy")
    lms.user(1)
    stop = threading.Event()
    issued = []
    failures: list[BaseException] = []

    def lms_user() -> None:
        try:
            issue_like_lms()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    def issue_like_lms() -> None:
        db = connect(lms_db_config)
        try:
            while not stop.is_set() and len(issued) < 40:
                # LMS's LockTables('documents'): PostgreSQL "LOCK documents" (ACCESS
                # EXCLUSIVE), MySQL "LOCK TABLES documents WRITE" until UNLOCK TABLES.
                with db.transaction():
                    if db.dialect == "postgres":
                        db.execute("LOCK documents")
                    else:
                        db.execute("LOCK TABLES documents WRITE")
                    start, end = ts(date(2024, 4, 1)), ts(date(2024, 5, 1))
                    top = db.scalar("SELECT MAX(number) AS n FROM documents WHERE type = 1 AND "
                                    "numberplanid = %s AND cdate >= %s AND cdate < %s",
                                    [world["plan"], start, end])
                    db.execute("INSERT INTO documents (number, numberplanid, type, customerid, "
                               "cdate, sdate, userid) VALUES (%s, %s, 1, 999, %s, %s, 1)",
                               [int(top or 0) + 1, world["plan"], ts(DAY, 9), ts(DAY, 9)])
                if db.dialect != "postgres":
                    db.execute("UNLOCK TABLES")
                issued.append(1)
                time.sleep(0.005)
        finally:
            db.close()

    t = threading.Thread(target=lms_user)
    t.start()
    # Make sure the two really overlap: LMS has issued a number before our run starts.
    deadline = time.monotonic() + 10
    while not issued and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        summary = run_invoicing(billing_db, InvoicingOptions(
            tariff_id=int(billing_db.scalar("SELECT MIN(id) AS i FROM tariffs")),
            mode="separate", batch_size=batch), RunClock(DAY, ts(DAY, 10)))
    finally:
        stop.set()
        t.join(30)
    assert failures == [], f"the simulated LMS user failed: {failures!r}"
    assert summary.invoices_new == 12 and issued
    dup = billing_db.query("SELECT number FROM documents WHERE type = 1 GROUP BY numberplanid, "
                           "number HAVING COUNT(*) > 1")
    assert dup == []


def test_bad_batch_size_is_refused_before_anything_runs(billing_db, world):
    for bad in ("0", "-3", "x", "501"):
        proc = run_cli(world["ini"], "--batch-size", bad)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2 and "--batch-size" in err and "1 to 500" in err, (bad, err)
    assert billing_db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NOT "
                             "NULL") == 0


def refuse_cash_of(db, customerid: int) -> None:
    """A database trigger refusing one customer's cash rows: a real per-customer failure."""
    if db.dialect == "postgres":
        db.execute("CREATE FUNCTION lmstv_test_refuse() RETURNS trigger AS $$ BEGIN "
                   f"IF NEW.customerid = {int(customerid)} THEN RAISE EXCEPTION "
                   "'cash refused for the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql")
        db.execute("CREATE TRIGGER lmstv_test_refuse BEFORE INSERT ON cash FOR EACH ROW "
                   "EXECUTE PROCEDURE lmstv_test_refuse()")
    else:
        db.execute("CREATE TRIGGER lmstv_test_refuse BEFORE INSERT ON cash FOR EACH ROW BEGIN "
                   f"IF NEW.customerid = {int(customerid)} THEN SIGNAL SQLSTATE '45000' SET "
                   "MESSAGE_TEXT = 'cash refused for the test'; END IF; END")


def test_failing_customer_costs_only_itself_within_its_batch(billing_db, world):
    """Batch 5-8 fails on customer 7: the batch rolls back whole, 5 and 6 are redone one by
    one and committed, 7 stops the run with nothing of it written; numbers have no gaps."""
    db = billing_db
    refuse_cash_of(db, 7)
    opts = InvoicingOptions(tariff_id=int(db.scalar("SELECT MIN(id) AS i FROM tariffs")),
                            mode="append", batch_size=4)
    with pytest.raises(Exception, match="cash refused for the test"):
        run_invoicing(db, opts, RunClock(DAY, ts(DAY, 10)))
    check_state(db)
    done = {int(r["customerid"]) for r in db.query(
        "SELECT DISTINCT customerid FROM tv_billing_event WHERE docid IS NOT NULL")}
    assert done == {1, 2, 3, 4, 5, 6}
    assert db.scalar("SELECT COUNT(*) AS n FROM documents WHERE customerid >= 7") == 0
    db.execute("DROP TRIGGER lmstv_test_refuse" + (" ON cash" if db.dialect == "postgres"
                                                    else ""))
    summary = run_invoicing(db, opts, RunClock(DAY, ts(DAY, 10)))
    assert summary.invoices_new == 6 and summary.events_invoiced == 18
    check_state(db)
    numbers = sorted(int(r["number"]) for r in db.query("SELECT number FROM documents"))
    assert numbers == list(range(1, 13))


def test_a_tariff_lms_does_not_have_is_a_configuration_error(billing_db, world, tmp_path):
    ini = tmp_path / "wrong-tariff.ini"
    ini.write_text(world["ini"].read_text().replace(
        f"tv_tariff_id = {world['tariff']}", "tv_tariff_id = 99999"))
    proc = run_cli(ini)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 78, (out, err)
    assert "configuration error" in err and "tv_tariff_id = 99999: no such LMS tariff" in err
    assert billing_db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NOT "
                             "NULL") == 0
