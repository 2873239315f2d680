"""The customer list shared between bridge processes through the cache: a second bridge on the
same cache directory (another gunicorn worker) pages from the sorted blocks the first stored,
gets the same pages for every sort, and still sees changes made through either bridge."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@pytest.fixture
def one_block_now(monkeypatch):
    """Only block 0 (and the page's) stored before answering: the others are the writer's."""
    monkeypatch.setattr(cs, "FIRST_BLOCKS_NOW", 1)


@contextmanager
def _blocks_held_back() -> Iterator[None]:
    """The blocks' writer stays busy until the block ends: every block queued meanwhile is
    written only then (a slow writer: a busy box, 100,000 customers)."""
    gate = threading.Event()
    cs._blocks_writer.submit(gate.wait, 60)
    try:
        yield
    finally:
        gate.set()


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_a_worker_waits_for_blocks_still_being_written(make_bridge, migrated_config, sandbox,
                                                      one_block_now):
    """The worker that fetched answers before its blocks are stored; another worker asked
    meanwhile waits for them (a page, or the whole list for another sort) instead of asking
    SMS again or serving part of a list."""
    sandbox.control().sandbox.addCustomers(1210)
    first = make_bridge(migrated_config)
    second = make_bridge(migrated_config)
    asked = [{"sort": "cust_surname", "page": 21}, {"sort": "cust_surname", "page": 99},
             {"sort": "cust_m_city", "page": 3}]
    with _blocks_held_back():
        want = _page(first, sort="cust_surname", page=21)
        assert want["meta"]["cached"] is False
        _forget_sorted_lists()
        got: list[dict[str, Any]] = []
        readers = [threading.Thread(target=lambda p=p: got.append(_page(second, **p)))
                   for p in asked]
        for reader in readers:
            reader.start()
        time.sleep(0.3)  # let them find the blocks missing (none is written yet)
    for reader in readers:
        reader.join(30)
    assert len(got) == 3 and all(g["meta"]["cached"] is True for g in got)  # SMS asked once
    _forget_sorted_lists()
    by_page = {(g["data"]["sort"], g["data"]["page"]): g["data"] for g in got}
    for params in asked:
        _forget_sorted_lists()
        assert by_page[(params["sort"], params["page"])] == _page(first, **params)["data"]
    assert by_page[("cust_surname", 21)] == want["data"]
    assert by_page[("cust_surname", 99)]["items"] == []


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_blocks_whose_writer_is_gone_are_waited_for_a_bounded_time(make_bridge, migrated_config,
                                                                    sandbox, monkeypatch,
                                                                    one_block_now):
    """Blocks announced but never stored (their writer died): a reader stops waiting once the
    announcement's deadline has passed and fetches the list itself."""
    monkeypatch.setattr(cs, "BLOCKS_WAIT_S", 0.5)
    sandbox.control().sandbox.addCustomers(700)
    first = make_bridge(migrated_config)
    second = make_bridge(migrated_config)
    with _blocks_held_back():
        _page(first, sort="cust_surname")  # block 0 stored at once, block 1 never
        _forget_sorted_lists()
        got = _page(second, sort="cust_surname", page=21)  # rows 500-524: block 1
        assert got["meta"]["cached"] is False  # gave up on the blocks, asked SMS
    _forget_sorted_lists()
    assert got["data"] == _page(first, sort="cust_surname", page=21)["data"]


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
@pytest.mark.parametrize("again", ["fresh", "purge"])
def test_blocks_of_a_list_fetched_again_are_not_written(make_bridge, migrated_config, sandbox,
                                                         one_block_now, again):
    """A list fetched again (?fresh=1, or after a purge) while the blocks of the one before
    are still queued: those are dropped (marked done, so nobody waits for them), the new
    list's are written."""
    sandbox.control().sandbox.addCustomers(1210)
    first = make_bridge(migrated_config)
    cache = first.app.extensions["lmstv"].cache
    with _blocks_held_back():
        _page(first, sort="cust_surname")
        old = cs._newest[0]
        if again == "purge":
            assert first.post("/api/v1/system/cache/purge").status_code == 200
            _page(first, sort="cust_surname")
        else:
            _page(first, sort="cust_surname", fresh=1)
        new = cs._newest[0]
        assert old and new and old != new
    cs._blocks_writer.submit(lambda: None).result(30)  # every job queued so far has run

    def stored(token: str, block: int | str) -> Any:
        return cache.get_derived(cs._block_key(token, "", "cust_surname", "asc", block))

    assert [stored(new, b) is not None for b in (0, 1, 2, "done")] == [True] * 4
    assert stored(old, "done") is True and stored(old, 1) is None and stored(old, 2) is None
    assert (stored(old, 0) is not None) == (again == "fresh")  # stored at once, then purged


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_the_first_blocks_are_stored_before_the_answer(make_bridge, migrated_config, sandbox,
                                                       one_block_now):
    """The top of the list and the page asked are there for every process the moment the
    fetching request has answered, however slow the writer of the rest is."""
    sandbox.control().sandbox.addCustomers(1210)
    first = make_bridge(migrated_config)
    cache = first.app.extensions["lmstv"].cache
    with _blocks_held_back():
        _page(first, sort="cust_name", order="desc", page=10, per_page=100)  # rows 900-999
        token = cs._newest[0]
        stored = [cache.get_derived(cs._block_key(token, "", "cust_name", "desc", b))
                  for b in (0, 1, 2, "done")]
    assert [s is not None for s in stored] == [True, True, False, False]  # top, page's


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_the_lists_a_worker_keeps_are_out_of_the_collectors_sight(make_bridge, migrated_config,
                                                                  sandbox):
    """Every full garbage collection walks every tracked list item by item (at 100,000
    customers, tens of ms in whichever request set it off): the whole list a worker keeps,
    fetched or rebuilt from the blocks, and its sorted lists are tuples the collector has
    stopped tracking (after the collector has looked at them)."""
    import gc

    sandbox.control().sandbox.addCustomers(1210)
    first = make_bridge(migrated_config)
    second = make_bridge(migrated_config)
    _page(first, sort="cust_surname", page=3)
    _forget_sorted_lists()
    _page(second, sort="cust_m_city", page=2)  # rebuilt from the first's blocks, then sorted
    _page(first, sort="cust_name")
    kept = [first.app.extensions["lmstv"].cache._memo["CustomerList"][1],
            second.app.extensions["lmstv"].cache._memo["CustomerList"][1],
            *cs._sorted_memo.values()]
    assert len(kept) == 4 and all(type(rows) is tuple and len(rows) == 1210 for rows in kept)
    # A tuple is untracked by a collection that finds its items untracked; rows still tracked
    # when it looks (just unpickled, say) are untracked by that same pass, the tuple by the next.
    # gc.collect() does nothing while another thread's collection runs (the suite's workers run
    # server and pool threads), hence a few tries; a list the collector must keep tracking stays
    # tracked through all of them.
    for _ in range(20):
        gc.collect()
        if not any(gc.is_tracked(rows) for rows in kept):
            break
    assert not any(gc.is_tracked(rows) for rows in kept)
