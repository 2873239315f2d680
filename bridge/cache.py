"""Process-shared cache of SMS reads, with the tags of the API doc (§2.9).

Backed by diskcache (SQLite + files) in ``[bridge] cache_dir``, so every gunicorn worker shares
it; the directory is created 0700 because entries hold PINs and addresses.

Tags are *generations*: each tag has a counter, an entry remembers the counters of its tags as
they were **before** SMS was asked, and invalidating a tag bumps its counter.  So one entry can
carry several tags, and a read that raced with a change (started before it, stored after the
invalidation) is never served — the original cleaned tags before the RPC and re-cached stale
data (bug #28).

Big values (the 20,000-customer list) are unpickled once per process: the value is taken from a
per-process memo while its token matches the meta record.

One read per request: every invalidation, purge and fresh store also bumps one *epoch* counter.
A process that has checked an entry (meta token, tag generations) at epoch E serves it from its
memo without reading anything else while the epoch is still E; so a warm customer page costs
one cache read (the epoch) for all its SMS parts.  Any change anywhere makes every process check
its entries again in full once, which is what this trades for the one read.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import diskcache

from bridge.reaper import free_later

_GEN = "gen:"
_EPOCH = _GEN + "~epoch"  # a generation key: purge() bumps it along with the tags
KEEP_PREFIX = "health:"  # keys kept by purge()
_META = "meta:"
_VAL = "val:"
_DERIVED = "derived:"


@dataclass(frozen=True)
class Cached:
    """A value with where it came from: ``stored_at`` is the unix time SMS answered."""

    value: Any
    stored_at: float
    hit: bool
    token: str = ""

    @property
    def age(self) -> float:
        return max(0.0, time.time() - self.stored_at)


# Items (list elements, struct members of the top level) the per-process memo may hold: SMS
# structs decode to roughly 1.5 KB of Python objects each, so 150,000 items stay near 200 MB.
MEMO_ITEMS = 150_000
# Derived values (blocks of 500 sorted customers) kept per process: 16 blocks, 8,000 rows.
DERIVED_MEMO = 16


def memo_weight(value: Any) -> int:
    """A value's size for the memo's bound: its top-level items (a customer list: customers)."""
    return max(1, len(value)) if isinstance(value, (list, dict, tuple)) else 1


class SmsCache:
    """Tagged, lifetime-bound cache; ``enabled=False`` makes every read go to SMS."""

    def __init__(self, directory: str, *, enabled: bool = True, lifetime: int = 472000,
                 memo_size: int = 4096, memo_items: int = MEMO_ITEMS) -> None:
        self.directory = directory
        self.enabled = enabled
        self.lifetime = lifetime
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)
        # Values up to 1 MB stay inside SQLite: a block of 500 sorted customers (~150 KB) as a
        # file of its own cost a mkdir and an open each, more than pickling it.
        self._store = diskcache.Cache(directory, timeout=5, eviction_policy="least-recently-stored",
                                      size_limit=2**30, disk_min_file_size=1 << 20)
        self._memo: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self._memo_size = memo_size
        self._memo_items = memo_items
        self._memo_weight = 0
        # key -> (epoch, tags, token, stored_at): the entry was found valid at that epoch.
        self._checked: dict[str, tuple[int, tuple[str, ...], str, float]] = {}
        self._derived: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def close(self) -> None:
        self._store.close()

    # -- tags ----------------------------------------------------------------------------------

    def _generations(self, tags: Iterable[str]) -> dict[str, int]:
        return {t: int(self._store.get(_GEN + t, 0)) for t in tags}

    def invalidate(self, *tags: str) -> None:
        """Make every entry carrying any of ``tags`` stale (call AFTER the change succeeded)."""
        for tag in tags:
            self._store.incr(_GEN + tag, 1, default=0)
        self._bump_epoch()  # after the tags: a check at the new epoch sees their generations
        with self._lock:
            # A request that changed something may read again with the epoch it read first.
            self._checked.clear()

    def epoch(self) -> int:
        """The change counter; read it once per request and pass it to :meth:`get_or_call`."""
        value = self._store.get(_EPOCH)
        if value is None:  # never set, or culled: start past any value it ever had
            self._store.add(_EPOCH, _epoch_start())
            value = self._store.get(_EPOCH, 0)
        return int(value)

    def _bump_epoch(self) -> None:
        self._store.incr(_EPOCH, 1, default=_epoch_start())

    def purge(self) -> None:
        """"Odśwież dane": drop everything.  Generations are bumped too, so a read in flight
        cannot put back what it fetched before the purge."""
        with self._store.transact():
            tags = [k[len(_GEN):] for k in self._store.iterkeys() if str(k).startswith(_GEN)]
            gens = {t: int(self._store.get(_GEN + t, 0)) for t in tags}
            # Bookkeeping that is not SMS data (e.g. readiness' last good SMS call) survives.
            kept = {k: self._store.get(k) for k in self._store.iterkeys()
                    if str(k).startswith(KEEP_PREFIX)}
            self._store.clear()
            for t, g in gens.items():
                self._store.set(_GEN + t, g + 1)
            for k, value in kept.items():
                self._store.set(k, value)
            self._store.set(_GEN + "*", int(time.time() * 1000))
            self._store.set(_EPOCH, max(gens.get("~epoch", 0) + 1, _epoch_start()))
        with self._lock:
            free_later(*(value for _, value in self._memo.values()))
            self._memo.clear()
            # With the memo, its weight: left as it was, every purge of a worker holding the
            # customer list added that list's weight for good (100,000 after one purge at 100k
            # customers), until the bound let the memo keep just one entry and every warm page
            # read and unpickled its ~20 parts from disk again.
            self._memo_weight = 0
            self._checked.clear()
            self._derived.clear()

    # -- entries -------------------------------------------------------------------------------

    def get_or_call(self, key: str, tags: Iterable[str], call: Callable[[], Any], *,
                    fresh: bool = False, epoch: int | None = None,
                    pack: Callable[[str, Any], Any] | None = None,
                    unpack: Callable[[str, Any], Any] | None = None) -> Cached:
        """The cached value of ``key`` if still valid, else ``call()``'s result (then cached).

        ``epoch``: :meth:`epoch` as the request read it (read here when not given).
        ``pack(token, value)`` / ``unpack(token, packed)``: how the value is stored when it is
        not simply pickled whole (the customer list is stored as sorted blocks the other
        processes page from); ``unpack`` returning None makes the entry a miss.
        Exceptions from ``call`` propagate and nothing is stored.
        """
        if not self.enabled or self.lifetime <= 0:
            return Cached(call(), time.time(), False)
        tags = tuple(tags) + ("*",)
        if epoch is None:
            epoch = self.epoch()
        if not fresh:
            hit = self._read(key, tags, epoch, unpack)
            if hit is not None:
                return hit
        gens = self._generations(tags)
        value = call()
        now = time.time()
        token = uuid.uuid4().hex
        # The value carries its token: value and meta are two writes, and another reader's
        # value landing between them must not pass for this meta's (fresher) one.
        stored = value if pack is None else pack(token, value)
        self._store.set(_VAL + key, (token, stored), expire=self.lifetime)
        self._store.set(_META + key, (token, now, gens), expire=self.lifetime)
        self._remember(key, token, value)
        with self._lock:
            self._checked[key] = (epoch, tags, token, now)
        if fresh:
            # Other processes may hold the entry this one replaces as checked: make them look.
            self._bump_epoch()
        return Cached(value, now, False, token)

    def get_cached(self, key: str, tags: Iterable[str], epoch: int) -> Cached | None:
        """The valid cached value of ``key``, or None (SMS is not asked)."""
        if not self.enabled or self.lifetime <= 0:
            return None
        return self._read(key, tuple(tags) + ("*",), epoch)

    def peek(self, key: str, tags: Iterable[str], epoch: int) -> Cached | None:
        """The entry's token and time if it is valid, without its value (``value`` is None)."""
        if not self.enabled or self.lifetime <= 0:
            return None
        tags = tuple(tags) + ("*",)
        checked = self._check(key, tags, epoch)
        if checked is None:
            return None
        return Cached(None, checked[1], True, checked[0])

    def _check(self, key: str, tags: tuple[str, ...], epoch: int) -> tuple[str, float] | None:
        """(token, stored_at) of a valid entry; no read at all when checked at this epoch."""
        with self._lock:
            known = self._checked.get(key)
        if known is not None and known[0] == epoch and known[1] == tags \
                and time.time() < known[3] + self.lifetime:
            return known[2], known[3]
        meta = self._store.get(_META + key)
        if meta is None:
            self._forget(key, None)
            return None
        token, stored_at, gens = meta
        if set(gens) != set(tags) or self._generations(tags) != gens:
            self._forget(key, None)
            return None
        self._forget(key, token)
        with self._lock:
            if len(self._checked) >= self._memo_size * 4:
                self._checked.clear()  # a bound, not an LRU: they are cheap to check again
            self._checked[key] = (epoch, tags, token, stored_at)
        return token, stored_at

    def _read(self, key: str, tags: tuple[str, ...], epoch: int,
              unpack: Callable[[str, Any], Any] | None = None) -> Cached | None:
        checked = self._check(key, tags, epoch)
        if checked is None:
            return None
        token, stored_at = checked
        with self._lock:
            memo = self._memo.get(key)
            if memo is not None and memo[0] == token:
                self._memo.move_to_end(key)
                return Cached(memo[1], stored_at, True, token)
        stored = self._store.get(_VAL + key, default=_MISSING)
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == token):
            with self._lock:
                self._checked.pop(key, None)
            return None  # gone, or written by another read than this meta's
        value = stored[1] if unpack is None else unpack(token, stored[1])
        if value is None and unpack is not None:
            return None  # a part of it is gone (culled): fetch again
        self._remember(key, token, value)
        return Cached(value, stored_at, True, token)

    # -- values derived from an entry (its sorted pages) -------------------------------------

    def put_derived(self, key: str, value: Any) -> None:
        """Store something computed from an entry; ``key`` must contain the entry's token, so
        it can only be found through a valid entry (and it lives no longer than one)."""
        if self.enabled and self.lifetime > 0:
            self._store.set(_DERIVED + key, value, expire=self.lifetime)

    def get_derived(self, key: str) -> Any:
        """What :meth:`put_derived` stored under ``key``, or None.  The last few are kept in
        this process (a derived value never changes: its key holds its entry's token)."""
        if not self.enabled or self.lifetime <= 0:
            return None
        with self._lock:
            value = self._derived.get(key)
            if value is not None:
                self._derived.move_to_end(key)
                return value
        value = self._store.get(_DERIVED + key)
        if value is not None:
            with self._lock:
                self._derived[key] = value
                while len(self._derived) > DERIVED_MEMO:
                    self._derived.popitem(last=False)
        return value

    def _forget(self, key: str, keep: str | None) -> None:
        """Drop this process's copy of ``key`` unless it is of token ``keep``: a stale copy
        (another worker fetched the list again) would otherwise pin its memory until this
        process next reads the same key, which with shared pages may be never."""
        with self._lock:
            old = self._memo.get(key)
            if old is not None and old[0] != keep:
                del self._memo[key]
                self._memo_weight -= memo_weight(old[1])
                free_later(old[1])

    def _remember(self, key: str, token: str, value: Any) -> None:
        # Bounded by size as well as by count: 64 entries of whole customer lists would pin
        # gigabytes in every worker.  The newest value is always kept (it is being served).
        with self._lock:
            old = self._memo.pop(key, None)
            if old is not None:
                self._memo_weight -= memo_weight(old[1])
                free_later(old[1])
            self._memo[key] = (token, value)
            self._memo_weight += memo_weight(value)
            while len(self._memo) > 1 and (len(self._memo) > self._memo_size
                                           or self._memo_weight > self._memo_items):
                _, (_, dropped) = self._memo.popitem(last=False)
                self._memo_weight -= memo_weight(dropped)
                free_later(dropped)

    @property
    def memo_weight(self) -> int:
        """Items held by this process's memo (see :func:`memo_weight`)."""
        with self._lock:
            return self._memo_weight


_MISSING = object()


def _epoch_start() -> int:
    # Microseconds: far more than the bumps an epoch sees, so a counter that had to start
    # again (first use, or culled by diskcache's size limit) never repeats an earlier value.
    return time.time_ns() // 1000


# Tag names of the API doc §2.9 (plus ``customerstb``: every customer's STB data, which a subnet
# split changes; the original cleaned only the literal ``customer`` tag, bug #28).
def customer_tag(lms_id: int) -> str:
    return f"customer{lms_id}"


def messages_tag(lms_id: int) -> str:
    return f"customermsgs{lms_id}"


TAG_CUSTOMERS = "customer"
TAG_PACKAGES = "packagelist"
TAG_STBLIST = "stblist"
TAG_SUBNETS = "subnetlist"
TAG_MESSAGES = "customermsgs"
TAG_CUSTOMER_STB = "customerstb"
