"""`lmstv migrate` as an operator runs it: a real process, a real ini file, both engines."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bridge.lms import dialect as sql_dialect
from bridge.lms.db import connect

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, cfg) -> Path:
    path = tmp_path / "lmstv.ini"
    path.write_text(
        "[logowanie]\nlogin = Jan Kowalski;\nhaslo = demo1234;\n"
        "serwer = http://127.0.0.1:9/test/xmlrpc;\n"
        "[database]\n"
        f"type = {cfg.dialect}\nhost = {cfg.host}\nport = {cfg.port or cfg.default_port}\n"
        f"user = {cfg.user}\npassword = {cfg.password}\ndatabase = {cfg.database}\n",
        encoding="utf-8")
    return path


def lmstv(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", "--config", str(config), "migrate",
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_check_dry_run_apply_and_rerun(lms_db_config, tmp_path):
    config = write_config(tmp_path, lms_db_config)

    check = lmstv(config, "--check")
    assert check.returncode == 1, check.stderr
    assert "pending: 2026112600 customers-tv-columns" in check.stdout
    steps = len(list((ROOT / "sql" / "postgres").glob("*.sql")))  # every step is pending
    assert f"{steps} step(s) pending" in check.stdout

    dry = lmstv(config, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "ALTER TABLE customers ADD COLUMN tv_cust_number varchar(20)" in dry.stdout
    db = connect(lms_db_config)
    try:
        assert not sql_dialect.table_exists(db, "tv_billing_event")
    finally:
        db.close()

    run = lmstv(config)
    assert run.returncode == 0, run.stderr
    assert "applied 2026112601 tv-billing-event" in run.stdout
    assert "now at version 2026120110" in run.stdout

    again = lmstv(config)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert lmstv(config, "--check").returncode == 0
    assert "demo1234" not in run.stdout + run.stderr + again.stdout + again.stderr


def test_refusal_and_errors_have_exit_codes(dialect, new_lms_database, tmp_path):
    empty = new_lms_database(dialect, empty=True)
    config = write_config(tmp_path, empty)
    res = lmstv(config)
    assert res.returncode == 3
    assert "refused" in res.stderr and "is not an LMS database" in res.stderr
    assert "Traceback" not in res.stderr

    unreachable = write_config(tmp_path, replace(empty, port=9))
    res = lmstv(unreachable)
    assert res.returncode == 4 and "cannot connect" in res.stderr
    assert "Traceback" not in res.stderr


def test_lms_ini_option_and_bad_config(lms_db_config, tmp_path):
    lms_ini = tmp_path / "lms.ini"
    cfg = lms_db_config
    lms_ini.write_text(
        f"[database]\ntype = {cfg.dialect}\nhost = {cfg.host}:{cfg.port or cfg.default_port}\n"
        f"user = {cfg.user}\npassword = {cfg.password}\ndatabase = {cfg.database}\n",
        encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "bridge", "migrate", "--check", "--lms-ini",
                          str(lms_ini)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "pending" in res.stdout
    res = lmstv(tmp_path / "missing.ini")
    assert res.returncode == 78 and "file not found" in res.stderr
