"""Process-shared cache of SMS reads, with the tags of the API doc (§2.9).

Backed by diskcache (SQLite + files) in ``[bridge] cache_dir``, so every gunicorn worker shares
it; the directory is created 0700 because entries hold PINs and addresses.

Tags are *generations*: each tag has a counter, an entry remembers the counters of its tags as
they were **before** SMS was asked, and invalidating a tag bumps its counter.  So one entry can
carry several tags, and a read that raced with a change (started before it, stored after the
invalidation) is never served — the original cleaned tags before the RPC and re-cached stale
data (bug #28).

Big values (the 20,000-customer list) are unpickled once per process: the small meta record is
checked on every read, the value is taken from a per-process memo while its token matches.
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

_GEN = "gen:"
KEEP_PREFIX = "health:"  # keys kept by purge()
_META = "meta:"
_VAL = "val:"


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


def memo_weight(value: Any) -> int:
    """A value's size for the memo's bound: its top-level items (a customer list: customers)."""
    return max(1, len(value)) if isinstance(value, (list, dict, tuple)) else 1


class SmsCache:
    """Tagged, lifetime-bound cache; ``enabled=False`` makes every read go to SMS."""

    def __init__(self, directory: str, *, enabled: bool = True, lifetime: int = 472000,
                 memo_size: int = 64, memo_items: int = MEMO_ITEMS) -> None:
        self.directory = directory
        self.enabled = enabled
        self.lifetime = lifetime
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)
        self._store = diskcache.Cache(directory, timeout=5, eviction_policy="least-recently-stored",
                                      size_limit=2**30)
        self._memo: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self._memo_size = memo_size
        self._memo_items = memo_items
        self._memo_weight = 0
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
        with self._lock:
            self._memo.clear()

    # -- entries -------------------------------------------------------------------------------

    def get_or_call(self, key: str, tags: Iterable[str], call: Callable[[], Any], *,
                    fresh: bool = False) -> Cached:
        """The cached value of ``key`` if still valid, else ``call()``'s result (then cached).

        Exceptions from ``call`` propagate and nothing is stored.
        """
        if not self.enabled or self.lifetime <= 0:
            return Cached(call(), time.time(), False)
        tags = tuple(tags) + ("*",)
        if not fresh:
            hit = self._read(key, tags)
            if hit is not None:
                return hit
        gens = self._generations(tags)
        value = call()
        now = time.time()
        token = uuid.uuid4().hex
        # The value carries its token: value and meta are two writes, and another reader's
        # value landing between them must not pass for this meta's (fresher) one.
        self._store.set(_VAL + key, (token, value), expire=self.lifetime)
        self._store.set(_META + key, (token, now, gens), expire=self.lifetime)
        self._remember(key, token, value)
        return Cached(value, now, False, token)

    def _read(self, key: str, tags: tuple[str, ...]) -> Cached | None:
        meta = self._store.get(_META + key)
        if meta is None:
            return None
        token, stored_at, gens = meta
        if set(gens) != set(tags) or self._generations(tags) != gens:
            return None
        with self._lock:
            memo = self._memo.get(key)
            if memo is not None and memo[0] == token:
                self._memo.move_to_end(key)
                return Cached(memo[1], stored_at, True, token)
        stored = self._store.get(_VAL + key, default=_MISSING)
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == token):
            return None  # gone, or written by another read than this meta's
        value = stored[1]
        self._remember(key, token, value)
        return Cached(value, stored_at, True, token)

    def _remember(self, key: str, token: str, value: Any) -> None:
        # Bounded by size as well as by count: 64 entries of whole customer lists would pin
        # gigabytes in every worker.  The newest value is always kept (it is being served).
        with self._lock:
            old = self._memo.pop(key, None)
            if old is not None:
                self._memo_weight -= memo_weight(old[1])
            self._memo[key] = (token, value)
            self._memo_weight += memo_weight(value)
            while len(self._memo) > 1 and (len(self._memo) > self._memo_size
                                           or self._memo_weight > self._memo_items):
                _, (_, dropped) = self._memo.popitem(last=False)
                self._memo_weight -= memo_weight(dropped)

    @property
    def memo_weight(self) -> int:
        """Items held by this process's memo (see :func:`memo_weight`)."""
        with self._lock:
            return self._memo_weight


_MISSING = object()


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
