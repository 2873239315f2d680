"""What every use case needs: SMS client, LMS database, cache, audit log and who is acting.

Use cases are plain functions taking a :class:`Context`, so the Flask API and the CLI share them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bridge.audit import AuditLog
from bridge.cache import Cached, SmsCache
from bridge.sms.errors import SmsFault, SmsUnavailable

log = logging.getLogger("lmstv.services")


class NotCached(Exception):
    """A read under :meth:`Context.cached_only` whose data is not in the cache."""


class ServiceError(Exception):
    """A refusal with a Polish message for the operator; ``status`` is the HTTP mapping."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class NotLinked(ServiceError):
    status = 409
    code = "not_linked"

    def __init__(self, message: str = "Klient nie jest powiązany z SMS.") -> None:
        super().__init__(message)


class Conflict(ServiceError):
    status = 409
    code = "conflict"


@dataclass
class Context:
    """One operator request (or one CLI run)."""

    sms: Any
    cache: SmsCache
    audit: AuditLog
    db_factory: Callable[[], Any]
    sms_web_url: str
    user: str = "cli"
    request_id: str | None = None
    fresh: bool = False
    oldest: float | None = None
    any_hit: bool = False
    _epoch: int | None = field(default=None, repr=False)
    _only_cached: threading.local = field(default_factory=threading.local, repr=False)
    _db: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- database ------------------------------------------------------------------------------

    @property
    def db(self) -> Any:
        if self._db is None:
            self._db = self.db_factory()
        return self._db

    def release_db(self) -> Any:
        db, self._db = self._db, None
        return db

    # -- reads ---------------------------------------------------------------------------------

    def read(self, key: str, tags: Iterable[str], call: Callable[[], Any]) -> Any:
        """A cached SMS read; remembers the oldest data served for the response's ``meta``."""
        got: Cached | None
        if getattr(self._only_cached, "on", False):
            got = self.cache.get_cached(key, tags, self.epoch())
            if got is None:
                raise NotCached(key)
        else:
            got = self.cache.get_or_call(key, tags, call, fresh=self.fresh, epoch=self.epoch())
        self.note(got)
        return got.value

    def cached_only(self) -> _CachedOnly:
        """Reads in this block (this thread) raise :class:`NotCached` instead of asking SMS:
        the customer page takes its warm parts inline and sends only the rest to threads."""
        return _CachedOnly(self._only_cached)

    def epoch(self) -> int:
        """The cache's change counter, read once per request: every part of a page checks its
        entry against the same reading (one cache read instead of several per part)."""
        epoch = self._epoch
        if epoch is not None:  # set once, never changed: no lock needed to read it
            return epoch
        with self._lock:
            if self._epoch is None:
                self._epoch = self.cache.epoch()
            return self._epoch

    def note(self, got: Cached) -> None:
        with self._lock:  # the customer page reads from several threads
            if got.hit:
                self.any_hit = True
            if self.oldest is None or got.stored_at < self.oldest:
                self.oldest = got.stored_at

    def meta(self) -> dict[str, Any]:
        if self.oldest is None:
            return {"cached": False, "cached_at": None, "age_seconds": None}
        at = dt.datetime.fromtimestamp(self.oldest, dt.UTC)
        age = max(0, int((dt.datetime.now(dt.UTC) - at).total_seconds()))
        return {"cached": self.any_hit, "age_seconds": age,
                "cached_at": at.isoformat(timespec="seconds").replace("+00:00", "Z")}

    # -- changes -------------------------------------------------------------------------------

    def change(self, action: str, customer_id: int | None, params: dict[str, Any],
               call: Callable[[], Any], invalidate: Iterable[str] = ()) -> Any:
        """Send one change to SMS: audited whatever happens, cache tags cleaned AFTER success."""
        try:
            result = call()
        except SmsFault as exc:
            self.record_change(action, customer_id, params, "sms_fault",
                               f"{exc.code}: {exc.message}")
            raise
        except SmsUnavailable as exc:
            self.record_change(action, customer_id, params, "sms_unavailable", exc.reason)
            raise
        except Exception as exc:
            self.record_change(action, customer_id, params, "error", type(exc).__name__)
            raise
        self.cache.invalidate(*invalidate)
        self.record_change(action, customer_id, params, "ok", None)
        return result

    def refused(self, action: str, customer_id: int | None, params: dict[str, Any],
                exc: ServiceError) -> ServiceError:
        """Audit a change refused by a local rule before SMS was asked."""
        self.record_change(action, customer_id, params, "refused", exc.message)
        return exc

    def record_change(self, action: str, customer_id: int | None, params: dict[str, Any],
                      outcome: str, error: str | None) -> None:
        """Write one audit record as this request's user. change() and refused() use it; a
        caller that talks to SMS through its own loop (the bulk run) reports each outcome
        here, so every change lands in the audit log the same way."""
        self.audit.record(user=self.user, action=action, customer_id=customer_id, params=params,
                          outcome=outcome, error=error, request_id=self.request_id)


class _CachedOnly:
    """:meth:`Context.cached_only`'s block (a class: it is entered for every part of a page,
    and a generator-based context manager cost several times more)."""

    __slots__ = ("_flag",)

    def __init__(self, flag: threading.local) -> None:
        self._flag = flag

    def __enter__(self) -> None:
        self._flag.on = True

    def __exit__(self, *exc: object) -> None:
        self._flag.on = False


def today() -> dt.date:
    return dt.date.today()
