"""A big operator's first synchronisation and balance export: the CLI reads SMS's whole
customer list (40,000 customers ≈ 77 MB of XML-RPC from the sandbox) under the one reply cap of
[opcje] max_reply_mb, the same the screens use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .test_exactly_once import write_ini

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = 40_000


def run(ini: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def _ini(tmp_path: Path, lms_db_config, sandbox, extra: str = "") -> Path:
    ini = write_ini(tmp_path, lms_db_config, 1)
    text = ini.read_text(encoding="utf-8").replace("http://127.0.0.1:9/test/xmlrpc", sandbox.url)
    ini.write_text(text.replace("[billing]", f"[opcje]\nhttp_timeout = 60\n{extra}[billing]"),
                   encoding="utf-8")
    return ini


# One engine is enough: the point is the size of SMS's reply, not the SQL.
@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_sync_ids_and_balance_export_with_40000_sms_customers(billing_db, lms, lms_db_config,
                                                              sandbox, tmp_path):
    ctl = sandbox.control()
    numbers = ctl.sandbox.addCustomers(CUSTOMERS)
    lms.customer(1)
    lms.customer(2)
    ini = _ini(tmp_path, lms_db_config, sandbox)

    res = run(ini, "customers", "sync-ids")
    assert res.returncode == 3, res.stderr[-2000:]  # 3: problems listed (no LMS customer)
    assert "too large" not in res.stderr
    assert res.stdout.startswith("linked 2, "), res.stdout[:300]
    assert billing_db.scalar("SELECT tv_cust_number FROM customers WHERE id = 2") == numbers[1]

    res = run(ini, "billing", "export-balances")
    assert res.returncode == 0, res.stderr[-2000:]
    sent = ctl.sandbox.getPaymentInfo()["payment_info"]
    assert sorted(sent) == sorted(numbers[:2])

    # The cap is the operator's to set, and it is the CLI's cap too.
    small = _ini(tmp_path, lms_db_config, sandbox, "max_reply_mb = 32\n")
    res = run(small, "billing", "export-balances")
    assert res.returncode != 0 and "too large" in res.stderr and "32 MiB" in res.stderr
