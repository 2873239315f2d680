"""System endpoints: configuration view, connection test, cache purge, OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from bridge.api.common import API, ctx, ok, spec, state
from bridge.api.openapi import build_openapi
from bridge.services.checks import run_checks

bp = Blueprint("system", __name__, url_prefix=API)


@bp.get("/openapi.json")
@spec("OpenAPI 3 description of every endpoint", tag="system")
def openapi() -> Any:
    return jsonify(build_openapi(current_app))


@bp.get("/system/config")
@spec("SMS connection and cache settings (never the password)", tag="system")
def config_view() -> Any:
    cfg = state().config
    return ok({"sms_url": cfg.sms_url, "sms_web_url": cfg.sms_web_url, "sms_login": cfg.sms_login,
               "cache_enabled": cfg.cache_enabled, "cache_lifetime": cfg.cache_lifetime,
               "http_timeout": cfg.http_timeout, "long_timeout": cfg.long_timeout,
               "max_reply_mb": cfg.max_reply_mb})


@bp.get("/system/check")
@spec("Connection test: configuration, SMS, LMS database, cache", tag="system")
def check() -> Any:
    st = state()
    checks = run_checks(st.config, st.sms, st.pool.factory)
    return ok({"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]})


@bp.post("/system/cache/purge")
@spec("\"Odśwież dane\": empty the whole SMS cache", tag="system")
def purge() -> Any:
    c = ctx()
    state().cache.purge()
    c.audit.record(user=c.user, action="cache.purge", customer_id=None, params={},
                   outcome="ok", request_id=c.request_id)
    return ok({"message": "Dane odświeżone."})
