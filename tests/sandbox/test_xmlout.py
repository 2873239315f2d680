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
