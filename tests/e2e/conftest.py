"""Browser end-to-end fixtures: one real LMS 1.11.17 and one real current LMS (28-git) per
session and engine, built on first use; one headless Chromium reused by every test, and a
screenshot + the page's HTML saved when a test fails."""

from __future__ import annotations

import xmlrpc.client
from dataclasses import replace

import pytest

from bridge.lms.bootstrap import drop_database
from tests.e2e import lms11
from tests.e2e import lms28 as lms28_stack  # the fixture below is named lms28
from tests.e2e.phpparser import (
    parser_dir,  # noqa: F401 (a session fixture of the PHP version tests)
)
from tests.support import server_config, unique_name

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def start_lms(tmp_path_factory: pytest.TempPathFactory, dialect: str, version=lms11):
    work = tmp_path_factory.mktemp(f"{version.__name__.rsplit('.', 1)[-1]}-{dialect}")
    cfg = replace(server_config(dialect), database=unique_name("lmstv_e2e"))
    stack = None
    try:
        stack = version.build(work, cfg)
        yield stack
    finally:
        if stack is not None:
            stack.stop_all()
        drop_database(cfg)


@pytest.fixture(scope="session")
def lms(tmp_path_factory):
    """LMS 1.11.17 on PostgreSQL with the shim installed, the sandbox and the bridge running."""
    yield from start_lms(tmp_path_factory, "postgres")


@pytest.fixture(scope="session")
def lms28(tmp_path_factory):
    """Current LMS (28-git) on PostgreSQL, users admin/tvfull/tvro/notv (lms28.USERS), the
    sandbox and the bridge running; the TV plugin is not installed (test_lms28_install does
    that itself; screen tests use `lms28_plugin`)."""
    yield from start_lms(tmp_path_factory, "postgres", lms28_stack)


@pytest.fixture(scope="session")
def lms28_mysql(tmp_path_factory):
    """The same current LMS on MariaDB, for the core-flow test on the other engine."""
    yield from start_lms(tmp_path_factory, "mysql", lms28_stack)


@pytest.fixture(scope="session")
def lms28_plugin(lms28):
    """lms28 with the TV plugin installed and enabled (`lmstv plugin install`), for the plugin's
    screen tests; the stack is the same object as lms28's."""
    lms28.plugin("install")
    return lms28


class Sms:
    """The sandbox over XML-RPC: SMS methods with the operator's auth filled in, and controls."""

    def __init__(self, url: str) -> None:
        self.proxy = xmlrpc.client.ServerProxy(url, allow_none=True)
        self.auth = {"user_name": lms11.SANDBOX_LOGIN, "user_pass": lms11.SANDBOX_MD5}

    def __getattr__(self, name: str):
        method = getattr(self.proxy, name)
        return lambda *args: method(self.auth, *args)

    @property
    def sandbox(self):
        return self.proxy.sandbox


@pytest.fixture(scope="session")
def sms(lms) -> Sms:
    return Sms(lms.sandbox_url)


@pytest.fixture(scope="session")
def tv28(lms28_plugin):
    """lms28_plugin ready for the TV screens: lmstv's tables migrated (`lmstv migrate` on LMS 28;
    idempotent, so harmless where the fixture already ran it)."""
    lms28_plugin.lmstv("migrate")
    return lms28_plugin


@pytest.fixture
def sms28(lms28) -> Sms:
    """The current-LMS stack's sandbox (lms28's own, not lms11's)."""
    return Sms(lms28.sandbox_url)


@pytest.fixture(scope="session")
def _chrome(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--lang=pl",
                # Every LMS 28 page links Google's fonts: with no network (CI, this machine)
                # Chromium waited ~5 s for the name now and then before a page counted as
                # loaded. Only the test stacks on loopback are reachable; others fail at once.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "pl,pl-PL"})
    # the page's console errors (script errors, files that did not load): ui.console_errors
    opts.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def browser(_chrome):
    """The session's Chromium, logged out (cookies cleared) before each test; after the test,
    none of its pages may have logged a console error of its own (a script error, a file that
    did not load: `ui.console_errors`)."""
    from tests.e2e.ui import console_errors, forget_session

    forget_session(_chrome)
    yield _chrome
    errors = console_errors(_chrome)
    assert errors == [], f"the test's pages logged console errors: {errors}"


@pytest.fixture(autouse=True)
def _no_php_problems_of_ours(request):
    """After each test on a browser stack: PHP logged no warning, notice or error about a file
    of the shim or the plugin while it ran (`ui.php_problems`)."""
    from tests.e2e.ui import log_length, php_problems

    stacks = [request.getfixturevalue(name) for name in ("lms", "lms28", "lms28_mysql")
              if name in request.fixturenames]
    since = [log_length(stack) for stack in stacks]
    yield
    for stack, start in zip(stacks, since, strict=True):
        problems = php_problems(stack, start)
        assert problems == [], f"PHP logged problems of lmstv's files: {problems[:5]}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        driver = item.funcargs.get("browser")
        if driver is not None:
            base = item.config._tmp_path_factory.mktemp("e2e-failures")  # noqa: SLF001
            name = item.name.replace("/", "_")[:80]
            png, html = base / f"{name}.png", base / f"{name}.html"
            try:
                driver.save_screenshot(str(png))
                html.write_text(driver.page_source, "utf-8")
                report.sections.append(
                    ("e2e artefacts", f"screenshot: {png}\npage HTML: {html}\n"
                                      f"URL: {driver.current_url}"))
                print(f"\ne2e failure: screenshot {png}, page HTML {html}")
            except Exception as exc:  # the browser itself may be what broke
                report.sections.append(("e2e artefacts", f"could not save: {exc}"))
    return report
