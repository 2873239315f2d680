"""The bridge's Flask app: JSON API for the PHP shim (contract: docs/api.md).

``create_app(config, **overrides)`` wires the SMS client, LMS database pool, cache and audit log,
checks the shared secret on every request, logs one line per request, and registers every
module of this package that defines a blueprint ``bp`` (so other areas add endpoints without
touching this file).  Overrides (for tests and tools): ``sms``, ``cache``, ``audit``,
``db_factory``, ``workers`` (fan-out threads).
"""

from __future__ import annotations

import datetime as dt
import hmac
import importlib
import logging
import pkgutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Blueprint, Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from bridge import busy
from bridge.api.common import API, BridgeState, DbPool, error_body, parse_body, state
from bridge.api.routing import BridgeFlask
from bridge.audit import AuditLog
from bridge.cache import SmsCache
from bridge.config import Config, ConfigError
from bridge.lms.db import Database, DatabaseError
from bridge.services.context import ServiceError
from bridge.sms.errors import SmsFault, SmsUnavailable
from bridge.validation import ValidationError

log = logging.getLogger("lmstv.api")

PUBLIC_PATHS = ("/health/live",)
NO_USER_PATHS = ("/health/live", "/health/ready")
_HTTP_MESSAGES = {404: "Nie ma takiego zasobu.", 405: "Niedozwolona metoda dla tego adresu.",
                  413: "Za duże żądanie.", 415: "Nieobsługiwany typ treści."}


