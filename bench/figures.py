"""``--json FILE`` of the benchmarks: one JSON object per figure, one per line, appended.

The shared format of issue 12's benchmarks (bench/issue12.py reads it back)::

    {"bench": "bench_api", "figure": "list fresh wall", "engine": "pg", "scale": "100k",
     "value": 812.4, "unit": "ms", "target": 1500, "cmp": "<=", "met": true,
     "load": "load average 1.02, 0.80, 0.61 on 2 cores"}

``original`` (the old module's figure in the same unit, where the docs give one) is added when
known; readers must not require it.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="FILE", type=Path,
                        help="append one JSON object per figure to FILE (one per line)")


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def met(value: float, target: float | None, cmp: str = "<=") -> bool | None:
    if target is None or value != value:  # no target, or NaN (not measured)
        return None
    return value <= target if cmp == "<=" else value >= target


class Figures:
    """Collects a run's figures and appends them to ``path`` (nothing when ``path`` is None)."""

    def __init__(self, path: Path | None, bench: str, scale: str) -> None:
        self.path = path
        self.bench = bench
        self.scale = scale
        self.rows: list[dict] = []

    def add(self, figure: str, value: float, unit: str, target: float | None = None, *,
            cmp: str = "<=", engine: str = "-", original: float | None = None) -> None:
        row = {"bench": self.bench, "figure": figure, "engine": engine, "scale": self.scale,
               "value": round(value, 3) if value == value else None, "unit": unit,
               "target": target, "cmp": cmp, "met": met(value, target, cmp),
               "load": load_text()}
        if original is not None:
            row["original"] = original
        self.rows.append(row)

    def write(self) -> None:
        if self.path is None or not self.rows:
            return
        with self.path.open("a", encoding="utf-8") as out:
            for row in self.rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
