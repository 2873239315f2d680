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


# A value held only by the work item's tuple, the loop variable and getrefcount's argument.
_ONLY_HERE = 3
_WAIT_S = 2.0
# Items freed between two chances for the request threads to take the GIL: freeing a list of
# 100,000 customers in one go holds the GIL for some 40-100 ms, a stall of every request of the
# worker (the tail of its response times); 2,000 rows at a time are about 1 ms each.
CHUNK = 2000


def _drop(values: tuple[Any, ...]) -> None:
    """Wait until this thread holds the last reference to each value, then let it go: whoever
    drops the last reference frees the objects, and the caller may still be returning."""
    deadline = time.monotonic() + _WAIT_S
    for value in values:
        while sys.getrefcount(value) > _ONLY_HERE and time.monotonic() < deadline:
            time.sleep(0.005)
        if type(value) is list and len(value) > CHUNK \
                and sys.getrefcount(value) <= _ONLY_HERE:
            # Nobody else can see the list any more: empty it a piece at a time.
            while value:
                del value[-CHUNK:]
                time.sleep(0)  # let a waiting request thread have the GIL
    # the pool's thread releases the work item, and with it ``values``


def free_later(*values: Any) -> None:
    """Let the background thread drop these values (callers drop their own references)."""
    if values:
        _pool.submit(_drop, values)
