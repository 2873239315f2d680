"""gunicorn's gthread worker with bounds on how long a client may take to send its request.

Stock gthread hands a connection to a pool thread as soon as its first bytes arrive and then
reads the rest with no time limit, so a client that never finishes its headers, or announces a
body it never sends, holds a thread for ever; a few of them froze the bridge, /health/live
included.  Here:

- each read of a request waits at most ``LMSTV_CLIENT_TIMEOUT`` seconds (default 10);
- the request line and headers must be complete within ``LMSTV_HEADER_DEADLINE`` seconds of the
  request's first byte being picked up (default 20), and the body within ``LMSTV_BODY_DEADLINE``
  seconds after the headers (default 60) -- so a client dripping one byte just before each read
  timeout cannot hold a thread for ever either.

The PHP shim sends its whole request at once on loopback (milliseconds), so the defaults leave a
wide margin.  A client past a header limit is disconnected quietly; past a body limit the app
answers 408.  Together with enough threads (bridge/gunicorn_conf.py) slow clients cannot take
every thread.  Measured by bench/bench_slow_clients.py.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        value = float(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"lmstv: {name}={raw!r} is not a number of seconds; use e.g. "
                         f"{name}={default:g}") from None
    if value <= 0:
        raise SystemExit(f"lmstv: {name}={raw!r} must be more than 0 seconds")
    return value


CLIENT_TIMEOUT = _seconds("LMSTV_CLIENT_TIMEOUT", 10)
HEADER_DEADLINE = _seconds("LMSTV_HEADER_DEADLINE", 20)
BODY_DEADLINE = _seconds("LMSTV_BODY_DEADLINE", 60)


class _SlowClient(OSError):
    """A client too slow to send its request; gunicorn closes such a connection quietly."""

    def __init__(self, what: str = "its request") -> None:
        super().__init__(errno.ENOTCONN, f"client too slow to send {what}")


class _TimedSocket:
    """The connection's socket as the request parser sees it: every read ends after
    CLIENT_TIMEOUT seconds of silence, and none starts after the current phase's deadline."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._deadline: float | None = None
        self._phase = "its request"

    def start(self, seconds: float, phase: str) -> None:
        """From now on, the reads of ``phase`` must be over within ``seconds``."""
        self._deadline = time.monotonic() + seconds
        self._phase = phase

    def _arm(self) -> None:
        if self._deadline is None:
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise _SlowClient(self._phase)
        self._sock.settimeout(min(CLIENT_TIMEOUT, left))

    def recv(self, *args: Any) -> bytes:
        self._arm()
        try:
            return self._sock.recv(*args)
        except TimeoutError:
            raise _SlowClient(self._phase) from None

    def recv_into(self, *args: Any) -> int:
        self._arm()
        try:
            return self._sock.recv_into(*args)
        except TimeoutError:
            raise _SlowClient(self._phase) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _timed(conn: Any) -> _TimedSocket | None:
    parser = getattr(conn, "parser", None)
    if parser is None:
        return None
    sock = parser.unreader.sock
    if not isinstance(sock, _TimedSocket):
        sock = _TimedSocket(sock)
        parser.unreader.sock = sock
    return sock


class BridgeThreadWorker(ThreadWorker):
    def handle(self, conn: Any) -> Any:
        # init() has just made the socket blocking (no timeout); bound every read instead.
        # handle() runs once per request (keep-alive connections come back through the
        # poller), so each request gets its own header deadline.
        conn.sock.settimeout(CLIENT_TIMEOUT)
        timed = _timed(conn)
        if timed is not None:
            timed.start(HEADER_DEADLINE, "its request headers")
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        # The headers are parsed; what the app reads now is the body.
        timed = _timed(conn)
        if timed is not None:
            timed.start(BODY_DEADLINE, "its request body")
        return super().handle_request(req, conn)
