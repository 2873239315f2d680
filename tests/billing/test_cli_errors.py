"""Billing commands facing a broken database: one clear line and exit 1, never a traceback
(cron mails whatever they print)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.procs import free_port

from .test_exactly_once import write_ini

ROOT = Path(__file__).resolve().parents[2]

COMMANDS = [["billing", "import", "-q"], ["billing", "events"], ["billing", "invoice", "-q"],
            ["billing", "attach", "-q"], ["billing", "export-balances", "-q"],
            ["customers", "sync-ids", "-q"]]


def run(ini: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_unreachable_database_is_one_clear_line(lms_db_config, tmp_path, command):
    gone = dataclasses.replace(lms_db_config, host="127.0.0.1", port=free_port(),
                               unix_socket=None)
    res = run(write_ini(tmp_path, gone, 1), *command)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    prog = "lmstv customers" if command[0] == "customers" else "lmstv billing"
    assert res.stderr.startswith(f"{prog}: database error (nothing half-written): cannot "
                                 "connect to"), res.stderr


@pytest.mark.parametrize("command", [["billing", "events"], ["billing", "invoice", "-q"]],
                         ids=lambda c: c[1])
def test_database_without_lmstv_schema_says_migrate(lms_db, lms_db_config, tmp_path, command):
    tariff = lms_db.insert_id("INSERT INTO tariffs (name, type, value, taxid, description) "
                              "VALUES ('TV', 5, 0, 0, '')", [], "tariffs")
    res = run(write_ini(tmp_path, lms_db_config, tariff), *command, "--fakedate" if
              command[1] == "invoice" else "--page", "2024/04/01" if command[1] == "invoice"
              else "1")
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert "tv_billing_event" in res.stderr and "run `lmstv migrate`" in res.stderr


def test_check_without_config_prints_its_fix_once_and_exits_78(tmp_path):
    res = subprocess.run([sys.executable, "-m", "bridge", "--config",
                          str(tmp_path / "missing.ini"), "check"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 78, res.stdout + res.stderr
    assert (res.stdout + res.stderr).count("lmstv.ini.example") == 1, res.stdout


def test_billing_events_help_documents_every_option_in_english():
    res = subprocess.run([sys.executable, "-m", "bridge", "billing", "events", "--help"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    for option in ("--start-date", "--end-date", "--sort", "--desc", "--page", "--per-page"):
        line = next(ln for ln in res.stdout.splitlines() if ln.strip().startswith(option))
        after = res.stdout.split(line, 1)[1].lstrip().split("\n", 1)[0]
        assert len(line.split()) > 2 or after and not after.startswith("--"), res.stdout
    assert "be_selling_date" in res.stdout and "1..500" in res.stdout
    assert "pominięte" not in res.stdout
