"""Freeing big values off the request's path.

Dropping the last reference to a list of 100,000 decoded customers frees some two million
objects, close to a second on a busy box, in whichever thread happens to drop it: a request's.
:func:`free_later` hands such values to one background thread, which drops them instead.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lmstv-free")


def _drop(values: Any) -> None:
    """Nothing to do: the pool's thread releases the work item, and with it ``values``."""


def free_later(*values: Any) -> None:
    """Let the background thread drop these values (the caller must hold no other reference
    for long: whoever drops the last one frees the objects)."""
    if values:
        _pool.submit(_drop, values)
