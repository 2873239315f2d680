"""One-line failures of the ``lmstv`` command line: what failed, then what to do about it.

Cron mails whatever a command prints, and an operator reads one line, so every failure is a
single stderr line ending with its fix (as ``lmstv check`` does) and never a traceback.  The
commands use :func:`database_failure` and :func:`sms_failure` for the failures they expect;
:func:`describe` is the last net in ``bridge.cli.main`` for anything they let through.
"""

from __future__ import annotations

EXIT_FAILED = 1

DB_UNREACHABLE_FIX = ("check [database] in lmstv.ini (or LMS's lms.ini) and that the database "
                      "server runs and accepts that user; `lmstv check` tests it")
DB_LOGIN_FIX = ("check [database] user and password in lmstv.ini (or LMS's lms.ini); "
                "`lmstv check` tests them")
MIGRATE_FIX = "run `lmstv migrate` (lmstv's schema is missing or older than this lmstv)"
DB_OTHER_FIX = ("run `lmstv check`; if it passes, run the command again with -v and report "
                "the message")
SMS_UNREACHABLE_FIX = ("check [logowanie] serwer in lmstv.ini, the network and that SMS is up; "
                       "`lmstv check` tests it")
SMS_FAULT_FIX = ("check [logowanie] login and haslo in lmstv.ini (the SMS user's full name and "
                 "password or its MD5); `lmstv check` tests them")

# PostgreSQL SQLSTATEs and MySQL error numbers that mean "lmstv's schema is missing or old".
_PG_SCHEMA = {"42P01", "42703", "42883"}   # undefined table / column / function
_MY_SCHEMA = {1146, 1054, 1305}           # table doesn't exist / unknown column / no function
_MY_UNREACHABLE = {2002, 2003, 2005, 2006, 2013}  # no socket / refused / no host / gone / lost
_MY_LOGIN = {1044, 1045, 1049}           # no access to db / bad login / unknown database


def first_line(exc: BaseException) -> str:
    """The exception's message, first line only (driver messages run over several)."""
    args = getattr(exc, "args", ())
    if len(args) > 1 and isinstance(args[0], int) and isinstance(args[1], str):
        return args[1].strip().splitlines()[0] if args[1].strip() else type(exc).__name__
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def database_fix(exc: BaseException) -> str:
    """What to do about a database failure, judged from the driver's error."""
    from bridge.lms.db import DatabaseError

    text = first_line(exc)
    if isinstance(exc, DatabaseError):
        low = text.lower()
        if "password" in low or "access denied" in low or "authentication" in low:
            return DB_LOGIN_FIX
        return DB_UNREACHABLE_FIX
    code = getattr(exc, "pgcode", None)
    if code in _PG_SCHEMA:
        return MIGRATE_FIX
    args = getattr(exc, "args", ())
    number = args[0] if args and isinstance(args[0], int) else None
    if number in _MY_SCHEMA:
        return MIGRATE_FIX
    if number in _MY_UNREACHABLE:
        return DB_UNREACHABLE_FIX
    if number in _MY_LOGIN:
        return DB_LOGIN_FIX
    if code is None and type(exc).__name__ in ("OperationalError", "InterfaceError"):
        return DB_UNREACHABLE_FIX  # psycopg2: connection lost (no SQLSTATE)
    if "tv_billing_event" in text or "tv_cust_number" in text:
        return MIGRATE_FIX
    return DB_OTHER_FIX


def database_failure(exc: BaseException) -> str:
    """``database error (nothing half-written): <message>; <fix>`` (every write of lmstv is a
    transaction, so what failed was rolled back)."""
    return f"database error (nothing half-written): {first_line(exc)}; {database_fix(exc)}"


def sms_fix(exc: BaseException) -> str:
    from bridge.sms.errors import SmsFault

    return SMS_FAULT_FIX if isinstance(exc, SmsFault) else SMS_UNREACHABLE_FIX


def sms_failure(exc: BaseException) -> str:
    """``<SMS's reason>; <fix>`` for an SMS failure."""
    return f"{first_line(exc)}; {sms_fix(exc)}"


def database_errors() -> tuple[type[BaseException], ...]:
    from bridge.lms.db import DatabaseError

    errors: list[type[BaseException]] = [DatabaseError]
    for module, name in (("psycopg2", "Error"), ("pymysql", "Error")):
        try:
            errors.append(getattr(__import__(module), name))
        except ImportError:  # only the driver of the configured engine must be installed
            pass
    return tuple(errors)


def describe(exc: BaseException) -> tuple[int, str]:
    """Exit code and one line for a failure no command handled itself."""
    from bridge.sms.errors import SmsError

    if isinstance(exc, database_errors()):
        return EXIT_FAILED, database_failure(exc)
    if isinstance(exc, SmsError):
        return EXIT_FAILED, f"SMS failed: {sms_failure(exc)}"
    if isinstance(exc, OSError) and exc.filename:
        what = exc.strerror or first_line(exc)
        return EXIT_FAILED, (f"{exc.filename}: {what}; check that the path exists and that this "
                             "user may use it")
    return EXIT_FAILED, (f"unexpected error ({type(exc).__name__}: {first_line(exc)}); run "
                         "again with -v for the traceback and report it")

