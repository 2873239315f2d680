"""Billing-event import from the real sandbox over HTTP into both databases."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from bridge.billing.dates import import_window
from bridge.billing.importer import import_events
from bridge.billing.validation import validate_reply
from bridge.sms.client import SmsClient
from bridge.sms.errors import SmsFault, SmsUnavailable
from tests.conftest import FLAVOURS

from .conftest import event, sms_customer
from .helpers import events_by_beid
from .test_exactly_once import ROOT


@pytest.fixture(params=FLAVOURS)
def lms_flavour(request) -> str:
    """Every database test here runs on LMS 1.11.17 and on LMS 28."""
    return request.param


def client(sandbox, **kw) -> SmsClient:
    return SmsClient(sandbox.url, sandbox.login, sandbox.password_md5, **kw)


def sb_event(beid: int, number: str, day: str, **kw):
    ev = {"id": beid, "cust_number": number, "account_id": 1, "package_id": 2,
          "be_selling_date": day, "be_desc": f"Pakiet #{beid}", "be_vat": 0.23,
          "be_gross": 39.99, "be_b2b_netto": 20.5, "group_id": 202402}
    ev.update(kw)
    return ev


@pytest.fixture
def sms_customers(sandbox, lms):
    ctl = sandbox.control()
    numbers = ctl.sandbox.addCustomers([
        sms_customer("Kowalski", "1"), sms_customer("Nowak", "2"), sms_customer("Bez", ""),
        sms_customer("Brak", "77")])
    lms.customer(1, tv=numbers[0])
    lms.customer(2, tv=numbers[1], suspend=1)
    return numbers


@pytest.mark.parametrize("today,edges", [
    # 1 March after February: Feb 1 and Mar 1 inside, Jan 31 and Mar 2 outside
    (date(2024, 3, 1), {"2024-01-31": False, "2024-02-01": True, "2024-02-29": True,
                        "2024-03-01": True, "2024-03-02": False}),
    # year end: the window crosses into the new year
    (date(2025, 1, 1), {"2024-11-30": False, "2024-12-01": True, "2024-12-31": True,
                        "2025-01-01": True}),
    # month end on the 31st does not skip the previous month
    (date(2024, 5, 31), {"2024-03-31": False, "2024-04-01": True, "2024-04-30": True,
                         "2024-05-31": True}),
])
def test_window_edges_and_idempotency(billing_db, sandbox, sms_customers, today, edges):
    ctl = sandbox.control()
    n1 = sms_customers[0]
    ctl.sandbox.addBillingEvents([sb_event(100 + i, n1, day) for i, day in enumerate(edges)])
    start, end = import_window(today)
    with client(sandbox) as sms:
        s = import_events(billing_db, sms, start, end, now=1_700_000_000)
        assert s.new == sum(edges.values()) and s.already_stored == 0 and not s.invalid
        stored = {e["be_selling_date"].isoformat() for e in events_by_beid(billing_db).values()}
        assert stored == {d for d, inside in edges.items() if inside}
        for _ in range(2):
            again = import_events(billing_db, sms, start, end)
            assert again.new == 0 and again.already_stored == s.new
    assert billing_db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event") == s.new


def test_unlinked_missing_and_suspended_customers(billing_db, sandbox, sms_customers):
    ctl = sandbox.control()
    linked, suspended, no_ext, missing = sms_customers
    ctl.sandbox.addBillingEvents([
        sb_event(1, linked, "2024-02-10"), sb_event(2, suspended, "2024-02-10"),
        sb_event(3, no_ext, "2024-02-10"), sb_event(4, missing, "2024-02-10"),
        sb_event(5, missing, "2024-02-11", be_gross=10)])
    with client(sandbox) as sms:
        s = import_events(billing_db, sms, date(2024, 2, 1), date(2024, 2, 29))
    assert s.new == 5 and s.suspended_new == 1
    assert [(u.cust_number, u.reason, u.events) for u in s.unlinked] == sorted([
        (no_ext, "no_external_id", 1), (missing, "no_customer", 2)])
    evs = events_by_beid(billing_db)
    assert evs[1]["skip_reason"] is None and evs[1]["customerid"] == 1
    assert evs[2]["tv_suspend_billing"] == 1 and evs[2]["skip_reason"] == "suspended"
    assert evs[3]["customerid"] is None and evs[3]["skip_reason"] == "no_external_id"
    assert evs[4]["customerid"] == 77 and evs[4]["skip_reason"] == "no_customer"
    assert Decimal(evs[1]["be_gross"]) == Decimal("39.99")
    assert Decimal(evs[1]["be_vat"]) == Decimal("0.2300")
    assert evs[1]["group_id"] == 202402 and evs[1]["cust_number"] == linked


@pytest.mark.parametrize("kind", ["fault", "timeout", "garbage", "truncated", "http502"])
def test_sms_failure_writes_nothing(billing_db, sandbox, sms_customers, kind):
    ctl = sandbox.control()
    ctl.sandbox.addBillingEvents([sb_event(i, sms_customers[0], "2024-02-10")
                                  for i in range(1, 4)])
    ctl.sandbox.failNext(2, kind, 501, "Błąd wewnętrzny systemu SMS")
    with client(sandbox, long_timeout=1.0) as sms:
        with pytest.raises((SmsFault, SmsUnavailable)) as info:
            import_events(billing_db, sms, date(2024, 2, 1), date(2024, 2, 29))
    if kind == "fault":
        assert str(info.value) == "Błąd wewnętrzny systemu SMS"
    assert billing_db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event") == 0


def test_cli_import_summary_and_exit_codes(billing_db, sandbox, sms_customers, lms_db_config,
                                           tmp_path):
    ctl = sandbox.control()
    ctl.sandbox.addBillingEvents([sb_event(1, sms_customers[0], "2024-02-10"),
                                  sb_event(2, sms_customers[3], "2024-03-01")])
    ini = tmp_path / "lmstv.ini"
    c = lms_db_config
    ini.write_text(
        f"[logowanie]\nlogin = {sandbox.login}\nhaslo = {sandbox.password}\n"
        f"serwer = {sandbox.url}\n[opcje]\nlong_timeout = 2\n"
        f"[database]\ntype = {c.dialect}\nhost = {c.host}\nport = {c.port or c.default_port}\n"
        f"user = {c.user}\npassword = {c.password}\ndatabase = {c.database}\n")
    cmd = [sys.executable, "-m", "bridge", "--config", str(ini), "billing", "import",
           "--fakedate", "2024/03/01"]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert "fetched 2, new 2, already stored 0, invalid 0" in first.stdout
    assert f"SMS customer {sms_customers[3]} (external id 77)" in first.stdout
    quiet = subprocess.run(cmd + ["-q"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0 and quiet.stdout == "", quiet.stderr
    assert quiet.stderr == "", quiet.stderr
    ctl.sandbox.failNext(2, "fault", 13, "Nieprawidłowy zakres dat")
    failed = subprocess.run(cmd + ["-q"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1 and "Nieprawidłowy zakres dat" in failed.stderr
    assert "nothing stored" in failed.stderr
    bad = subprocess.run(cmd[:-2] + ["--start-date", "2024-03-05", "--end-date", "2024-03-01"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "after end date" in bad.stderr
    assert billing_db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event") == 2


# -- validation of single events (what SMS sends, checked field by field) ---------------------


@pytest.mark.parametrize("change,problem", [
    ({"id": None}, "id is missing"),
    ({"id": "abc"}, "id 'abc' is not a whole number"),
    ({"cust_number": ""}, "cust_number is missing"),
    ({"be_selling_date": "2024-02-30"}, "not a valid calendar date"),
    ({"be_selling_date": None}, "be_selling_date is missing"),
    ({"be_desc": " "}, "be_desc is missing"),
    ({"be_vat": 23}, "looks like a percentage"),
    ({"be_vat": "x"}, "be_vat 'x' is not a number"),
    ({"be_gross": 10.005}, "more than 2 decimal places"),
    ({"be_gross": None}, "be_gross is missing"),
    ({"be_gross": float("nan")}, "is not an amount"),
    ({"be_b2b_netto": "abc"}, "is not an amount"),
    ({"group_id": -1}, "group_id"),
    ({"account_id": 1.5}, "account_id 1.5 is not a whole number"),
    ({"id": "\u00b2"}, "id '\u00b2' is not a whole number"),  # isdigit() yet not int()
    ({"package_id": "\u0661\u0662"}, "is not a whole number"),  # no guessing at digits
    ({"cust_external_id": "\u00b2"}, "is not a whole number"),
])
def test_malformed_events_are_reported_not_guessed(change, problem):
    good, bad = validate_reply([event(1, **change), event(2)])
    assert [ev.beid for ev in good] == [2]
    assert len(bad) == 1 and problem in bad[0].describe()


def test_unknown_fields_ignored_and_optional_fields_defaulted():
    good, bad = validate_reply([event(1, extra="x", group_id="", be_b2b_netto=None,
                                      cust_external_id="0", be_gross="12.30")])
    assert not bad
    ev = good[0]
    assert (ev.group_id, ev.be_b2b_netto, ev.customerid, ev.be_gross) == (
        0, None, None, Decimal("12.30"))


def test_duplicate_ids_in_one_reply():
    good, bad = validate_reply([event(1), event(1), event(2), event(2, be_gross=1)])
    assert [ev.beid for ev in good] == [1] and "appears twice" in bad[0].describe()


def test_reply_that_is_not_a_list_is_malformed():
    with pytest.raises(ValueError, match="expected a list"):
        validate_reply("<html>")


def test_cli_import_lists_20_malformed_events_and_logs_nothing_without_v(
        billing_db, sandbox, sms_customers, lms_db_config, tmp_path):
    ctl = sandbox.control()
    ctl.sandbox.addBillingEvents([sb_event(i, sms_customers[0], "2024-02-10", be_desc=" ")
                                  for i in range(1, 61)]
                                 + [sb_event(61, sms_customers[0], "2024-02-10")])
    ini = tmp_path / "lmstv.ini"
    c = lms_db_config
    ini.write_text(
        f"[logowanie]\nlogin = {sandbox.login}\nhaslo = {sandbox.password}\n"
        f"serwer = {sandbox.url}\n[opcje]\nlong_timeout = 2\n"
        f"[database]\ntype = {c.dialect}\nhost = {c.host}\nport = {c.port or c.default_port}\n"
        f"user = {c.user}\npassword = {c.password}\ndatabase = {c.database}\n")
    cmd = [sys.executable, "-m", "bridge", "--config", str(ini), "billing", "import",
           "--fakedate", "2024/03/01"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    listed = [line for line in run.stdout.splitlines() if "be_desc is missing" in line]
    assert len(listed) == 20, run.stdout
    assert "60 malformed event(s) NOT stored" in run.stdout
    assert "and 40 more not shown" in run.stdout
    # The summary is printed once, on stdout; no INFO log line repeats it on stderr.
    assert run.stdout.count("fetched 61, new 1") == 1
    assert " INFO " not in run.stderr and "fetched" not in run.stderr, run.stderr
    verbose = subprocess.run(cmd[:3] + ["-v"] + cmd[3:], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert " INFO " in verbose.stderr, verbose.stderr
