#!/usr/bin/env python3
"""The customer page (``?m=customerinfo&id=N``) of a real current LMS (28-git), with and
without the TV plugin (issue 11: warm within 10 ms of the page without it, median of 20; cold,
SMS cache emptied before each request and SMS answering after 50 ms: at most 0.35 s).

Builds the e2e stack of tests/e2e/lms28.py (LMS under ``php -S`` with 2 workers, the bridge
under gunicorn with 2 workers, the sandbox) on a throw-away PostgreSQL database, sets the
sandbox's latency to 50 ms, gives one customer an SMS account with a service (through the
bridge's API, as the TV box would), logs in as admin with a plain HTTP session and times whole
page loads (the HTML only: what PHP and the bridge do, not the browser's rendering).
Numbers, not assertions; the load average is printed with them (the box is shared).

The plugin's warm cost is measured with the plugin installed and its phpui.plugins entry
disabled and enabled request by request (the issue allows "uninstalled or disabled"); the page
before the install is printed too.

    .venv/bin/python bench/bench_lms28_page.py [--runs 20] [--cold-runs 10] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import xmlrpc.client
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scale  # noqa: E402
from bridge.config import DatabaseConfig  # noqa: E402
from bridge.lms.bootstrap import drop_database  # noqa: E402
from bridge.lms.db import connect  # noqa: E402
from tests.e2e import lms11  # noqa: E402
from tests.e2e import lms28 as stack28  # noqa: E402
from tests.support import server_config, unique_name  # noqa: E402

WARMUPS = 3
LATENCY_MS = 50          # the SMS
BASE_PACKAGE = 101       # sandbox package that may be added and activated at once
WARM_TARGET_MS = 10.0    # plugin's warm page: at most this much over the page without it
COLD_TARGET_MS = 350.0   # plugin's page with an empty SMS cache
OPCACHE_REVALIDATE_S = 3  # > PHP's default opcache.revalidate_freq (2 s)


class Bridge:
    """The bridge's JSON API as the plugin calls it (secret + acting user headers)."""

    def __init__(self, stack: stack28.LmsStack28) -> None:
        self.base = f"http://127.0.0.1:{stack.ports['bridge']}/api/v1"
        self.http = requests.Session()
        self.http.headers.update({"X-LMSTV-Secret": lms11.SECRET, "X-LMSTV-User": "admin"})

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        reply = self.http.request(method, self.base + path, json=body, timeout=60)
        if not reply.ok:
            raise RuntimeError(f"{method} {path}: {reply.status_code} {reply.text}")
        return reply.json()

    def tv_box_ms(self, cid: int, runs: int) -> list[float]:
        """ms per warm GET /customers/N/tv (the box's one bridge call), each on a new
        connection as PHP's client makes it: the bridge's share of the plugin's cost."""
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            reply = requests.get(f"{self.base}/customers/{cid}/tv", timeout=60,
                                 headers=dict(self.http.headers))
            times.append((time.perf_counter() - t0) * 1000)
            if not reply.ok or not reply.json()["meta"].get("cached"):
                raise RuntimeError(f"GET /customers/{cid}/tv not served from the cache")
        return times

    def purge(self) -> None:
        """ "Odśwież dane": the next page reads everything from SMS again."""
        self.call("POST", "/system/cache/purge")


