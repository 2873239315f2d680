"""`lmstv billing invoice` while operators save invoices in LMS at the same moment.

The operators are simulated statement by statement as LMS 1.11.17's invoice form saves
(:mod:`tests.billing.lms_invoicenew`: BEGIN, LOCK of documents, cash, invoicecontents,
numberplans, divisions, MAX(number)+1, inserts, UNLOCK, COMMIT) on their own connections, while
the real CLI invoices in small batches, several runs in a row.  Neither side may fail (an
operator's failed save is a lost invoice; a retried lmstv batch is a deadlock that happened),
numbers of the shared plan have no duplicates and no gaps, every event is billed once.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from .conftest import event, ts
from .helpers import invoice_consistency, store
from .lms_invoicenew import LmsInvoiceForm
from .test_exactly_once import DAY, run_cli, write_ini

CUSTOMERS = 40
OPERATORS = 2
# (mode, customers per transaction) of the consecutive runs; each run bills new events.
RUNS = [("separate", 2), ("append", 3), ("separate", 1)]


def test_lmstv_and_lms_invoice_form_at_once_never_fail(billing_db, lms, lms_db_config,
                                                       tmp_path):
    db = billing_db
    div = lms.division()
    plan = lms.plan(divisions=(div,))  # monthly, the default plan of the division
    tariff = lms.tariff()
    lms.tax("23.00")
    for cid in range(1, CUSTOMERS + 1):
        lms.customer(cid, division=div, tv=f"1000{cid:05d}")
    walk_in = lms.customer(900, lastname="Nowak", division=div)
    ini = write_ini(tmp_path, lms_db_config, tariff)
    start, end = ts(date(2024, 4, 1)), ts(date(2024, 5, 1))

    stop = threading.Event()
    saved: list[tuple[int, int]] = []
    failures: list[str] = []

    def operator(k: int) -> None:
        form = LmsInvoiceForm(lms_db_config)
        try:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    saved.append(form.save(walk_in, plan, ts(DAY, 9), start, end,
                                           [(f"Usługa {k}/{n}", Decimal("10.00")),
                                            ("Instalacja", Decimal("5.00"))], div))
                except Exception as exc:  # noqa: BLE001 - every failure is the finding
                    failures.append(f"operator {k}: {exc!r}")
        finally:
            form.close()

    threads = [threading.Thread(target=operator, args=(k,)) for k in range(OPERATORS)]
    for t in threads:
        t.start()
    runs = []
    try:
        for run, (mode, batch) in enumerate(RUNS):
            store(db, [event(run * 1000 + cid * 10 + k, f"1000{cid:05d}", ext=cid,
                             be_gross=f"{cid}.{k}{run}") for cid in range(1, CUSTOMERS + 1)
                       for k in range(2)])
            proc = run_cli(ini, "--mode", mode, "--batch-size", str(batch))
            out, err = proc.communicate(timeout=300)
            runs.append((mode, batch, proc.returncode, err))
    finally:
        stop.set()
        for t in threads:
            t.join(60)

    # Neither side failed: every lmstv run succeeded without meeting a lock conflict (a
    # retried deadlock), every operator's save went through.
    problems = [f"lmstv run {mode} --batch-size {batch}: exit {code}: {err.strip()[-300:]}"
                for mode, batch, code, err in runs if code != 0 or "lock conflict" in err]
    if failures:
        problems.append(f"{len(failures)} of {len(saved) + len(failures)} LMS saves failed: "
                        f"{failures[:2]}")
    print(f"{len(saved)} LMS saves, {len(failures)} failed; lmstv runs: "
          f"{[(mode, batch, code) for mode, batch, code, _ in runs]}")
    assert not problems, "\n".join(problems)
    assert len(saved) > 0
    # One number sequence for both writers: no duplicates, no gaps.
    numbers = sorted(int(r["number"]) for r in db.query(
        "SELECT number FROM documents WHERE type = 1 AND numberplanid = %s AND cdate >= %s "
        "AND cdate < %s", [plan, start, end]))
    assert numbers == list(range(1, len(numbers) + 1))
    lmstv_invoices = db.scalar("SELECT COUNT(*) AS n FROM documents WHERE customerid <> %s",
                               [walk_in])
    assert len(numbers) == len(saved) + lmstv_invoices
    # Every event billed exactly once, with its line and cash debit.
    assert db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE docid IS NULL") == 0
    events = len(RUNS) * CUSTOMERS * 2
    assert db.scalar("SELECT COUNT(*) AS n FROM invoicecontents WHERE tariffid = %s",
                     [tariff]) == events
    assert invoice_consistency(db) == []
    # The operators' invoices are whole too.
    assert db.scalar("SELECT COUNT(*) AS n FROM invoicecontents i JOIN documents d ON "
                     "d.id = i.docid WHERE d.customerid = %s", [walk_in]) == 2 * len(saved)
    assert db.scalar("SELECT COUNT(*) AS n FROM cash WHERE customerid = %s",
                     [walk_in]) == 2 * len(saved)
