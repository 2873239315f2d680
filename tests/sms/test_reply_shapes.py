"""Well-formed XML-RPC of the wrong shape is refused at the client's edge (SmsUnavailable naming
the method), and the forms PHP's XML-RPC server may send for a list are read as lists."""

from __future__ import annotations

import logging

import pytest

from bridge.sms import SmsClient, SmsFault, SmsUnavailable
from tests.sms.sms_testserver import RecordingServer, raw, reply

WRONG = [["a", "b"], "bare", {"x": 1}, 7]


@pytest.mark.parametrize("value", WRONG)
@pytest.mark.parametrize("call", [
    lambda c: c.custList(""), lambda c: c.custList("", rows=True),
    lambda c: c.packageGetAll(), lambda c: c.stbGetRegistered(),
    lambda c: c.subnetList(), lambda c: c.meldingerList(""), lambda c: c.custGetSubscriptions("1"),
    lambda c: c.accountGetSTB(1), lambda c: c.packageGetAvail(1),
    lambda c: c.getExtraPackagesForSubscription(1)])
def test_wrong_shape_of_a_list_is_unavailable(rec_server: RecordingServer, client: SmsClient,
                                              call, value, caplog) -> None:
    rec_server.default = reply(value)
    with caplog.at_level(logging.WARNING, "lmstv.sms"), pytest.raises(SmsUnavailable) as info:
        call(client)
    method = rec_server.requests[-1].method
    assert f"wrong shape to {method}" in info.value.reason
    assert any(method in r.getMessage() and "wrong shape" in r.getMessage()
               for r in caplog.records)
    assert len(rec_server.requests) == 1  # not retried: asking again gives the same


@pytest.mark.parametrize("value, where", [
    ([{"account_id": 1, "subscriptions": "x"}], "[0].subscriptions"),
    ([{"account_id": 1, "subscriptions": [{"subscription_id": [1]}]}],
     "[0].subscriptions[0].subscription_id"),
    ([{"account_id": {"a": 1}}], "[0].account_id"),
])
def test_nested_wrong_shape_says_where(rec_server, client, value, where) -> None:
    rec_server.default = reply(value)
    with pytest.raises(SmsUnavailable) as info:
        client.custGetSubscriptions("1")
    assert f"at {where}" in info.value.reason


def test_one_customer_may_be_a_struct_but_not_a_string(rec_server, client) -> None:
    rec_server.default = reply({"cust_number": "1", "cust_name": "Jan"})
    assert client.custList("1")["cust_name"] == "Jan"
    rec_server.default = reply("nope")
    with pytest.raises(SmsUnavailable, match="custList"):
        client.custList("1")


def test_customer_rows_keep_the_shape_check(rec_server, client) -> None:
    rec_server.default = reply([{"cust_number": "1", "cust_external_id": [2]}])
    with pytest.raises(SmsUnavailable, match=r"custList.*\[0\]\.cust_external_id"):
        client.custList("", rows=True)
    rec_server.default = reply({"0": {"cust_number": "1", "cust_external_id": 2}})
    assert client.custList("", rows=True) == [(("cust_number", "cust_external_id"), "1", 2)]


def test_upgrade_offer_needs_structs_inside(rec_server, client) -> None:
    rec_server.default = reply({"packages": [{"package_id": 5, "upgrade_dates": [
        {"upgrade_date": "2026-01-31", "termination_fee": "12"}]}]})
    with pytest.raises(SmsUnavailable, match="termination_fee"):
        client.getPackagesForUpgrade(1)


def test_tolerated_list_forms(rec_server, client) -> None:
    for value, expected in ((None, []), ("", []), ({}, []),
                            ({"3": {"subnet_id": 3}, "1": {"subnet_id": 1}},
                             [{"subnet_id": 1}, {"subnet_id": 3}])):
        rec_server.default = reply(value)
        assert client.subnetList() == expected
    rec_server.default = reply([{"account_id": 1, "subscriptions": None}])
    assert client.custGetSubscriptions("1") == [{"account_id": 1, "subscriptions": None}]
    rec_server.default = reply([{"account_id": 1, "subscriptions": ""}])
    assert client.custGetSubscriptions("1")[0]["subscriptions"] == []


def test_new_customer_number_must_be_one_value(rec_server, client) -> None:
    rec_server.default = reply({"cust_number": "123"})
    with pytest.raises(SmsUnavailable, match="custAdd"):
        client.custAdd({"cust_name": "Jan"})


def _fault_xml(members: str) -> bytes:
    return ("<?xml version='1.0'?><methodResponse><fault><value><struct>" + members +
            "</struct></value></fault></methodResponse>").encode()


CODE_7 = "<member><name>faultCode</name><value><int>7</int></value></member>"


@pytest.mark.parametrize("text", [
    "<value><struct><member><name>x</name><value><int>1</int></value></member></struct></value>",
    "<value><int>5</int></value>", "<value><array><data/></array></value>",
    "<value><string></string></value>", None])
def test_fault_text_that_is_not_text_is_a_polish_sentence(rec_server, client, text) -> None:
    member = "" if text is None else f"<member><name>faultString</name>{text}</member>"
    rec_server.default = raw(_fault_xml(CODE_7 + member))
    with pytest.raises(SmsFault) as info:
        client.accountLock(5)
    assert (info.value.code, info.value.message) == (7, "SMS zwrócił nieczytelny błąd (kod 7)")


def test_fault_text_that_is_text_is_kept(rec_server, client) -> None:
    rec_server.default = raw(_fault_xml(
        CODE_7 + "<member><name>faultString</name><value>Konto zamknięte</value></member>"))
    with pytest.raises(SmsFault) as info:
        client.accountLock(5)
    assert (info.value.code, info.value.message) == (7, "Konto zamknięte")
