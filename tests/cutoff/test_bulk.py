"""lmstv bulk over an LMS customer group: exactly its members, dry-run changes nothing, a re-run
changes nothing more (both engines, LMS 1.11.17 and current LMS, real sandbox)."""

from __future__ import annotations

import pytest

from bridge.bulk.run import UnknownGroup, customer_groups, run_bulk
from tests.conftest import FLAVOURS


@pytest.fixture(params=FLAVOURS)
def lms_flavour(request) -> str:
    return request.param


def bulk(world, action, dry_run=False, **opts):
    return run_bulk(world.db, world.sms, "Blok 7", action, opts, world.record, dry_run=dry_run,
                    workers=4)


@pytest.fixture
def group(world):
    accs = {cid: world.customer(cid, accounts=2 if cid == 1 else 1) for cid in (1, 2, 3)}
    world.lms.customer(4)  # a member without TV: skipped, reported
    world.lms.group("Blok 7", (1, 2, 4))
    return accs


def test_lock_touches_exactly_the_members_and_rerun_changes_nothing(world, group):
    dry = bulk(world, "lock", dry_run=True)
    assert len(dry.changed) == 3 and world.audit == []
    assert all(all(world.active(c).values()) for c in (1, 2, 3))
    r = bulk(world, "lock")
    assert len(r.changed) == 3 and not r.failures
    assert "LMS customer 4: not linked to SMS" in r.skipped
    assert not any(world.active(1).values()) and not any(world.active(2).values())
    assert all(world.active(3).values())  # not in the group
    again = bulk(world, "lock")
    assert again.changed == [] and len(again.skipped) == 4
    assert len(bulk(world, "unlock").changed) == 3
    assert all(all(world.active(c).values()) for c in (1, 2, 3))


def test_add_package_and_message_are_rerun_safe(world, group):
    r = bulk(world, "add-package", package=101, activate=True)
    assert len(r.changed) == 3 and not r.failures, r.failures
    assert bulk(world, "add-package", package=101, activate=True).changed == []
    r = bulk(world, "message", body="Przerwa techniczna w nocy")
    assert len(r.changed) == 2 and not r.failures, r.failures
    assert bulk(world, "message", body="Przerwa techniczna w nocy").changed == []
    number3 = world.db.scalar("SELECT tv_cust_number FROM customers WHERE id = 3")
    assert world.sms.meldingerList(number3) == []


def test_groups_count_current_members_and_linked_ones_in_polish_order(world, group):
    world.lms.customer(5)
    world.lms.group("Żabia", (3, 5))
    world.lms.group("Łąkowa", ())
    world.lms.group("Zielona", (5,))
    world.db.execute("UPDATE customers SET deleted = 1 WHERE id = 5")  # not a member any more
    got = [(g.name, g.customers, g.linked) for g in customer_groups(world.db)]
    # Polish order: Ł after L and before P, Ż after Z (by code point both came after "Z")
    assert got == [("Blok 7", 3, 2), ("Łąkowa", 0, 0), ("Zielona", 0, 0), ("Żabia", 1, 1)]


def test_unknown_group_and_a_failing_customer_are_reported(world, group):
    with pytest.raises(UnknownGroup):
        run_bulk(world.db, world.sms, "Nie ma", "lock", {}, world.record)
    world.sandbox.control().sandbox.failNext(1, "fault", 500, "Błąd SMS")
    r = bulk(world, "lock")
    assert len(r.failures) == 1 and r.failures[0].startswith("LMS customer")
    assert len(bulk(world, "lock").changed) >= 1  # the re-run finishes the job
    assert not any(world.active(1).values()) and not any(world.active(2).values())


def test_cli_dry_run_unknown_group_and_lock(world, group, lms_db_config, tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    sb, cfg = world.sandbox, lms_db_config
    audit = tmp_path / "audit.log"
    ini = tmp_path / "lmstv.ini"
    ini.write_text(
        f"[logowanie]\nlogin = {sb.login}\nhaslo = {sb.password_md5}\nserwer = {sb.url}\n"
        f"[bridge]\naudit_log = {audit}\n[database]\ntype = {cfg.dialect}\nhost = {cfg.host}\n"
        f"port = {cfg.port or cfg.default_port}\nuser = {cfg.user}\n"
        f"password = {cfg.password}\ndatabase = {cfg.database}\n", encoding="utf-8")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "bulk",
                               *args], cwd=Path(__file__).resolve().parents[2],
                              capture_output=True, text=True, timeout=60)

    res = cli("groups")
    assert (res.returncode, res.stdout) == (0, "Blok 7\t3 customers, 2 linked to SMS\n"), \
        res.stderr
    res = cli("lock", "--group", "Nie ma")
    assert res.returncode == 1 and "no customer group named 'Nie ma'" in res.stderr
    res = cli("lock", "--group", "Blok 7", "--dry-run")
    assert res.returncode == 0 and "would change 3" in res.stdout, res.stderr
    assert not audit.exists() and all(world.active(1).values())
    res = cli("lock", "--group", "Blok 7", "-q")
    assert (res.returncode, res.stdout, res.stderr) == (0, "", "")
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    assert {(x["action"], x["customer_id"], x["params"]["bulk_group"]) for x in lines} == {
        ("account.lock", 1, "Blok 7"), ("account.lock", 2, "Blok 7")}


def test_message_html_is_cleaned_and_an_empty_one_refused(world, group):
    from bridge.bulk.run import BadInput

    with pytest.raises(BadInput):
        bulk(world, "message", body="<script>x()</script>")
    assert world.audit == []
    r = bulk(world, "message", body="<b>Uwaga</b><script>x()</script>")
    assert len(r.changed) == 2
    number = world.db.scalar("SELECT tv_cust_number FROM customers WHERE id = 1")
    assert [m["msg_body"] for m in world.sms.meldingerList(number)] == ["<b>Uwaga</b>"]
