"""Plain helpers shared by the test areas and tests/php/stack.py (no pytest import here)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from bridge.config import DatabaseConfig
from bridge.lms.db import Database

SANDBOX_LOGIN = "Jan Kowalski"
SANDBOX_MD5 = hashlib.md5(b"demo1234").hexdigest()  # the sandbox's default operator password


def server_config(dialect: str, database: str = "lmstv_unused") -> DatabaseConfig:
    """The test database server of a dialect ($LMSTV_TEST_PG / $LMSTV_TEST_MYSQL)."""
    if dialect == "postgres":
        url = urlparse(os.environ.get("LMSTV_TEST_PG", "postgresql://postgres@127.0.0.1:5432"))
        default_user = "postgres"
    else:
        url = urlparse(os.environ.get("LMSTV_TEST_MYSQL", "mysql://root@127.0.0.1:3306"))
        default_user = "root"
    return DatabaseConfig(dialect=dialect, host=url.hostname or "127.0.0.1", port=url.port,
                          user=unquote(url.username or default_user),
                          password=unquote(url.password or ""), database=database)


def untar(tarball: Path, dest: Path, *members: str, exclude: str | None = None) -> None:
    """Unpack *tarball* (only *members*, shell patterns, when given) into *dest* with GNU tar:
    Python's tarfile took 1.5 s of CPU for LMS 28's 4,500 files against tar's 0.4 s, and a run
    unpacks LMS trees about ten times (docs/testing.md). The tarballs are LMS's own from
    ../shared; tar, like tarfile's "data" filter, keeps absolute and '..' names inside *dest*,
    and with --no-same-owner/--no-same-permissions the files are ours, modes under the umask."""
    cmd = ["tar", "-xzf", str(tarball), "-C", str(dest), "--no-same-owner",
           "--no-same-permissions"]
    if exclude:
        cmd += ["--exclude", exclude]
    if members:
        cmd += ["--wildcards", *members]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"tar could not unpack {tarball}: {proc.stderr.strip()}")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def add_lms_customer(db: Database, **fields: Any) -> int:
    """Insert an LMS customer into LMS's own table (MySQL needs the text columns spelled out)."""
    row = {"lastname": "Kowalska", "name": "Anna", "status": 3, "type": 0, "email": "",
           "address": "ul. Polna 12/3", "zip": "30-001", "city": "Kraków", "ten": "",
           "ssn": "85010112345", "regon": "", "rbe": "", "icn": "ABC123456", "info": "",
           "notes": "", "message": "", "deleted": 0}
    row.update(fields)
    from tests.lmsrows import insert_customer  # LMS-version aware

    return insert_customer(db, row)


def lmstv_ini(work: Path, db: DatabaseConfig, *, sandbox_url: str, secret: str,
              login: str = SANDBOX_LOGIN, password_md5: str = SANDBOX_MD5,
              bridge_port: int | None = None, tariff_id: int | None = None,
              http_timeout: float | None = None, long_timeout: float | None = None,
              shim_timeout: float | None = None) -> str:
    """The lmstv.ini of a test stack: SMS at *sandbox_url*, the LMS database *db*, cache, audit
    log and billing lock under *work*, lmstv run as this Python's ``-m bridge``.

    One text for the e2e LMS, the PHPUnit stack and the billing-script tests, so a new required
    key is added once. A key given as None (or a tariff of 0) is left out, so the bridge or the
    shim uses its own default for it, as each stack did when it wrote its ini by hand.
    """
    sections: dict[str, dict[str, object]] = {
        "logowanie": {"login": login, "haslo": password_md5, "serwer": sandbox_url},
        "opcje": {"cache": 1, "http_timeout": http_timeout, "long_timeout": long_timeout},
        "bridge": {"bind": f"127.0.0.1:{bridge_port}" if bridge_port else None,
                   "secret": secret, "cache_dir": work / "cache",
                   "audit_log": work / "audit.log"},
        "billing": {"tv_tariff_id": tariff_id or None, "lock_dir": work},
        "shim": {"timeout": shim_timeout, "lmstv_command": f"{sys.executable} -m bridge"},
        "database": {"type": db.dialect, "host": db.host, "port": db.port or "",
                     "user": db.user, "password": db.password, "database": db.database},
    }
    return "\n".join(f"[{name}]\n" + "".join(f"{key} = {value}\n"
                                             for key, value in keys.items() if value is not None)
                     for name, keys in sections.items())
