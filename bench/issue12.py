#!/usr/bin/env python3
"""Every benchmark of issue 12 at one scale, on the chosen engines, as one table.

Runs, each as a child process with ``--json`` (their own tables are printed as they go):

  read     bench_custlist.py (custList("") fetch + decode; no database) and bench_api.py once
           per engine (the bridge under gunicorn; the LMS database on that engine)
  billing  bench_billing.py on all the engines (import, re-import, invoicing, peak RSS of the
           lmstv runs and of the sandbox, which is the benchmark's SMS)

then prints ONE table: figure | engine | value | target | met | ratio to the old module (where
the docs give its figure) | load average when the figure was taken.  bench_sandbox.py is not
run: it times the sandbox's replies at 20k only and measures no RSS (bench_billing measures the
sandbox's peak RSS while it serves the 100k import).

    .venv/bin/python bench/issue12.py [--scale 20k|100k] [--engines pg,mysql]
                                      [--only read|billing] [--json FILE]

``--scale 20k`` runs billing at its small scale (10k customers x 10 events, the scale its
targets and the old module's figures are given for); ``--scale 100k`` runs everything at
100,000 customers (billing: 1,000,000 events; this takes a long while: the import alone is
about a minute per engine).  The figures of every run are appended to ``--json FILE`` as well
(default: a file in the temporary directory, named at the end).  A benchmark that fails is
reported and the others still run; the exit status is 1 then.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
ENGINES = {"pg": "postgres", "mysql": "mysql"}
BILLING_SCALE = {"20k": "10k", "100k": "100k"}
# The old module's billing figures (docs/billing.md; PostgreSQL, 10,000 customers x 10 events),
# for the ratio column of billing's 10k figures when its JSON does not carry them itself.
BILLING_ORIGINAL_S = {"import": 292.0, "re-import": 530.0, "invoicing": 169.0}


def run(name: str, argv: list[str], failures: list[str]) -> None:
    """One benchmark as a child process, its output passed through as it comes."""
    cmd = [sys.executable, str(BENCH / name), *argv]
    print(f"\n=== {name} {' '.join(argv)}  ({load_text()})", flush=True)
    started = time.monotonic()
    rc = subprocess.call(cmd, cwd=ROOT)
    print(f"=== {name}: exit {rc} after {time.monotonic() - started:.0f} s", flush=True)
    if rc != 0:
        failures.append(f"{name} {' '.join(argv)} (exit {rc})")


def supports_json(name: str) -> bool:
    out = subprocess.run([sys.executable, str(BENCH / name), "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=False).stdout
    return "--json" in out


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def engine_name(engine: str) -> str:
    return {"postgres": "pg", "postgresql": "pg", "mariadb": "mysql"}.get(engine, engine)


def original_of(row: dict) -> float | None:
    if row.get("original") is not None:
        return float(row["original"])
    # only at billing's small scale: the old module was measured at 10k and nowhere else
    if row.get("bench") == "bench_billing" and row.get("unit") == "s" \
            and row.get("scale") == "10k":
        figure = str(row.get("figure", "")).lower()
        for word in ("re-import", "import", "invoicing"):  # re-import before import
            if figure.startswith(word):
                return BILLING_ORIGINAL_S[word]
    return None


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    digits = 0 if abs(value) >= 100 or unit in ("MB", "req/s") else 1
    return f"{value:,.{digits}f} {unit}"


def table(rows: list[dict]) -> list[str]:
    head = ("figure", "engine", "value", "target", "met", "vs old", "load")
    body = []
    for r in rows:
        unit = r.get("unit", "")
        target = r.get("target")
        original = original_of(r)
        value = r.get("value")
        ratio = (f"{value / original:.3f}×" if original and value is not None else "—")
        met = {True: "yes", False: "NO", None: "—"}[r.get("met")]
        load = str(r.get("load", "")).removeprefix("load average ").split(" on ")[0]
        body.append((f"{r.get('bench', '?').removeprefix('bench_')}: {r.get('figure', '?')}",
                     engine_name(str(r.get("engine", "-"))), number(value, unit),
                     f"{r.get('cmp', '<=')} {number(target, unit)}" if target is not None
                     else "", met, ratio, load))
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    lines = [" | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(head, widths, strict=True)))]
    lines.append("-+-".join("-" * w for w in widths))
    for row in body:
        lines.append(" | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("20k", "100k"), default="20k")
    parser.add_argument("--engines", default="pg,mysql",
                        help="comma-separated: pg, mysql (default both)")
    parser.add_argument("--only", choices=("read", "billing"),
                        help="run only the read side or only billing (default: both)")
    parser.add_argument("--json", metavar="FILE", type=Path,
                        help="where the figures go (appended; default: a new temporary file)")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        parser.error(f"--engines takes pg and/or mysql, not {', '.join(unknown) or 'nothing'}")
    if args.json is None:
        fd, name = tempfile.mkstemp(prefix=f"lmstv-issue12-{args.scale}-", suffix=".jsonl")
        os.close(fd)
        args.json = Path(name)
    before = args.json.read_text(encoding="utf-8").count("\n") if args.json.exists() else 0
    started = load_text()
    failures: list[str] = []
    notes: list[str] = []
    out = ["--json", str(args.json)]

    if args.only in (None, "read"):
        run("bench_custlist.py", ["--scale", args.scale, *out], failures)
        for engine in engines:
            run("bench_api.py", ["--scale", args.scale, "--engine", engine, *out], failures)
    if args.only in (None, "billing"):
        argv = ["--scale", BILLING_SCALE[args.scale],
                "--engines", ",".join(ENGINES[e] for e in engines)]
        if supports_json("bench_billing.py"):
            argv += out
        else:
            notes.append("bench_billing.py has no --json here: its figures are only in its "
                         "own table above")
        run("bench_billing.py", argv, failures)

    lines = args.json.read_text(encoding="utf-8").splitlines()[before:]
    rows = [json.loads(line) for line in lines if line.strip()]
    print(f"\n=== issue 12, scale {args.scale}, engines {','.join(engines)}: "
          f"{len(rows)} figures")
    print(f"started with {started}; finished with {load_text()}")
    for line in table(rows):
        print(line)
    met = [r for r in rows if r.get("met") is True]
    missed = [r for r in rows if r.get("met") is False]
    print(f"{len(met)} within target, {len(missed)} NOT, {len(rows) - len(met) - len(missed)} "
          "without a target (shown for completeness: CPU time, old-module comparisons)")
    print("vs old: value / the old module's figure (docs; 20,000 customers for the read side, "
          "billing at 10,000 x 10 events only).  Wall targets hold for a quiet machine: read "
          "the load column.")
    for note in notes:
        print(f"note: {note}")
    for failure in failures:
        print(f"FAILED: {failure}")
    print(f"figures: {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
