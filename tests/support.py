"""Plain helpers shared by the test areas and tests/php/stack.py (no pytest import here)."""

from __future__ import annotations

import os
import uuid
from typing import Any
from urllib.parse import unquote, urlparse

from bridge.config import DatabaseConfig
from bridge.lms.db import Database


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
