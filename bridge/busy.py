"""How many requests this process is serving, so that background work can wait for a gap.

The customer list's blocks are written by a background thread of the worker that fetched the
list (bridge.services.customers).  Run beside a request of the same worker it takes the GIL
from it in turns; waiting for a moment when no request is being served keeps the requests
right after a fetch (every worker pages the new list at once) as fast as before.
"""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_serving = 0


def enter() -> None:
    """A request starts (called by the app's first before_request hook)."""
    global _serving
    with _lock:
        _serving += 1


def leave() -> None:
    """A request has ended (teardown_request, whatever happened in it)."""
    global _serving
    with _lock:
        _serving = max(0, _serving - 1)


def serving() -> int:
    return _serving


def wait_for_gap(limit_s: float, poll_s: float = 0.001) -> None:
    """Return once this process serves no request, or after ``limit_s`` at most (the work
    must still get done in a process that is never idle)."""
    deadline = time.monotonic() + limit_s
    while _serving and time.monotonic() < deadline:
        time.sleep(poll_s)
