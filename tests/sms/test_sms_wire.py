"""Exact-wire tests: what SmsClient puts on the wire for every one of SMS's 32 methods."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from bridge.sms import SmsClient
from tests.sms.conftest import AUTH
from tests.sms.sms_testserver import RecordingServer, echo, reply

CUST = {"cust_name": "Zażółć", "cust_surname": "Gęślą-Jaźń", "cust_pesel": "80010112345",
        "cust_m_home_nr": ".", "cust_external_id": 17, "cust_vod_pin": 1234}
ACC = {"cust_i_city": "Łódź", "cust_i_street": "Piotrkowska", "cust_i_home_nr": "1",
       "cust_i_flat": ".", "cust_i_postal_code": "90-001"}

# (call on the client, XML-RPC methodName, expected parameters after the auth struct)
CASES: list[tuple[str, Any, str, tuple[Any, ...]]] = [
    ("custList all", lambda c: c.custList(), "custList", ("",)),
    ("custList one", lambda c: c.custList("673041502"), "custList", ("673041502",)),
    ("custAdd", lambda c: c.custAdd(CUST), "custAdd", (CUST,)),
    ("custEdit", lambda c: c.custEdit("673041502", {"cust_vod_pin": "0042"}), "custEdit",
     ("673041502", {"cust_vod_pin": "0042"})),
    ("custGetSubscriptions", lambda c: c.custGetSubscriptions("673041502"),
     "custGetSubscriptions", ("673041502",)),
    ("accountAdd", lambda c: c.accountAdd("673041502", ACC), "accountAdd", ("673041502", ACC)),
    ("accountEdit", lambda c: c.accountEdit(40323, ACC), "accountEdit", (40323, ACC)),
    ("accountDel", lambda c: c.accountDel("40323"), "accountDel", (40323,)),
    ("accountLock", lambda c: c.accountLock(40323), "accountLock", (40323,)),
    ("accountUnlock", lambda c: c.accountUnlock(40323), "accountUnlock", (40323,)),
    ("accountGetSTB", lambda c: c.accountGetSTB(40323), "accountGetSTB", (40323,)),
    ("packageGetAll", lambda c: c.packageGetAll(), "packageGetAll", ()),
    ("packageGetAvail", lambda c: c.packageGetAvail(40323), "packageGetAvail", (40323,)),
    ("packagesAdd", lambda c: c.packagesAdd(40323, [11, "12"], "2024/02/29"), "packagesAdd",
     (40323, [11, 12], "2024-02-29")),
    ("packagesEntitle", lambda c: c.packagesEntitle(40323, (11,), dt.date(2024, 3, 1)),
     "packagesEntitle", (40323, [11], "2024-03-01")),
    ("subscriptionActivate", lambda c: c.subscriptionActivate(40323, 197321),
     "subscriptionActivate", (40323, 197321)),
    ("subscriptionTerminate", lambda c: c.subscriptionTerminate(
        40323, 197321, "2024/01/31", Decimal("150.5"), "Przeprowadzka"),
     "subscriptionTerminate", (40323, 197321, "2024-01-31", "150.5", "Przeprowadzka")),
    ("subscriptionTerminate defaults", lambda c: c.subscriptionTerminate(
        40323, 197321, dt.datetime(2024, 1, 31, 23, 59)),
     "subscriptionTerminate", (40323, 197321, "2024-01-31", "", "")),
    ("getPackagesForUpgrade", lambda c: c.getPackagesForUpgrade(197321),
     "getPackagesForUpgrade", (197321,)),
    ("packageUpgrade", lambda c: c.packageUpgrade(197321, 33, "2015/07/31"), "packageUpgrade",
     (197321, 33, "2015-07-31", True)),
    ("getExtraPackagesForSubscription", lambda c: c.getExtraPackagesForSubscription(197321),
     "getExtraPackagesForSubscription", (197321,)),
    ("addExtraPackageForSubscription", lambda c: c.addExtraPackageForSubscription(197321, 44),
     "addExtraPackageForSubscription", (197321, 44)),
    ("stbGetRegistered", lambda c: c.stbGetRegistered("stock"), "stbGetRegistered",
     ("stock",)),
    ("stbGetRegistered all", lambda c: c.stbGetRegistered(), "stbGetRegistered", ("",)),
    ("stbRegister", lambda c: c.stbRegister("00:1A:2B:3C:4D:5E", "SN123", "MAG250"),
     "stbRegister", ("00:1A:2B:3C:4D:5E", "SN123", "MAG250")),
    ("stbRemove", lambda c: c.stbRemove("00:1A:2B:3C:4D:5E"), "stbRemove",
     ("00:1A:2B:3C:4D:5E",)),
    ("stbLink", lambda c: c.stbLink(40323, "00:1A:2B:3C:4D:5E", 7, 197321), "stbLink",
     (40323, "00:1A:2B:3C:4D:5E", 7, 197321)),
    ("stbUnlink", lambda c: c.stbUnlink(40323, "00:1A:2B:3C:4D:5E"), "stbUnlink",
     (40323, "00:1A:2B:3C:4D:5E")),
    ("subnetList", lambda c: c.subnetList(), "subnetList", ()),
    ("subnetSplit", lambda c: c.subnetSplit(7, "VLAN10.1", ""), "subnetSplit",
     (7, "VLAN10.1", "")),
    ("meldingerList", lambda c: c.meldingerList("673041502"), "meldingerList",
     ("673041502",)),
    ("meldingerSend one", lambda c: c.meldingerSend(
        "673041502", "<b>Awaria</b>", "2024/05/01", dt.date(2024, 5, 2), "Szczegóły",
        "2024-05-01", None, 1, -3),
     "meldingerSend", ("673041502", "<b>Awaria</b>", "2024-05-01", "2024-05-02", "Szczegóły",
                       "2024-05-01", "", 1, -3)),
    ("meldingerSend all", lambda c: c.meldingerSend(
        None, "Teaser", dt.date(2024, 5, 1), "", "Body", "", "", 2, 0),
     "meldingerSend", (None, "Teaser", "2024-05-01", "", "Body", "", "", 2, 0)),
    ("meldingerDel ids", lambda c: c.meldingerDel([5, 6]), "meldingerDel", ([5, 6],)),
    ("meldingerDel customer", lambda c: c.meldingerDelCustomer("673041502"), "meldingerDel",
     (None, "673041502")),
    ("billingEventsGet", lambda c: c.billingEventsGet("2024/01/01", dt.date(2024, 1, 31)),
     "billingEventsGet", ("2024-01-01", "2024-01-31", "")),
    ("setCustomerPaymentInfo", lambda c: c.setCustomerPaymentInfo(
        "2024/02/01", {"673041502": {"cust_total_balance": Decimal("-49.90")},
                       "673041503": {"cust_total_balance": None}}),
     "setCustomerPaymentInfo", ("2024-02-01", {"673041502": {"cust_total_balance": "-49.90"},
                                               "673041503": {"cust_total_balance": None}})),
]

ALL_METHODS = {
    "custList", "custAdd", "custEdit", "custGetSubscriptions", "accountAdd", "accountEdit",
    "accountDel", "accountLock", "accountUnlock", "accountGetSTB", "packageGetAll",
    "packageGetAvail", "packagesAdd", "packagesEntitle", "subscriptionActivate",
    "subscriptionTerminate", "getPackagesForUpgrade", "packageUpgrade",
    "getExtraPackagesForSubscription", "addExtraPackageForSubscription", "stbGetRegistered",
    "stbRegister", "stbRemove", "stbLink", "stbUnlink", "subnetList", "subnetSplit",
    "meldingerList", "meldingerSend", "meldingerDel", "billingEventsGet",
    "setCustomerPaymentInfo",
}


READS = {"custList", "custGetSubscriptions", "accountGetSTB", "packageGetAll", "packageGetAvail",
         "getPackagesForUpgrade", "getExtraPackagesForSubscription", "stbGetRegistered",
         "subnetList", "meldingerList", "billingEventsGet"}


def test_cases_cover_all_32_methods() -> None:
    assert len(ALL_METHODS) == 32
    assert {case[2] for case in CASES} == ALL_METHODS
    public = {n for n in dir(SmsClient) if n[0].islower() and n not in ("close", "from_config")
              and callable(getattr(SmsClient, n))}
    assert public == ALL_METHODS | {"meldingerDelCustomer"}


def _typed(value: Any) -> Any:
    """Value with its exact types made visible, so 1 != "1" and True != 1 in comparisons."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("name,call,method,expected", CASES, ids=[c[0] for c in CASES])
