"""bridge.reaper: big values are freed off the request's path, a piece at a time, and never
while anybody else still holds them."""

from __future__ import annotations

import weakref

import pytest

from bridge import reaper


class Item:
    pass


def _settle() -> None:
    reaper._pool.submit(lambda: None).result(timeout=10)  # noqa: SLF001 - the one worker


def test_a_big_list_nobody_holds_is_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reaper, "CHUNK", 100)
    items = [Item() for _ in range(1000)]
    probes = [weakref.ref(items[0]), weakref.ref(items[-1])]
    reaper.free_later(items)
    del items
    _settle()
    assert [p() for p in probes] == [None, None]


def test_a_list_still_held_elsewhere_is_left_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reaper, "_WAIT_S", 0.05)
    monkeypatch.setattr(reaper, "CHUNK", 100)
    kept = [Item() for _ in range(1000)]
    reaper.free_later(kept)  # the caller (a request still serving it) keeps its reference
    _settle()
    assert len(kept) == 1000 and all(isinstance(i, Item) for i in kept)


def test_a_big_tuple_nobody_holds_is_freed_a_piece_at_a_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The customer lists a worker keeps are tuples (out of the collector's sight): they are
    freed in pieces too, never in one go on the reaper's thread."""
    monkeypatch.setattr(reaper, "CHUNK", 100)
    pieces = []
    real_sleep = reaper.time.sleep
    monkeypatch.setattr(reaper.time, "sleep", lambda s: (pieces.append(s), real_sleep(s)))
    items = tuple(Item() for _ in range(1000))
    probes = [weakref.ref(items[0]), weakref.ref(items[-1])]
    reaper.free_later(items)
    del items
    _settle()
    assert [p() for p in probes] == [None, None]
    assert pieces.count(0) == 10  # one pause for the other threads after each piece


def test_a_tuple_still_held_elsewhere_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reaper, "_WAIT_S", 0.05)
    kept = tuple(Item() for _ in range(3000))
    reaper.free_later(kept, [1, 2])
    _settle()
    assert len(kept) == 3000 and all(isinstance(i, Item) for i in kept)
