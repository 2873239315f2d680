"""``lmstv migrate [--check] [--dry-run]``: bring the LMS database to lmstv's schema.

Exit codes: 0 done or nothing to do (``--check``: nothing pending); 1 ``--check`` found
pending steps; 3 refused (not an LMS database, LMS older than 1.11.17, a newer LMS schema
lmstv does not know yet, or data that must be fixed first, e.g. duplicate SMS numbers);
4 database error (connection or a failed statement); 75 another ``lmstv migrate`` is
running; 78 configuration error.
"""

from __future__ import annotations

import argparse
import sys

from bridge import clierrors
from bridge.config import load_config, load_lms_database
from bridge.lms.db import DatabaseError, connect
from bridge.lms.migrate import (
    MigrationError,
    MigrationLocked,
    MigrationRefused,
    migrate,
)

EXIT_PENDING = 1
EXIT_REFUSED = 3
EXIT_DB_ERROR = 4
EXIT_LOCKED = 75


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "migrate", help="apply lmstv's schema changes to the LMS database",
        description="Apply pending lmstv schema steps (sql/) to the LMS database, adopting the "
        "original JAMBOX module's tables when present. Safe to run any number of times.",
        epilog="exit codes: 0 done/nothing to do, 1 --check found pending steps, 3 refused, "
        "4 database error, 75 another migrate is running, 78 configuration error")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="list pending steps; exit 1 if there are any, change nothing")
    mode.add_argument("--dry-run", action="store_true",
                      help="print the SQL of pending steps, change nothing")
    p.add_argument("--lms-ini", metavar="PATH",
                   help="take the database from this LMS lms.ini instead of lmstv.ini")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.lms_ini:
        db_cfg = load_lms_database(args.lms_ini)
    else:
        db_cfg = load_config(args.config).database
    assert db_cfg is not None  # load_config(need_database=True) guarantees it
    try:
        db = connect(db_cfg)
    except DatabaseError as exc:
        print(f"lmstv migrate: {exc}; {clierrors.database_fix(exc)}", file=sys.stderr)
        return EXIT_DB_ERROR
    try:
        result = migrate(db, dry_run=args.dry_run, check_only=args.check, out=print)
    except MigrationLocked as exc:
        print(f"lmstv migrate: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except MigrationRefused as exc:
        print(f"lmstv migrate: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except MigrationError as exc:
        print(f"lmstv migrate: {exc}", file=sys.stderr)
        return EXIT_DB_ERROR
    except Exception as exc:  # noqa: BLE001 - driver errors outside a step (lost connection)
        print(f"lmstv migrate: database error on {db_cfg.describe()}: "
              f"{clierrors.first_line(exc)}; {clierrors.database_fix(exc)}", file=sys.stderr)
        return EXIT_DB_ERROR
    finally:
        db.close()
    target = f"{db_cfg.describe()}"
    if args.check:
        if result.pending:
            print(f"{len(result.pending)} step(s) pending on {target}")
            return EXIT_PENDING
        print(f"schema is current on {target} (version {result.before})")
        return 0
    if args.dry_run:
        if not result.pending:
            print(f"-- nothing to do: schema is current on {target} (version {result.before})")
        return 0
    if not result.applied:
        print(f"nothing to do: schema is current on {target} (version {result.before})")
    else:
        print(f"schema of {target} is now at version {result.after}")
    return 0
