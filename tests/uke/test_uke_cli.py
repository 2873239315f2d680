"""`lmstv uke sync` end to end: LMS 28 database (both engines), the real SMS sandbox over HTTP;
who has active services is SMS's answer, and the command keeps LMS's assignments in step."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bridge import clierrors
from bridge.uke import TARIFF_NAME
from tests.sandbox.sandbox_helpers import Sms

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lms_flavour() -> str:
    return "lms28"


def cli(ini: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "uke", "sync",
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def active_tv(db) -> set[int]:
    db.raw.commit()  # a fresh snapshot: the command wrote from another process
    return {int(r["customerid"]) for r in db.query(
        "SELECT a.customerid FROM assignments a JOIN tariffs t ON t.id = a.tariffid "
        "WHERE t.name = %s AND a.dateto = 0", [TARIFF_NAME])}


def write_ini(tmp_path: Path, sandbox, c, *, url: str | None = None,
              password: str | None = None) -> Path:
    ini = tmp_path / "lmstv.ini"
    ini.write_text(
        f"[logowanie]\nlogin = {sandbox.login}\nhaslo = {password or sandbox.password}\n"
        f"serwer = {url or sandbox.url}\n"
        f"[database]\ntype = {c.dialect}\nhost = {c.host}\nport = {c.port or c.default_port}\n"
        f"user = {c.user}\npassword = {c.password}\ndatabase = {c.database}\n")
    return ini


def test_cli_follows_sms(billing_db, lms, sandbox, lms_db_config, tmp_path):
    db = billing_db
    lms.tax("23.00")
    sms = Sms(sandbox)
    today = sms.control.getToday()
    with_tv = sms.customer(cust_external_id="1")
    _, acc = sms.account(with_tv)
    sms.packagesEntitle(acc, [107], today)
    no_services = sms.customer(cust_external_id="2")
    lms.customer(1, tv=with_tv)
    lms.customer(2, lastname="Nowak", tv=no_services)
    lms.customer(3, lastname="Bez", tv=None)
    db.raw.commit()

    ini = write_ini(tmp_path, sandbox, lms_db_config)

    dry = cli(ini, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would change: 1 started" in dry.stdout and "start 1" in dry.stdout
    assert active_tv(db) == set()

    run = cli(ini, "-q")
    assert (run.returncode, run.stdout) == (0, ""), run.stderr
    assert active_tv(db) == {1}
    again = cli(ini)
    assert again.returncode == 0 and "0 started, 0 ended" in again.stdout, again.stdout

    ini.write_text(ini.read_text().replace(sandbox.url, "http://127.0.0.1:9/xmlrpc"))
    down = cli(ini, "-q")
    assert down.returncode == 1 and "SMS could not be read" in down.stderr
    assert active_tv(db) == {1}


@pytest.mark.parametrize("failure", ["unreachable", "fault"])
def test_cli_sms_failure_is_one_line_with_its_fix(failure, billing_db, lms, sandbox,
                                                   lms_db_config, tmp_path):
    """SMS not answering (nothing listens at the address), or answering with a fault (a wrong
    password): one stderr line, SMS's reason then what to do, exit 1 like `lmstv reconcile`,
    and LMS's assignments as they were."""
    db = billing_db
    lms.tax("23.00")
    sms = Sms(sandbox)
    with_tv = sms.customer(cust_external_id="1")
    _, acc = sms.account(with_tv)
    sms.packagesEntitle(acc, [107], sms.control.getToday())
    lms.customer(1, tv=with_tv)
    db.raw.commit()
    assert cli(write_ini(tmp_path, sandbox, lms_db_config), "-q").returncode == 0
    assert active_tv(db) == {1}

    if failure == "unreachable":
        ini = write_ini(tmp_path, sandbox, lms_db_config, url="http://127.0.0.1:9/xmlrpc")
        fix = clierrors.SMS_UNREACHABLE_FIX
    else:
        ini = write_ini(tmp_path, sandbox, lms_db_config, password="not-the-password")
        fix = clierrors.SMS_FAULT_FIX
    out = cli(ini, "-q")
    assert (out.returncode, out.stdout) == (1, ""), out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("lmstv uke sync: SMS could not be read: ")
    assert lines[0].endswith(f"; {fix}")
    reason = lines[0].removeprefix("lmstv uke sync: SMS could not be read: ")
    reason = reason.removesuffix(f"; {fix}")
    assert reason.strip(), "SMS's reason comes before the fix"
    assert active_tv(db) == {1}
