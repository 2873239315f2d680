"""Fixtures of the API area: the real bridge over real HTTP, against the real sandbox and a real
migrated LMS database on each engine."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from bridge.api import create_app
from bridge.audit import AuditLog
from bridge.config import Config, DatabaseConfig
from bridge.lms.db import connect
from bridge.lms.migrate import migrate
from tests.support import add_lms_customer

SECRET = "test-secret-0123456789abcdef"
USER = "admin"


@dataclass
class Bridge:
    """A running bridge: ``call`` sends the secret and the LMS user unless told otherwise."""

    base: str
    app: Any
    audit_path: Path
    db_config: DatabaseConfig
    session: requests.Session

    def call(self, method: str, path: str, *, json: Any = None, params: Any = None,
             secret: str | None = SECRET, user: str | None = USER,
             headers: dict[str, str] | None = None) -> requests.Response:
        h = dict(headers or {})
        if secret is not None:
            h["X-LMSTV-Secret"] = secret
        if user is not None:
            h["X-LMSTV-User"] = user
        return self.session.request(method, self.base + path, json=json, params=params,
                                    headers=h, timeout=30)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.call("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.call("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.call("DELETE", path, **kw)

    def audit(self) -> list[dict[str, Any]]:
        return AuditLog(str(self.audit_path)).read()

    def db(self):
        return connect(self.db_config)


def make_config(tmp_path: Path, sandbox: Any, db_config: DatabaseConfig | None,
                **changes: Any) -> Config:
    cfg = Config(sms_login=sandbox.login, sms_password_md5=sandbox.password_md5,
                 sms_url=sandbox.url, secret=SECRET, cache_dir=str(tmp_path / "cache"),
                 audit_log=str(tmp_path / "log" / "audit.log"), database=db_config,
                 http_timeout=2.0, long_timeout=5.0)
    return cfg.with_overrides(**changes) if changes else cfg


def start_bridge(request: pytest.FixtureRequest, cfg: Config, **overrides: Any) -> Bridge:
    app = create_app(cfg, **overrides)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the serving loop to look at its flag, every poll_interval: 0.5 s by
    # default, half a second added to each test's teardown.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        app.extensions["lmstv"].close()

    request.addfinalizer(stop)
    return Bridge(base=f"http://127.0.0.1:{server.server_port}", app=app,
                  audit_path=Path(cfg.audit_log), db_config=cfg.database,
                  session=requests.Session())


@pytest.fixture
def make_bridge(request, tmp_path, sandbox):
    """Start another bridge: make_bridge(db_config, **config_changes)."""

    def make(db_config: DatabaseConfig | None, **changes: Any) -> Bridge:
        return start_bridge(request, make_config(tmp_path, sandbox, db_config, **changes))

    return make


@pytest.fixture
def migrated_config(lms_db_config: DatabaseConfig) -> DatabaseConfig:
    db = connect(lms_db_config)
    try:
        migrate(db, out=lambda _line: None)
    finally:
        db.close()
    return lms_db_config


@pytest.fixture
def bridge(request, tmp_path, sandbox, migrated_config) -> Bridge:
    """The bridge on a free port: real sandbox, real migrated LMS database (both engines)."""
    return start_bridge(request, make_config(tmp_path, sandbox, migrated_config))


@pytest.fixture
def customer(bridge: Bridge) -> int:
    """An LMS customer not yet exported to SMS."""
    db = bridge.db()
    try:
        return add_lms_customer(db)
    finally:
        db.close()


@pytest.fixture
def linked(bridge: Bridge, customer: int) -> dict[str, Any]:
    """An exported customer with one active account: {'id', 'cust_number', 'account_id'}."""
    r = bridge.post(f"/api/v1/customers/{customer}/accounts",
                    json={"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "3",
                          "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    assert r.status_code == 200, r.text
    accounts = bridge.get(f"/api/v1/customers/{customer}/accounts").json()["data"]["accounts"]
    return {"id": customer, "cust_number": r.json()["data"]["cust_number"],
            "account_id": accounts[0]["account_id"]}


@pytest.fixture
def installed(bridge: Bridge, linked: dict[str, Any]) -> dict[str, Any]:
    """``linked`` plus an installed (status 3) base package 101 (2 devices) with no STB."""
    acc = f"/api/v1/customers/{linked['id']}/accounts/{linked['account_id']}"
    r = bridge.post(acc + "/subscriptions", json={"package_ids": [101], "activate": True})
    assert r.status_code == 200, r.text
    subs = bridge.get(acc + "/subscriptions").json()["data"]
    return {**linked, "acc": acc, "subscription_id": subs[0]["subscription_id"],
            "cust_order_id": subs[0]["cust_order_id"]}


@pytest.fixture
def add_customer(bridge: Bridge):
    """add_customer(**fields) -> new LMS customer id."""

    def add(**fields: Any) -> int:
        db = bridge.db()
        try:
            return add_lms_customer(db, **fields)
        finally:
            db.close()

    return add
