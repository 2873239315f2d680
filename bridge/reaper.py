"""Freeing big values off the request's path.

Dropping the last reference to a list of 100,000 decoded customers frees some two million
objects, close to a second on a busy box, in whichever thread happens to drop it: a request's.
:func:`free_later` hands such values to one background thread, which drops them instead.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lmstv-free")


# A value held only by ``_drop``'s local variable and getrefcount's argument.
_ONLY_HERE = 2
_WAIT_S = 2.0
# Items freed between two chances for the request threads to take the GIL: freeing a list of
# 100,000 customers in one go holds the GIL for some 40-100 ms, a stall of every request of the
# worker (the tail of its response times); 2,000 rows at a time are about 1 ms each.
CHUNK = 2000


def _drop(values: list[Any]) -> None:
    """Wait until this thread holds the last reference to each value, then let it go: whoever
    drops the last reference frees the objects, and the caller may still be returning."""
    deadline = time.monotonic() + _WAIT_S
    while values:
        value = values.pop()
        while sys.getrefcount(value) > _ONLY_HERE and time.monotonic() < deadline:
            time.sleep(0.005)
        if type(value) in (list, tuple) and len(value) > CHUNK \
                and sys.getrefcount(value) <= _ONLY_HERE:
            # Nobody else can see it any more: empty it a piece at a time.  A tuple (the
            # customer lists kept whole are tuples, out of the collector's sight) is first
            # copied to a list, which only moves the references: its items stay alive.
            if type(value) is tuple:
                value = list(value)
            while value:
                del value[-CHUNK:]
                time.sleep(0)  # let a waiting request thread have the GIL
        del value
    # the pool's thread releases the work item, whose list of values is empty by now


def free_later(*values: Any) -> None:
    """Let the background thread drop these values (callers drop their own references)."""
    if values:
        _pool.submit(_drop, list(values))
