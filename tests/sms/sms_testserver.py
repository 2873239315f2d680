"""A tiny real HTTP server on 127.0.0.1 that records XML-RPC requests and misbehaves on demand.

Each request is answered by the next planned behaviour (``server.plan``), else by
``server.default``.  Behaviours write real bytes to a real socket: slow, trickling, reset,
truncated, oversized, HTML, entity bombs — the failures SMS or a proxy in front of it can cause.
"""

from __future__ import annotations

import http.server
import socket
import struct
import threading
import time
import xmlrpc.client
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Behaviour = Callable[["Handler", "Recorded"], None]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes
    method: str = ""
    params: tuple[Any, ...] = ()


@dataclass
class RecordingServer:
    httpd: http.server.ThreadingHTTPServer
    thread: threading.Thread
    requests: list[Recorded] = field(default_factory=list)
    plan: deque[Behaviour] = field(default_factory=deque)
    default: Behaviour | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/sms/xmlrpc"

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class Handler(http.server.BaseHTTPRequestHandler):
    server: _Httpd

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        rec = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        try:
            rec.params, rec.method = xmlrpc.client.loads(body, use_builtin_types=True)
        except Exception:  # noqa: BLE001 - recorded as-is, the test decides
            pass
        owner = self.server.owner
        owner.requests.append(rec)
        behaviour = owner.plan.popleft() if owner.plan else owner.default or reply(True)
        try:
            behaviour(self, rec)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, which is what several tests provoke

    def log_message(self, *args: object) -> None:
        pass


class _Httpd(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: RecordingServer


def start_server() -> RecordingServer:
    httpd = _Httpd(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    server = RecordingServer(httpd, thread)
    httpd.owner = server
    thread.start()
    return server


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- behaviours ---------------------------------------------------------------------------------


def response_xml(value: Any) -> bytes:
    return xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True,
                              encoding="utf-8").encode("utf-8")


def _send(h: Handler, status: int, body: bytes, ctype: str = "text/xml; charset=utf-8",
          length: int | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body) if length is None else length))
    h.end_headers()
    h.wfile.write(body)


def reply(value: Any) -> Behaviour:
    return lambda h, rec: _send(h, 200, response_xml(value))


def echo() -> Behaviour:
    """Answer with the request's own method and parameters after the auth struct."""
    return lambda h, rec: _send(h, 200, response_xml({"method": rec.method,
                                                      "args": list(rec.params[1:])}))


def fault(code: int, text: str) -> Behaviour:
    body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True,
                               encoding="utf-8").encode("utf-8")
    return lambda h, rec: _send(h, 200, body)


def http_error(status: int, body: bytes = b"<html><title>Bad Gateway</title></html>",
               ctype: str = "text/html") -> Behaviour:
    return lambda h, rec: _send(h, status, body, ctype)


def raw(body: bytes, ctype: str = "text/xml") -> Behaviour:
    return lambda h, rec: _send(h, 200, body, ctype)


def truncated(value: Any = None) -> Behaviour:
    """A reply cut in half, honestly announced: a well-delivered but incomplete document."""
    full = response_xml(value if value is not None else [{"cust_number": "673041502"}] * 20)
    return raw(full[: len(full) // 2])


def reset_mid_body() -> Behaviour:
    """Announce a full body, send half of it, then abort the TCP connection (RST)."""
    def run(h: Handler, rec: Recorded) -> None:
        full = response_xml([{"cust_number": "673041502", "x": "y" * 100}] * 200)
        h.send_response(200)
        h.send_header("Content-Type", "text/xml")
        h.send_header("Content-Length", str(len(full)))
        h.end_headers()
        h.wfile.write(full[: len(full) // 2])
        h.wfile.flush()
        time.sleep(0.05)
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True
    return run


def hang(max_seconds: float = 30.0) -> Behaviour:
    """Read the request, then never answer (until the test ends)."""
    def run(h: Handler, rec: Recorded) -> None:
        h.server.owner.stop.wait(max_seconds)
    return run


def delayed(seconds: float, value: Any = True) -> Behaviour:
    def run(h: Handler, rec: Recorded) -> None:
        if not h.server.owner.stop.wait(seconds):
            _send(h, 200, response_xml(value))
    return run


def trickle(interval: float = 0.1, max_seconds: float = 30.0) -> Behaviour:
    """Headers at once, then one byte of a valid reply per ``interval``: never idle long."""
    def run(h: Handler, rec: Recorded) -> None:
        body = response_xml(["x" * 5000])
        h.send_response(200)
        h.send_header("Content-Type", "text/xml")
        h.end_headers()
        h.wfile.flush()
        deadline = time.monotonic() + max_seconds
        for byte in body:
            if h.server.owner.stop.wait(interval) or time.monotonic() > deadline:
                return
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
    return run


def trickle_headers(interval: float = 0.1, max_seconds: float = 30.0) -> Behaviour:
    """The status line and headers one byte per ``interval``: each read is quick, none ends."""
    def run(h: Handler, rec: Recorded) -> None:
        head = b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nX-Padding: " + b"p" * 2000
        deadline = time.monotonic() + max_seconds
        for byte in head:
            if h.server.owner.stop.wait(interval) or time.monotonic() > deadline:
                return
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
    return run


def big_reply(total_bytes: int, *, announce_length: bool) -> Behaviour:
    """A valid reply whose one string is ``total_bytes`` long, streamed in 1 MiB writes."""
    def run(h: Handler, rec: Recorded) -> None:
        head = b"<?xml version='1.0'?><methodResponse><params><param><value><string>"
        tail = b"</string></value></param></params></methodResponse>"
        block = b"a" * (1 << 20)
        h.send_response(200)
        h.send_header("Content-Type", "text/xml")
        if announce_length:
            h.send_header("Content-Length", str(len(head) + total_bytes + len(tail)))
        h.end_headers()
        h.wfile.write(head)
        sent = 0
        while sent < total_bytes and not h.server.owner.stop.is_set():
            piece = block[: min(len(block), total_bytes - sent)]
            h.wfile.write(piece)
            sent += len(piece)
        h.wfile.write(tail)
    return run


def gzip_bomb(total_bytes: int) -> Behaviour:
    """A small gzip body that inflates to a ``total_bytes`` reply (compressed on the fly)."""
    def run(h: Handler, rec: Recorded) -> None:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
        parts = [z.compress(b"<?xml version='1.0'?><methodResponse><params><param><value>"
                            b"<string>")]
        block = b"a" * (1 << 20)
        for _ in range(total_bytes // len(block)):
            parts.append(z.compress(block))
        parts.append(z.compress(b"</string></value></param></params></methodResponse>"))
        parts.append(z.flush())
        body = b"".join(parts)
        h.send_response(200)
        h.send_header("Content-Type", "text/xml")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return run


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodResponse><params><param><value><string>&lol9;</string></value></param></params>
</methodResponse>
"""

HTML_PAGE = (b"<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title>"
             b"</head><body><h1>Service Temporarily Unavailable</h1></body></html>")