def test_wire_format(rec_server: RecordingServer, client: SmsClient, name: str, call: Any,
                     method: str, expected: tuple[Any, ...]) -> None:
    # reads must get a reply of their shape (bridge/sms/shapes.py); the rest any value
    answer: Any = [] if method in READS else "OK"
    rec_server.default = reply(answer)
    assert call(client) == answer
    assert len(rec_server.requests) == 1
    req = rec_server.requests[0]
    assert req.path == "/sms/xmlrpc"
    assert req.method == method
    assert req.params[0] == AUTH and list(req.params[0]) == ["user_name", "user_pass"]
    assert _typed(req.params[1:]) == _typed(expected)
    h = req.headers
    assert h["user-agent"] == "LMS SGT"
    assert h["content-type"] == "text/xml; charset=utf-8"
    assert h["accept"] == "text/xml"
    # Parameter 0 is a struct of exactly the two auth members, on the wire too.
    first = req.body.split(b"<param>")[1]
    assert b"<struct>" in first and first.count(b"<member>") == 2
    assert req.body.startswith(b"<?xml version='1.0'?>")  # no encoding attribute = UTF-8
    req.body.decode("utf-8")
    if None in expected:
        assert b"<nil/>" in req.body


def test_dates_are_always_sent_with_dashes(rec_server: RecordingServer,
                                           client: SmsClient) -> None:
    rec_server.default = reply(True)
    for value in ("2024/12/31", "2024-12-31", dt.date(2024, 12, 31),
                  dt.datetime(2024, 12, 31, 8, 0), " 2024/12/31 "):
        client.packagesAdd(1, [2], value)
    sent = [r.params[3] for r in rec_server.requests]
    assert sent == ["2024-12-31"] * 5
    assert not re.search(rb"2024/12/31", b"".join(r.body for r in rec_server.requests))


