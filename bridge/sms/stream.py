"""Streaming decoding of a big array reply: items are handed over in batches as bytes arrive.

:class:`bridge.sms.transport.ReplyDecoder` returns the whole decoded reply at the end, so a
reply of 1,000,000 billing events is held as 1,000,000 dicts at once (~1 GB).  Here the same
fast decoder (:class:`bridge.sms.fastdecode.FastArrayDecoder`, entity-safe, no DTD) runs, but
every ``batch`` decoded items go to ``sink`` straight away and are dropped, so memory stays
that of one batch plus the undecoded tail whatever the reply's size.

The caller must treat what the sink received as provisional until :meth:`StreamDecoder.close`
returns: a reply cut off or broken later raises there (SmsUnavailable/SmsFault, as the whole
reply decoder does), after items were already handed over.  The billing import therefore
stages them and commits only after ``close()``.

When the body leaves the fast decoder's subset (a fault, a reply that is not an array, an item
outside the flat-struct shape) the rest goes through the hardened expat path of ReplyDecoder;
that path holds the rest of the reply, which only happens for unusual or small replies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.sms.fastdecode import FastArrayDecoder
from bridge.sms.transport import ReplyDecoder

Sink = Callable[[list[Any]], None]
DEFAULT_BATCH = 5000


class NotAList:
    """close()'s answer for a reply whose value is not an array: the value, for the caller."""

    def __init__(self, value: Any) -> None:
        self.value = value


class StreamDecoder:
    """Feed reply bytes; decoded array items go to ``sink`` in lists of about ``batch``.

    :meth:`close` returns the number of items handed over, or a :class:`NotAList` holding the
    reply's value when it was not an array (nothing was handed over then).
    """

    def __init__(self, sink: Sink, *, batch: int = DEFAULT_BATCH) -> None:
        self._sink = sink
        self._batch = batch
        self._fast: FastArrayDecoder | None = FastArrayDecoder()
        self._slow: ReplyDecoder | None = None
        self.handed = 0

    def _drain(self, fast: FastArrayDecoder, force: bool = False) -> None:
        items = fast.items
        if items and (force or len(items) >= self._batch):
            # The decoder appends through a bound method taken per run, so swapping the list
            # between feeds is safe; the old list is the sink's now.
            fast.items = []
            self.handed += len(items)
            self._sink(items)

    def _to_slow(self, fast: FastArrayDecoder) -> None:
        """Hand the undecoded rest to the expat path (items already decoded go to the sink)."""
        self._drain(fast, force=True)
        slow = ReplyDecoder(fast=False)
        slow.feed(fast.replay())
        self._fast, self._slow = None, slow

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        fast = self._fast
        if fast is None:
            assert self._slow is not None
            self._slow.feed(chunk)
            return
        if fast.feed(chunk):
            self._drain(fast)
        else:
            self._to_slow(fast)

    def close(self) -> int | NotAList:
        fast = self._fast
        if fast is not None:
            done = fast.finish()
            if done is not None:
                self._drain(fast, force=True)
                return self.handed
            self._to_slow(fast)
        assert self._slow is not None
        value = self._slow.close()  # raises SmsFault / SmsUnavailable like a whole-reply call
        if isinstance(value, list):
            if value:
                self.handed += len(value)
                self._sink(value)
            return self.handed
        # Not an array: the fast decoder bailed at the head, so nothing was handed over.
        return NotAList(value)
