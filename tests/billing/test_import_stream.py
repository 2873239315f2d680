"""Streamed import: batches are staged while the reply arrives, yet a reply that breaks off or
ends in garbage after several staged batches stores nothing (both engines, real HTTP)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bridge.billing import importer, staging
from bridge.billing.importer import import_events
from bridge.sandbox import xmlout
from bridge.sandbox.server import EVENT_KINDS
from bridge.sandbox.store import EVENT_FIELDS
from bridge.sms.client import SmsClient
from bridge.sms.errors import SmsUnavailable

EVENTS = 12_000  # more than two stream batches (5,000) before the break at two thirds
LOGIN, MD5 = "test", "0" * 32


def reply(rows: list[tuple]) -> bytes:
    return b"".join(xmlout.response_chunks(xmlout.Rows(EVENT_FIELDS, EVENT_KINDS, rows)))


def rows(n: int, first: int = 1) -> list[tuple]:
    return [(i, "", f"1000{i % 50:05d}", 1, 2, "2024-02-10", f"Pakiet {i % 7}", 0.23, 39.99,
             20.5, 202402) for i in range(first, first + n)]


class Script:
    """What the fake SMS sends, one entry per request (the last one repeats)."""

    def __init__(self) -> None:
        self.plan: list[tuple[str, bytes]] = []
        self.requests = 0

    def next(self) -> tuple[str, bytes]:
        self.requests += 1
        return self.plan.pop(0) if len(self.plan) > 1 else self.plan[0]


@pytest.fixture
def fake_sms() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            kind, body = script.next()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if kind == "cut":  # the connection breaks off at two thirds of the body
                self.wfile.write(body[: len(body) * 2 // 3])
            else:
                self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sms/xmlrpc", script
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def staged(monkeypatch) -> list[int]:
    """Sizes of the batches staged, to prove the failure came after real staging."""
    sizes: list[int] = []
    real = staging.load

    def spy(db, batch):
        sizes.append(len(batch))
        real(db, batch)

    monkeypatch.setattr(importer.staging, "load", spy)
    return sizes


def run(db, url: str):
    with SmsClient(url, LOGIN, MD5, long_timeout=20) as sms:
        return import_events(db, sms, date(2024, 2, 1), date(2024, 2, 29), now=1_700_000_000)


def stored(db) -> int:
    return int(db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event"))


@pytest.mark.parametrize("kind", ["cut", "garbage"])
def test_reply_broken_after_staged_batches_stores_nothing(billing_db, fake_sms, staged, kind):
    url, script = fake_sms
    body = reply(rows(EVENTS))
    # "garbage": a whole, valid reply followed by junk, which expat refuses as XML.
    script.plan = [(kind, body + b"<garbage/>" if kind == "garbage" else body)]
    with pytest.raises(SmsUnavailable) as info:
        run(billing_db, url)
    assert ("broke off" in str(info.value)) if kind == "cut" else ("unparsable" in str(info.value))
    assert sum(staged) >= 2 * 5000, staged  # batches really were staged before the failure
    assert stored(billing_db) == 0
    # The staging table went with the failure: a later good reply stores everything once.
    script.plan = [("ok", body)]
    s = run(billing_db, url)
    assert (s.fetched, s.new, s.already_stored) == (EVENTS, EVENTS, 0)
    assert stored(billing_db) == EVENTS


def test_retry_after_a_break_starts_the_staging_over(billing_db, fake_sms, staged):
    url, script = fake_sms
    body = reply(rows(EVENTS))
    script.plan = [("cut", body), ("ok", body)]  # the client retries a read once
    s = run(billing_db, url)
    assert script.requests == 2
    assert (s.fetched, s.valid, s.new) == (EVENTS, EVENTS, EVENTS)
    assert stored(billing_db) == EVENTS
    again = run(billing_db, url)
    assert (again.new, again.already_stored) == (0, EVENTS)


def test_streamed_repeats_and_malformed_events(billing_db, fake_sms):
    url, script = fake_sms
    good = rows(EVENTS)
    repeat = good[10]  # exact copy, far away in the reply: counted once
    differing = (good[20][0], *good[20][1:8], 12.34, *good[20][9:])  # same id, other amount
    broken = (99_999_999, "", "100000001", 1, 2, "2024-02-31", "Zły dzień", 0.23, 1.0, 1.0, 1)
    script.plan = [("ok", reply([*good, repeat, differing, broken]))]
    s = run(billing_db, url)
    assert s.fetched == EVENTS + 3
    assert s.invalid_total == 2 and [b.beid for b in s.invalid] == [str(good[20][0]),
                                                                     "99999999"]
    assert s.new == EVENTS - 1 and s.valid == EVENTS - 1  # neither copy of the disagreeing id
    assert stored(billing_db) == EVENTS - 1
    assert billing_db.scalar("SELECT COUNT(*) AS n FROM tv_billing_event WHERE beid = %s",
                             [good[20][0]]) == 0


def test_bulk_load_keeps_awkward_text_exact(billing_db):
    """COPY text format (PostgreSQL) and hand-built literals (MariaDB) on the staging table."""
    from datetime import date as day

    texts = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "quote ' \" `", "zażółć €",
             "%s %(x)s %%", "\\", ""]
    staging.create(billing_db)
    try:
        rows = [(n, n + 1, None if n % 2 else n, f"n{n}", 0, 0, day(2024, 2, 29), text,
                 Decimal("0.2300"), Decimal("-12.34"), None, 0, 0, None, -(2**63) + n, None)
                for n, text in enumerate(texts)]
        staging.load(billing_db, rows)
        got = billing_db.query(f"SELECT pos, customerid, be_desc, be_selling_date, be_gross, "
                               f"be_b2b_netto, digest FROM {staging.STAGE} ORDER BY pos")
        assert [r["be_desc"] for r in got] == texts
        assert [r["customerid"] for r in got] == [None if n % 2 else n for n in range(len(texts))]
        assert {str(r["be_selling_date"]) for r in got} == {"2024-02-29"}
        assert {Decimal(r["be_gross"]) for r in got} == {Decimal("-12.34")}
        assert all(r["be_b2b_netto"] is None for r in got)
        assert [int(r["digest"]) for r in got] == [-(2**63) + n for n in range(len(texts))]
    finally:
        staging.drop(billing_db)


def test_reimport_skips_stored_events_and_reports_invalid_ones_once_per_run(
        billing_db, fake_sms, staged):
    """A re-import skips stored ids before validating and staging them; an invalid event is
    never stored, so every run reports it again -- once, even when the read is retried."""
    url, script = fake_sms
    good = rows(6000)
    broken = (99_999_999, "", "100000001", 1, 2, "2024-02-31", "Zły dzień", 0.23, 1.0, 1.0, 1)
    script.plan = [("ok", reply([*good, broken]))]
    first = run(billing_db, url)
    assert (first.fetched, first.new, first.already_stored) == (6001, 6000, 0)
    assert first.invalid_total == 1 and [b.beid for b in first.invalid] == ["99999999"]
    assert sum(u.events for u in first.unlinked) == 6000  # no external id in these rows

    # SMS later sends a stored id with another amount, one with a broken date and one without
    # its customer number: a stored event is final, so all three count as already stored
    # (none is reported nor changes it; the one without a number has no link to list).
    changed = (good[20][0], *good[20][1:8], 12.34, *good[20][9:])
    malformed = (good[30][0], *good[30][1:5], "2024-02-30", *good[30][6:])
    no_number = (good[40][0], good[40][1], "", *good[40][3:])
    new = rows(1, first=50_000)[0]
    body = reply([*good, broken, changed, malformed, no_number, new])
    staged.clear()
    script.plan = [("cut", body), ("ok", body)]  # the read breaks off once and is retried
    again = run(billing_db, url)
    assert script.requests == 3
    assert (again.fetched, again.new, again.already_stored) == (6005, 1, 6003)
    assert again.invalid_total == 1 and [b.beid for b in again.invalid] == ["99999999"]
    assert again.valid == 6004
    # Only the new event was staged (in the second attempt): stored ones never were.
    assert sum(staged) == 1, staged
    assert sum(u.events for u in again.unlinked) == 6003
    assert [(u.cust_number, u.reason) for u in again.unlinked] == sorted(
        {(r[2], "no_external_id") for r in [*good, new]})
    assert stored(billing_db) == 6001
    assert billing_db.scalar("SELECT be_gross FROM tv_billing_event WHERE beid = %s",
                             [good[20][0]]) == Decimal("39.99")
