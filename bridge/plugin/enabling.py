"""The plugin's entry in LMS's ``phpui.plugins`` (table uiconfig), as LMS itself reads it.

LMS (lib/LMSPluginManager/LMSPluginManager.php) splits the value on ``[;,\\s]+`` into
``Name[:priority]`` tuples. Only the global row counts (``userid`` and ``divisionid`` NULL) and
only when not disabled. LMS 28 ships no such row: the first enabled plugin creates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bridge.lms.db import Database

_SEPARATORS = re.compile(r"[;,\s]+")
_WHERE = "section = 'phpui' AND var = 'plugins' AND userid IS NULL AND divisionid IS NULL"
DESCRIPTION = "włączone wtyczki (lmstv plugin install dopisał LMSTVPlugin)"


@dataclass
class PluginsRow:
    exists: bool
    value: str = ""
    disabled: bool = False


def names(value: str) -> list[str]:
    return [t.split(":", 1)[0] for t in _SEPARATORS.split(value) if t]


def read(db: Database) -> PluginsRow:
    row = db.one(f"SELECT value, disabled FROM uiconfig WHERE {_WHERE}")
    if row is None:
        return PluginsRow(exists=False)
    return PluginsRow(exists=True, value=row["value"] or "", disabled=bool(row["disabled"]))


def with_plugin(value: str, plugin: str) -> str:
    """value with plugin enabled; other plugins, their priorities and order kept."""
    if plugin in names(value):
        return value
    return f"{value.rstrip()} {plugin}" if value.strip() else plugin


def without_plugin(value: str, plugin: str) -> str:
    """value with every tuple of plugin removed (space separated, as LMS writes it)."""
    kept = [t for t in _SEPARATORS.split(value) if t and t.split(":", 1)[0] != plugin]
    return " ".join(kept)


def write(db: Database, row: PluginsRow, value: str | None) -> None:
    """Set the row to value; None deletes it (only ever a row this tool created)."""
    if value is None:
        db.execute(f"DELETE FROM uiconfig WHERE {_WHERE}")
    elif row.exists:
        db.execute(f"UPDATE uiconfig SET value = %s WHERE {_WHERE}", [value])
    else:
        db.execute("INSERT INTO uiconfig (section, var, value, description, disabled) "
                   "VALUES ('phpui', 'plugins', %s, %s, 0)", [value, DESCRIPTION])
