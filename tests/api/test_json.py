"""How the bridge writes JSON: dates from SMS (XML-RPC dateTime) as ISO text, money as strings,
Polish letters unescaped, keys in our order."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from flask import Flask

from bridge.api import _Json


def test_dates_money_and_polish_text() -> None:
    out = _Json(Flask("t")).dumps({"z": dt.datetime(2026, 11, 30),
                                   "a": dt.datetime(2026, 11, 30, 12, 5, 7),
                                   "d": dt.date(2026, 1, 2), "m": Decimal("19.90"),
                                   "t": "Łódź"})
    assert out == ('{"z": "2026-11-30", "a": "2026-11-30 12:05:07", "d": "2026-01-02", '
                   '"m": "19.90", "t": "Łódź"}')
    assert json.loads(out)["m"] == "19.90"
