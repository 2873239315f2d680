"""Transport failures over real local sockets: each ends in SmsUnavailable with a clear reason,
within about the configured timeout; faults keep SMS's code and Polish text; retry policy."""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable

import pytest
import requests
import responses

from bridge.sms import SmsClient, SmsError, SmsFault, SmsUnavailable
from tests.sms.sms_testserver import (
    BILLION_LAUGHS,
    HTML_PAGE,
    RecordingServer,
    big_reply,
    closed_port,
    delayed,
    echo,
    fault,
    gzip_bomb,
    hang,
    http_error,
    raw,
    reply,
    reset_mid_body,
    trickle,
    trickle_headers,
    truncated,
)

TIMEOUT = 1.0
MARGIN = 1.0  # scheduling slack on a busy 2-core machine; the bound is behavioural


def _fails(client_call: Callable[[], object]) -> tuple[SmsUnavailable, float]:
    started = time.monotonic()
    with pytest.raises(SmsUnavailable) as info:
        client_call()
    return info.value, time.monotonic() - started


@pytest.fixture
def quick(rec_server: RecordingServer, make_client: Callable[..., SmsClient]) -> SmsClient:
    return make_client(rec_server.url, http_timeout=TIMEOUT, long_timeout=TIMEOUT)


# -- faults ---------------------------------------------------------------------------------------


def test_fault_keeps_code_and_polish_text_verbatim(rec_server: RecordingServer,
                                                   quick: SmsClient) -> None:
    text = "Usługa może zostać zaterminowana jedynie na koniec okresu rozliczeniowego"
    rec_server.default = fault(713, text)
    with pytest.raises(SmsFault) as info:
        quick.subscriptionTerminate(1, 2, "2024-01-15")
    exc = info.value
    assert exc.code == 713 and exc.message == text and str(exc) == text
    assert isinstance(exc, SmsError)
    assert len(rec_server.requests) == 1


def test_fault_on_a_read_is_not_retried(rec_server: RecordingServer, quick: SmsClient) -> None:
    rec_server.default = fault(3, "Nie znaleziono klienta: żółć")
    with pytest.raises(SmsFault, match="^Nie znaleziono klienta: żółć$"):
        quick.custList("123456789")
    assert len(rec_server.requests) == 1


# -- time bounds ----------------------------------------------------------------------------------


def test_server_that_never_answers_times_out(rec_server: RecordingServer,
                                             quick: SmsClient) -> None:
    rec_server.default = hang()
    exc, elapsed = _fails(quick.packageGetAll)
    assert exc.reason == "SMS did not answer within 1 s"
    assert TIMEOUT - 0.1 <= elapsed < TIMEOUT + MARGIN
    assert len(rec_server.requests) == 1  # a timeout is not retried: the deadline is the contract


def test_trickling_server_cannot_stretch_the_call(rec_server: RecordingServer,
                                                  quick: SmsClient) -> None:
    rec_server.default = trickle(interval=0.05)
    exc, elapsed = _fails(quick.subnetList)
    assert exc.reason == "SMS did not send its whole reply within 1 s"
    assert elapsed < TIMEOUT + MARGIN


def test_trickled_headers_cannot_stretch_the_call(rec_server: RecordingServer,
                                                  quick: SmsClient) -> None:
    rec_server.default = trickle_headers(interval=0.05)
    exc, elapsed = _fails(lambda: quick.packageGetAvail(1))
    # Cut mid-headers, http.client may take what came as the whole head; either way, a timeout.
    assert exc.reason in ("SMS did not answer within 1 s",
                          "SMS did not send its whole reply within 1 s")
    assert TIMEOUT - 0.1 <= elapsed < TIMEOUT + MARGIN
    assert len(rec_server.requests) == 1


def test_connections_are_reused_after_a_deadline_cut(rec_server: RecordingServer,
                                                     quick: SmsClient) -> None:
    rec_server.plan.append(trickle_headers(interval=0.05))
    rec_server.default = reply([])
    with pytest.raises(SmsUnavailable):
        quick.packageGetAll()
    assert [quick.packageGetAll() for _ in range(3)] == [[]] * 3


