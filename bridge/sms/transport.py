"""XML-RPC over HTTP(S) with requests: bounded time, bounded size, hardened parsing.

Why not ``xmlrpc.client.ServerProxy``: it cannot bound a whole call (only each socket read), it
reads the whole body into memory before parsing, it accepts DTDs, and its errors do not tell a
refused connection from a broken reply.  Here every failure becomes :class:`SmsUnavailable`
with an English reason, and a fault becomes :class:`SmsFault` with SMS's text untouched.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import weakref
import xmlrpc.client
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit
from xml.parsers.expat import ExpatError

import requests
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.xmlrpc import DefusedExpatParser
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from bridge.sms.errors import SmsFault, SmsUnavailable
from bridge.sms.fastdecode import FastArrayDecoder
from bridge.sms.rows import Layouts

USER_AGENT = "LMS SGT"
CHUNK_BYTES = 64 * 1024
POOL_SIZE = 16
MAX_REDIRECTS = 5  # what the reference client (Zend) followed


class Decoder(Protocol):
    """What reads a reply body: ReplyDecoder, or bridge.sms.stream's StreamDecoder."""

    def feed(self, chunk: bytes) -> None: ...

    def close(self) -> Any: ...


def safe_url(url: str) -> str:
    """The URL without any user:password@ part, fit for logs and error messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def size_text(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _snippet(data: bytes, limit: int = 60) -> str:
    """A short printable preview of bytes SMS sent, so a log shows what came back."""
    text = data[:limit].decode("utf-8", "replace")
    text = re.sub(r"[^\x20-\x7e\u00a0-\ufffc]", "?", text).strip()
    return repr(text + ("..." if len(data) > limit else ""))


def _seconds(t: float) -> str:
    return f"{t:g} s"


# -- whole-call deadline ------------------------------------------------------------------------
#
# requests only bounds each socket operation, so a server that sends its status line and headers
# a byte at a time could hold a call for ever.  Each call therefore arms a watchdog; the
# connections below report the socket a call uses, and when the deadline passes the watchdog
# shuts that socket down, which ends any blocked read at once.

_CURRENT = threading.local()


class _Watchdog:
    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._done = False
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        _CURRENT.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()
        _CURRENT.watchdog = None

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            _shutdown(self._sock)


def _shutdown(sock: socket.socket | None) -> None:
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _watch_this_connection(conn: HTTPConnection) -> None:
    watchdog = getattr(_CURRENT, "watchdog", None)
    if watchdog is not None:
        watchdog.attach(conn.sock)


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().request(*args, **kwargs)
        _watch_this_connection(self)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().request(*args, **kwargs)
        _watch_this_connection(self)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool,
                                                   "https": _WatchedHTTPSPool}


class XmlRpcTransport:
    """Posts one XML-RPC request and returns the decoded value; safe to share between threads.

    Each thread gets its own ``requests.Session`` (Sessions are not documented thread-safe),
    each with a keep-alive pool, so concurrent calls never share mutable client state.
    """

    def __init__(self, url: str, *, verify: bool | str = True) -> None:
        self.url = url
        self.shown_url = safe_url(url)
        self.verify = verify
        self._local = threading.local()
        self._sessions: weakref.WeakSet[requests.Session] = weakref.WeakSet()
        self._lock = threading.Lock()

    # -- sessions --------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = _Adapter(pool_connections=1, pool_maxsize=POOL_SIZE, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.max_redirects = MAX_REDIRECTS
            session.verify = self.verify
            session.headers.update({
                "User-Agent": USER_AGENT,
                "Content-Type": "text/xml; charset=utf-8",
                "Accept": "text/xml",
            })
            self._local.session = session
            with self._lock:
                self._sessions.add(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions)
            self._sessions = weakref.WeakSet()
        for session in sessions:
            session.close()
        self._local = threading.local()

    # -- one call --------------------------------------------------------------------------

    def call(self, method: str, params: tuple[Any, ...], *, timeout: float,
             max_bytes: int, decoder: Decoder | None = None) -> Any:
        """POST ``method(*params)``; the whole exchange ends within about ``timeout`` seconds.

        ``decoder`` (default: a new :class:`ReplyDecoder`) gets the body as it arrives and its
        ``close()`` is the call's result; a streaming one hands items over while reading.
        """
        try:
            body = xmlrpc.client.dumps(params, method, encoding="utf-8", allow_none=True)
        except TypeError as exc:
            raise ValueError(f"{method}: argument cannot be sent over XML-RPC: {exc}") from None
        deadline = time.monotonic() + timeout
        with _Watchdog(timeout) as watchdog:
            # Once the watchdog has cut the socket, whatever broke next is really the timeout.
            try:
                response = self._post(body.encode("utf-8"), timeout)
            except SmsUnavailable as exc:
                if watchdog.fired and " within " not in exc.reason:
                    raise SmsUnavailable(f"SMS did not answer within {_seconds(timeout)}") \
                        from None
                raise
            try:
                return self._read(response, deadline, timeout, max_bytes, decoder)
            except SmsUnavailable as exc:
                if watchdog.fired and " within " not in exc.reason:
                    raise SmsUnavailable(f"SMS did not send its whole reply within "
                                         f"{_seconds(timeout)}") from None
                raise
            finally:
                response.close()

    def _post(self, body: bytes, timeout: float) -> requests.Response:
        where = self.shown_url
        try:
            return self._session().post(self.url, data=body, timeout=(timeout, timeout),
                                        stream=True)
        except requests.exceptions.ConnectTimeout:
            raise SmsUnavailable(f"SMS unreachable: no connection within {_seconds(timeout)} "
                                 f"({where})") from None
        except requests.exceptions.ReadTimeout:
            raise SmsUnavailable(f"SMS did not answer within {_seconds(timeout)}") from None
        except requests.exceptions.SSLError as exc:
            raise SmsUnavailable(f"SMS TLS failure: {_tls_detail(exc)} ({where})") from None
        except requests.exceptions.TooManyRedirects:
            raise SmsUnavailable(f"SMS redirected more than {MAX_REDIRECTS} times "
                                 f"({where})") from None
        except requests.exceptions.ConnectionError as exc:
            detail, retryable = _connection_detail(exc)
            raise SmsUnavailable(f"SMS unreachable: {detail} ({where})",
                                 retryable=retryable) from None
        except requests.exceptions.RequestException as exc:
            raise SmsUnavailable(f"SMS request failed: {type(exc).__name__} ({where})") from None

    def _read(self, response: requests.Response, deadline: float, timeout: float,
              max_bytes: int, decoder: Decoder | None = None) -> Any:
        status = response.status_code
        if not 200 <= status < 300:
            reason = f" ({response.reason})" if response.reason else ""
            raise SmsUnavailable(f"SMS sent HTTP {status}{reason}", retryable=status >= 500,
                                 status=status)
        ctype = response.headers.get("Content-Type", "").lower()
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > max_bytes:
            raise SmsUnavailable(f"SMS reply too large: {size_text(int(announced))} announced, "
                                 f"limit {size_text(max_bytes)}")
        if "html" in ctype:
            head = _read_some(response, 4096)
            title = re.search(rb"<title[^>]*>(.*?)</title>", head, re.I | re.S)
            shown = _snippet(title.group(1).strip()) if title else _snippet(head)
            raise SmsUnavailable(f"SMS sent an HTML page instead of an XML-RPC reply "
                                 f"(HTTP {status}, {shown})")
        return _parse_stream(response, deadline, timeout, max_bytes, decoder)


def _read_some(response: requests.Response, limit: int) -> bytes:
    try:
        return response.raw.read(limit, decode_content=True) or b""
    except Exception:  # noqa: BLE001 - only a preview for the message
        return b""


def _socket_of(response: requests.Response) -> socket.socket | None:
    # The socket the body is read from: the file object's, since the pool may already have
    # dropped its own reference to the connection.
    fp = getattr(getattr(response.raw, "_fp", None), "fp", None)
    sock = getattr(getattr(fp, "raw", None), "_sock", None)
    if sock is None:
        sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _limit_wait(sock: socket.socket | None, seconds: float) -> None:
    if sock is not None:
        try:
            sock.settimeout(seconds)
        except OSError:
            pass  # already closed by the peer; the rest of the body is buffered


class _LeanUnmarshaller(xmlrpc.client.Unmarshaller):
    """Unmarshaller sharing one object per distinct short string within a reply.

    A 100k-event billing reply repeats the same member names, dates and customer numbers in
    every struct; sharing them cuts the decoded list's memory by about a third.
    """

    MEMO_LIMIT = 200_000
    MEMO_MAX_LEN = 40

    def __init__(self) -> None:
        super().__init__(use_builtin_types=True)
        self._memo: dict[str, str] = {}

    def end_string(self, data: str) -> None:
        super().end_string(data)
        value = self._stack[-1]
        if len(value) <= self.MEMO_MAX_LEN:
            shared = self._memo.get(value)
            if shared is not None:
                self._stack[-1] = shared
            elif len(self._memo) < self.MEMO_LIMIT:
                self._memo[value] = value

    def close(self) -> tuple[Any, ...]:
        # The stdlib builds Fault(**struct), so a fault struct missing a member (or with extra
        # ones) would look like garbage; take the two members it has.
        if self._type == "fault" and not self._marks and self._stack:
            fault = self._stack[0] if isinstance(self._stack[0], dict) else {}
            raise xmlrpc.client.Fault(fault.get("faultCode"), fault.get("faultString"))
        return super().close()

    dispatch = dict(xmlrpc.client.Unmarshaller.dispatch)
    dispatch["string"] = end_string
    dispatch["name"] = end_string


def _parse_stream(response: requests.Response, deadline: float, timeout: float,
                  max_bytes: int, decoder: Decoder | None = None) -> Any:
    """Decode the body chunk by chunk as it arrives, never holding it whole."""
    if decoder is None:
        decoder = ReplyDecoder()
    sock = _socket_of(response)
    total = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SmsUnavailable(f"SMS did not send its whole reply within {_seconds(timeout)}")
        # One read waits at most until the call's deadline, so a server trickling a byte at
        # a time cannot stretch the call past it.
        _limit_wait(sock, remaining)
        try:
            chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
        except (ReadTimeoutError, TimeoutError):
            raise SmsUnavailable(f"SMS did not send its whole reply within "
                                 f"{_seconds(timeout)}") from None
        except DecodeError:
            raise SmsUnavailable("SMS sent a corrupt compressed reply") from None
        except (ProtocolError, requests.exceptions.ChunkedEncodingError, OSError) as exc:
            raise SmsUnavailable(f"SMS connection broke off mid-reply after "
                                 f"{size_text(total)} ({_break_detail(exc)})",
                                 retryable=True) from None
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise SmsUnavailable(f"SMS reply too large: more than {size_text(max_bytes)}")
        decoder.feed(chunk)
    if total == 0:
        raise SmsUnavailable("SMS sent an empty reply", retryable=True)
    return decoder.close()


class ReplyDecoder:
    """Decodes one XML-RPC reply fed in pieces; failures are SmsFault / SmsUnavailable.

    The fast decoder takes the common big shape (an array of flat structs); the moment the body
    leaves that shape it hands what it has not decoded to a DTD-refusing expat parser, whose
    result gets the items already decoded put back in front.  ``fast=False`` uses expat only.

    ``rows=True``: the flat structs of a list reply come as compact rows (bridge.sms.rows);
    a struct holding a struct or a list stays a dict.
    """

    def __init__(self, *, fast: bool = True, rows: bool = False) -> None:
        self._rows = rows
        self._fast: FastArrayDecoder | None = FastArrayDecoder(rows=rows) if fast else None
        self._layouts = self._fast.layouts if self._fast is not None else None
        self._target: _LeanUnmarshaller | None = None
        self._parser: DefusedExpatParser | None = None
        self._prefix: list[Any] = []
        self._first = b""
        if not fast:
            self._full()

    def _full(self) -> DefusedExpatParser:
        self._target = _LeanUnmarshaller()
        self._parser = DefusedExpatParser(self._target, forbid_dtd=True)
        return self._parser

    def _hand_over(self, fast: FastArrayDecoder) -> None:
        self._fast = None
        self._prefix = fast.items
        _feed(self._full(), fast.replay(), self._first)

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if not self._first:
            self._first = chunk[:80]
        fast = self._fast
        if fast is not None:
            if not fast.feed(chunk):
                self._hand_over(fast)
        else:
            assert self._parser is not None
            _feed(self._parser, chunk, self._first)

    def close(self) -> Any:
        """The reply's value (a list when it has several params)."""
        fast = self._fast
        if fast is not None:
            done = fast.finish()
            if done is not None:
                return done[0]
            self._hand_over(fast)
        assert self._parser is not None and self._target is not None
        _feed(self._parser, None, self._first)
        try:
            result = list(self._target.close())
        except xmlrpc.client.Fault as fault:
            code = _fault_code(fault.faultCode)
            raise SmsFault(code, _fault_text(fault.faultString, code)) from None
        except Exception:  # noqa: BLE001 - any other failure means the reply is no XML-RPC
            raise SmsUnavailable(f"SMS sent an unparsable reply: not an XML-RPC response "
                                 f"(starts {_snippet(self._first)})") from None
        if self._rows and isinstance(result[0], list):
            layouts = self._layouts or Layouts()
            result[0] = [layouts.row(item) if isinstance(item, dict) and not any(
                isinstance(v, (dict, list)) for v in item.values()) else item
                for item in result[0]]
        if self._prefix:
            # The replayed document starts with the same <array>, minus the items taken.
            result[0] = self._prefix + result[0]
        return result[0] if len(result) == 1 else result