def test_polish_text_round_trips_as_utf8(rec_server: RecordingServer, client: SmsClient) -> None:
    rec_server.default = echo()
    out = client.custEdit("673041502", {"cust_name": "Źdźbło żółwia ąęłńśź"})
    assert out == {"method": "custEdit",
                   "args": ["673041502", {"cust_name": "Źdźbło żółwia ąęłńśź"}]}
    assert "Źdźbło".encode() in rec_server.requests[0].body


def test_returned_values_are_plain_python(rec_server: RecordingServer,
                                          client: SmsClient) -> None:
    value = [{"account_id": 40323, "acc_active": 1, "acc_closed": False, "sub_valid_to": None,
              "be_gross": 49.9, "subscriptions": [{"pkg_name": "Pakiet Złoty"}],
              "when": dt.datetime(2024, 1, 2, 3, 4, 5), "blob": b"\x00\x01"}]
    rec_server.default = reply(value)
    got = client.custGetSubscriptions("673041502")
    assert got == value
    assert type(got[0]["when"]) is dt.datetime and type(got[0]["blob"]) is bytes


BAD_CALLS = [
    ("bad date", lambda c: c.packagesAdd(1, [2], "31.12.2024"), "start_date"),
    ("impossible date", lambda c: c.packagesAdd(1, [2], "2024-02-30"), "start_date"),
    ("mixed separators", lambda c: c.packagesAdd(1, [2], "2024-02/03"), "start_date"),
    ("ids not a list", lambda c: c.packagesAdd(1, 2, "2024-01-01"), "package_ids"),
    ("ids a string", lambda c: c.packagesEntitle(1, "12", "2024-01-01"), "package_ids"),
    ("empty ids", lambda c: c.packagesAdd(1, [], "2024-01-01"), "package_ids"),
    ("non-numeric id", lambda c: c.accountDel("abc"), "account_id"),
    ("bool id", lambda c: c.accountLock(True), "account_id"),
    ("cust_number letters", lambda c: c.custGetSubscriptions("ABC"), "cust_number"),
    ("empty cust_number", lambda c: c.custGetSubscriptions(""), "cust_number"),
    ("cust_data not dict", lambda c: c.custAdd(["x"]), "cust_data"),
    ("empty cust_data", lambda c: c.custEdit("673041502", {}), "cust_data"),
    ("show_mode", lambda c: c.stbGetRegistered("all"), "show_mode"),
    ("empty mac", lambda c: c.stbRemove(""), "stb_mac"),
    ("term_fee", lambda c: c.subscriptionTerminate(1, 2, "2024-01-31", "dużo"), "term_fee"),
    ("msg_prio", lambda c: c.meldingerSend(None, "a", "2024-01-01", "", "b", "", "", 5, 0),
     "msg_prio"),
    ("empty msg_body", lambda c: c.meldingerSend(None, " ", "2024-01-01", "", "b", "", "", 1,
                                                 0), "msg_body"),
    ("message ids", lambda c: c.meldingerDel(7), "message_ids"),
    # XML-RPC ints are 32-bit: xmlrpc.client raises OverflowError, not the promised ValueError
    ("id beyond i4", lambda c: c.accountDel(2**31), "account_id"),
    ("id list beyond i4", lambda c: c.meldingerDel([1, -2**31 - 1]), "message_ids"),
    ("billing range", lambda c: c.billingEventsGet("2024-02-01", "2024-01-01"), "start_date"),
    ("payment info", lambda c: c.setCustomerPaymentInfo("2024-01-01", {"673041502": 5}),
     "payment_info"),
    ("payment amount", lambda c: c.setCustomerPaymentInfo(
        "2024-01-01", {"673041502": {"cust_total_balance": "abc"}}), "cust_total_balance"),
]


@pytest.mark.parametrize("name,call,word", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_are_refused_before_sending(rec_server: RecordingServer, client: SmsClient,
                                                  name: str, call: Any, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        call(client)
    assert rec_server.requests == []


def test_auth_is_never_logged_nor_in_repr(rec_server: RecordingServer, client: SmsClient,
                                          caplog: pytest.LogCaptureFixture) -> None:
    rec_server.default = reply([])
    caplog.set_level("DEBUG")
    client.custList()
    client.stbGetRegistered()
    lines = [r for r in caplog.records if r.name == "lmstv.sms"]
    assert len(lines) == 2  # one line per call
    assert "custList ok" in lines[0].getMessage()
    text = caplog.text + repr(client)
    assert AUTH["user_pass"] not in text and "user_pass" not in text
