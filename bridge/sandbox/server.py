"""HTTP side of the sandbox: XML-RPC at /sms/xmlrpc and /test/xmlrpc, fault injection.

A threaded stdlib HTTP/1.1 server.  Business calls run under the state's single lock; latency
and injected timeouts sleep outside it so other callers are not held up.  Any unexpected error
becomes an XML-RPC fault, never a traceback or a dead worker.
"""

from __future__ import annotations

import logging
import operator
import os
import socket
import struct
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.parsers.expat import ExpatError

from bridge.sandbox import faults, methods, xmlout
from bridge.sandbox.control import CONTROL_METHODS, Controls
from bridge.sandbox.ops_customers import CUSTOMER_FIELDS
from bridge.sandbox.persist import Saver
from bridge.sandbox.state import SmsState
from bridge.sandbox.store import EVENT_FIELDS

log = logging.getLogger("lmstv.sandbox")
PATHS = ("/sms/xmlrpc", "/test/xmlrpc")
MAX_REQUEST = 64 * 1024 * 1024
TIMEOUT_SLEEP = 60.0
INTERNAL_ERROR = 500
EVENT_KINDS = "aasiissdddi"
CUSTOMER_KINDS = "sa" + "s" * (len(CUSTOMER_FIELDS) - 2)
# A customer's values in field order, read from its record's slots in C: the record's
# mapping interface (``dict(c)``, ``c[k]``) costs a Python call per field, 1.1-2.3 s for
# 100,000 customers, all of it before the first byte of the reply went out.
_customer_row = operator.attrgetter(*CUSTOMER_FIELDS)


# Controls that change no data: they leave the kept rendering of custList("") alone.
READ_ONLY_CONTROLS = frozenset(("getToday", "getPaymentInfo", "getCalls", "getState",
                                "getDemoCustomers", "setLatency", "failNext"))
# Below this many customers custList("") renders in a few ms on demand: not rendered ahead.
PRERENDER_MIN = 10_000
# Seconds without a data-changing control before the reply is rendered ahead (bulk setup
# arrives as a run of controls: render once, after the last).
PRERENDER_QUIET = 0.3