def decode_reply(chunks: Iterable[bytes], *, fast: bool = True) -> Any:
    """A whole reply's value from its pieces (what a call returns or raises for that body)."""
    decoder = ReplyDecoder(fast=fast)
    for chunk in chunks:
        decoder.feed(chunk)
    return decoder.close()


def _feed(parser: DefusedExpatParser, chunk: bytes | None, first: bytes) -> None:
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
    except DTDForbidden as exc:
        if str(exc.name).lower() == "html":  # an error page served as text/xml
            raise SmsUnavailable(f"SMS sent an HTML page instead of an XML-RPC reply "
                                 f"(starts {_snippet(first)})") from None
        raise SmsUnavailable("SMS sent an unparsable reply: it declares a DTD or entities, "
                             "refused to guard against entity-expansion attacks") from None
    except (EntitiesForbidden, ExternalReferenceForbidden):
        raise SmsUnavailable("SMS sent an unparsable reply: it declares a DTD or entities, "
                             "refused to guard against entity-expansion attacks") from None
    except ExpatError as exc:
        what = "incomplete" if chunk is None else "malformed"
        raise SmsUnavailable(f"SMS sent an unparsable reply: {what} XML ({exc}; starts "
                             f"{_snippet(first)})") from None
    except xmlrpc.client.ResponseError as exc:
        # Well-formed XML with a value tag XML-RPC does not have (<struc>, <i9>).
        what = exc.args[0] if exc.args and isinstance(exc.args[0], str) else _short(exc)
        raise SmsUnavailable(f"SMS sent an unparsable reply: not an XML-RPC response "
                             f"({what[:160]}; starts {_snippet(first)})") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Unmarshaller converting e.g. <int>abc</int> or <double>x</double>.
        raise SmsUnavailable(f"SMS sent an unparsable reply: bad value ({_short(exc)})") from None
    except (IndexError, KeyError):
        # The unmarshaller's stacks at a <member> with no <name> or no <value> (or two names).
        raise SmsUnavailable(f"SMS sent an unparsable reply: not an XML-RPC response (a struct "
                             f"member without its name or value; starts {_snippet(first)})") \
            from None


