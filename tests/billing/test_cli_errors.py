"""CLI failures: one clear line on stderr ending with its fix, the documented exit code, never a
traceback (cron mails whatever the commands print).  Missing/unreadable configuration, SMS or the
database unreachable, lmstv's schema not applied, bad arguments."""

from __future__ import annotations

import dataclasses
import re
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
    for option in ("--start-date", "--end-date", "--group-id", "--not-invoiced", "--customer",
                   "--cust-number", "--sort", "--desc", "--page", "--per-page", "--json"):
        line = next(ln for ln in res.stdout.splitlines() if ln.strip().startswith(option))
        after = res.stdout.split(line, 1)[1].lstrip().split("\n", 1)[0]
        assert len(line.split()) > 2 or after and not after.startswith("--"), res.stdout
    assert "be_selling_date" in res.stdout and "1..500" in res.stdout
    assert "a whole number" in res.stdout and "up to 20 characters" in res.stdout
    assert "pominięte" not in res.stdout


# -- one line with its fix, for every common failure --------------------------------------------

# A fix follows the failure after "; " (or the config error's "is invalid: ...; ") and starts
# with what to do.
FIX = re.compile(r"; (check|run|use|see|create|fix|set|give|swap|choose|point)\b")


def assert_one_line_failure(res: subprocess.CompletedProcess, code: int) -> str:
    lines = res.stderr.splitlines()
    assert res.returncode == code, (res.returncode, res.stderr)
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert FIX.search(lines[0]), lines[0]
    return lines[0]


CONFIG_COMMANDS = [["billing", "import", "-q"], ["billing", "invoice", "-q"],
                   ["billing", "events"], ["customers", "sync-ids"], ["reconcile"],
                   ["sms", "probe"], ["migrate"], ["config", "show"],
                   ["accounts", "follow-cutoff"], ["bulk", "lock", "--group", "tv"]]


@pytest.mark.parametrize("command", CONFIG_COMMANDS, ids=" ".join)
def test_missing_config_file(tmp_path, command):
    res = run(tmp_path / "missing.ini", *command)
    line = assert_one_line_failure(res, 78)
    assert "file not found; create it (see lmstv.ini.example)" in line


@pytest.mark.parametrize("command", CONFIG_COMMANDS[:4], ids=" ".join)
def test_unreadable_config_file(tmp_path, command):
    ini = write_ini(tmp_path, dataclasses.replace(_nowhere("postgres")), 1)
    ini.chmod(0o600)  # root's; the command runs as nobody
    res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                          sys.executable, "-m", "bridge", "--config", str(ini), *command],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    line = assert_one_line_failure(res, 78)
    assert "not readable by this user; fix its permissions" in line


def _nowhere(dialect: str):
    from bridge.config import DatabaseConfig

    return DatabaseConfig(dialect=dialect, host="127.0.0.1", port=free_port(),
                          user="postgres" if dialect == "postgres" else "root")


DB_COMMANDS = [(["billing", "import", "-q"], 1), (["billing", "events"], 1),
               (["billing", "invoice", "-q"], 1), (["billing", "attach", "-q"], 1),
               (["billing", "export-balances", "-q"], 1), (["customers", "sync-ids"], 1),
               (["reconcile"], 1), (["accounts", "follow-cutoff"], 1),
               (["bulk", "lock", "--group", "tv"], 1), (["migrate"], 4)]


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
@pytest.mark.parametrize("command,code", DB_COMMANDS, ids=lambda c: " ".join(c)
                         if isinstance(c, list) else str(c))
def test_unreachable_database(tmp_path, engine, command, code):
    res = run(write_ini(tmp_path, _nowhere(engine), 1), *command)
    line = assert_one_line_failure(res, code)
    assert "cannot connect to" in line and "check [database] in lmstv.ini" in line


SMS_COMMANDS = [["billing", "import", "-q"], ["billing", "export-balances", "-q"],
                ["customers", "sync-ids", "-q"], ["reconcile"], ["sms", "probe"]]


def test_unreachable_sms(billing_db, lms_db_config, tmp_path):
    """SMS refuses connections (write_ini points at port 9): one line per command, no retry
    chatter from the SMS client, exit 1."""
    ini = write_ini(tmp_path, lms_db_config, 1)
    for command in SMS_COMMANDS:
        res = run(ini, *command)
        line = assert_one_line_failure(res, 1)
        assert "connection refused" in line and "check [logowanie] serwer" in line, command


def test_schema_not_migrated(lms_db, lms_db_config, tmp_path):
    tariff = lms_db.insert_id("INSERT INTO tariffs (name, type, value, taxid, description) "
                              "VALUES ('TV', 5, 0, 0, '')", [], "tariffs")
    ini = write_ini(tmp_path, lms_db_config, tariff)
    for command in (["billing", "events"], ["billing", "invoice", "-q"],
                    ["accounts", "follow-cutoff"]):
        res = run(ini, *command)
        line = assert_one_line_failure(res, 1)
        assert "run `lmstv migrate`" in line, (command, line)


BAD_ARGUMENTS = [
    ["billing", "invoice", "--batch-size", "0"],
    ["billing", "invoice", "--mode", "sometimes"],
    ["billing", "invoice", "--fakedate", "2024-02-30"],
    ["billing", "events", "--per-page", "0"],
    ["billing", "events", "--sort", "price"],
    ["billing", "import", "--start-date", "2024-13-01"],
    ["billing", "import", "--start-date", "2024-03-05", "--end-date", "2024-03-01"],
    ["bulk", "lock"],
    ["bulk", "message", "--group", "tv", "--body", " ", "--workers", "2"],
    ["bulk", "lock", "--group", "tv", "--workers", "99"],
    ["migrate", "--check", "--dry-run"],
    ["nonsense"],
    ["billing"],
]


@pytest.mark.parametrize("command", BAD_ARGUMENTS, ids=" ".join)
def test_bad_arguments_are_usage_errors(tmp_path, command):
    # A reachable-looking config: the arguments must be refused before anything connects.
    res = run(write_ini(tmp_path, _nowhere("postgres"), 1), *command)
    assert_one_line_failure(res, 2)


BOOM = """
import argparse, sys
from bridge import cli

def boom(args):
    raise RuntimeError("kaboom")

original = cli.build_parser

def build():
    parser = original()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub.add_parser("boom").set_defaults(func=boom)
    return parser

cli.build_parser = build
sys.exit(cli.main(sys.argv[1:]))
"""


def test_an_unexpected_error_is_one_line_and_verbose_shows_the_traceback():
    """The last net in cli.main: a bug nobody foresaw still ends in one line with what to do."""
    res = subprocess.run([sys.executable, "-c", BOOM, "boom"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    line = assert_one_line_failure(res, 1)
    assert line == ("lmstv boom: unexpected error (RuntimeError: kaboom); run again with -v for "
                    "the traceback and report it")
    verbose = subprocess.run([sys.executable, "-c", BOOM, "-v", "boom"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr
