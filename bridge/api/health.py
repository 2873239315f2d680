"""Liveness (touches nothing) and readiness (database reachable, age of the last good SMS call)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, jsonify

from bridge.api.common import LAST_SMS_ERROR, LAST_SMS_OK, spec, state

bp = Blueprint("health", __name__)


@bp.get("/health/live")
@spec("Liveness: the process answers", public=True, tag="system")
def live() -> Any:
    return jsonify({"data": {"status": "ok"}, "meta": {}})


@bp.get("/health/ready")
@spec("Readiness: LMS database reachable, age of the last successful SMS call", tag="system")
def ready() -> Any:
    st = state()
    db_ok, db_error = True, None
    try:
        db = st.pool.get()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said plainly
        db_ok, db_error = False, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    else:
        try:
            db.scalar("SELECT 1")
            st.pool.put(db, True)
        except Exception as exc:  # noqa: BLE001
            db_ok, db_error = False, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            st.pool.put(db, False)
    last_ok = st.cache._store.get(LAST_SMS_OK)
    last_err = st.cache._store.get(LAST_SMS_ERROR)
    now = time.time()
    sms = {
        "last_ok_at": _iso(last_ok), "last_ok_age_seconds": int(now - last_ok) if last_ok else None,
        "last_error": (f"{last_err[1]}: {last_err[2]} at {_iso(last_err[0])}"
                       if last_err and (not last_ok or last_err[0] > last_ok) else None),
    }
    data = {"status": "ok" if db_ok else "degraded",
            "database": {"ok": db_ok, "error": db_error}, "sms": sms}
    resp = jsonify({"data": data, "meta": {}})
    resp.status_code = 200 if db_ok else 503
    return resp


def _iso(ts: float | None) -> str | None:
    if not ts:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