def test_long_timeout_only_for_billing_and_not_sticky(rec_server: RecordingServer,
                                                      make_client: Callable[..., SmsClient]
                                                      ) -> None:
    client = make_client(rec_server.url, http_timeout=0.5, long_timeout=3.0)
    rec_server.plan.extend([delayed(1.0, []), delayed(1.0, [])])
    assert client.billingEventsGet("2024-01-01", "2024-01-31") == []
    exc, elapsed = _fails(lambda: client.stbRemove("00:11:22:33:44:55"))
    assert "within 0.5 s" in exc.reason and elapsed < 0.5 + MARGIN


# -- connection failures --------------------------------------------------------------------------


def test_refused_connection(make_client: Callable[..., SmsClient]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/sms/xmlrpc"
    client = make_client(url, http_timeout=TIMEOUT)
    exc, elapsed = _fails(client.custList)
    assert exc.reason == f"SMS unreachable: connection refused ({url})"
    assert elapsed < TIMEOUT + MARGIN


def test_reset_mid_body(rec_server: RecordingServer, quick: SmsClient) -> None:
    rec_server.default = reset_mid_body()
    exc, elapsed = _fails(lambda: quick.accountLock(5))
    assert exc.reason.startswith("SMS connection broke off mid-reply after ")
    assert exc.reason.endswith(" (connection reset)")
    assert elapsed < TIMEOUT + MARGIN
    assert len(rec_server.requests) == 1  # a write is never retried


def test_url_credentials_never_appear_in_reasons(make_client: Callable[..., SmsClient]) -> None:
    client = make_client(f"http://user:s3cret@127.0.0.1:{closed_port()}/x", http_timeout=TIMEOUT)
    exc, _ = _fails(client.subnetList)
    assert "s3cret" not in exc.reason and "user:" not in exc.reason and "refused" in exc.reason


# -- bad replies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status,reason", [(500, "SMS sent HTTP 500 (Internal Server Error)"),
                                           (502, "SMS sent HTTP 502 (Bad Gateway)"),
                                           (404, "SMS sent HTTP 404 (Not Found)")])
def test_http_errors(rec_server: RecordingServer, quick: SmsClient, status: int,
                     reason: str) -> None:
    rec_server.default = http_error(status)
    exc, elapsed = _fails(lambda: quick.stbUnlink(1, "00:11:22:33:44:55"))
    assert exc.reason == reason and exc.status == status
    assert elapsed < TIMEOUT + MARGIN


def test_html_page_instead_of_xml(rec_server: RecordingServer, quick: SmsClient) -> None:
    rec_server.default = raw(HTML_PAGE, ctype="text/html; charset=utf-8")
    exc, _ = _fails(quick.packageGetAll)
    assert exc.reason == ("SMS sent an HTML page instead of an XML-RPC reply (HTTP 200, "
                          "'503 Service Temporarily Unavailable')")


def test_html_page_with_xml_content_type(rec_server: RecordingServer, quick: SmsClient) -> None:
    rec_server.default = raw(HTML_PAGE, ctype="text/xml")
    exc, _ = _fails(quick.packageGetAll)
    assert exc.reason.startswith("SMS sent an HTML page instead of an XML-RPC reply (starts ")
    assert "<!DOCTYPE html>" in exc.reason  # shows what came back


def test_truncated_xml(rec_server: RecordingServer, quick: SmsClient) -> None:
    rec_server.default = truncated()
    exc, elapsed = _fails(lambda: quick.custList(""))
    assert exc.reason.startswith("SMS sent an unparsable reply: incomplete XML")
    assert elapsed < TIMEOUT + MARGIN