def customer_with_tv(stack: stack28.LmsStack28, bridge: Bridge) -> tuple[int, str]:
    """A new LMS customer exported to SMS with one account carrying the base package: the
    plugin's box then shows what a real TV customer's does (account, services, STB slots),
    so the cold page makes every SMS call it would make. Returns (LMS id, account number)."""
    # An id above the demo SMS customers' external ids, so the export creates a new SMS
    # customer rather than linking to a demo one (whose accounts already have services).
    cid = stack28.add_customer(stack.db, "Bench", "Anna", ssn="85010112345", id=90001)
    added = bridge.call("POST", f"/customers/{cid}/accounts", {
        "cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "3",
        "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})["data"]
    accounts = bridge.call("GET", f"/customers/{cid}/accounts")["data"]["accounts"]
    acc = accounts[0]["account_id"]
    bridge.call("POST", f"/customers/{cid}/accounts/{acc}/subscriptions",
                {"package_ids": [BASE_PACKAGE], "activate": True})
    return cid, f"{added['cust_number']}/{acc}"


class PluginToggle:
    """The plugin on or off between two requests without touching a file: the global
    uiconfig phpui.plugins row `lmstv plugin install` made, disabled or not (LMS reads it on
    every request and loads no plugin from a disabled row; bridge/plugin/enabling.py)."""

    def __init__(self, stack: stack28.LmsStack28) -> None:
        self.db = connect(stack.db)

    def set(self, enabled: bool) -> None:
        with self.db.transaction():
            self.db.execute("UPDATE uiconfig SET disabled = %s WHERE section = 'phpui' AND "
                            "var = 'plugins' AND userid IS NULL AND divisionid IS NULL",
                            [0 if enabled else 1])

    def close(self) -> None:
        self.db.close()


def login(stack: stack28.LmsStack28) -> requests.Session:
    """Admin's LMS session: LMS 28's login form posts loginform[login] / loginform[pwd] to the
    page it was shown on."""
    http = requests.Session()
    http.get(stack.url, timeout=60)
    page = http.post(stack.url, data={"loginform[login]": "admin",
                                      "loginform[pwd]": stack28.PASSWORD}, timeout=60)
    if "E2E admin" not in page.text:
        raise RuntimeError("admin could not log in to LMS")
    return http


def timed_pages(http: requests.Session, url: str, runs: int, check: Callable[[str], None],
                before: Callable[[], None] | None = None) -> list[float]:
    """ms per page load; ``before`` runs outside the timed part (the cache purge)."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        reply = http.get(url, timeout=60)
        times.append((time.perf_counter() - t0) * 1000)
        reply.raise_for_status()
        check(reply.text)
    return times


class _TrackedStack(stack28.LmsStack28):
    """LmsStack28 that remembers itself on creation: build() starts the sandbox and the bridge
    before it returns the stack, so a build failing half-way (a migration, PHP not starting)
    would otherwise leave them running with nothing to stop them."""

    made: ClassVar[list[stack28.LmsStack28]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _TrackedStack.made.append(self)


def build_stack(work: Path, cfg: DatabaseConfig) -> stack28.LmsStack28:
    real = stack28.LmsStack28
    stack28.LmsStack28 = _TrackedStack  # type: ignore[misc]  # what build() instantiates
    try:
        return stack28.build(work, cfg)
    finally:
        stack28.LmsStack28 = real  # type: ignore[misc]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed warm requests per case")
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    cfg = replace(server_config("postgres"), database=unique_name("lmstv_bench28"))
    work = Path(tempfile.mkdtemp(prefix="lmstv-bench28-"))
    try:
        print(f"building LMS 28 in {work} …", file=sys.stderr)
        stack = build_stack(work, cfg)
        xmlrpc.client.ServerProxy(stack.sandbox_url).sandbox.setLatency(LATENCY_MS)
        bridge = Bridge(stack)
        cid, number = customer_with_tv(stack, bridge)
        url = f"{stack.url}?m=customerinfo&id={cid}"
        http = login(stack)

        def plain(page: str) -> None:  # LMS's own page, nothing of ours on it
            if "BENCH" not in page or "tvaccountbox" in page:
                raise RuntimeError("not the page without the plugin")

        def with_tv(page: str) -> None:  # the TV box with the account read from SMS
            if "tvaccountbox" not in page or number not in page:
                (work / "page.html").write_text(page, "utf-8")
                raise RuntimeError(f"the TV box or account {number} is missing from the page "
                                   f"(saved in {work / 'page.html'}; --keep keeps it)")

        # Without the plugin as built (not installed): the reference the issue names.
        timed_pages(http, url, WARMUPS, plain)
        uninstalled = timed_pages(http, url, args.runs, plain)

        stack.plugin("install")
        # `php -S` has OPcache on, which looks at a changed PHP file (LMS's regenerated
        # classmap) only every 2 s (opcache.revalidate_freq): before that LMS runs without it.
        time.sleep(OPCACHE_REVALIDATE_S)
        toggle = PluginToggle(stack)
        try:
            # The box's warm-ups also fill the bridge's cache (and Smarty's compiled templates).
            timed_pages(http, url, WARMUPS, with_tv)
            toggle.set(False)
            timed_pages(http, url, WARMUPS, plain)
            # Disabled and enabled pages alternate, so the load of this shared box drifting
            # during the run weighs on both alike (back-to-back blocks differed by 20 ms).
            without, warm = [], []
            for _ in range(args.runs):
                toggle.set(False)
                without += timed_pages(http, url, 1, plain)
                toggle.set(True)
                warm += timed_pages(http, url, 1, with_tv)
        finally:
            toggle.close()
        box = bridge.tv_box_ms(cid, args.runs)
        cold = timed_pages(http, url, args.cold_runs, with_tv, before=bridge.purge)
    finally:
        for made in _TrackedStack.made:
            made.stop_all()
        drop_database(cfg)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    base = statistics.median(without)
    diff = statistics.median(warm) - base
    rows = [
        (f"plugin not installed, median of {args.runs}", statistics.median(uninstalled),
         None),
        (f"plugin disabled, median of {args.runs}", base, None),
        (f"with plugin warm, median of {args.runs}", statistics.median(warm), None),
        ("warm minus disabled (difference of medians)", diff, WARM_TARGET_MS),
        (f"  median of the {args.runs} paired differences", statistics.median(
            w - o for w, o in zip(warm, without, strict=True)), None),
        (f"  bridge alone: GET /tv warm, median of {args.runs}", statistics.median(box),
         None),
        (f"with plugin cold, median of {args.cold_runs}", statistics.median(cold),
         COLD_TARGET_MS),
        (f"with plugin cold, max of {args.cold_runs}", max(cold), COLD_TARGET_MS),
    ]
    print(f"?m=customerinfo, current LMS (28-git) on PostgreSQL, SMS latency {LATENCY_MS} ms, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {scale.load()}")
    print(f"{'figure':48} {'measured':>10} {'target':>10} {'met?':>5}")
    for name, value, target in rows:
        shown = f"≤{target:.0f}ms" if target is not None else "—"
        met = "—" if target is None else ("yes" if value <= target else "NO")
        print(f"{name:48} {value:8.1f}ms {shown:>10} {met:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
