"""The sandbox's reply writer: rows rendered without per-text escaping must still be escaped."""

from __future__ import annotations

import xmlrpc.client

from bridge.sandbox import xmlout

FIELDS = ("cust_number", "cust_external_id", "cust_name", "cust_city")
KINDS = "sass"


def _decoded(rows: xmlout.Rows) -> list[dict]:
    body = b"".join(xmlout.response_chunks(rows))
    (value,), _ = xmlrpc.client.loads(body)
    return value


def test_texts_needing_escaping_are_escaped_in_any_chunk() -> None:
    """A chunk is rendered without escaping only if none of its texts holds &, < or >; one
    such text anywhere in a chunk (first, middle, last row, any text member) escapes it."""
    n = xmlout.CHUNK_ROWS * 3 + 7
    rows = [(f"6731{i:05d}", i, "Jan", "Kraków") for i in range(n)]
    tricky = {3: (2, "A&B <x>"), xmlout.CHUNK_ROWS + 250: (3, "</string>"),
              2 * xmlout.CHUNK_ROWS - 1: (0, "a>b"), n - 1: (2, "&amp;")}
    for i, (col, text) in tricky.items():
        row = list(rows[i])
        row[col] = text
        rows[i] = tuple(row)
    got = _decoded(xmlout.Rows(FIELDS, KINDS, rows))
    assert [tuple(d.values()) for d in got] == rows
    body = b"".join(xmlout.response_chunks(xmlout.Rows(FIELDS, KINDS, rows)))
    assert b"A&amp;B &lt;x&gt;" in body and b"&lt;/string&gt;" in body
    assert b"a&gt;b" in body and b"&amp;amp;" in body


def test_plain_and_escaping_renderings_agree_on_safe_rows() -> None:
    rows = xmlout.Rows(FIELDS, KINDS, [])
    for row in [("1", 5, "Zażółć", "Łódź"), ("2", "", "", "x"), ("3", None, "a b", "'\"")]:
        assert rows.render_plain(row) == rows.render(row)


def test_rows_without_texts_and_with_one_text() -> None:
    assert _decoded(xmlout.Rows(("a", "b"), "id", [(1, 2.5), (3, 4.0)])) == [
        {"a": 1, "b": 2.5}, {"a": 3, "b": 4.0}]
    assert _decoded(xmlout.Rows(("a", "b"), "is", [(1, "x<y"), (2, "z")])) == [
        {"a": 1, "b": "x<y"}, {"a": 2, "b": "z"}]


# -- custList("") rendered ahead (bridge/sandbox/server.py) --------------------------------


def _sandbox(customers: int, prerender_min: int = 50):
    from bridge.sandbox.server import Sandbox, build

    state, controls, _ = build(None, "empty")
    if customers:
        controls.addCustomers(customers)
    return Sandbox(state, controls, "Jan Kowalski", "0" * 32, prerender_min=prerender_min)


AUTH = {"user_name": "Jan Kowalski", "user_pass": "0" * 32}


def _wait_rendered(sb, version: int) -> None:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        kept = sb._rendered
        if kept is not None and kept[0] == version:
            return
        time.sleep(0.01)
    raise AssertionError("custList('') was not rendered ahead")


def _whole(sb) -> list[dict]:
    body = b"".join(xmlout.response_chunks(sb.business("custList", (AUTH, ""))))
    return xmlrpc.client.loads(body)[0][0]


