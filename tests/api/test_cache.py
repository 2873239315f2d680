"""The SMS cache on its own (real diskcache in a temp directory): permissions, lifetime, empty
results, switched off, failures not stored, and reads racing with changes never served stale."""

from __future__ import annotations

import os
import stat
import threading
import time
from typing import Any

import pytest

from bridge.cache import SmsCache


class Calls:
    """A stand-in for one SMS read that counts how often it is asked."""

    def __init__(self, *values: Any) -> None:
        self.values = list(values)
        self.count = 0

    def __call__(self) -> Any:
        self.count += 1
        return self.values[min(self.count, len(self.values)) - 1]


@pytest.fixture
def cache(tmp_path):
    c = SmsCache(str(tmp_path / "cache"))
    yield c
    c.close()


def test_directory_is_private_even_when_it_existed(tmp_path):
    path = tmp_path / "cache"
    path.mkdir(mode=0o755)
    os.chmod(path, 0o755)
    SmsCache(str(path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_hit_until_a_tag_is_invalidated_and_empty_results_are_cached(cache):
    read = Calls([], [{"id": 1}])
    assert cache.get_or_call("k", ["customer7"], read).value == []
    got = cache.get_or_call("k", ["customer7"], read)
    assert (got.value, got.hit, read.count) == ([], True, 1)  # empty is an answer too
    cache.invalidate("customer8")
    assert cache.get_or_call("k", ["customer7"], read).hit
    cache.invalidate("customer7")
    got = cache.get_or_call("k", ["customer7"], read)
    assert (got.value, got.hit, read.count) == ([{"id": 1}], False, 2)


def test_fresh_bypasses_and_stores_again(cache):
    read = Calls("old", "new")
    cache.get_or_call("k", ["t"], read)
    assert cache.get_or_call("k", ["t"], read, fresh=True).value == "new"
    got = cache.get_or_call("k", ["t"], read)
    assert (got.value, got.hit, read.count) == ("new", True, 2)


def test_lifetime_ends_an_entry(tmp_path):
    c = SmsCache(str(tmp_path / "c"), lifetime=1)
    try:
        read = Calls("a", "b")
        c.get_or_call("k", [], read)
        assert c.get_or_call("k", [], read).hit
        time.sleep(1.2)
        got = c.get_or_call("k", [], read)
        assert (got.value, got.hit, read.count) == ("b", False, 2)
    finally:
        c.close()


@pytest.mark.parametrize("changes", [{"enabled": False}, {"lifetime": 0}])
def test_switched_off_always_asks(tmp_path, changes):
    c = SmsCache(str(tmp_path / "c"), **changes)
    try:
        read = Calls("a", "b")
        c.get_or_call("k", [], read)
        got = c.get_or_call("k", [], read)
        assert (got.value, got.hit, read.count) == ("b", False, 2)
    finally:
        c.close()


def test_a_failed_read_stores_nothing(cache):
    def boom() -> Any:
        raise RuntimeError("SMS down")

    with pytest.raises(RuntimeError):
        cache.get_or_call("k", [], boom)
    read = Calls("ok")
    assert cache.get_or_call("k", [], read).value == "ok" and read.count == 1


def test_read_started_before_a_change_is_not_served_after_it(cache):
    # The SMS answer is from before the change, but arrives (and is stored) after the change
    # invalidated the tag: it must not be served (the original's bug #28 pattern).
    started, changed = threading.Event(), threading.Event()

    def slow_old_read() -> str:
        started.set()
        assert changed.wait(5)
        return "before the change"

    t = threading.Thread(target=cache.get_or_call, args=("k", ["customer1"], slow_old_read))
    t.start()
    assert started.wait(5)
    cache.invalidate("customer1")
    changed.set()
    t.join(5)
    read = Calls("after the change")
    assert cache.get_or_call("k", ["customer1"], read).value == "after the change"
    cache.purge()  # purge is a change too
    assert cache.get_or_call("k", ["customer1"], Calls("x")).value == "x"


class _OrderedStore:
    """The real diskcache store, with the two writes of named threads held in a set order."""

    def __init__(self, store: Any, gates: dict[tuple[str, str], tuple[threading.Event, ...]]):
        self._store = store
        self._gates = gates  # (thread name, key prefix) -> (wait for, then set)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def set(self, key: str, value: Any, **kw: Any) -> Any:
        gate = self._gates.get((threading.current_thread().name, key.split(":", 1)[0]))
        if gate:
            assert gate[0].wait(5)
        try:
            return self._store.set(key, value, **kw)
        finally:
            if gate:
                gate[1].set()


def test_stale_value_written_between_a_fresh_entrys_two_writes_is_not_served(tmp_path):
    # Two readers of one key: A asked SMS before a change (stale answer), B after it.  The
    # value and its meta record are two writes; when A's value lands between B's value and
    # B's meta, B's (valid) meta must not vouch for A's stale value in another process.
    path = str(tmp_path / "cache")
    cache = SmsCache(path)
    go, b_val, a_done, never = (threading.Event() for _ in range(4))
    go.set()
    cache._store = _OrderedStore(cache._store, {  # type: ignore[assignment]
        ("B", "val"): (go, b_val), ("B", "meta"): (a_done, never),
        ("A", "val"): (b_val, never), ("A", "meta"): (go, a_done)})
    a_asked, changed = threading.Event(), threading.Event()

    def stale() -> str:
        a_asked.set()
        assert changed.wait(5)
        return "stale"

    a = threading.Thread(target=cache.get_or_call, args=("k", ["customer1"], stale), name="A")
    a.start()
    assert a_asked.wait(5)
    cache.invalidate("customer1")
    changed.set()
    b = threading.Thread(target=cache.get_or_call, args=("k", ["customer1"], lambda: "fresh"),
                         name="B")
    b.start()
    a.join(5)
    b.join(5)
    assert not a.is_alive() and not b.is_alive()
    other_process = SmsCache(path)
    try:
        got = other_process.get_or_call("k", ["customer1"], lambda: "asked SMS again")
        assert got.value != "stale"
    finally:
        other_process.close()
        cache.close()


def test_process_memo_is_bounded_by_size_not_only_count(tmp_path):
    cache = SmsCache(str(tmp_path / "c"), memo_items=1000)
    for i in range(5):  # five big lists: only what fits in 1000 items stays in memory
        cache.get_or_call(f"big{i}", ["t"], lambda: [{"n": n} for n in range(400)])
    assert cache.memo_weight <= 1000
    assert len(cache._memo) == 2
    # a fresh read of the same key replaces its entry instead of adding one
    for _ in range(5):
        cache.get_or_call("big4", ["t"], lambda: [{"n": n} for n in range(400)], fresh=True)
    assert cache.memo_weight <= 1000
    # the newest value is kept even when it alone is over the bound; still served right
    got = cache.get_or_call("huge", ["t"], lambda: list(range(5000)))
    assert list(cache._memo) == ["huge"] and cache.memo_weight == 5000
    assert cache.get_or_call("big4", ["t"], lambda: []).value[399] == {"n": 399}
    cache.close()
    assert got.value[-1] == 4999


class _CountingStore:
    """The diskcache store of a cache, counting its reads."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.gets = 0

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.gets += 1
        return self._store.get(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_warm_request_costs_one_read_and_a_change_elsewhere_is_still_seen(tmp_path):
    """Two caches on one directory are two gunicorn workers.  Entries checked at the current
    epoch are served with no read but the epoch's; any change in the other one is seen."""
    here, there = SmsCache(str(tmp_path / "c")), SmsCache(str(tmp_path / "c"))
    try:
        reads = {k: Calls(f"{k}-1", f"{k}-2") for k in ("a", "b", "c")}
        for k, call in reads.items():
            here.get_or_call(k, [f"tag-{k}"], call)
        counting = _CountingStore(here._store)
        here._store = counting
        epoch = here.epoch()
        assert counting.gets == 1
        for k, call in reads.items():
            assert here.get_or_call(k, [f"tag-{k}"], call, epoch=epoch).hit
        assert counting.gets == 1  # the parts of a warm page: nothing but the epoch
        there.invalidate("tag-b")
        epoch = here.epoch()
        got = {k: here.get_or_call(k, [f"tag-{k}"], call, epoch=epoch)
               for k, call in reads.items()}
        assert (got["a"].value, got["b"].value, got["c"].value) == ("a-1", "b-2", "c-1")
        assert [c.count for c in reads.values()] == [1, 2, 1]
        # a fresh read elsewhere replaces the entry: this worker serves the new value too
        there.get_or_call("a", ["tag-a"], lambda: "a-fresh", fresh=True)
        assert here.get_or_call("a", ["tag-a"], reads["a"]).value == "a-fresh"
        there.purge()
        assert here.get_or_call("c", ["tag-c"], reads["c"]).value == "c-2"
    finally:
        here.close()
        there.close()


def test_a_change_in_the_same_request_is_seen_with_the_epoch_read_before_it(cache):
    read = Calls("old", "new")
    epoch = cache.epoch()
    assert cache.get_or_call("k", ["t"], read, epoch=epoch).value == "old"
    cache.invalidate("t")
    assert cache.get_or_call("k", ["t"], read, epoch=epoch).value == "new"


def test_packed_entries_and_derived_values(cache):
    parts: dict[str, Any] = {}

    def pack(token: str, value: list[int]) -> int:
        cache.put_derived(f"{token}:items", value)
        parts["token"] = token
        return len(value)

    def unpacker(worker: SmsCache) -> Any:
        def unpack(token: str, count: int) -> list[int] | None:
            items = worker.get_derived(f"{token}:items")
            return None if items is None or len(items) != count else items
        return unpack

    unpack = unpacker(cache)

    read = Calls([1, 2, 3], [4])
    got = cache.get_or_call("k", ["t"], read, pack=pack, unpack=unpack)
    assert got.value == [1, 2, 3] and got.token == parts["token"]
    other = SmsCache(cache.directory)  # another worker: it must unpack
    try:
        assert other.get_or_call("k", ["t"], read, pack=pack,
                                 unpack=unpacker(other)).value == [1, 2, 3]
        assert other.peek("k", ["t"], other.epoch()).token == parts["token"]
        cache._store.delete("derived:" + parts["token"] + ":items")
        fresh_worker = SmsCache(cache.directory)
        try:  # a part gone (culled) is a miss, never a wrong value
            got = fresh_worker.get_or_call("k", ["t"], read, pack=pack,
                                           unpack=unpacker(fresh_worker))
            assert (got.value, got.hit, read.count) == ([4], False, 2)
        finally:
            fresh_worker.close()
        cache.purge()
        assert cache.get_derived(parts["token"] + ":items") is None
        assert cache.peek("k", ["t"], cache.epoch()) is None
    finally:
        other.close()


def test_a_worker_drops_its_stale_copy_when_another_fetched_again(tmp_path):
    """Another worker's fresh read replaces the entry: this one's copy of the old value goes
    as soon as it checks the entry, even when it never reads the value again."""
    here, there = SmsCache(str(tmp_path / "c")), SmsCache(str(tmp_path / "c"))
    try:
        here.get_or_call("list", ["t"], lambda: list(range(1000)))
        assert here.memo_weight == 1000
        fresh = there.get_or_call("list", ["t"], lambda: [1], fresh=True)
        assert here.peek("list", ["t"], here.epoch()).token == fresh.token
        assert "list" not in here._memo and here.memo_weight == 0
        there.invalidate("t")
        here.get_or_call("other", ["u"], lambda: [2])
        here.get_or_call("list", ["t"], lambda: [3, 4])
        there.invalidate("t")
        assert here.peek("list", ["t"], here.epoch()) is None
        assert here.memo_weight == 1  # only "other" is left
    finally:
        here.close()
        there.close()


def test_a_purge_empties_the_memo_and_its_weight(tmp_path):
    """Each purge used to leave the weight of what it dropped counted: a few purges of a
    worker holding a big list and its memo kept one entry at a time, every warm read going to
    disk (issue 12, the warm page at 100,000 customers)."""
    cache = SmsCache(str(tmp_path / "c"), memo_items=1000)
    try:
        for _ in range(3):
            cache.get_or_call("list", ["t"], lambda: list(range(600)))
            assert cache.memo_weight == 600
            cache.purge()
            assert cache.memo_weight == 0 and not cache._memo
        cache.get_or_call("list", ["t"], lambda: list(range(600)))
        for i in range(20):
            cache.get_or_call(f"part{i}", ["t"], lambda i=i: {"n": i})
        assert len(cache._memo) == 21 and cache.memo_weight == 620
        asked = []
        for i in range(20):  # all served from this process's memory, nothing asked again
            assert cache.get_or_call(f"part{i}", ["t"], lambda: asked.append(1)).value == {"n": i}
        assert asked == [] and len(cache._memo) == 21
    finally:
        cache.close()
