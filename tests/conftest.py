"""Shared fixtures: real LMS databases on PostgreSQL and MariaDB, and a real SMS sandbox.

Database servers come from $LMSTV_TEST_PG / $LMSTV_TEST_MYSQL (URLs such as
``postgresql://postgres@127.0.0.1:5432`` and ``mysql://root@127.0.0.1:3306``); ``lmstv.sh test``
sets them up.  Each test gets its own throw-away database, cloned from a per-session template
loaded from LMS's 1.11.17 schema (tests/templates.py says how).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import xmlrpc.client
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bridge.config import ConfigError, DatabaseConfig, find_lms_schema
from bridge.lms.bootstrap import create_database, drop_database
from bridge.lms.db import connect
from bridge.procs import free_port, stop_process, wait_for_port
from tests.support import server_config, unique_name
from tests.templates import Template, build_template, clone

ROOT = Path(__file__).resolve().parent.parent
DIALECTS = ("postgres", "mysql")
SANDBOX_LOGIN = "Jan Kowalski"
SANDBOX_PASSWORD = "demo1234"


@pytest.fixture(scope="session")
def lms_schema_files() -> dict[str, Path]:
    try:
        return {d: find_lms_schema(d) for d in DIALECTS}
    except ConfigError as exc:
        # One line for the whole run instead of the same traceback in every database test.
        pytest.exit(str(exc), returncode=2)


# Current LMS (28-git): its schema is read from the source tarball at test time, never copied
# into the project.
LMS28_TARBALL = ROOT.parent / "shared" / "lms-src" / "lms-28-git-d85aeab5.tar.gz"
LMS28_MEMBERS = {"postgres": "lms-28-git/doc/lms.pgsql", "mysql": "lms-28-git/doc/lms.mysql"}
FLAVOURS = ("lms1117", "lms28")


@pytest.fixture(scope="session")
def lms28_schema_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not LMS28_TARBALL.is_file():
        pytest.fail(f"{LMS28_TARBALL} not found (LMS 28-git sources live in ../shared/lms-src)")
    out = tmp_path_factory.mktemp("lms28-schema")
    with tarfile.open(LMS28_TARBALL) as tar:
        for member in LMS28_MEMBERS.values():
            tar.extract(tar.getmember(member), out, filter="data")
    return {d: out / m for d, m in LMS28_MEMBERS.items()}


# Fixtures whose tests want lmstv's schema applied: their database is cloned from the migrated
# template, so the migrate they still run finds nothing to do.
MIGRATED_FIXTURES = frozenset({"migrated_db", "billing_db", "migrated_config", "bridge_url"})


def _template(request: pytest.FixtureRequest, dialect: str, migrated: bool,
              flavour: str = "lms1117") -> Template:
    """Session-wide template database of a dialect and LMS version, built on first use, dropped
    at the end."""
    cache = request.config.stash.setdefault(_TEMPLATES, {})
    key = (dialect, migrated, flavour)
    if key not in cache:
        files = "lms28_schema_files" if flavour == "lms28" else "lms_schema_files"
        schema = request.getfixturevalue(files)[dialect]
        source = _template(request, dialect, False, flavour) if migrated else None
        cfg = replace(server_config(dialect), database=unique_name("lmstv_tpl"))
        cache[key] = build_template(cfg, schema, source=source, migrated=migrated)
    return cache[key]


_TEMPLATES = pytest.StashKey[dict]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    for tpl in session.config.stash.get(_TEMPLATES, {}).values():
        drop_database(tpl.cfg)


@pytest.fixture(scope="session")
def _pg_template(request: pytest.FixtureRequest) -> DatabaseConfig:
    """The PostgreSQL template (kept for callers of the old fixture name)."""
    return _template(request, "postgres", False).cfg


def make_lms_database(dialect: str, request: pytest.FixtureRequest,
                      *, empty: bool = False, migrated: bool = False,
                      flavour: str = "lms1117") -> DatabaseConfig:
    """A fresh database with LMS 1.11.17's schema (``flavour="lms28"``: LMS 28-git's; or empty,
    or with lmstv's schema applied), cloned from the session's template and dropped after the
    test."""
    cfg = replace(server_config(dialect), database=unique_name("lmstv_t"))
    if empty:
        create_database(cfg)
    else:
        clone(_template(request, dialect, migrated, flavour), cfg)
    request.addfinalizer(lambda: drop_database(cfg))
    return cfg


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def lms_flavour() -> str:
    """The LMS version of ``lms_db_config``'s database: LMS 1.11.17 unless $LMSTV_TEST_LMS says
    ``lms28``.  A test module runs on both with
    ``pytestmark = pytest.mark.parametrize("lms_flavour", FLAVOURS)``."""
    value = os.environ.get("LMSTV_TEST_LMS", "lms1117").strip() or "lms1117"
    if value not in FLAVOURS:
        raise pytest.UsageError(f"LMSTV_TEST_LMS={value}: use one of {', '.join(FLAVOURS)}")
    return value


@pytest.fixture
def lms_db_config(dialect: str, lms_flavour: str,
                  request: pytest.FixtureRequest) -> DatabaseConfig:
    """Connection settings of a fresh LMS database (runs once per dialect and LMS version)."""
    return make_lms_database(dialect, request, flavour=lms_flavour,
                             migrated=bool(MIGRATED_FIXTURES & set(request.fixturenames)))


@pytest.fixture
def lms_db(lms_db_config: DatabaseConfig):
    db = connect(lms_db_config)
    yield db
    db.close()


# -- SMS sandbox --------------------------------------------------------------------------------


@dataclass
class Sandbox:
    """A running ``lmstv sandbox`` process reached over real HTTP."""

    port: int
    proc: subprocess.Popen
    login: str = SANDBOX_LOGIN
    password: str = SANDBOX_PASSWORD

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/test/xmlrpc"

    @property
    def password_md5(self) -> str:
        import hashlib

        return hashlib.md5(self.password.encode()).hexdigest()

    @property
    def auth(self) -> dict[str, str]:
        return {"user_name": self.login, "user_pass": self.password_md5}

    def control(self) -> xmlrpc.client.ServerProxy:
        """Raw XML-RPC proxy for the sandbox's own ``sandbox.*`` control methods."""
        return xmlrpc.client.ServerProxy(self.url, allow_none=True)


def start_sandbox(*extra: str) -> Sandbox:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bridge", "sandbox", "--host", "127.0.0.1",
                             "--port", str(port), *extra], cwd=ROOT)
    wait_for_port(port, proc=proc)
    return Sandbox(port=port, proc=proc)


@pytest.fixture(scope="session")
def sandbox_server():
    sb = start_sandbox("--seed", "empty")
    yield sb
    stop_process(sb.proc)


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Sandbox:
    """The session's sandbox, reset to an empty operator before each test."""
    sandbox_server.control().sandbox.reset("empty")
    return sandbox_server
