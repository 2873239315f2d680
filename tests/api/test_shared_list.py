"""The customer list shared between bridge processes through the cache: a second bridge on the
same cache directory (another gunicorn worker) pages from the sorted blocks the first stored,
gets the same pages for every sort, and still sees changes made through either bridge."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.services import customers as cs


def _page(bridge: Any, **params: Any) -> dict[str, Any]:
    r = bridge.get("/api/v1/customers", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _forget_sorted_lists() -> None:
    # Both test bridges live in this process; a real worker has its own sorted lists.
    with cs._memo_lock:
        cs._sorted_memo.clear()


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_a_second_worker_pages_from_the_shared_blocks(make_bridge, migrated_config, sandbox,
                                                      add_customer):
    sandbox.control().sandbox.addCustomers(1210)  # three blocks of 500
    first = make_bridge(migrated_config)
    second = make_bridge(migrated_config)
    pages = [{"sort": "cust_surname", "page": p} for p in (1, 20, 21, 49)] + [
        {"sort": "cust_surname", "page": 17, "per_page": 30},  # rows 480-509: two blocks
        {"sort": "cust_surname", "page": 25, "per_page": 50},  # the last, short page
        {"sort": "cust_surname", "page": 99}]  # past the end
    expected = [_page(first, **p)["data"] for p in pages]
    assert expected[0]["total"] == 1210 and expected[-1]["items"] == []
    _forget_sorted_lists()
    for params, want in zip(pages, expected, strict=True):
        got = _page(second, **params)
        assert got["data"] == want and got["meta"]["cached"] is True
    assert "CustomerList" not in second.app.extensions["lmstv"].cache._memo  # never unpickled

    # Another sort, a search and descending order: the second worker rebuilds SMS's order
    # from the blocks and must agree with the first, which holds the list as fetched.
    for params in ({"sort": "cust_m_city"}, {"sort": "cust_number", "order": "desc"},
                   {"sort": "cust_name", "q": "an", "page": 2}):
        _forget_sorted_lists()
        want = _page(first, **params)["data"]
        _forget_sorted_lists()
        assert _page(second, **params)["data"] == want

    # A write through either bridge is seen by the other on its next read.
    cid = add_customer(lastname="Aaaaa", name="Zenon")
    assert second.post(f"/api/v1/customers/{cid}/export").status_code == 200
    top = _page(first, sort="cust_surname")["data"]
    # (linked to the SMS customer with its external id, or added: SMS decides the total)
    assert top["total"] == len(sandbox.control().custList(sandbox.auth, ""))
    assert (top["items"][0]["lms_id"], top["items"][0]["cust_surname"]) == (cid, "Aaaaa")
    _forget_sorted_lists()
    assert _page(second, sort="cust_surname")["data"] == top
    assert first.put(f"/api/v1/customers/{cid}/pins",
                     json={"cust_vod_pin": "4321", "cust_master_pin": "8765"}).status_code == 200
    _forget_sorted_lists()
    row = _page(second, sort="cust_surname")["data"]["items"][0]
    assert (row["lms_id"], row["cust_vod_pin"]) == (cid, "4321")


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_reconcile_reads_the_list_another_worker_stored_as_blocks(make_bridge, migrated_config,
                                                                   sandbox, add_customer):
    """The customer list's cache entry holds sorted blocks, not the list: the reconcile report
    of a worker that did not fetch it rebuilds the customers from the blocks."""
    sandbox.control().sandbox.addCustomers(620)
    cid = add_customer(lastname="Bezlinku", name="Ola")
    # the bulk customers carry external ids 1, 2, ...: one of them is this LMS customer's
    [number] = [str(c["cust_number"]) for c in sandbox.control().custList(sandbox.auth, "")
                if str(c["cust_external_id"]) == str(cid)]
    first = make_bridge(migrated_config)
    second = make_bridge(migrated_config)
    assert _page(first, sort="cust_surname")["data"]["total"] == 620
    _forget_sorted_lists()
    r = second.get("/api/v1/reconcile", params={"only": "sms_not_linked"})
    assert r.status_code == 200, r.text
    assert r.json()["meta"]["cached"] is True  # from the first worker's fetch, not SMS again
    found = [(f["customer_id"], f["cust_number"]) for f in r.json()["data"]["findings"]]
    # every SMS customer is unlinked; one has an LMS customer to link to
    assert len(found) == 620 and [f for f in found if f[0] is not None] == [(cid, number)]
