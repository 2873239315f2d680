"""The ``--scale`` option shared by the read-side benchmarks (customer list, page, decoding).

``--scale 20k`` is the issue's everyday operator, ``--scale 100k`` the big one; targets differ
by scale, so each benchmark takes its targets from :data:`TARGETS_MS` by the same name.
"""

from __future__ import annotations

import argparse
import os

SCALES = {"20k": 20_000, "100k": 100_000}

# Issue 12's read-side targets (ms) per scale, on the 2-core box with SMS latency 50 ms.
TARGETS_MS = {
    "custlist_fetch_decode": {"20k": 250.0, "100k": 1200.0},
    "list_fresh": {"20k": 400.0, "100k": 1500.0},
    "list_warm_p99": {"20k": 15.0, "100k": 15.0},
}

# The original PHP module's figures (docs/differences.md, bench_api.py), 20,000 customers.
ORIGINAL_MS = {"list_fresh": 1900.0, "list_warm": 66.0, "page_cold": 2100.0, "page_warm": 58.0}


def add_scale(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=sorted(SCALES), default="20k",
                        help="SMS customers in the sandbox: 20k (default) or 100k")


def load() -> str:
    """The machine's load average, printed with every figure (the box is shared)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def ratio(value: float, reference: float | None) -> str:
    return "—" if not reference else f"{value / reference:.2f}×"
