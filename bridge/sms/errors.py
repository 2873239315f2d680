"""Typed failures of SMS calls.

Callers need to tell "SMS said no" (a business refusal the operator must read, in SMS's own Polish
words) from "SMS could not be asked" (network, timeouts, broken replies), because only the first
is the operator's problem to fix and only the second is worth retrying or alerting on.
"""

from __future__ import annotations


class SmsError(Exception):
    """Base class of every failure raised by :class:`bridge.sms.client.SmsClient`."""


class SmsFault(SmsError):
    """SMS answered with an XML-RPC fault; ``message`` is its faultString, verbatim."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"SmsFault({self.code!r}, {self.message!r})"


class SmsUnavailable(SmsError):
    """SMS could not be reached or sent no usable answer; ``reason`` says why, in English.

    ``retryable`` marks transient transport failures (refused/reset connections, gateway errors,
    a reply cut off mid-body) where asking again may succeed; ``status`` is the HTTP status when
    the failure was an HTTP error.
    """

    def __init__(self, reason: str, *, retryable: bool = False, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status

    def __str__(self) -> str:
        return self.reason
