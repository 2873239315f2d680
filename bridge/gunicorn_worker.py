"""gunicorn's gthread worker with a bound on how long a client may take to send its request.

Stock gthread hands a connection to a pool thread as soon as its first bytes arrive and then
reads the rest with no time limit, so a client that never finishes its headers, or announces a
body it never sends, holds a thread for ever; a few of them froze the bridge, /health/live
included.  Here each read of a request waits at most ``LMSTV_CLIENT_TIMEOUT`` seconds (default
10; the PHP shim sends its whole request at once), after which the connection is dropped and the
thread is free again.  Together with enough threads (bridge/gunicorn_conf.py) slow clients cannot
take every thread.  Measured by bench/bench_slow_clients.py.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

CLIENT_TIMEOUT = float(os.environ.get("LMSTV_CLIENT_TIMEOUT", "10"))


class _SlowClient(OSError):
    """A client too slow to send its request; gunicorn closes such a connection quietly."""

    def __init__(self) -> None:
        super().__init__(errno.ENOTCONN, "client too slow to send its request")


class _TimedSocket:
    """The connection's socket, whose reads end after CLIENT_TIMEOUT seconds of silence."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def recv(self, *args: Any) -> bytes:
        try:
            return self._sock.recv(*args)
        except TimeoutError:
            raise _SlowClient() from None

    def recv_into(self, *args: Any) -> int:
        try:
            return self._sock.recv_into(*args)
        except TimeoutError:
            raise _SlowClient() from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class BridgeThreadWorker(ThreadWorker):
    def handle(self, conn: Any) -> Any:
        # init() has just made the socket blocking (no timeout); bound every read instead.
        conn.sock.settimeout(CLIENT_TIMEOUT)
        parser = conn.parser
        if parser is not None and not isinstance(parser.unreader.sock, _TimedSocket):
            parser.unreader.sock = _TimedSocket(parser.unreader.sock)
        return super().handle(conn)
