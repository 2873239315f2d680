"""What the TV box shows for accounts follow-cutoff locked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.cutoff import store


def auto_lock_notes(db: Any, customer_id: int) -> dict[int, dict[str, Any]]:
    """account id -> ``{"since": "YYYY-MM-DD", "label": "wstrzymane automatycznie (…)"}``."""
    out = {}
    for aid, since in store.auto_locked_since(db, customer_id).items():
        day = dt.datetime.fromtimestamp(since).date().isoformat() if since else "?"
        out[aid] = {"since": day,
                    "label": f"wstrzymane automatycznie (blokada w LMS od {day})"}
    return out
