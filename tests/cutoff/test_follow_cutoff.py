"""follow-cutoff against a real LMS database (both engines) and the real sandbox over HTTP."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge.cutoff import store
from bridge.cutoff.follow import follow_cutoff
from bridge.cutoff.settings import detect_debt_status
from tests.conftest import FLAVOURS


@pytest.fixture(params=FLAVOURS)
def lms_flavour(request) -> str:
    """Every database test here runs on LMS 1.11.17 and on LMS 28."""
    return request.param


ROOT = Path(__file__).resolve().parents[2]


def run(world, settings, **kw):
    return follow_cutoff(world.db, world.sms, settings, world.record, **kw)


def test_blocking_locks_exactly_that_customer_and_unblocking_unlocks(world, settings):
    a1 = world.customer(1, accounts=2, nodes=(1, 1))
    a2 = world.customer(2, accounts=1, nodes=(1,))
    a3 = world.customer(3, accounts=1, nodes=(0, 1))  # one node still open: not blocked
    world.set_access(1, 0)
    r = run(world, settings)
    assert sorted(r.locked) == [(1, a1[0]), (1, a1[1])] and not r.failures
    assert world.active(1) == {a1[0]: False, a1[1]: False}
    assert world.active(2) == {a2[0]: True} and world.active(3) == {a3[0]: True}
    assert {(a, c, p["reason"], o) for a, c, p, o, _ in world.audit} == {
        ("account.lock", 1, "blokada windykacyjna LMS", "ok")}
    assert set(store.auto_locked_since(world.db, 1)) == set(a1)

    world.set_access(1, 1)
    r = run(world, settings)
    assert sorted(r.unlocked) == [(1, a1[0]), (1, a1[1])] and not r.locked
    assert world.active(1) == {a1[0]: True, a1[1]: True}
    assert store.handled_customers(world.db) == {} and store.auto_locks(world.db) == {}


def test_hand_locked_account_stays_locked(world, settings):
    acc = world.customer(1, accounts=2)
    world.sms.accountLock(acc[1])  # an operator locked it before LMS blocked the customer
    world.set_access(1, 0)
    assert run(world, settings).locked == [(1, acc[0])]
    world.set_access(1, 1)
    assert run(world, settings).unlocked == [(1, acc[0])]
    assert world.active(1) == {acc[0]: True, acc[1]: False}


def test_operator_takeover_while_blocked_is_not_undone(world, settings):
    acc = world.customer(1, accounts=1)
    world.set_access(1, 0)
    run(world, settings)
    # The operator unlocks by hand, then locks again by hand: the account is now theirs.
    store.forget_lock(world.db, acc[0])
    world.set_access(1, 1)
    assert run(world, settings).unlocked == []
    assert world.active(1) == {acc[0]: False}


def test_nothing_to_change_asks_sms_nothing(world, settings):
    world.customer(1)
    world.customer(2)
    world.set_access(1, 0)
    run(world, settings)
    before = world.calls()
    assert "accountLock" in before  # the call log does record SMS calls
    r = run(world, settings)
    assert r.locked == [] and r.unlocked == [] and r.blocked == 1
    # At most one SMS list read is allowed; the database alone decides, so none is made.
    assert world.calls()[len(before):] == []


def test_protections_cutoffstop_groups_and_no_nodes(world, settings):
    world.customer(1, nodes=())                      # no nodes: never locked by the node rule
    world.customer(2)
    world.db.execute("UPDATE customers SET cutoffstop = %s WHERE id = 2",
                     [int(time.time()) + 86400])
    world.customer(3)
    world.customer(4)
    world.customer(5)
    gid = world.lms.group("Bloki", (3,))
    world.lms.group("Miasto", (4, 5))
    for cid in (2, 3, 4, 5):
        world.set_access(cid, 0)
    s = dataclasses.replace(settings, excluded_groups=(str(gid),), only_groups=("Miasto",))
    r = run(world, s)
    assert sorted({c for c, _ in r.locked}) == [4, 5]
    assert all(world.active(c) == {a: True for a in world.active(c)} for c in (1, 2, 3))


def test_debt_collection_status_locks_without_blocked_nodes(world, settings):
    acc = world.customer(1, status=5)
    s = dataclasses.replace(settings, debt_status=5)
    assert run(world, s).locked == [(1, acc[0])]
    assert run(world, settings).unlocked == [(1, acc[0])]  # status not detected: unblocked


def test_debt_status_is_read_from_lms_definitions(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "definitions.php").write_text("const CSTATUS_CONNECTED = 3,\n"
                                         "    CSTATUS_DEBT_COLLECTION = 5,\n")
    assert detect_debt_status(str(tmp_path)) == 5
    (lib / "definitions.php").write_text("define('CSTATUS_CONNECTED', 3);\n")
    assert detect_debt_status(str(tmp_path)) is None
    assert detect_debt_status(str(tmp_path / "missing")) is None


def test_limit_stops_a_mass_lock(world, settings):
    for cid in (1, 2, 3):
        world.customer(cid)
        world.set_access(cid, 0)
    r = run(world, dataclasses.replace(settings, max_locks_per_run=2))
    assert r.limit_stop and "3 customers" in r.limit_stop and r.locked == []
    assert all(all(world.active(c).values()) for c in (1, 2, 3))
    assert store.handled_customers(world.db) == {}


def test_dry_run_changes_nothing(world, settings):
    acc = world.customer(1)
    world.set_access(1, 0)
    r = run(world, settings, dry_run=True)
    assert r.locked == [(1, acc[0])]
    assert world.active(1) == {acc[0]: True} and world.audit == []
    assert store.handled_customers(world.db) == {}


def test_rerun_after_a_failed_lock_finishes_the_job(world, settings):
    acc = world.customer(1, accounts=2)
    world.set_access(1, 0)
    world.sandbox.control().sandbox.failNext(1, "fault", 500, "Błąd SMS")
    r = run(world, settings)
    assert r.failures  # the customer is not marked handled ...
    r2 = run(world, settings)  # ... so the next run locks what is left
    assert not r2.failures
    assert world.active(1) == {acc[0]: False, acc[1]: False}
    world.set_access(1, 1)
    assert sorted(a for _, a in run(world, settings).unlocked) == sorted(acc)


def test_cli_locks_audits_and_limits(world, lms_db_config, tmp_path):
    acc = world.customer(1)
    world.customer(2)
    world.set_access(1, 0)
    world.set_access(2, 0)
    sb, cfg = world.sandbox, lms_db_config
    lms_ini = tmp_path / "lms.ini"
    lms_ini.write_text("[cutoff]\nexcluded_customergroups = \n")
    audit = tmp_path / "audit.log"
    ini = tmp_path / "lmstv.ini"
    ini.write_text(
        f"[logowanie]\nlogin = {sb.login}\nhaslo = {sb.password_md5}\nserwer = {sb.url}\n"
        f"[opcje]\ncache = 0\n[bridge]\naudit_log = {audit}\ncache_dir = {tmp_path}/c\n"
        f"[cutoff]\nmax_locks_per_run = 1\n[lms]\nlms_ini = {lms_ini}\nlms_dir = {tmp_path}\n"
        f"[database]\ntype = {cfg.dialect}\nhost = {cfg.host}\n"
        f"port = {cfg.port or cfg.default_port}\nuser = {cfg.user}\n"
        f"password = {cfg.password}\ndatabase = {cfg.database}\n", encoding="utf-8")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "accounts",
                               "follow-cutoff", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)

    res = cli("-q")
    assert res.returncode == 3 and "max_locks_per_run = 1" in res.stderr, res.stderr
    assert all(world.active(1).values())
    res = cli("-q", "--max-locks", "2")
    assert res.returncode == 0 and res.stdout == "" and res.stderr == "", res.stderr
    assert world.active(1) == {acc[0]: False}
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    assert {(x["user"], x["action"], x["params"]["reason"]) for x in lines} == {
        ("lmstv-cutoff", "account.lock", "blokada windykacyjna LMS")}
    ini.write_text(ini.read_text().replace("max_locks_per_run = 1", "max_locks_per_run = x"))
    assert cli("-q").returncode == 78


def test_settings_from_the_example_ini_and_lms_ini(tmp_path):
    from bridge.config import load_config
    from bridge.cutoff.settings import load_settings

    lms_ini = tmp_path / "lms.ini"
    lms_ini.write_text("[cutoff]\nexcluded_customergroups = 3, 7\ncustomergroups = Miasto\n")
    text = (ROOT / "lmstv.ini.example").read_text(encoding="utf-8")
    ini = tmp_path / "lmstv.ini"
    ini.write_text(text.replace("/etc/lms/lms.ini", str(lms_ini)).replace(
        "/var/www/lms", str(tmp_path)), encoding="utf-8")
    s = load_settings(load_config(str(ini), need_database=False))
    assert (s.max_locks_per_run, s.debt_status) == (50, None)
    assert s.excluded_groups == ("3", "7") and s.only_groups == ("Miasto",)