def _fault_code(code: Any) -> int:
    try:
        return int(code)
    except (TypeError, ValueError):
        return 0


def _fault_text(text: Any, code: int) -> str:
    """SGT's text as it is; anything else (a struct, a number, nothing) would reach the operator
    as Python's repr, so they get a Polish sentence with the code instead."""
    if isinstance(text, str) and text.strip():
        return text
    return f"SMS zwrócił nieczytelny błąd (kod {code})"


def _short(exc: BaseException, limit: int = 160) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            args = getattr(exc, "args", ())
            nxt = next((a for a in args if isinstance(a, BaseException)), None)
            reason = getattr(exc, "reason", None)
            if nxt is None and isinstance(reason, BaseException):
                nxt = reason
        if nxt is None:
            break
        exc = nxt
    return exc


def _connection_detail(exc: BaseException) -> tuple[str, bool]:
    """A plain phrase for why the connection failed, and whether asking again may help."""
    root = _root_cause(exc)
    text = str(exc).lower() + " " + str(root).lower()
    if isinstance(root, ConnectionRefusedError) or "refused" in text:
        return "connection refused", True
    if isinstance(root, ConnectionResetError) or "reset by peer" in text:
        return "connection reset", True
    if isinstance(root, socket.gaierror) or "name or service not known" in text \
            or "failed to resolve" in text or "nodename nor servname" in text:
        return "host name not found", False
    if "remotedisconnected" in text or "without response" in text:
        return "connection closed without a reply", True
    if isinstance(root, ConnectionAbortedError) or "aborted" in text:
        return "connection aborted", True
    return _short(root), True


def _break_detail(exc: BaseException) -> str:
    """Why a body stopped early, in a few words (no nested exception reprs)."""
    root = _root_cause(exc)
    text = f"{exc} {root}".lower()
    if isinstance(root, ConnectionResetError) or "reset by peer" in text:
        return "connection reset"
    if "incompleteread" in text or "incomplete" in text:
        return "connection closed before the announced length"
    return _short(root)


def _tls_detail(exc: BaseException) -> str:
    text = str(_root_cause(exc)) or str(exc)
    if "certificate verify failed" in text.lower() or "certificate" in text.lower():
        m = re.search(r"certificate verify failed: ([^(\)']+)", text)
        return "certificate verification failed" + (f" ({m.group(1).strip()})" if m else "")
    return _short(exc)
