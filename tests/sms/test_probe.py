"""`lmstv sms probe` against the real sandbox (no differences, read methods only) and against
a real HTTP XML-RPC stub that forwards to the sandbox but answers some methods in other
shapes (each difference must be named)."""

from __future__ import annotations

import subprocess
import sys
import threading
import xmlrpc.client
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import pytest

from bridge.sms.client import SmsClient
from bridge.sms.probe import READ_METHODS, probe

ROOT = Path(__file__).resolve().parents[2]


class _Quiet(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/sms/xmlrpc",)

    def log_message(self, *args: Any) -> None:
        pass


def start_stub(request, sandbox, change: dict[str, Callable[[Any], Any]]) -> str:
    """A real XML-RPC server relaying to the sandbox; ``change[method]`` rewrites a reply."""
    upstream = xmlrpc.client.ServerProxy(sandbox.url, allow_none=True)
    server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=_Quiet, allow_none=True,
                                logRequests=False)

    def dispatch(method: str, params: tuple) -> Any:
        reply = getattr(upstream, method)(*params)
        return change[method](reply) if method in change else reply

    server._dispatch = dispatch  # type: ignore[method-assign]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    request.addfinalizer(server.server_close)
    request.addfinalizer(server.shutdown)
    return f"http://127.0.0.1:{server.server_address[1]}/sms/xmlrpc"


def run_probe(url: str, sandbox):
    with SmsClient(url, sandbox.login, sandbox.password_md5) as sms:
        return probe(sms)


def test_sandbox_matches_and_only_read_methods_are_called(sandbox):
    ctl = sandbox.control()
    ctl.sandbox.reset("demo")
    result = run_probe(sandbox.url, sandbox)
    assert result.differences == [], result.report()
    called = {c["method"] for c in ctl.sandbox.getCalls(1000)}
    assert called and called <= set(READ_METHODS), called
    assert {"custList", "custGetSubscriptions", "accountGetSTB", "packageGetAll",
            "billingEventsGet", "stbGetRegistered", "subnetList"} <= called


def _each_sub(accounts: Any, fn: Callable[[dict], None]) -> Any:
    for a in accounts:
        for s in a.get("subscriptions", []):
            fn(s)
    return accounts


def _stringify_ids(accounts: Any) -> Any:
    for a in accounts:
        a["account_id"] = str(a["account_id"])
    return accounts


def _unknown_fault(_reply: Any) -> Any:
    return _reply


PLANTED = {
    "ids as strings": ({"custGetSubscriptions": _stringify_ids},
                       "custGetSubscriptions[0].account_id: string"),
    "date format": ({"custGetSubscriptions": lambda r: _each_sub(
        r, lambda s: s.update(sub_valid_from=s["sub_valid_from"].replace("-", "/")))},
        "is not in the format YYYY-MM-DD"),
    "struct for list": ({"packageGetAll": lambda r: r[0]}, "packageGetAll(): struct, expected "
                        "array"),
    "empty as string": ({"billingEventsGet": lambda r: r or ""},
                        'billingEventsGet("2000-01-01", "2000-01-01", ""): empty string, '
                        "expected array"),
    "price as string": ({"packageGetAll": lambda r: [{**g, "packages": [
        {**p, "pkg_price_gross": str(p["pkg_price_gross"])} for p in g["packages"]]} for g in r]},
        "pkg_price_gross: string"),
    "missing member": ({"custList": lambda r: [{k: v for k, v in c.items()
                                                if k != "cust_external_id"} for c in r]
                        if isinstance(r, list) else r},
                       "custList[0]: member(s) cust_external_id missing"),
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_stub_differences_are_named(request, sandbox, name):
    sandbox.control().sandbox.reset("demo")
    change, expected = PLANTED[name]
    result = run_probe(start_stub(request, sandbox, change), sandbox)
    assert any(expected in d for d in result.differences), result.report()


def test_unknown_number_error_text(request, sandbox):
    sandbox.control().sandbox.reset("demo")
    upstream = xmlrpc.client.ServerProxy(sandbox.url, allow_none=True)
    server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=_Quiet, allow_none=True,
                                logRequests=False)

    def dispatch(method: str, params: tuple) -> Any:
        if method == "custList" and params[1:] == ("999999999",):
            raise xmlrpc.client.Fault(500, "Customer not found")
        return getattr(upstream, method)(*params)

    server._dispatch = dispatch  # type: ignore[method-assign]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    request.addfinalizer(server.server_close)
    request.addfinalizer(server.shutdown)
    result = run_probe(f"http://127.0.0.1:{server.server_address[1]}/sms/xmlrpc", sandbox)
    text = "\n".join(result.differences)
    assert "fault code 500, expected 2001" in text and "does not name the number" in text


def test_cli_exit_codes_and_report(sandbox, tmp_path):
    sandbox.control().sandbox.reset("demo")
    ini = tmp_path / "lmstv.ini"
    ini.write_text(f"[logowanie]\nlogin = {sandbox.login}\nhaslo = {sandbox.password}\n"
                   f"serwer = {sandbox.url}\n"
                   # the probe never opens the database; the configuration must only name one
                   "[database]\ntype = postgres\nhost = 127.0.0.1\nuser = nobody\n"
                   "database = lms\n")
    report = tmp_path / "probe.txt"
    cmd = [sys.executable, "-m", "bridge", "--config", str(ini), "sms", "probe"]
    ok = subprocess.run(cmd + ["--report", str(report)], cwd=ROOT, capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "differences from what lmstv expects: 0" in report.read_text()
    ini.write_text(ini.read_text().replace(sandbox.url, "http://127.0.0.1:9/sms/xmlrpc"))
    down = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert down.returncode == 1 and "cannot be reached" in down.stderr