@pytest.mark.parametrize("body", [b"\x8b\x00\xff garbage \x00", b"OK", b"<a><b></a>",
                                  b"<?xml version='1.0'?><html></html>",
                                  b"<methodResponse><params><param><value><int>x1</int>"
                                  b"</value></param></params></methodResponse>",
                                  b"<methodResponse><params><param><value><array><data><value>"
                                  b"<struc></struc></value></data></array></value></param>"
                                  b"</params></methodResponse>",
                                  b"<methodResponse><params><param><value><struct><member>"
                                  b"<value>1</value></member></struct></value></param></params>"
                                  b"</methodResponse>",
                                  b"<methodResponse><params><param><value><struct><member>"
                                  b"<name>a</name></member></struct></value></param></params>"
                                  b"</methodResponse>",
                                  b"<methodResponse><params><param><value><struct><member>"
                                  b"<name>a</name><name>b</name><value>1</value></member>"
                                  b"</struct></value></param></params></methodResponse>"],
                         ids=["binary", "text", "badxml", "not-xmlrpc", "bad-int", "unknown-tag",
                              "member-without-name", "member-without-value", "two-names"])
def test_garbage_replies(rec_server: RecordingServer, quick: SmsClient, body: bytes) -> None:
    rec_server.default = raw(body)
    exc, _ = _fails(quick.subnetList)
    assert exc.reason.startswith("SMS sent an unparsable reply: ")


def test_empty_reply(rec_server: RecordingServer, quick: SmsClient) -> None:
    rec_server.default = raw(b"")
    exc, _ = _fails(lambda: quick.subnetSplit(1, "a", "b"))
    assert exc.reason == "SMS sent an empty reply"


def test_billion_laughs_is_refused_quickly(rec_server: RecordingServer, quick: SmsClient) -> None:
    rec_server.default = raw(BILLION_LAUGHS)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    exc, elapsed = _fails(quick.packageGetAll)
    assert "declares a DTD or entities" in exc.reason
    assert elapsed < TIMEOUT + MARGIN
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown_kib < 50 * 1024  # expansion would need ~3 GB


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "streamed"])
def test_50mb_reply_is_refused_within_timeout(rec_server: RecordingServer,
                                              make_client: Callable[..., SmsClient],
                                              announce: bool) -> None:
    client = make_client(rec_server.url, http_timeout=10.0, max_reply_bytes=32 << 20)
    rec_server.default = big_reply(50 << 20, announce_length=announce)
    exc, elapsed = _fails(client.stbGetRegistered)
    if announce:
        assert exc.reason == "SMS reply too large: 50 MiB announced, limit 32 MiB"
    else:
        assert exc.reason == "SMS reply too large: more than 32 MiB"
    assert elapsed < 10.0 + MARGIN


def test_compressed_reply_is_capped_after_inflating(rec_server: RecordingServer,
                                                    make_client: Callable[..., SmsClient]
                                                    ) -> None:
    client = make_client(rec_server.url, http_timeout=10.0, max_reply_bytes=32 << 20)
    rec_server.default = gzip_bomb(64 << 20)  # ~64 KiB on the wire
    exc, elapsed = _fails(client.subnetList)
    assert exc.reason == "SMS reply too large: more than 32 MiB"
    assert elapsed < 10.0 + MARGIN


def test_reply_cap_is_configurable_and_billing_has_its_own(
        rec_server: RecordingServer, make_client: Callable[..., SmsClient]) -> None:
    client = make_client(rec_server.url, max_reply_bytes=4096,
                         max_billing_reply_bytes=1 << 20)
    events = [{"id": i, "be_desc": "Pakiet Komfort"} for i in range(100)]  # ~ 8 KiB
    rec_server.default = reply(events)
    exc, _ = _fails(client.meldingerList)
    assert exc.reason == "SMS reply too large: 18.2 KiB announced, limit 4 KiB"
    assert client.billingEventsGet("2024-01-01", "2024-01-31") == events


def test_a_mid_size_reply_parses_in_chunks(rec_server: RecordingServer,
                                           make_client: Callable[..., SmsClient]) -> None:
    # Not a speed test: the client gets SMS's usual timeouts, so a loaded machine cannot fail it
    # (the short TIMEOUT of `quick` is for the tests that wait for a timeout).
    client = make_client(rec_server.url)
    value = [{"stb_mac": f"00:11:22:33:{i // 256:02X}:{i % 256:02X}", "stb_serial": f"SN{i}",
              "stb_model": "MAG250", "stb_usage": "stock", "stb_id": i} for i in range(20000)]
    rec_server.default = reply(value)
    assert client.stbGetRegistered("stock") == value