def _db_errors() -> tuple[type[BaseException], ...]:
    """Driver errors that mean "the database is not there" (mapped to 503, not 500)."""
    errors: list[type[BaseException]] = [DatabaseError]
    try:
        import psycopg2

        errors.append(psycopg2.OperationalError)
    except ImportError:  # pragma: no cover
        pass
    try:
        import pymysql

        errors.append(pymysql.err.OperationalError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


class _Json(DefaultJSONProvider):
    """Polish letters as they are, keys in our order, and dates as ISO text: SMS may send
    XML-RPC dateTime values, which Flask would otherwise render as HTTP dates."""

    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return o.date().isoformat() if o.time() == dt.time() else o.isoformat(sep=" ")
        if isinstance(o, dt.date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def create_app(config: Config, **overrides: Any) -> Flask:
    if not config.secret:
        raise ConfigError(config.source, "[bridge] secret", "",
                          "set a shared secret of at least 16 characters; the PHP shim sends "
                          "it with every request")
    app = BridgeFlask("bridge.api")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.json = _Json(app)

    cache = overrides.get("cache") or SmsCache(config.cache_dir, enabled=config.cache_enabled,
                                               lifetime=config.cache_lifetime)
    audit = overrides.get("audit") or AuditLog(config.audit_log)
    db_factory = overrides.get("db_factory")
    if db_factory is None:
        if config.database is None:
            raise ConfigError(config.source, "[database]", "", "no LMS database configured; "
                              "set [lms] lms_ini or a [database] section")
        dbcfg = config.database

        def db_factory() -> Database:
            return Database(dbcfg, connect_timeout=5)

    st = BridgeState(config=config, sms=None, cache=cache, audit=audit, pool=DbPool(db_factory),
                     executor=ThreadPoolExecutor(max_workers=int(overrides.get("workers", 16)),
                                                 thread_name_prefix="lmstv-sms"))
    sms = overrides.get("sms")
    if sms is None:
        from bridge.sms.client import SmsClient

        # The same client settings as the CLI's, reply cap included ([opcje] max_reply_mb).
        sms = SmsClient.from_config(config, on_call=st.on_sms_call)
    st.sms = sms
    app.extensions["lmstv"] = st

    _install_hooks(app)
    _install_errors(app)
    for bp in discover_blueprints():
        app.register_blueprint(bp)
    return app


def discover_blueprints() -> list[Blueprint]:
    import bridge.api as pkg

    found = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        bp = getattr(module, "bp", None)
        if isinstance(bp, Blueprint):
            found.append(bp)
    return found


def _install_hooks(app: Flask) -> None:
    db_errors = _db_errors()

    @app.before_request
    def _authenticate() -> Any:
        busy.enter()
        g.counted = True
        g.started = time.perf_counter()
        g.started_cpu = time.thread_time()
        rid = request.headers.get("X-Request-Id", "")
        valid = rid and len(rid) <= 64 and rid.isprintable()
        g.request_id = rid if valid else uuid.uuid4().hex[:16]
        g.lms_user = None
        if request.path in PUBLIC_PATHS:
            return None
        sent = request.headers.get("X-LMSTV-Secret", "").encode("utf-8")
        if not hmac.compare_digest(sent, state().config.secret.encode("utf-8")):
            return error_body(401, "unauthorized", "Brak autoryzacji.")
        user = request.headers.get("X-LMSTV-User", "").strip()
        if user and (len(user) > 64 or not user.isprintable()):
            return error_body(400, "bad_request", "Niepoprawny nagłówek X-LMSTV-User.")
        if not user and request.path not in NO_USER_PATHS:
            return error_body(400, "bad_request", "Brak nagłówka X-LMSTV-User (login "
                                                  "użytkownika LMS).")
        g.lms_user = user or None
        g.json_body = parse_body()  # raises BadRequest: nothing else runs for a broken body
        return None

    @app.after_request
    def _log_request(resp: Any) -> Any:
        resp.headers["X-Request-Id"] = g.get("request_id", "")
        resp.headers["Cache-Control"] = "no-store"
        started = g.get("started")
        ms = (time.perf_counter() - started) * 1000 if started else 0.0
        # The bridge's own share of a request, for the benchmarks and for operators comparing
        # it with what the PHP side sees (W3C Server-Timing).
        # "cpu" is this request thread's CPU time: on a busy box it tells the bridge's own work
        # from the time spent waiting for a core.
        cpu = (time.thread_time() - g.get("started_cpu", 0.0)) * 1000 if started else 0.0
        resp.headers["Server-Timing"] = f"app;dur={ms:.2f}, cpu;dur={cpu:.2f}"
        endpoint = request.url_rule.rule if request.url_rule else request.path
        log.info("request id=%s user=%s %s %s status=%s %.1fms", g.get("request_id"),
                 g.get("lms_user") or "-", request.method, endpoint, resp.status_code, ms)
        return resp

    @app.teardown_request
    def _release_db(exc: BaseException | None) -> None:
        if g.pop("counted", False):
            busy.leave()
        context = g.pop("lmstv_ctx", None)
        if context is None:
            return
        db = context.release_db()
        if db is not None:
            healthy = not (exc is not None and isinstance(exc, db_errors)) and \
                not g.get("db_failed", False)
            state().pool.put(db, healthy)


def _install_errors(app: Flask) -> None:
    db_errors = _db_errors()

    @app.errorhandler(Exception)
    def _any(exc: Exception) -> Any:
        if isinstance(exc, ValidationError):
            return error_body(400, "validation_error", "Niepoprawne dane.", fields=exc.fields)
        if isinstance(exc, ServiceError):
            return error_body(exc.status, exc.code, exc.message)
        if isinstance(exc, SmsFault):
            return error_body(422, "sms_fault", exc.message, sms_code=exc.code)
        if isinstance(exc, SmsUnavailable):
            log.warning("request id=%s SMS unavailable: %s", g.get("request_id"), exc.reason)
            return error_body(503, "sms_unavailable", "Brak połączenia z SMS", reason=exc.reason)
        if isinstance(exc, db_errors):
            g.db_failed = True
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            log.error("request id=%s LMS database unavailable: %s", g.get("request_id"), reason)
            return error_body(503, "db_unavailable", "Brak połączenia z bazą danych LMS",
                              reason=reason)
        if isinstance(exc, HTTPException):
            code = exc.code or 500
            if code < 400:  # routing redirects (e.g. a trailing slash) stay redirects
                return exc
            name = {404: "not_found", 405: "method_not_allowed"}.get(code, "bad_request")
            resp = error_body(code, name, _HTTP_MESSAGES.get(code, "Niepoprawne żądanie."))
            for key, value in exc.get_headers():  # e.g. Allow on a 405 (RFC 9110 §15.5.6)
                if key.lower() != "content-type":
                    resp.headers[key] = value
            return resp
        g.db_failed = True  # the connection may be mid-transaction; do not reuse it
        log.exception("request id=%s failed", g.get("request_id"))
        return error_body(500, "internal_error",
                          f"Wewnętrzny błąd mostka (id żądania {g.get('request_id')}).")


__all__ = ["create_app", "discover_blueprints", "API"]
