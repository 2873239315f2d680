"""Shared fixtures: real LMS databases on PostgreSQL and MariaDB, and a real SMS sandbox.

Database servers come from $LMSTV_TEST_PG / $LMSTV_TEST_MYSQL (URLs such as
``postgresql://postgres@127.0.0.1:5432`` and ``mysql://root@127.0.0.1:3306``); ``lmstv.sh test``
sets them up.  Each test gets its own throw-away database, cloned from a per-session template
loaded from LMS's 1.11.17 schema (tests/templates.py says how).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import signal
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections import Counter
from collections.abc import Iterator
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bridge.config import ConfigError, DatabaseConfig, find_lms_schema
from bridge.lms.bootstrap import create_database, drop_database
from bridge.lms.db import connect
from bridge.procs import free_port, stop_process, wait_for_port
from tests.support import server_config, unique_name, untar
from tests.templates import Template, build_template, clone, dump, reset

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
    untar(LMS28_TARBALL, out, *LMS28_MEMBERS.values())
    return {d: out / m for d, m in LMS28_MEMBERS.items()}


# Fixtures whose tests want lmstv's schema applied: their database is cloned from the migrated
# template, so the migrate they still run finds nothing to do.
MIGRATED_FIXTURES = frozenset({"migrated_db", "billing_db", "migrated_config", "bridge_url"})


def _template(request: pytest.FixtureRequest, dialect: str, migrated: bool,
              flavour: str = "lms1117") -> Template:
    """Session-wide template database of a dialect and LMS version, built on first use, dropped
    at the end. Under pytest-xdist the workers share it: the first to need it builds it."""
    cache = request.config.stash.setdefault(_TEMPLATES, {})
    key = (dialect, migrated, flavour)
    if key not in cache:
        shared = _shared_dir(request.config)
        if shared is None:
            cache[key] = _build_template(request, key)
        else:
            cache[key] = _shared_template(request, key, shared)
    return cache[key]


def _build_template(request: pytest.FixtureRequest, key: Key) -> Template:
    dialect, migrated, flavour = key
    files = "lms28_schema_files" if flavour == "lms28" else "lms_schema_files"
    schema = request.getfixturevalue(files)[dialect]
    source = _template(request, dialect, False, flavour) if migrated else None
    cfg = replace(server_config(dialect), database=unique_name("lmstv_tpl"))
    with _pool(request.config)._cost("template built"):
        return build_template(cfg, schema, source=source, migrated=migrated)


def _shared_dir(config: pytest.Config) -> Path | None:
    """The directory the xdist workers of this run share (the controller's basetemp, the parent
    of each worker's own), or None when this process is not an xdist worker."""
    if not hasattr(config, "workerinput"):
        return None
    shared = Path(config._tmp_path_factory.getbasetemp()).parent / "lmstv-templates"  # noqa: SLF001
    shared.mkdir(exist_ok=True)
    return shared


def _shared_template(request: pytest.FixtureRequest, key: Key, shared: Path) -> Template:
    """The template of ``key`` as the first worker that needed it built it (its description is
    pickled next to a lock file); built here when no worker has yet. The controller drops it."""
    import fcntl
    import pickle

    stem = shared / "-".join(("migrated" if key[1] else "plain", key[0], key[2]))
    made = stem.with_suffix(".pickle")
    with open(stem.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes (or the worker dies)
        if made.exists():
            return pickle.loads(made.read_bytes())
        tpl = _build_template(request, key)
        part = stem.with_suffix(f".part{os.getpid()}")
        part.write_bytes(pickle.dumps(tpl))
        part.replace(made)
        return tpl


def _shared_templates(config: pytest.Config) -> list[DatabaseConfig]:
    """On the xdist controller: the templates its workers built (to drop once all have ended)."""
    import pickle

    if hasattr(config, "workerinput") or getattr(config.option, "dist", "no") == "no":
        return []
    shared = Path(config._tmp_path_factory.getbasetemp()) / "lmstv-templates"  # noqa: SLF001
    return [pickle.loads(p.read_bytes()).cfg for p in sorted(shared.glob("*.pickle"))]


_TEMPLATES = pytest.StashKey[dict]()


# Dumps of fresh clones by pool key, when $LMSTV_TEST_CHECK_RESET asks to compare.
_FRESH_DUMPS = pytest.StashKey[dict]()

Key = tuple[str, bool, str]  # (dialect, migrated, LMS flavour)


class _Pool:
    """Databases whose test has ended, reset to their template's state, by pool key.

    Resets (and drops of databases whose schema a test changed) run on one background thread,
    so they overlap the next test, which takes another database of the pool. Once a kind has
    ``DEPTH`` databases and none is free, a test waits for a reset rather than cloning another
    (a clone costs more)."""

    DEPTH = 2

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.free: dict[Key, list[DatabaseConfig]] = {}
        self.pending: dict[Key, list[Future]] = {}
        self.alive: dict[Key, int] = {}  # databases of a kind: free, in use or being reset
        self.costs: dict[str, list] = {}  # {"reset": [n, seconds], …}
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lmstv-db-reset")

    def take(self, key: Key) -> DatabaseConfig | None:
        """A reset database of the kind, or None: then the caller clones one (counted)."""
        while True:
            with self.lock:
                if self.free.get(key):
                    return self.free[key].pop()
                pending = [f for f in self.pending.get(key, []) if not f.done()]
                self.pending[key] = pending
                if not pending or self.alive.get(key, 0) < self.DEPTH:
                    self.alive[key] = self.alive.get(key, 0) + 1
                    return None
            futures.wait(pending, return_when=futures.FIRST_COMPLETED)

    def give_back(self, key: Key, tpl: Template, cfg: DatabaseConfig) -> None:
        future = self.worker.submit(self._reset, key, tpl, cfg)
        with self.lock:
            self.pending.setdefault(key, []).append(future)

    def drop_later(self, cfg: DatabaseConfig) -> None:
        """Drop a database that is not pooled (empty ones) on the background thread."""
        self.worker.submit(self._drop, cfg)

    def _drop(self, cfg: DatabaseConfig) -> None:
        try:
            with self._cost("drop, empty (background)"):
                drop_database(cfg)
        except Exception as exc:  # noqa: BLE001 - a failed drop must not stop the worker
            print(f"lmstv tests: could not drop {cfg.database}: {exc}", file=sys.stderr)

    def _reset(self, key: Key, tpl: Template, cfg: DatabaseConfig) -> bool:
        ok = False
        try:
            with self._cost("reset (background)"):
                ok = tpl.plan is not None and reset(tpl, tpl.plan, cfg)
            if not ok:
                with self._cost("drop, schema changed (background)"):
                    drop_database(cfg)
        except Exception as exc:  # noqa: BLE001 - a failed drop must not stop the worker
            print(f"lmstv tests: could not reset or drop {cfg.database}: {exc}", file=sys.stderr)
        with self.lock:
            if ok:
                self.free.setdefault(key, []).append(cfg)
            else:
                self.alive[key] -= 1
        return ok

    @contextlib.contextmanager
    def _cost(self, what: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            with self.lock:
                entry = self.costs.setdefault(what, [0, 0.0])
                entry[0] += 1
                entry[1] += time.monotonic() - start

    def close(self) -> list[DatabaseConfig]:
        """Wait for the resets under way; the free databases, for the caller to drop."""
        self.worker.shutdown(wait=True)
        left = [cfg for free in self.free.values() for cfg in free]
        self.free.clear()
        return left


_POOL = pytest.StashKey[_Pool]()


def _pool(config: pytest.Config) -> _Pool:
    if _POOL not in config.stash:
        config.stash[_POOL] = _Pool()
    return config.stash[_POOL]


# Under pytest-xdist each worker process has its own pool; the workers send their costs to the
# controller (workeroutput), which prints one line for the whole run.
_WORKER_COSTS = pytest.StashKey[list]()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown when xdist is not installed
def pytest_testnodedown(node, error) -> None:  # on the controller
    costs = getattr(node, "workeroutput", {}).get("lmstv_db_costs")
    if costs:
        node.config.stash.setdefault(_WORKER_COSTS, []).append(costs)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    runs = list(config.stash.get(_WORKER_COSTS, []))
    if _POOL in config.stash:
        runs.append(config.stash[_POOL].costs)
    total: dict[str, list] = {}
    for costs in runs:
        for what, (n, secs) in costs.items():
            entry = total.setdefault(what, [0, 0.0])
            entry[0] += n
            entry[1] += secs
    if total:
        terminalreporter.write_line("per-test databases: " + ", ".join(
            f"{what} {n}× {secs:.1f} s" for what, (n, secs) in sorted(total.items())))


def _drop_all(cfgs: list[DatabaseConfig]) -> None:
    """Drop databases side by side: each PostgreSQL DROP DATABASE waits for a checkpoint (0.1 to
    5 s on the busy shared server), and drops waiting at the same time share one."""
    if not cfgs:
        return
    with ThreadPoolExecutor(max_workers=min(len(cfgs), 8),
                            thread_name_prefix="lmstv-db-drop") as pool:
        for cfg, done in zip(cfgs, pool.map(_drop_quietly, cfgs), strict=True):
            if not done:
                print(f"lmstv tests: could not drop {cfg.database}", file=sys.stderr)


def _drop_quietly(cfg: DatabaseConfig) -> bool:
    try:
        drop_database(cfg)
    except Exception:  # noqa: BLE001 - one failed drop must not keep the others
        return False
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    # An xdist worker leaves the shared templates to the controller, which drops them after
    # every worker has ended.
    templates = ([] if hasattr(config, "workerinput") else
                 [t.cfg for t in config.stash.get(_TEMPLATES, {}).values()]
                 + _shared_templates(config))
    if _POOL in config.stash:
        pool = config.stash[_POOL]
        left = pool.close()
        with pool._cost("drop at the end"):
            _drop_all(left + templates)
        if hasattr(config, "workeroutput"):  # an xdist worker: report to the controller
            config.workeroutput["lmstv_db_costs"] = pool.costs
    else:
        _drop_all(templates)


def _give_back(request: pytest.FixtureRequest, key: Key, cfg: DatabaseConfig) -> None:
    """After the test: reset its database for a later test, or drop it when the test changed
    the schema (tests/templates.py, reset)."""
    tpl = _template(request, *key)
    pool = _pool(request.config)
    if not os.environ.get("LMSTV_TEST_CHECK_RESET"):
        pool.give_back(key, tpl, cfg)
        return
    # Slow self-check of the reuse, in the test's own teardown so a difference fails it: the
    # reset database must dump exactly as a fresh clone.
    if not pool._reset(key, tpl, cfg):
        return
    fresh = request.config.stash.setdefault(_FRESH_DUMPS, {})
    if key not in fresh:
        other = replace(cfg, database=unique_name("lmstv_t"))
        clone(tpl, other)
        fresh[key] = dump(other)
        drop_database(other)
    got = dump(cfg)
    if got != fresh[key]:
        with pool.lock:
            pool.free[key].remove(cfg)
            pool.alive[key] -= 1
        drop_database(cfg)
        diff = "\n".join(difflib.unified_diff(fresh[key].splitlines(), got.splitlines(),
                                               "fresh clone", "reset", lineterm="", n=1))
        raise AssertionError(f"reset left {cfg.database} unlike a fresh clone:\n{diff[:6000]}")


# -- parallel runs (pytest-xdist, `--dist loadgroup`) ---------------------------------------------
#
# Each worker process builds its own session and module fixtures. Tests that share an expensive
# one are kept on one worker, so it is built once per run as in a serial run: the browser stacks
# (a whole LMS, its database, sandbox, bridge and PHP server each), the unpacked LMS 28 tree of
# tests/plugin, and every module-scoped fixture (grouped by module).
SHARED_FIXTURE_GROUPS = {
    "lms": "e2e-lms11",
    "lms28": "e2e-lms28",
    "lms28_mysql": "e2e-lms28",
    "lms28_template": "lms28-tree",
    "parser_dir": "php-parser",  # an `npm install` of the PHP parser
}
# The current-LMS browser tests are the suite's longest group (about 370 of 1355 s of test time
# in a two-process run at load 7-9): on one worker they alone took longer than the 4-minute
# target. So they are split in two halves by module, each half building its own LMS 28 stack on
# the worker that runs it (10-20 s), and the workers run the halves side by side. No test
# depends on another's having run first (test_lms28_install uninstalls the plugin lms28_plugin
# may have installed, and installs it again afterwards). Every test on the MariaDB stack
# (fixture lms28_mysql) goes to the first half, so one run builds that stack once.
LMS28_SECOND_HALF = {"test_lms28_tvmenu.py", "test_lms28_xss.py", "test_lms28_install.py",
                     "test_lms28_bulk.py", "test_lms28_subnets.py", "test_lms28_reconcile.py",
                     "test_lms28_fixture.py"}
# Groups handed out first, longest first: a long group started last would leave the other
# worker idle at the end. The rest follows as xdist's own reordering would have it (groups with
# more tests first, then the single tests in collection order, which fill the gaps).
FIRST_GROUPS = ("e2e-lms28-a", "e2e-lms28-b", "e2e-lms11", "lms28-tree")


def _xdist_group(item: pytest.Item) -> str | None:
    # The definition a test gets is the last of its name (tests/billing has a function-scoped
    # `lms` of its own, for instance), so the scope is checked, not only the name.
    defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for fixture, group in SHARED_FIXTURE_GROUPS.items():
        if fixture in defs and defs[fixture][-1].scope != "function":
            if group != "e2e-lms28":
                return group
            if "lms28_mysql" not in defs and item.path.name in LMS28_SECOND_HALF:
                return "e2e-lms28-b"
            return "e2e-lms28-a"
    if any(d[-1].scope == "module" for d in defs.values()):
        return f"module-{item.path.relative_to(ROOT).as_posix()}"
    return None


# tryfirst: xdist's worker reads the marks in its own hook of the same name (turning them into
# the "@group" suffix of the test ids it schedules by), registered after this file.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    groups: dict[str, str | None] = {}
    for item in items:
        group = _xdist_group(item)
        if group is not None and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
        marker = item.get_closest_marker("xdist_group")
        groups[item.nodeid] = marker.args[0] if marker and marker.args else group
    if hasattr(config, "workerinput"):   # every worker sorts alike: the collections must match
        sizes = Counter(g for g in groups.values() if g is not None)

        def rank(item: pytest.Item) -> tuple[int, int]:
            group = groups[item.nodeid]
            if group in FIRST_GROUPS:
                return FIRST_GROUPS.index(group), 0
            return len(FIRST_GROUPS), -sizes[group] if group is not None else -1

        items.sort(key=rank)   # stable: collection order within a rank


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # A suite started in the background by a script (`./lmstv.sh test &`, nohup) has SIGINT
    # ignored, and an ignored signal stays ignored across exec: the demo a test stops with
    # SIGINT would never see it. A signal with a handler is reset to its default by exec, so
    # with Python's own handler here every process the tests start can be interrupted.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # xdist's own reordering (by test count per group) would undo the order set above.
    if getattr(config.option, "dist", "no") == "loadgroup":
        config.option.loadscopereorder = False


@pytest.fixture(scope="session")
def _pg_template(request: pytest.FixtureRequest) -> DatabaseConfig:
    """The PostgreSQL template (kept for callers of the old fixture name)."""
    return _template(request, "postgres", False).cfg


def make_lms_database(dialect: str, request: pytest.FixtureRequest,
                      *, empty: bool = False, migrated: bool = False,
                      flavour: str = "lms1117") -> DatabaseConfig:
    """A database of its own for the test with LMS 1.11.17's schema (``flavour="lms28"``: LMS
    28-git's; or empty, or with lmstv's schema applied), in the state of the session's template:
    a clone of it, or a clone an earlier test used, reset. Dropped or reset after the test."""
    if empty:
        cfg = replace(server_config(dialect), database=unique_name("lmstv_t"))
        create_database(cfg)
        # Dropped on the pool's background thread, like a database whose schema a test changed:
        # a PostgreSQL drop waits for a checkpoint (seconds on a busy server).
        request.addfinalizer(lambda: _pool(request.config).drop_later(cfg))
        return cfg
    key = (dialect, migrated, flavour)
    tpl = _template(request, *key)
    pool = _pool(request.config)
    cfg = pool.take(key)
    if cfg is None:
        cfg = replace(server_config(dialect), database=unique_name("lmstv_t"))
        try:
            with pool._cost("clone"):
                clone(tpl, cfg)
        except BaseException:
            with pool.lock:
                pool.alive[key] -= 1
            raise
    request.addfinalizer(lambda: _give_back(request, key, cfg))
    return cfg


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def lms_flavour() -> str:
    """The LMS version of ``lms_db_config``'s database: LMS 1.11.17 unless $LMSTV_TEST_LMS says
    ``lms28``.  A test module runs on both by overriding this fixture with
    ``@pytest.fixture(params=FLAVOURS)``."""
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