class Sandbox:
    """Everything one running sandbox needs: state, controls, credentials, persistence."""

    def __init__(self, state: SmsState, controls: Controls, login: str, password_md5: str,
                 saver: Saver | None = None, prerender_min: int = PRERENDER_MIN) -> None:
        self.state, self.controls = state, controls
        self.login, self.password_md5 = login, password_md5
        self.saver = saver
        self.stopping = threading.Event()
        # custList("") of the last state version, as sent: 100,000 customers are ~190 MB of
        # XML that takes about a second to render, and the benchmarks ask for it repeatedly
        # (kept in a temporary file, see xmlout.Rendered).
        self._rendered: tuple[int, xmlout.Rendered] | None = None
        # Rendering ahead (start_prerendering): the sandbox stands in for an SMS answering in
        # a fixed 50 ms, so its own first rendering of 100,000 customers (~1 s of CPU) is not
        # part of what the benchmarks measure.  Done at start and after data-changing
        # controls (how tests and benchmarks set up data), not after business calls.
        self.prerender_min = prerender_min
        self._prerender_wanted = threading.Event()
        self._rendering: tuple[int, threading.Event] | None = None
        self._prerenderer: threading.Thread | None = None

    def start_prerendering(self) -> None:
        """Render custList("") ahead, in a background thread, whenever it is missing."""
        self._prerenderer = threading.Thread(target=self._prerender_loop, daemon=True,
                                             name="sandbox-prerender")
        self._prerenderer.start()
        self._prerender_wanted.set()

    def _prerender_loop(self) -> None:
        # Not at a lower priority: on a busy box (the bridge's workers starting) a niced
        # thread took seconds, and a custList("") arriving meanwhile waits for it.
        wanted = self._prerender_wanted
        while not self.stopping.is_set():
            wanted.wait()
            wanted.clear()
            while wanted.wait(PRERENDER_QUIET):  # a run of controls: wait for its end
                wanted.clear()
            if not self.stopping.is_set():
                self.prerender()

    def prerender(self) -> bool:
        """Render custList("") now unless kept already or too small; True if rendered."""
        with self.state.lock:
            version = self.state.version
            kept, under_way = self._rendered, self._rendering
            if (kept is not None and kept[0] == version) \
                    or (under_way is not None and under_way[0] == version) \
                    or len(self.state.customers) < self.prerender_min:
                return False  # (a reply being sent to a client is kept when it is sent)
            recorded = self._whole_list(version)
        try:
            for _ in xmlout.response_chunks(recorded):
                if self.stopping.is_set():
                    break
        except OSError as exc:  # no room for the file: custList renders on demand as before
            log.warning("sandbox: could not render custList ahead: %s", exc)
        return self._rendered is not None and self._rendered[0] == version

    def _whole_list(self, version: int) -> xmlout.Recorded:
        """custList("") of the state as it is (caller holds the lock), kept once sent in full.
        Until its sending ends it is the rendering under way: another custList("") of the same
        state waits for it, and none is rendered ahead meanwhile."""
        rows = xmlout.Rows(CUSTOMER_FIELDS, CUSTOMER_KINDS,
                           [_customer_row(c) for c in self.state.customers.values()])
        entry = (version, threading.Event())
        self._rendering = entry

        def ended() -> None:
            if self._rendering is entry:
                self._rendering = None
            entry[1].set()

        return xmlout.Recorded(rows, lambda done: self._keep(version, done), ended)

    def changed(self) -> None:
        if self.saver is not None:
            self.saver.notify()

    def business(self, name: str, params: tuple) -> object:
        """One SGT API call; big list replies come back as :class:`xmlout.Rows`."""
        if name == "system.listMethods":
            return sorted(methods.METHODS) + ["system.listMethods", "system.methodSignature"]
        if name == "system.methodSignature":
            if len(params) != 1 or params[0] not in methods.METHODS:
                raise faults.method_not_found(str(params[0]) if params else "")
            return [list(methods.METHODS[params[0]].signature)]
        # (no params at all: methods.call answers the missing auth struct)
        whole = name == "custList" and len(params) in (1, 2) and params[1:] in ((), ("",))
        rendering = self._rendering
        if whole and rendering is not None and rendering[0] == self.state.version:
            rendering[1].wait(TIMEOUT_SLEEP)  # being rendered: wait, not render it twice
        with self.state.lock:
            before = self.state.version
            method = methods.METHODS.get(name)
            if method is not None and method.mutates:
                self._rendered = None  # even a call that fails halfway may have changed data
            rendered = self._rendered
            if whole and rendered is not None and rendered[0] == before:
                methods.check_auth(params[0], self.login, self.password_md5)
                return rendered[1]
            if whole:
                # Rendered straight from the records: custList's own answer (a dict copy of
                # every customer) would only be thrown away here.
                methods.check_auth(params[0], self.login, self.password_md5)
                return self._whole_list(before)
            result = methods.call(self.state, name, params, self.login, self.password_md5)
            changed = self.state.version != before
        if name == "billingEventsGet":
            result = xmlout.Rows(EVENT_FIELDS, EVENT_KINDS, result)
        if changed:
            self.changed()
        return result

    def _keep(self, version: int, rendered: xmlout.Rendered) -> None:
        with self.state.lock:
            if self.state.version == version:
                self._rendered = (version, rendered)

    def control(self, name: str, params: tuple) -> object:
        short = name.removeprefix("sandbox.")
        if short not in CONTROL_METHODS:
            raise faults.method_not_found(name)
        if short == "save":
            if self.saver is None:
                raise faults.fault(faults.CONTROL, "sandbox runs without --state")
            self.saver.save_if_changed()
            return True
        changes_data = short not in READ_ONLY_CONTROLS
        try:
            result = getattr(self.controls, short)(*params)
        except TypeError as exc:
            raise faults.bad_params(name, str(exc)) from None
        finally:
            if changes_data:  # controls change data directly (reset, addCustomers, ...)
                self._rendered = None
                self._prerender_wanted.set()
        if changes_data:
            self.changed()
        return result


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SGT-SMS-sandbox/1.4.1"
    sandbox: Sandbox  # set on the subclass made by make_server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle plus the client's
        # delayed ACK adds ~40 ms to every keep-alive call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802
        self._plain(405, "Method Not Allowed: use POST with an XML-RPC body\n",
                    extra={"Allow": "POST"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path.split("?", 1)[0] not in PATHS:
            self._plain(404, "Not Found\n")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._plain(411, "Length Required\n")
            return
        if int(length) > MAX_REQUEST:
            self._plain(413, "Request Entity Too Large\n")
            self.close_connection = True
            return
        body = self.rfile.read(int(length))
        started = time.perf_counter()
        name = "?"
        try:
            params, name = self._parse(body)
            if name.startswith("sandbox."):
                self._reply(self.sandbox.control(name, params))
                return
            failure = self.sandbox.controls.take_failure()
            # Each call is logged before its answer goes out: a client that asks for the call
            # log right after an answer must find that call in it.
            if failure is not None:
                self.sandbox.controls.record(name, f"injected {failure[0]}",
                                             time.perf_counter() - started)
                self._inject(*failure)
                return
            latency = self.sandbox.controls.latency_ms
            if latency:
                self.sandbox.stopping.wait(latency / 1000)
            result = self.sandbox.business(name, params)
            self.sandbox.controls.record(name, "ok", time.perf_counter() - started)
            self._reply(result)
        except faults.SandboxFault as exc:
            self.sandbox.controls.record(name, f"fault {exc.code}", time.perf_counter() - started)
            self._send(200, "text/xml; charset=utf-8", xmlout.fault_xml(exc.code, exc.message))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            log.exception("sandbox: unexpected error in %s", name)
            self._send(200, "text/xml; charset=utf-8",
                       xmlout.fault_xml(INTERNAL_ERROR, "Wewnętrzny błąd serwera SMS"))
            self.sandbox.controls.record(name, f"fault {INTERNAL_ERROR}",
                                         time.perf_counter() - started)

    @staticmethod
    def _parse(body: bytes) -> tuple[tuple, str]:
        head = body[:2048].upper()
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise faults.fault(faults.BAD_REQUEST, "Nie można przetworzyć żądania XML-RPC: "
                               "deklaracje DOCTYPE/ENTITY są niedozwolone")
        try:
            params, name = xmlrpc.client.loads(body, use_builtin_types=False)
        except (ExpatError, ValueError, TypeError, xmlrpc.client.ResponseError) as exc:
            raise faults.fault(faults.BAD_REQUEST, "Nie można przetworzyć żądania XML-RPC: "
                               f"{exc}") from None
        if not name:
            raise faults.fault(faults.BAD_REQUEST, "Nie można przetworzyć żądania XML-RPC: "
                               "brak methodName")
        return params, name

    # -- replies --------------------------------------------------------------------------

    def _send(self, status: int, ctype: str, body: bytes, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _plain(self, status: int, text: str, extra: dict | None = None) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode(), extra)

    def _reply(self, value: object) -> None:
        chunks = xmlout.response_chunks(value)
        first = next(chunks)
        second = next(chunks, None)
        if second is None:
            self._send(200, "text/xml; charset=utf-8", first)
            return
        # Big reply: stream it chunked instead of holding ~100 MB in memory.
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        write = self.wfile.write
        pending: list[bytes] = [first, second]
        size = len(first) + len(second)
        for chunk in chunks:
            pending.append(chunk)
            size += len(chunk)
            if size >= 256 * 1024:
                data = b"".join(pending)
                write(b"%x\r\n%s\r\n" % (len(data), data))
                pending, size = [], 0
        if pending:
            data = b"".join(pending)
            write(b"%x\r\n%s\r\n" % (len(data), data))
        write(b"0\r\n\r\n")

    def _inject(self, kind: str, code: int, text: str) -> None:
        """Misbehave like a broken SMS or proxy, then drop the connection."""
        self.close_connection = True
        closing = {"Connection": "close"}
        sample = xmlout.HEAD.encode() + b"<value><array><data>" + b"<value><struct><member>" \
            b"<name>cust_number</name><value><string>673100001</string></value></member>" \
            b"</struct></value>" * 20 + b"</data></array></value>" + xmlout.TAIL.encode()
        if kind == "fault":
            self._send(200, "text/xml; charset=utf-8",
                       xmlout.fault_xml(code or INTERNAL_ERROR, text or "Wewnętrzny błąd "
                                        "serwera SMS"), closing)
        elif kind == "http500":
            self._send(500, "text/html; charset=utf-8", b"<html><head><title>500 Internal "
                       b"Server Error</title></head><body><h1>Internal Server Error</h1>"
                       b"</body></html>\n", closing)
        elif kind == "http502":
            self._send(502, "text/html", b"<html><head><title>502 Bad Gateway</title></head>"
                       b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx"
                       b"</center></body></html>\n", closing)
        elif kind == "html":
            self._send(200, "text/html; charset=utf-8", "<!DOCTYPE html><html><body><h1>Przerwa "
                       "techniczna</h1><p>System SMS jest chwilowo niedostępny.</p></body>"
                       "</html>\n".encode(), closing)
        elif kind == "truncated":
            self._send(200, "text/xml; charset=utf-8", sample[: len(sample) // 2], closing)
        elif kind == "garbage":
            self._send(200, "text/xml; charset=utf-8", os.urandom(64) + b"\x00garbage", closing)
        elif kind == "reset":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(sample)))
            self.end_headers()
            self.wfile.write(sample[: len(sample) // 3])
            self.wfile.flush()
            # SO_LINGER 0 turns close() into a TCP RST: "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        elif kind == "timeout":
            self.sandbox.stopping.wait(TIMEOUT_SLEEP)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def make_server(sandbox: Sandbox, host: str, port: int) -> Server:
    handler = type("BoundHandler", (Handler,), {"sandbox": sandbox})
    return Server((host, port), handler)


def build(state_file: Path | None, seed_name: str) -> tuple[SmsState, Controls, Saver | None]:
    """State loaded from ``state_file`` if it exists, else freshly seeded."""
    from bridge.sandbox import persist

    state = SmsState()
    controls = Controls(state, seed_name)
    saver = None
    if state_file is not None and persist.load(state, state_file):
        log.info("sandbox: state loaded from %s", state_file)
    else:
        with state.lock:
            controls.apply_seed(seed_name)
    if state_file is not None:
        saver = Saver(state, state_file)
        saver.saved_version = -1  # write the seeded state once at start
        saver.start()
        saver.notify()
    return state, controls, saver
