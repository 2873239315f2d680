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

Two costs of a new connection are cut (the PHP shim opens one per request; bench/bench_warmpage.py
measures them):

- the listening socket is watched with EPOLLEXCLUSIVE, so a new connection wakes one idle
  worker instead of every worker (the others went round their loop for nothing: a failed
  accept, the heartbeat, a wait on their futures);
- a connection whose request has already arrived when it is accepted goes to a thread at once,
  as stock gthread does once the poller reports it readable -- without registering it, going
  round the loop and unregistering it.  A connection with nothing to read yet waits in the
  poller as before, so a client that connects and stays silent still holds no thread.
"""

from __future__ import annotations

import errno
import os
import select
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker


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
        timeout = min(CLIENT_TIMEOUT, left)
        # settimeout() is a system call each time (ioctl); a request's reads mostly keep the
        # CLIENT_TIMEOUT that handle() set, so only a shorter bound near the deadline needs one.
        if timeout != self._sock.gettimeout():
            self._sock.settimeout(timeout)

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


class _ExclusiveAcceptSelector(selectors.EpollSelector):
    """An epoll selector that watches the given listening sockets with EPOLLEXCLUSIVE."""

    def __init__(self, listeners: set[int]) -> None:
        super().__init__()
        self._listeners = listeners

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        key = super().register(fileobj, events, data)
        epoll = getattr(self, "_selector", None)  # CPython's EpollSelector keeps its epoll here
        if key.fd in self._listeners and isinstance(epoll, select.epoll) \
                and events == selectors.EVENT_READ:
            # EPOLLEXCLUSIVE cannot be added by modify(): register the descriptor again.
            epoll.unregister(key.fd)
            try:
                epoll.register(key.fd, select.EPOLLIN | select.EPOLLEXCLUSIVE)
            except OSError:  # a kernel before Linux 4.5: every worker is woken, as before
                epoll.register(key.fd, select.EPOLLIN)
        return key


def _request_waiting(sock: socket.socket) -> bool:
    """Whether the new connection (non-blocking) has bytes to read, or has ended, already."""
    try:
        sock.recv(1, socket.MSG_PEEK)
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True  # reset or similar: the handler meets it as after a readable event
    return True


class BridgeThreadWorker(ThreadWorker):
    def run(self) -> None:
        if hasattr(select, "EPOLLEXCLUSIVE") and isinstance(self.poller, selectors.EpollSelector):
            self.poller.close()
            self.poller = _ExclusiveAcceptSelector({s.fileno() for s in self.sockets})
        super().run()

    def accept(self, server: Any, listener: Any) -> None:
        try:
            sock, client = listener.accept()
        except OSError as e:
            # another worker took it, or the client gave up before it was accepted
            if e.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        conn = TConn(self.cfg, sock, client, server)  # non-blocking until a thread takes it
        self.nr_conns += 1
        if _request_waiting(conn.sock):
            self.enqueue_req(conn)
            return
        with self._lock:
            self.poller.register(conn.sock, selectors.EVENT_READ,
                                 partial(self.on_client_socket_readable, conn))

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