# -- retry policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("first", [http_error(502), http_error(503), reset_mid_body(),
                                   raw(b"")],
                         ids=["502", "503", "reset", "empty"])
def test_read_is_retried_once_after_a_transient_failure(rec_server: RecordingServer,
                                                        quick: SmsClient, first) -> None:
    rec_server.plan.append(first)
    rec_server.default = reply([{"subnet_id": 1}])
    assert quick.subnetList() == [{"subnet_id": 1}]
    assert len(rec_server.requests) == 2
    assert [r.method for r in rec_server.requests] == ["subnetList", "subnetList"]


def test_read_is_retried_only_once(rec_server: RecordingServer, quick: SmsClient,
                                   caplog: pytest.LogCaptureFixture) -> None:
    rec_server.default = http_error(502)
    exc, _ = _fails(lambda: quick.accountGetSTB(9))
    assert exc.status == 502
    assert len(rec_server.requests) == 2
    assert "after 2 attempts" in caplog.text


@pytest.mark.parametrize("first", [http_error(404), http_error(403), raw(b"garbage"),
                                   truncated()], ids=["404", "403", "garbage", "truncated"])
def test_read_is_not_retried_after_a_lasting_failure(rec_server: RecordingServer,
                                                     quick: SmsClient, first) -> None:
    rec_server.plan.append(first)
    rec_server.default = reply([])
    with pytest.raises(SmsUnavailable):
        quick.meldingerList()
    assert len(rec_server.requests) == 1


WRITES: list[tuple[str, Callable[[SmsClient], object]]] = [
    ("custAdd", lambda c: c.custAdd({"cust_name": "A"})),
    ("custEdit", lambda c: c.custEdit("673041502", {"cust_name": "A"})),
    ("accountAdd", lambda c: c.accountAdd("673041502", {"cust_i_city": "A"})),
    ("accountEdit", lambda c: c.accountEdit(1, {"cust_i_city": "A"})),
    ("accountDel", lambda c: c.accountDel(1)),
    ("accountLock", lambda c: c.accountLock(1)),
    ("accountUnlock", lambda c: c.accountUnlock(1)),
    ("packagesAdd", lambda c: c.packagesAdd(1, [2], "2024-01-01")),
    ("packagesEntitle", lambda c: c.packagesEntitle(1, [2], "2024-01-01")),
    ("subscriptionActivate", lambda c: c.subscriptionActivate(1, 2)),
    ("subscriptionTerminate", lambda c: c.subscriptionTerminate(1, 2, "2024-01-31")),
    ("packageUpgrade", lambda c: c.packageUpgrade(1, 2, "2024-01-31")),
    ("addExtraPackageForSubscription", lambda c: c.addExtraPackageForSubscription(1, 2)),
    ("stbRegister", lambda c: c.stbRegister("00:11:22:33:44:55", "S", "MAG250")),
    ("stbRemove", lambda c: c.stbRemove("00:11:22:33:44:55")),
    ("stbLink", lambda c: c.stbLink(1, "00:11:22:33:44:55", 2, 3)),
    ("stbUnlink", lambda c: c.stbUnlink(1, "00:11:22:33:44:55")),
    ("subnetSplit", lambda c: c.subnetSplit(1, "a", "b")),
    ("meldingerSend", lambda c: c.meldingerSend(None, "a", "2024-01-01", "", "b", "", "", 1, 0)),
    ("meldingerDel", lambda c: c.meldingerDel([1])),
    ("meldingerDelCustomer", lambda c: c.meldingerDelCustomer("673041502")),
    ("setCustomerPaymentInfo", lambda c: c.setCustomerPaymentInfo(
        "2024-01-01", {"673041502": {"cust_total_balance": "1.00"}})),
]


