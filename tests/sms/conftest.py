"""Fixtures of the SMS client tests: a recording HTTP server and clients pointed at it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import pytest

from bridge.sms import SmsClient
from tests.sms.sms_testserver import RecordingServer, start_server

LOGIN = "Jan Kowalski"
PASSWORD_MD5 = hashlib.md5(b"demo1234").hexdigest()
AUTH = {"user_name": LOGIN, "user_pass": PASSWORD_MD5}


@pytest.fixture
def rec_server() -> Iterator[RecordingServer]:
    server = start_server()
    yield server
    server.close()


@pytest.fixture
def make_client() -> Iterator[Callable[..., SmsClient]]:
    made: list[SmsClient] = []

    def make(url: str, **kwargs: object) -> SmsClient:
        client = SmsClient(url, LOGIN, PASSWORD_MD5, **kwargs)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(rec_server: RecordingServer, make_client: Callable[..., SmsClient]) -> SmsClient:
    return make_client(rec_server.url, http_timeout=2.0, long_timeout=4.0)
