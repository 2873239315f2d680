"""Helpers shared by the API blueprints: state, context, JSON envelope, OpenAPI metadata.

Blueprints call :func:`ctx` for a :class:`bridge.services.context.Context` bound to the request,
:func:`body` for the JSON object sent, :func:`ok` to answer, and decorate views with
:func:`spec` so the served OpenAPI document describes them.  Errors are raised, never returned:
the app's error handlers turn them into the one envelope of docs/api.md.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, jsonify, request
from werkzeug.exceptions import ClientDisconnected

from bridge.api import schemas as sch
from bridge.audit import AuditLog
from bridge.cache import SmsCache
from bridge.config import Config
from bridge.lms.db import Database, DatabaseError
from bridge.services.context import Context, ServiceError

API = "/api/v1"


class BadRequest(ServiceError):
    """A request the bridge cannot read (400 ``bad_request``, docs/api.md)."""


class RequestTimeout(ServiceError):
    """The client announced a body and stopped sending it."""

    status = 408
    code = "request_timeout"

LAST_SMS_OK = "health:last_sms_ok"
LAST_SMS_ERROR = "health:last_sms_error"


class DbPool:
    """Idle LMS connections reused across requests (connecting costs more than a warm read)."""

    def __init__(self, factory: Callable[[], Database], size: int = 8) -> None:
        self.factory = factory
        self.size = size
        self._idle: list[Database] = []
        self._lock = threading.Lock()

    def get(self) -> Database:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return self.factory()
        except DatabaseError:
            raise
        except Exception as exc:  # driver errors other than the wrapper's own
            raise DatabaseError(f"cannot connect to the LMS database: {exc}") from None

    def put(self, db: Database, healthy: bool) -> None:
        if healthy:
            with self._lock:
                if len(self._idle) < self.size:
                    self._idle.append(db)
                    return
        db.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()


@dataclass
class BridgeState:
    """Everything the app shares between requests (one per process)."""

    config: Config
    sms: Any
    cache: SmsCache
    audit: AuditLog
    pool: DbPool
    executor: ThreadPoolExecutor
    started: float = field(default_factory=time.time)
    last_sms_write: float = 0.0

    def close(self) -> None:
        """Release the database pool, the fan-out threads and the cache (app shutdown)."""
        self.pool.close()
        self.executor.shutdown(wait=False)
        self.cache.close()

    def on_sms_call(self, method: str, seconds: float, outcome: str) -> None:
        """Remember the last good SMS answer for /health/ready (shared by all workers)."""
        now = time.time()
        try:
            if outcome == "ok":
                # At most one write a second per process: readiness needs seconds, not more.
                if now - self.last_sms_write >= 1.0:
                    self.last_sms_write = now
                    self.cache._store.set(LAST_SMS_OK, now)
            else:
                self.cache._store.set(LAST_SMS_ERROR, (now, method, outcome))
        except Exception:  # noqa: BLE001 - health bookkeeping must never break a call
            pass


def state() -> BridgeState:
    return current_app.extensions["lmstv"]


def ctx() -> Context:
    """The request's service context (created on first use)."""
    if "lmstv_ctx" not in g:
        st = state()
        g.lmstv_ctx = Context(
            sms=st.sms, cache=st.cache, audit=st.audit, db_factory=st.pool.get,
            sms_web_url=st.config.sms_web_url, user=g.get("lms_user") or "-",
            request_id=g.get("request_id"),
            fresh=request.args.get("fresh", "") in ("1", "true", "yes"))
    return g.lmstv_ctx


BODY_NOT_JSON = "Treść żądania musi być obiektem JSON."


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_body() -> dict[str, Any]:
    """The request's body as a JSON object (empty body = {}), whatever the endpoint.

    Run for every request before its view (``before_request``), so an action that takes no body
    still refuses one that is not JSON before anything reaches SMS.  The Content-Type is not
    trusted to decide: a body is JSON or it is refused.
    """
    try:
        raw = request.get_data(cache=True)
    except (OSError, ClientDisconnected):  # body stopped coming (bridge/gunicorn_worker.py)
        raise RequestTimeout("Żądanie nie zostało przesłane w całości na czas.") from None
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        data = None
    if not isinstance(data, dict):
        raise BadRequest(BODY_NOT_JSON)
    return data


def body() -> dict[str, Any]:
    """The JSON object sent (empty body = {}); anything else is a 400 bad_request."""
    if "json_body" not in g:
        g.json_body = parse_body()
    return g.json_body


def ok(data: Any, meta: dict[str, Any] | None = None) -> Any:
    return jsonify({"data": data, "meta": meta if meta is not None else {}})


def read_ok(data: Any) -> Any:
    """A read answer: ``meta`` says how old the SMS data is."""
    return ok(data, ctx().meta())


def error_body(status: int, code: str, message: str, *, fields: dict[str, str] | None = None,
               sms_code: int | None = None, reason: str | None = None) -> Any:
    resp = jsonify({"error": {"code": code, "message": message, "fields": fields or {},
                              "sms_code": sms_code, "reason": reason}})
    resp.status_code = status
    return resp


# -- OpenAPI metadata --------------------------------------------------------------------------

Field = str | dict[str, Any]  # a type name ("string", "integer[]") or a JSON Schema


def spec(summary: str, *, query: dict[str, Field] | None = None,
         body_schema: dict[str, Field] | None = None, required: tuple[str, ...] = (),
         required_query: tuple[str, ...] = (), public: bool = False,
         tag: str | None = None) -> Callable[[Callable], Callable]:
    """Attach OpenAPI facts to a view: summary, query parameters, body fields (name → type or
    schema, bridge/api/schemas.py) and which body fields are required."""

    def wrap(fn: Callable) -> Callable:
        fn._openapi = {"summary": summary, "query": query or {}, "body": body_schema or {},
                       "required": list(required), "required_query": list(required_query),
                       "public": public, "tag": tag}
        return fn

    return wrap


FRESH_QUERY: dict[str, Field] = {"fresh": sch.FRESH}
ADDRESS_BODY = sch.ADDRESS
