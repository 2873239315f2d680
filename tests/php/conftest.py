"""PHP-shim fixtures: a real bridge (in-process, real port) over the real sandbox and a migrated
LMS 1.11.17 database, and `run_module`, which runs a shim module in tests/php/harness.php."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from bridge.config import Config
from bridge.lms.db import connect
from bridge.lms.migrate import migrate
from tests.api.conftest import start_bridge

HERE = Path(__file__).resolve().parent
SECRET = "php-shim-test-secret-0123456789"


class BridgeClient:
    def __init__(self, base: str) -> None:
        self.base = base
        self.s = requests.Session()
        self.s.headers.update({"X-LMSTV-Secret": SECRET, "X-LMSTV-User": "pytest"})

    def call(self, method: str, path: str, **kw: Any) -> Any:
        r = self.s.request(method, f"{self.base}/api/v1{path}", timeout=30, **kw)
        assert r.status_code == 200, r.text
        return r.json()["data"]


@pytest.fixture
def bridge_url(request, tmp_path, sandbox, lms_db_config) -> str:
    db = connect(lms_db_config)
    try:
        migrate(db, out=lambda _line: None)
    finally:
        db.close()
    cfg = Config(sms_login=sandbox.login, sms_password_md5=sandbox.password_md5,
                 sms_url=sandbox.url, secret=SECRET, cache_dir=str(tmp_path / "cache"),
                 audit_log=str(tmp_path / "audit.log"), database=lms_db_config,
                 http_timeout=5.0, long_timeout=5.0)
    return start_bridge(request, cfg).base


@pytest.fixture
def shim_secret() -> str:
    return SECRET


@pytest.fixture
def bridge(bridge_url: str) -> BridgeClient:
    return BridgeClient(bridge_url)


@pytest.fixture(scope="session")
def smarty_compile_dirs(tmp_path_factory: pytest.TempPathFactory):
    """name -> a Smarty compile directory kept for the session (for each worker process).
    The shim's templates do not change while the tests run, so a template compiled for one
    test serves the next ones; each test compiling them again cost 0.05-0.1 s of PHP."""
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = tmp_path_factory.mktemp(name)
        return made[name]

    return get


@pytest.fixture
def run_module(tmp_path: Path, bridge_url: str, smarty_compile_dirs):
    """Run one module like LMS's index.php would; returns the harness's JSON answer."""
    compile_dir = smarty_compile_dirs("templates_c")

    def run(module: str, *, method: str = "GET", get: dict | None = None,
            post: dict | None = None, privileges: tuple[str, ...] = ("tv_full_access",),
            session: dict | None = None, secret: str = SECRET, url: str | None = None,
            module_file: str | None = None, **vars: Any) -> dict:
        spec = {"module": module, "module_file": module_file, "method": method,
                "get": get or {}, "post": post or {},
                "privileges": list(privileges), "session": session or {}, "vars": vars,
                "compile_dir": str(compile_dir),
                "bridge": {"url": url or bridge_url, "secret": secret, "timeout": 20}}
        path = tmp_path / "spec.json"
        path.write_text(json.dumps(spec))
        out = subprocess.run(["php", str(HERE / "harness.php"), str(path)], capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stderr + out.stdout
        return json.loads(out.stdout)

    return run


@pytest.fixture
def sms_down_bridge(request, tmp_path, lms_db_config) -> str:
    """A second bridge on the same LMS database whose SMS never answers, with a cold cache."""
    cfg = Config(sms_login="Jan Kowalski", sms_password_md5="0" * 32,
                 sms_url="http://127.0.0.1:9/xmlrpc", secret=SECRET,
                 cache_dir=str(tmp_path / "cold-cache"), audit_log=str(tmp_path / "down.log"),
                 database=lms_db_config, http_timeout=2.0, long_timeout=2.0)
    return start_bridge(request, cfg).base
