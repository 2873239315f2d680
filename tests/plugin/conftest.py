"""A real current LMS tree (unpacked from ../shared/lms-src once per session, copied per test)
and a real LMS 28 database per engine (LMS's own doc/lms.pgsql / lms.mysql, loaded once per
session; each test starts with no phpui.plugins row, as LMS 28 ships)."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bridge.config import DatabaseConfig
from bridge.lms.bootstrap import create_database, drop_database, load_lms_schema
from bridge.lms.db import connect
from bridge.plugin import classmap
from tests.conftest import DIALECTS
from tests.e2e import lms28
from tests.e2e.phpparser import (
    parser_dir,  # noqa: F401 (a session fixture of the PHP version tests)
)
from tests.support import server_config, unique_name


@pytest.fixture(scope="session")
def lms28_template(tmp_path_factory) -> Path:
    if not lms28.TARBALL.is_file():
        pytest.fail(f"{lms28.TARBALL} not found (LMS sources live in ../shared/lms-src)")
    lms = lms28.unpack(tmp_path_factory.mktemp("lms28-template"))
    # The tree as lmstv's tests build it: a generated classmap, which install regenerates.
    classmap.generate(lms)
    return lms


@pytest.fixture(scope="session")
def lms28_databases(lms28_template):
    """dialect -> an LMS 28 database, created on first use, dropped at the end."""
    made: dict[str, DatabaseConfig] = {}

    def get(dialect: str) -> DatabaseConfig:
        if dialect not in made:
            cfg = replace(server_config(dialect), database=unique_name("lmstv_p28"))
            create_database(cfg)
            made[dialect] = cfg
            schema = "lms.pgsql" if dialect == "postgres" else "lms.mysql"
            load_lms_schema(cfg, lms28_template / "doc" / schema)
        return made[dialect]

    yield get
    for cfg in made.values():
        drop_database(cfg)


@pytest.fixture(params=DIALECTS)
def dialect(request) -> str:
    return request.param


@pytest.fixture
def lms_dir(tmp_path, lms28_template, lms28_databases, dialect) -> Path:
    """A copy of the LMS tree whose lms.ini points at the dialect's LMS 28 database."""
    cfg = lms28_databases(dialect)
    db = connect(cfg)
    try:
        db.execute("DELETE FROM uiconfig WHERE section = 'phpui' AND var = 'plugins'")
    finally:
        db.close()
    lms = tmp_path / "lms"
    # Hard links: install and uninstall only add files and replace the classmap by rename,
    # never write into an existing file, so the template stays intact.
    shutil.copytree(lms28_template, lms, symlinks=True, copy_function=os.link)
    lms28.write_lms_ini(lms, cfg)
    return lms


@pytest.fixture
def lms_db(lms_dir, lms28_databases, dialect):
    db = connect(lms28_databases(dialect))
    yield db
    db.close()
