"""--state persistence across restarts, the demo seed, and 20k customers / 200k events."""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import signal
import time
import xmlrpc.client
from pathlib import Path

from bridge.commands.sandbox import DEFAULT_LOGIN, DEFAULT_PASSWORD
from bridge.config import clean_value
from bridge.sandbox import DEMO_CUSTOMERS, demo_customers, persist
from bridge.sandbox.seed import UNKNOWN_TO_LMS, seed_demo
from bridge.sandbox.state import SmsState
from tests.sandbox.sandbox_helpers import Sms

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_state_survives_clean_restart(spawn, root, tmp_path):
    path = tmp_path / "sms.json"
    sb = spawn("--state", str(path), "--seed", "empty")
    sms = Sms(sb)
    sms.control.setToday("2026-03-10")
    ids = sms.active_subscription()
    sms.stbRegister("00:1A:79:00:00:01", "SN1", "VIP1960")
    sms.meldingerSend(ids["number"], "a", "2026-03-10", "", "b", "", "", 1, 0)
    events = sms.billingEventsGet("2026-03-01", "2026-03-31", "")
    before = sms.custGetSubscriptions(ids["number"])
    root.stop_process(sb.proc)
    assert sb.proc.returncode == 0
    again = Sms(spawn("--state", str(path), "--seed", "demo"))  # file wins over --seed
    assert again.control.getToday() == "2026-03-10"
    assert again.custGetSubscriptions(ids["number"]) == before
    assert again.billingEventsGet("2026-03-01", "2026-03-31", "") == events
    assert len(again.meldingerList(ids["number"])) == 1
    assert again.stbGetRegistered("stock")[0]["stb_mac"] == "00:1A:79:00:00:01"
    assert again.customer() != ids["number"]  # id counters continue


def test_state_is_saved_soon_after_changes(spawn, tmp_path):
    path = tmp_path / "sms.json"
    sb = spawn("--state", str(path), "--seed", "empty")
    number = Sms(sb).customer()

    def saved() -> bool:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return any(c["cust_number"] == number for c in data["customers"])

    _wait_for(saved)
    os.kill(sb.proc.pid, signal.SIGKILL)  # no clean shutdown: the periodic save must do
    sb.proc.wait(timeout=10)
    assert Sms(spawn("--state", str(path))).custList(number)["cust_number"] == number
    assert not list(tmp_path.glob(".sandbox-*.tmp"))


def test_saved_file_is_exactly_the_json_of_the_state(tmp_path, monkeypatch):
    # the file is written in slices by the C encoder: the same bytes json.dump would write,
    # for lists shorter and longer than a slice and for Polish text
    monkeypatch.setattr(persist, "_CHUNK", 7)
    state = SmsState()
    seed_demo(state)
    state.customers[next(iter(state.customers))]["cust_name"] = "Źdźbło \"ż\" ł"
    path = tmp_path / "sms.json"
    persist.save(state, path)
    snapshot = state.snapshot()
    assert len(snapshot["customers"]) > 7 and snapshot["stbs"] and not snapshot["today"]
    assert path.read_text(encoding="utf-8") == json.dumps(snapshot, ensure_ascii=False,
                                                          separators=(",", ":"))
    again = SmsState()
    assert persist.load(again, path) and again.snapshot() == snapshot


def test_demo_seed_is_believable_and_deterministic(sms):
    sms.control.reset("demo")
    state = sms.control.getState()
    # plus the few SMS customers the demo LMS does not know (docs/reconcile.md)
    assert state["customers"] == DEMO_CUSTOMERS + UNKNOWN_TO_LMS
    assert all(state["subscriptions_by_status"][s] > 0 for s in ("1", "2", "3"))
    assert state["stb_stock"] > 0 and state["stb_customer"] > 0 and state["messages"] > 0
    assert state["accounts_locked"] > 0
    customers = sms.custList("")
    expected = demo_customers()
    assert sorted(c["cust_external_id"] for c in customers if c["cust_external_id"] != "") == \
        list(range(1, 301))
    assert sum(1 for c in customers if c["cust_external_id"] == "") == UNKNOWN_TO_LMS
    by_ext = {c["cust_external_id"]: c for c in customers}
    for person in expected[:20]:
        got = by_ext[person["cust_external_id"]]
        assert (got["cust_name"], got["cust_surname"], got["cust_m_city"]) == \
            (person["cust_name"], person["cust_surname"], person["cust_m_city"])
    today = sms.control.getToday()
    months = {e["be_selling_date"][:7] for e in sms.billingEventsGet("2000-01-01", today, "")}
    assert len(months) == 2
    assert sms.control.getDemoCustomers(3) == expected[:3]
    events = sms.billingEventsGet("2000-01-01", today, "")
    sms.control.reset("demo")
    assert sms.billingEventsGet("2000-01-01", today, "") == events
    assert [c["cust_vod_pin"] for c in sms.custList("")] == [c["cust_vod_pin"] for c in customers]


def test_example_config_matches_sandbox_defaults():
    parser = configparser.RawConfigParser(inline_comment_prefixes=None)
    parser.read(ROOT / "lmstv.ini.example", encoding="utf-8")
    section = parser["logowanie"]
    assert clean_value(section["login"]) == DEFAULT_LOGIN
    assert clean_value(section["haslo"]) == hashlib.md5(DEFAULT_PASSWORD.encode()).hexdigest()
    assert clean_value(section["serwer"]) == "http://127.0.0.1:8899/test/xmlrpc"


def test_twenty_thousand_customers_and_two_hundred_thousand_events(sandbox, sms):
    c = sms.control
    c.setToday("2026-03-10")
    assert len(c.addCustomers(20_000)) == 20_000
    assert c.generateBillingEvents(200_000, 20_000, "2026-02-01", 2) == 200_000
    assert c.getState()["billing_events"] == 200_000
    customers = sms.custList("")
    assert len(customers) == 20_000 and customers[-1]["cust_external_id"] == 20_000
    day = sms.billingEventsGet("2026-03-05", "2026-03-05", "")
    assert len(day) > 1000 and {e["be_selling_date"] for e in day} == {"2026-03-05"}
    assert len({e["id"] for e in day}) == len(day)
    # a month's window (100k events) streams completely; count members without decoding all
    proxy = xmlrpc.client.ServerProxy(sandbox.url)
    body = xmlrpc.client.dumps((sandbox.auth, "2026-02-01", "2026-02-28", ""),
                               "billingEventsGet").encode()
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=60)
    conn.request("POST", "/test/xmlrpc", body, {"Content-Type": "text/xml"})
    raw = conn.getresponse().read()
    assert raw.count(b"<name>be_desc</name>") == 100_000
    assert raw.rstrip().endswith(b"</methodResponse>")
    assert proxy.custList(sandbox.auth, customers[0]["cust_number"])["cust_number"] == \
        customers[0]["cust_number"]
