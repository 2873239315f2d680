"""What follow-cutoff reads from the two ini files.

``lmstv.ini [cutoff]``: ``max_locks_per_run`` (guard against a mass lock after a mistake in
LMS) and ``debt_collection_status`` (``auto``: LMS's own ``CSTATUS_DEBT_COLLECTION`` from
``<lms_dir>/lib/definitions.php``, absent in 1.11.17; ``none``; or a number).
``lms.ini [cutoff]``: ``excluded_customergroups`` / ``customergroups``, which LMS's
``bin/lms-cutoff`` puts into ``customergroupid IN (…)`` — so they are group ids; names are
accepted too and resolved against ``customergroups``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from bridge.config import Config, ConfigError, _parser, _Reader

DEFAULT_MAX_LOCKS = 50
_DEBT_RE = re.compile(r"CSTATUS_DEBT_COLLECTION['\"]?\s*(?:=|,)\s*(\d+)")


@dataclass(frozen=True)
class CutoffSettings:
    max_locks_per_run: int = DEFAULT_MAX_LOCKS
    debt_status: int | None = None
    excluded_groups: tuple[str, ...] = ()
    only_groups: tuple[str, ...] = ()


def _read(path: str | None) -> Any:
    parser = _parser()
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            parser.read_file(fh, source=path)
    return parser


def detect_debt_status(lms_dir: str) -> int | None:
    """LMS's debt-collection customer status, read from its definitions (None on 1.11.17)."""
    try:
        with open(os.path.join(lms_dir, "lib", "definitions.php"), encoding="utf-8",
                  errors="replace") as fh:
            m = _DEBT_RE.search(fh.read())
    except OSError:
        return None
    return int(m.group(1)) if m else None


def _groups(value: str | None) -> tuple[str, ...]:
    return tuple(p for p in re.split(r"[\s,;]+", value or "") if p)


def load_settings(cfg: Config) -> CutoffSettings:
    own = _Reader(_read(cfg.source), cfg.source)
    limit = own.number("cutoff", "max_locks_per_run", DEFAULT_MAX_LOCKS, integer=True,
                       minimum=0)
    raw = (own.get("cutoff", "debt_collection_status") or "auto").strip().lower()
    if raw == "auto":
        debt = detect_debt_status(cfg.lms_dir)
    elif raw in ("none", "0", "off"):
        debt = None
    elif raw.isdigit():
        debt = int(raw)
    else:
        raise ConfigError(cfg.source, "[cutoff] debt_collection_status", raw,
                          "use auto, none or LMS's customer status number (5 on current LMS)")
    lms = _Reader(_read(cfg.lms_ini), cfg.lms_ini)
    return CutoffSettings(max_locks_per_run=int(limit or 0), debt_status=debt,
                          excluded_groups=_groups(lms.get("cutoff", "excluded_customergroups")),
                          only_groups=_groups(lms.get("cutoff", "customergroups")))


def resolve_groups(db: Any, names: tuple[str, ...], source: str | None, key: str) -> set[int]:
    """Group ids for ``names`` (ids or names); an unknown one is a configuration error, since
    ignoring it would lock customers the operator meant to protect."""
    if not names:
        return set()
    rows = db.query("SELECT id, name FROM customergroups")
    by_id = {int(r["id"]) for r in rows}
    by_name = {str(r["name"]).lower(): int(r["id"]) for r in rows}
    out: set[int] = set()
    for name in names:
        if name.isdigit() and int(name) in by_id:
            out.add(int(name))
        elif name.lower() in by_name:
            out.add(by_name[name.lower()])
        else:
            raise ConfigError(source, f"[cutoff] {key}", name,
                              "name an existing LMS customer group (id or name)")
    return out
