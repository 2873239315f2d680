"""An SMS that answers well-formed XML-RPC of the wrong shape is an SMS problem: 503
sms_unavailable on every read, the customer page's parts report it, never a 500."""

from __future__ import annotations

import logging

import pytest

from tests.sms.sms_testserver import raw, reply, start_server
from tests.support import add_lms_customer

WRONG = [["a", "b"], "bare string", {"x": 1}]
READS = ["/api/v1/packages", "/api/v1/customers", "/api/v1/stb", "/api/v1/subnets",
         "/api/v1/messages"]


@pytest.fixture
def odd_sms():
    server = start_server()
    yield server
    server.close()


def test_wrong_shapes_are_sms_unavailable(make_bridge, migrated_config, odd_sms, caplog):
    b = make_bridge(migrated_config, sms_url=odd_sms.url)
    db = b.db()
    try:
        customer = add_lms_customer(db)
        db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s",
                   ["100001", customer])
    finally:
        db.close()
    for value in WRONG:
        odd_sms.default = reply(value)
        for path in READS:
            with caplog.at_level(logging.WARNING):
                r = b.get(path, params={"fresh": "1"})
            assert r.status_code == 503, (path, value, r.text)
            err = r.json()["error"]
            assert err["code"] == "sms_unavailable" and "wrong shape" in err["reason"], err
            method = odd_sms.requests[-1].method
            assert method in err["reason"]
            assert any(method in rec.getMessage() and "wrong shape" in rec.getMessage()
                       for rec in caplog.records)
        r = b.get(f"/api/v1/customers/{customer}/tv", params={"fresh": "1"})
        assert r.status_code == 200, (value, r.text)
        page = r.json()["data"]
        parts = {e["part"]: e for e in page["errors"]}
        # a struct is a customer's shape (custList(number) answers one struct)
        expected = {"accounts", "subnets", "messages"} | (set() if isinstance(value, dict)
                                                          else {"customer"})
        assert expected <= set(parts), page["errors"]
        assert all(e["code"] == "sms_unavailable" and "wrong shape" in e["reason"]
                   for e in parts.values()), parts
        assert page["accounts"] is None and page["customer"]["tv_cust_number"] == "100001"


MALFORMED = {  # well-formed XML that is no XML-RPC reply, and what the refusal names
    "unknown tag": (b"<value><struc><member><name>x</name><value>1</value></member></struc>"
                    b"</value>", "unknown tag 'struc'"),
    "member without a name": (b"<value><struct><member><value>1</value></member></struct>"
                              b"</value>", "a struct member without its name or value"),
    "member without a value": (b"<value><struct><member><name>x</name></member></struct>"
                               b"</value>", "a struct member without its name or value"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_reply_xml_rpc_cannot_read_is_sms_unavailable(make_bridge, migrated_config, odd_sms,
                                                         name):
    """Well-formed XML that xmlrpc.client's unmarshaller cannot read (a tag XML-RPC does not
    have, a struct member without its name or value): every read is refused as SMS's problem,
    naming it, not a 500."""
    item, said = MALFORMED[name]
    b = make_bridge(migrated_config, sms_url=odd_sms.url)
    odd_sms.default = raw(
        b"<?xml version='1.0'?><methodResponse><params><param><value><array><data>"
        + item + b"</data></array></value></param></params></methodResponse>")
    for path in READS:
        r = b.get(path, params={"fresh": "1"})
        assert r.status_code == 503, (path, r.text)
        err = r.json()["error"]
        assert err["code"] == "sms_unavailable", err
        assert said in err["reason"], err


def test_fault_with_a_struct_for_text_reaches_the_operator_in_polish(make_bridge, migrated_config,
                                                                     odd_sms):
    b = make_bridge(migrated_config, sms_url=odd_sms.url)
    odd_sms.default = raw(
        b"<?xml version='1.0'?><methodResponse><fault><value><struct>"
        b"<member><name>faultCode</name><value><int>4321</int></value></member>"
        b"<member><name>faultString</name><value><struct><member><name>x</name><value><int>1"
        b"</int></value></member></struct></value></member></struct></value></fault>"
        b"</methodResponse>")
    r = b.get("/api/v1/packages")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert (err["code"], err["message"], err["sms_code"]) == (
        "sms_fault", "SMS zwrócił nieczytelny błąd (kod 4321)", 4321)