@pytest.mark.parametrize("name,call", WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_never_retried(rec_server: RecordingServer, quick: SmsClient, name: str,
                                  call: Callable[[SmsClient], object]) -> None:
    rec_server.plan.append(http_error(502))
    rec_server.default = reply(True)
    with pytest.raises(SmsUnavailable):
        call(quick)
    assert len(rec_server.requests) == 1


# -- TLS (the only fault simulated with responses: no certificate authority here) ----------------


@responses.activate
def test_tls_verification_failure() -> None:
    url = "https://sms.example.invalid/sms/xmlrpc"
    responses.add(responses.POST, url, body=requests.exceptions.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
        "(_ssl.c:1000)"))
    client = SmsClient(url, "Jan Kowalski", "6e9bece1914809fb8493146417e722f6")
    with pytest.raises(SmsUnavailable) as info:
        client.subnetList()
    assert info.value.reason == ("SMS TLS failure: certificate verification failed "
                                 "(self-signed certificate) (https://sms.example.invalid/sms/xmlrpc)")
    assert len(responses.calls) == 1  # not retried: a bad certificate does not fix itself


def test_tls_verification_is_on_by_default(make_client: Callable[..., SmsClient]) -> None:
    client = make_client("https://127.0.0.1:1/sms/xmlrpc")
    assert client._transport._session().verify is True


# -- concurrency and hooks ------------------------------------------------------------------------


def test_concurrent_calls_get_their_own_answers(rec_server: RecordingServer,
                                                make_client: Callable[..., SmsClient]) -> None:
    client = make_client(rec_server.url, http_timeout=10.0)
    rec_server.default = echo()
    results: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(10):
                account = n * 100 + k
                # a read (retried once after a reset, as the busy test server may give) whose
                # reply may be one struct, so the echo passes the shape check
                results[account] = client.custList(str(100000 + account))
        except BaseException as exc:  # noqa: BLE001 - collected for the assert
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == 160
    assert all(v == {"method": "custList", "args": [str(100000 + k)]} for k, v in results.items())


def test_on_call_reports_every_call(rec_server: RecordingServer,
                                    make_client: Callable[..., SmsClient]) -> None:
    seen: list[tuple[str, float, str]] = []
    client = make_client(rec_server.url, http_timeout=TIMEOUT,
                         on_call=lambda m, s, o: seen.append((m, s, o)))
    rec_server.plan.extend([reply([]), fault(12, "Błąd"), http_error(404)])
    client.subnetList()
    with pytest.raises(SmsFault):
        client.accountDel(1)
    with pytest.raises(SmsUnavailable):
        client.accountLock(1)
    assert [(m, o) for m, _, o in seen] == [("subnetList", "ok"), ("accountDel", "fault 12"),
                                            ("accountLock", "unavailable")]
    assert all(isinstance(s, float) and 0 <= s < 5 for _, s, _ in seen)


def test_failing_on_call_hook_does_not_break_the_call(rec_server: RecordingServer,
                                                      make_client: Callable[..., SmsClient]
                                                      ) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("metrics down")

    client = make_client(rec_server.url, on_call=broken)
    rec_server.default = reply(7)
    assert client.meldingerSend(None, "a", "2024-01-01", "", "b", "", "", 1, 0) == 7


def test_client_refuses_bad_settings() -> None:
    md5 = "6e9bece1914809fb8493146417e722f6"
    with pytest.raises(ValueError, match="URL"):
        SmsClient("ftp://x", "a", md5)
    with pytest.raises(ValueError, match="MD5"):
        SmsClient("http://x", "a", "demo1234")
    with pytest.raises(ValueError, match="http_timeout"):
        SmsClient("http://x", "a", md5, http_timeout=0)
    with pytest.raises(ValueError, match="login"):
        SmsClient("http://x", " ", md5)


def test_from_config(tmp_path) -> None:
    from bridge.config import load_config

    ini = tmp_path / "lmstv.ini"
    ini.write_text("[logowanie]\nlogin = Jan Kowalski;\nhaslo = demo1234;\n"
                   "serwer = http://127.0.0.1:1/test/xmlrpc;\n[opcje]\nhttp_timeout = 4\n"
                   "long_timeout = 40\n", encoding="utf-8")
    client = SmsClient.from_config(load_config(str(ini), need_database=False))
    assert client.url == "http://127.0.0.1:1/test/xmlrpc" and client.login == "Jan Kowalski"
    assert client.http_timeout == 4.0 and client.long_timeout == 40.0
    assert client._auth == {"user_name": "Jan Kowalski",
                            "user_pass": "6e9bece1914809fb8493146417e722f6"}
