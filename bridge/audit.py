"""Audit log: one JSON line per change sent to SMS (who, what, for whom, outcome).

Lines are appended with a single ``write`` on an ``O_APPEND`` descriptor, so lines of several
gunicorn workers never interleave.  Secrets (PINs, passwords) are masked before writing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from typing import Any

log = logging.getLogger("lmstv.audit")

_SECRET_PARTS = ("pin", "pass", "haslo", "secret")
MASK = "****"


def mask(params: Any) -> Any:
    """A copy of ``params`` with every secret-looking value replaced by ``****``."""
    if isinstance(params, dict):
        return {k: (MASK if any(p in str(k).lower() for p in _SECRET_PARTS) else mask(v))
                for k, v in params.items()}
    if isinstance(params, (list, tuple)):
        return [mask(v) for v in params]
    return params


class AuditLog:
    """Appends audit records to ``path`` (directory created 0750 when missing)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, mode=0o750, exist_ok=True)

    def record(self, *, user: str, action: str, customer_id: int | None,
               params: dict[str, Any], outcome: str, error: str | None = None,
               request_id: str | None = None) -> None:
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "request_id": request_id, "user": user, "action": action,
            "customer_id": customer_id, "params": mask(params), "outcome": outcome,
            "error": error,
        }
        line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        try:
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    os.write(fd, line)
                finally:
                    os.close(fd)
        except OSError as exc:
            # The change already happened in SMS; losing the audit line must be loud, not fatal.
            log.error("cannot write audit log %s: %s; record was %s", self.path, exc,
                      line.decode().strip())

    def read(self) -> list[dict[str, Any]]:
        """All records (for tests and `lmstv` tooling)."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        except FileNotFoundError:
            return []
