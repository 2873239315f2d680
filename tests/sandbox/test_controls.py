"""sandbox.* control methods, fault injection, protocol robustness, CLI."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import pytest

from tests.sandbox.sandbox_helpers import fault_of

ROOT = Path(__file__).resolve().parents[2]


class ShortTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


def _proxy(sandbox, timeout: float = 5.0) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(sandbox.url, transport=ShortTransport(timeout),
                                     allow_none=True)


def test_reset_clock_state_and_calls(sandbox, sms):
    c = sms.control
    assert c.setToday("2026-05-31") == "2026-05-31" and c.getToday() == "2026-05-31"
    sms.customer()
    state = c.getState()
    assert state["customers"] == 1 and state["today"] == "2026-05-31" and state["subnets"] == 5
    calls = c.getCalls()
    assert calls[-1]["method"] == "custAdd" and calls[-1]["outcome"] == "ok"
    assert "user_pass" not in repr(calls) and sandbox.password_md5 not in repr(calls)
    assert c.reset("empty") is True
    assert c.getState()["customers"] == 0 and c.getCalls() == []
    assert fault_of(c.reset, "full").faultCode == 9001
    assert fault_of(c.noSuchControl).faultCode == 620
    assert fault_of(c.setToday, "31.05.2026").faultCode == 4012


def test_add_customers_by_structs_and_by_count(sms):
    c = sms.control
    numbers = c.addCustomers([{"cust_name": "Ewa", "cust_surname": "Nowak",
                               "cust_m_street": "ul. Krótka", "cust_m_home_nr": "1",
                               "cust_m_flat": ".", "cust_m_postal_code": "30-002",
                               "cust_m_city": "Kraków", "cust_external_id": 10}])
    assert sms.custList(numbers[0])["cust_external_id"] == 10
    more = c.addCustomers(3)
    assert len(more) == 3
    assert [sms.custList(n)["cust_external_id"] for n in more] == [11, 12, 13]
    f = fault_of(c.addCustomers, [{"cust_surname": "X", "cust_m_street": "a",
                                   "cust_m_home_nr": "1", "cust_m_postal_code": "1",
                                   "cust_m_city": "c", "cust_external_id": 10}])
    assert f.faultCode == 2003
    assert c.getState()["customers"] == 4
    assert fault_of(c.addCustomers, "many").faultCode == 9001


def test_latency_is_applied_outside_the_lock(sandbox, sms):
    sms.control.setLatency(300)
    start = time.perf_counter()
    sms.custList("")
    assert time.perf_counter() - start >= 0.3
    start = time.perf_counter()
    sms.control.getState()  # control calls are never delayed
    assert time.perf_counter() - start < 0.3
    sms.control.setLatency(0)


@pytest.mark.parametrize("kind,expected", [
    ("http500", xmlrpc.client.ProtocolError),
    ("http502", xmlrpc.client.ProtocolError),
    ("html", Exception),
    ("truncated", Exception),
    ("garbage", Exception),
    ("reset", (ConnectionError, http.client.HTTPException, OSError)),
])
def test_fail_next_transport_kinds(sandbox, sms, kind, expected):
    # The stdlib client retries once after a connection reset, so "reset" must fail twice.
    times = 2 if kind == "reset" else 1
    assert sms.control.failNext(times, kind) == times
    proxy = _proxy(sandbox)
    with pytest.raises(expected) as info:
        proxy.custList(sandbox.auth, "")
    assert not isinstance(info.value, xmlrpc.client.Fault)
    if kind in ("http500", "http502"):
        assert info.value.errcode == int(kind[4:])
    assert _proxy(sandbox).custList(sandbox.auth, "") == []  # only the next call failed
    assert sms.control.getCalls(2)[0]["outcome"] == f"injected {kind}"
    assert sms.control.getState()["pending_failures"] == 0


def test_fail_next_fault_and_count(sandbox, sms):
    sms.control.failNext(2, "fault", 1234, "Błąd bazy danych SMS")
    for _ in range(2):
        f = fault_of(sms.custList, "")
        assert (f.faultCode, f.faultString) == (1234, "Błąd bazy danych SMS")
    assert sms.custList("") == []
    assert fault_of(sms.control.failNext, 1, "explode").faultCode == 9001


def test_fail_next_timeout_does_not_block_others(sandbox, sms):
    sms.control.failNext(1, "timeout")
    start = time.perf_counter()
    with pytest.raises((TimeoutError, socket.timeout, OSError)):
        _proxy(sandbox, timeout=0.5).custList(sandbox.auth, "")
    assert time.perf_counter() - start < 5
    assert sms.custList("") == []  # the sleeping request holds no lock


def test_garbage_requests_never_kill_the_server(sandbox, sms):
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    for body in (b"not xml at all", b"<?xml version='1.0'?><methodCall></methodCall>",
                 b"<!DOCTYPE x [<!ENTITY a 'b'>]><methodCall><methodName>custList"
                 b"</methodName></methodCall>"):
        conn.request("POST", "/test/xmlrpc", body, {"Content-Type": "text/xml"})
        resp = conn.getresponse()
        text = resp.read()
        assert resp.status == 200 and b"<fault>" in text and b"631" in text
    conn.request("GET", "/test/xmlrpc")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 405
    conn.request("POST", "/other", b"x")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 404
    # wrong types everywhere answer with fault 623, and the server keeps serving
    f = fault_of(sms.packagesAdd, 1, "101", "2026-03-10")
    assert f.faultCode == 623 and "package_ids" in f.faultString
    assert fault_of(sms.custAdd, ["not", "a", "struct"]).faultCode == 623
    assert sms.custList("") == []


def test_method_signature_introspection(sandbox):
    proxy = xmlrpc.client.ServerProxy(sandbox.url)
    assert proxy.system.methodSignature("stbLink") == [
        ["boolean", "struct", "int", "string", "int", "int"]]
    assert "billingEventsGet" in proxy.system.listMethods()
    assert len([m for m in proxy.system.listMethods() if not m.startswith("system.")]) == 32


def test_cli_help_and_bad_arguments(tmp_path):
    out = subprocess.run([sys.executable, "-m", "bridge", "sandbox", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "--latency-ms" in out.stdout and "8899" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "bridge", "sandbox", "--state",
                          str(tmp_path / "missing" / "s.json")], cwd=ROOT,
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "does not exist" in bad.stderr


def test_concurrent_callers_get_consistent_state(sandbox, sms):
    from concurrent.futures import ThreadPoolExecutor

    def work(n: int) -> str:
        s = xmlrpc.client.ServerProxy(sandbox.url, allow_none=True)
        number = s.custAdd(sandbox.auth, {"cust_surname": f"K{n}", "cust_m_street": "a",
                                          "cust_m_home_nr": "1", "cust_m_postal_code": "30-001",
                                          "cust_m_city": "Kraków", "cust_external_id": n + 1})
        s.accountAdd(sandbox.auth, number, {"cust_i_street": "a", "cust_i_home_nr": "1",
                                            "cust_i_postal_code": "30-001",
                                            "cust_i_city": "Kraków"})
        return number

    with ThreadPoolExecutor(16) as pool:
        numbers = list(pool.map(work, range(64)))
    assert len(set(numbers)) == 64
    state = sms.control.getState()
    assert (state["customers"], state["accounts"]) == (64, 64)
    assert sorted(c["cust_external_id"] for c in sms.custList("")) == list(range(1, 65))


def test_latency_does_not_serialise_callers(sandbox, sms):
    from concurrent.futures import ThreadPoolExecutor

    sms.control.setLatency(400)
    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: xmlrpc.client.ServerProxy(sandbox.url)
                                .custList(sandbox.auth, ""), range(8)))
    elapsed = time.perf_counter() - start
    assert results == [[]] * 8
    assert elapsed < 8 * 0.4 * 0.75  # serialised callers would need 3.2 s


HOSTILE = '<img src=x onerror="alert(1)">"><script>alert(2)</script>'


def test_rename_package_stb_serial_and_subnet(sms):
    c = sms.control
    sub = sms.active_subscription(101)
    assert c.setPackageName(101, HOSTILE) == HOSTILE
    offer = [p for g in sms.packageGetAll() for p in g["packages"]]
    assert [p["pkg_name"] for p in offer if p["package_id"] == 101] == [HOSTILE]
    assert sum(p["pkg_name"] == HOSTILE for p in offer) == 1  # only that package
    subs = sms.custGetSubscriptions(sub["number"])[0]["subscriptions"]
    assert subs[0]["pkg_name"] == HOSTILE
    avail = [p for g in sms.packageGetAvail(sms.account()[1]) for p in g["packages"]]
    assert HOSTILE in [p["pkg_name"] for p in avail]
    # fee events raised after the rename carry the new name
    c.setToday("2026-05-10")
    events = sms.billingEventsGet("2026-04-01", "2026-05-31")
    assert any(e["be_desc"].startswith(HOSTILE) for e in events)

    [mac] = c.addSgtStbs([{"stb_mac": "00:11:22:33:44:55", "stb_serial": "SN1",
                           "stb_model": "VIP1960"}])
    sms.stbRegister("00:11:22:33:44:66", "SN2", "VIP1960")
    assert c.setStbSerial(mac, HOSTILE) == HOSTILE
    serials = {s["stb_mac"]: s["stb_serial"] for s in sms.stbGetRegistered("")}
    assert serials == {mac: HOSTILE, "00:11:22:33:44:66": "SN2"}

    subnet = sms.subnetList()[0]
    assert c.setSubnetName(subnet["subnet_id"], HOSTILE) == HOSTILE
    names = [n["subnet_name"] for n in sms.subnetList()]
    assert names[0] == HOSTILE and names.count(HOSTILE) == 1

    # refusals change nothing
    assert fault_of(c.setPackageName, 999, "x").faultCode == 4001
    assert fault_of(c.setPackageName, 102, "  ").faultCode == 9001
    assert fault_of(c.setStbSerial, "00:11:22:33:44:66", HOSTILE).faultCode == 9001
    assert fault_of(c.setStbSerial, "00:00:00:00:00:01", "x").faultCode == 5003
    assert fault_of(c.setSubnetName, "1", "x").faultCode == 9001
    assert fault_of(c.setSubnetName, 999, "x").faultCode == 6001
    assert fault_of(c.setSubnetName, subnet["subnet_id"], "x" * 1001).faultCode == 9001
    assert sms.stbGetRegistered("stock")[-1]["stb_serial"] == "SN2"

    # reset brings the catalog's names back
    c.reset("empty")
    offer = [p for g in sms.packageGetAll() for p in g["packages"]]
    assert HOSTILE not in [p["pkg_name"] for p in offer]
    assert HOSTILE not in [n["subnet_name"] for n in sms.subnetList()]


def test_renamed_package_survives_a_state_file(tmp_path):
    from bridge.sandbox.state import SmsState

    st = SmsState()
    st.rename_package(102, HOSTILE)
    again = SmsState()
    again.restore(st.snapshot())
    assert again.packages[102].name == HOSTILE and again.packages[101].name != HOSTILE
    assert again.packageGetAll()[0]["packages"][1]["pkg_name"] == HOSTILE