def test_the_whole_list_is_rendered_ahead_at_start_and_after_data_controls() -> None:
    """The benchmarks' first custList("") finds its reply ready (the sandbox stands in for an
    SMS answering in a fixed time); a control that changes data has it rendered again, one
    that changes nothing keeps it, a business call leaves it to the next custList."""
    sb = _sandbox(60)
    try:
        sb.start_prerendering()
        _wait_rendered(sb, sb.state.version)
        ready = sb.business("custList", (AUTH, ""))
        assert isinstance(ready, xmlout.Rendered)
        assert len(_whole(sb)) == 60

        sb.control("sandbox.addCustomers", (5,))
        _wait_rendered(sb, sb.state.version)
        assert isinstance(sb.business("custList", (AUTH, "")), xmlout.Rendered)
        assert len(_whole(sb)) == 65

        kept = sb._rendered
        sb.control("sandbox.getCalls", ())
        sb.control("sandbox.setLatency", (0,))
        assert sb._rendered is kept

        number = next(iter(sb.state.customers))
        sb.business("custEdit", (AUTH, number, {"cust_name": "Adam"}))
        assert sb._rendered is None
        got = sb.business("custList", (AUTH, ""))
        assert isinstance(got, xmlout.Recorded)  # rendered on demand, as before
        # (read here: an unsent reply is a rendering under way, which another custList("")
        # waits for, up to a minute)
        whole = xmlrpc.client.loads(b"".join(xmlout.response_chunks(got)))[0][0]
        assert [c["cust_name"] for c in whole if c["cust_number"] == number] == ["Adam"]
        assert isinstance(sb.business("custList", (AUTH, "")), xmlout.Rendered)
    finally:
        sb.stopping.set()
        sb._prerender_wanted.set()


def test_small_lists_are_not_rendered_ahead() -> None:
    sb = _sandbox(10, prerender_min=50)
    assert sb.prerender() is False and sb._rendered is None
    sb.prerender_min = 10
    assert sb.prerender() is True and sb._rendered[0] == sb.state.version


def test_a_whole_list_asked_while_it_is_rendered_ahead_waits_for_that_rendering(
        monkeypatch) -> None:
    """Not rendered twice at once: the request waits for the rendering under way."""
    import threading

    sb = _sandbox(60)
    release, started = threading.Event(), threading.Event()
    real = xmlout.Rows.chunks
    renders = []

    def slow_chunks(rows):
        renders.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        yield from real(rows)

    monkeypatch.setattr(xmlout.Rows, "chunks", slow_chunks)
    ahead = threading.Thread(target=sb.prerender, name="ahead")
    ahead.start()
    assert started.wait(10)
    answer: list = []
    asker = threading.Thread(target=lambda: answer.append(sb.business("custList", (AUTH, ""))))
    asker.start()
    asker.join(0.2)
    assert asker.is_alive()  # waiting for the rendering under way
    release.set()
    ahead.join(10)
    asker.join(10)
    assert isinstance(answer[0], xmlout.Rendered) and renders == ["ahead"]


def test_no_rendering_ahead_while_a_client_is_being_sent_the_same_list() -> None:
    """A custList("") being sent (rendered on demand) is the rendering of that state: nothing
    renders it again ahead meanwhile, a second custList("") waits for it, and once it is sent
    the rendering ahead finds it kept."""
    import threading

    sb = _sandbox(60)
    first = sb.business("custList", (AUTH, ""))
    assert isinstance(first, xmlout.Recorded)
    chunks = xmlout.response_chunks(first)
    next(chunks)  # sending has begun
    assert sb.prerender() is False and sb._rendered is None
    answer: list = []
    second = threading.Thread(target=lambda: answer.append(sb.business("custList", (AUTH, ""))))
    second.start()
    second.join(0.2)
    assert second.is_alive()
    body = b"".join(chunks)
    second.join(10)
    assert isinstance(answer[0], xmlout.Rendered)
    assert b"".join(answer[0].chunks()).endswith(body[-200:])
    assert sb.prerender() is False and sb._rendering is None


def test_a_list_whose_sending_broke_off_is_not_kept_and_does_not_block() -> None:
    sb = _sandbox(60)
    chunks = xmlout.response_chunks(sb.business("custList", (AUTH, "")))
    next(chunks)
    chunks.close()  # the client went away
    assert sb._rendering is None and sb._rendered is None
    assert sb.prerender() is True
