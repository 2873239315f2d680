"""Differential tests: the fast decoder must give exactly what the hardened expat path gives.

Many generated replies (random nesting, Polish text, markup characters, empty and blank strings,
pretty-printing and whitespace variants, every scalar type, untyped and self-closed values,
character references) are decoded both ways, cut into random pieces, and compared with their
types made visible.  Adversarial bodies must make the fast decoder bail (never decode them
itself) and then come out exactly as the full parser has them, refusals included.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import xmlrpc.client
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bridge.sandbox import xmlout
from bridge.sms import SmsFault, SmsUnavailable, fastdecode
from bridge.sms.fastdecode import FastArrayDecoder, unescape
from bridge.sms.rows import as_dict, column, field, is_row
from bridge.sms.transport import ReplyDecoder, decode_reply

WORDS = ["Zażółć", "gęślą", "jaźń", "Łódź", "ul. Piotrkowska 1/2", "a & b", "<b>x</b>",
         "x > y", "\"cytat\"", "'apostrof'", "]]", "]] >", "tab\there", "line\nbreak", "  ",
         "", " lead", "trail ", "€", "𝄞", "\u00a0nbsp", "\x7f\x85\u2028", "ąęśćżźńół" * 5,
         "673041502", "-12.50", "0", "1", "nil", "&amp;", "&#322;", "%s", "\\", "Ó" * 60]
NAMES = ["cust_number", "cust_name", "cust_surname", "be_gross", "id", "acc_active", "x y",
         "zażółć", "a&b", "n<1>", "", " pad "]


@pytest.fixture(params=["C", "Python"])
def loop(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test runs twice: past the sample, structs go through the C loop
    (bridge/sms/_fastrun.c, which the test environment must have built), then through the
    generated Python loop that a build without a compiler uses."""
    if request.param == "C":
        assert fastdecode._fastrun is not None, \
            "the C loop is not built: `pip install -e .` needs gcc and Python's headers"  # noqa: SLF001
    else:
        monkeypatch.setattr(fastdecode, "_fastrun", None)
    return request.param


def _typed(value: Any) -> Any:
    """The value with exact types visible, so 1 != True != "1" and [] != ()."""
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(v) for v in value])
    return (type(value).__name__, value)


# -- generators -----------------------------------------------------------------------------------

def _scalar(rnd: random.Random) -> Any:
    kind = rnd.randrange(10)
    if kind <= 2:
        return rnd.choice(WORDS) + (rnd.choice(WORDS) if rnd.random() < 0.3 else "")
    if kind == 3:
        return rnd.choice([0, 1, -1, 7, 2**31 - 1, -2**31, 2**40, -2**45])
    if kind == 4:
        return rnd.choice([0.0, 0.23, -1.5, 1e300, 123456.789, -0.0, float("inf")])
    if kind == 5:
        return rnd.random() < 0.5
    if kind == 6:
        return None
    if kind == 7:
        return dt.datetime(2024, rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23),
                           rnd.randint(0, 59), rnd.randint(0, 59))
    if kind == 8:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 9)))
    return str(rnd.randint(0, 10**9))


def _flat(rnd: random.Random, names: list[str]) -> dict[str, Any]:
    return {n: _scalar(rnd) for n in names}


def _nested(rnd: random.Random, depth: int) -> Any:
    if depth <= 0 or rnd.random() < 0.4:
        return _scalar(rnd)
    if rnd.random() < 0.5:
        return [_nested(rnd, depth - 1) for _ in range(rnd.randrange(0, 4))]
    return {rnd.choice(NAMES): _nested(rnd, depth - 1) for _ in range(rnd.randrange(0, 4))}


def _value(rnd: random.Random, shape: str) -> Any:
    """A reply value: mostly arrays of flat structs (one schema, nil-able), sometimes not."""
    if shape == "flat":
        names = rnd.sample(NAMES, rnd.randint(1, 6))
        rows = [_flat(rnd, names) for _ in range(rnd.randrange(0, 30))]
        if rows and rnd.random() < 0.3:
            rows.insert(rnd.randrange(len(rows)), _scalar(rnd))  # a scalar among structs
        return rows
    if shape == "scalars":
        return [_scalar(rnd) for _ in range(rnd.randrange(0, 20))]
    if shape == "mixed":  # flat items, then one nested item somewhere: a bail mid-array
        rows = [_flat(rnd, ["a", "b"]) for _ in range(rnd.randrange(1, 20))]
        rows.insert(rnd.randrange(len(rows) + 1), _nested(rnd, 3))
        return rows
    return _nested(rnd, 4)


def _esc(text: str, rnd: random.Random) -> str:
    """Escape markup; sometimes as character or other predefined references instead."""
    out = []
    for ch in text:
        r = rnd.random()
        if ch == "&":
            out.append(rnd.choice(["&amp;", "&#38;", "&#x26;"]))
        elif ch == "<":
            out.append(rnd.choice(["&lt;", "&#60;"]))
        elif ch == ">":
            out.append(rnd.choice([">", "&gt;"]) if r < 0.5 else "&gt;")
        elif ch == "\"" and r < 0.5:
            out.append("&quot;")
        elif ch == "'" and r < 0.5:
            out.append("&apos;")
        elif ch == "\n" and r < 0.2:
            out.append("&#10;")
        elif ord(ch) > 127 and r < 0.1:
            out.append(f"&#{ord(ch)};" if r < 0.05 else f"&#x{ord(ch):x};")
        else:
            out.append(ch)
    return "".join(out)


class _Writer:
    """An XML-RPC writer with the variants real servers produce (fixed per reply)."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.ws = rnd.choice(["", "", "\n", "\n  ", " \t"])
        self.untyped = rnd.random() < 0.3
        self.closed = rnd.random() < 0.3
        self.int_tag = rnd.choice(["int", "i4"])
        self.jitter = rnd.random() < 0.15  # whitespace differs struct to struct

    def w(self) -> str:
        if self.jitter:
            return self.rnd.choice(["", " ", "\n", "\t\n "])
        return self.ws

    def value(self, v: Any) -> str:
        w, rnd = self.w, self.rnd
        if v is None:
            body = "<nil/>" if rnd.random() < 0.8 else "<nil></nil>"
        elif v is True or v is False:
            body = f"<boolean>{int(v)}</boolean>"
        elif isinstance(v, int):
            body = f"<{self.int_tag if -2**31 <= v < 2**31 else 'i8'}>{v}" \
                   f"</{self.int_tag if -2**31 <= v < 2**31 else 'i8'}>"
        elif isinstance(v, float):
            body = f"<double>{v!r}</double>"
        elif isinstance(v, str):
            if v == "" and self.closed:
                return rnd.choice(["<value><string/></value>", "<value/>",
                                   f"<value>{w()}<string/>{w()}</value>"])
            if self.untyped:
                return f"<value>{_esc(v, rnd)}</value>"
            body = f"<string>{_esc(v, rnd)}</string>"
        elif isinstance(v, dt.datetime):
            body = f"<dateTime.iso8601>{v:%Y%m%dT%H:%M:%S}</dateTime.iso8601>"
        elif isinstance(v, bytes):
            body = f"<base64>{base64.encodebytes(v).decode()}</base64>"
        elif isinstance(v, dict):
            members = "".join(f"<member>{w()}<name>{_esc(k, rnd)}</name>{w()}"
                              f"{self.value(x)}{w()}</member>{w()}" for k, x in v.items())
            body = f"<struct>{w()}{members}</struct>"
        else:
            body = f"<array>{w()}<data>{w()}" + "".join(self.value(x) + w() for x in v) \
                   + f"</data>{w()}</array>"
        return f"<value>{w()}{body}{w()}</value>"

    def reply(self, v: Any) -> bytes:
        w, rnd = self.w, self.rnd
        decl = rnd.choice(["", "<?xml version='1.0'?>\n", '<?xml version="1.0" encoding="UTF-8"?>',
                           "<?xml version=\"1.0\" encoding='utf-8' standalone=\"yes\"?>\n"])
        return (f"{decl}<methodResponse>{w()}<params>{w()}<param>{w()}{self.value(v)}{w()}"
                f"</param>{w()}</params>{w()}</methodResponse>{w()}").encode()


def _bodies(rnd: random.Random, value: Any) -> Iterator[bytes]:
    try:
        yield xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True,
                                  encoding="utf-8").encode()
    except OverflowError:
        pass  # xmlrpc.client cannot send i8; the other writers can
    if not _has(value, (bytes, dt.datetime)):  # the sandbox never sends those
        yield b"".join(xmlout.response_chunks(value))
    yield _Writer(rnd).reply(value)


def _has(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, dict):
        return any(_has(v, types) for v in value.values())
    if isinstance(value, list):
        return any(_has(v, types) for v in value)
    return isinstance(value, types)


def _pieces(body: bytes, rnd: random.Random) -> list[bytes]:
    """The body cut at random places (inside tags, references and UTF-8 sequences too)."""
    cuts = sorted(rnd.sample(range(1, len(body)), min(len(body) - 1, rnd.randrange(0, 12))))
    edges = [0, *cuts, len(body)]
    return [body[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return ("ok", _typed(fn()))
    except SmsFault as fault:
        return ("fault", fault.code, fault.message)
    except SmsUnavailable as exc:  # the kind of refusal, not the preview of the bytes
        return ("unavailable", exc.reason.split(":")[0].split(" (")[0])


def _fast_only(body: bytes, pieces: list[bytes] | None = None) -> FastArrayDecoder:
    dec = FastArrayDecoder()
    for piece in pieces or [body]:
        if not dec.feed(piece):
            break
    else:
        dec.finish()
    return dec


# -- the differential property ------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(60))
def test_generated_replies_decode_identically(seed: int) -> None:
    rnd = random.Random(seed)
    shape = ["flat", "flat", "flat", "scalars", "mixed", "nested"][seed % 6]
    value = _value(rnd, shape)
    for body in _bodies(rnd, value):
        reference = xmlrpc.client.loads(body, use_builtin_types=True)[0][0]
        expected = _typed(reference)
        full = decode_reply([body], fast=False)
        assert _typed(full) == expected
        for _ in range(4):
            got = decode_reply(_pieces(body, rnd))
            assert _typed(got) == expected, body[:300]


def test_the_fast_path_really_takes_flat_arrays() -> None:
    """Guard against a vacuous differential test: flat arrays must not be handed to expat."""
    rnd = random.Random(7)
    taken = 0
    for seed in range(40):
        value = _value(random.Random(seed), "flat")
        for body in _bodies(rnd, value):
            dec = _fast_only(body, _pieces(body, rnd))
            assert dec.bailed is None, (dec.bailed, body[:300])
            assert _typed(dec.items) == _typed(
                xmlrpc.client.loads(body, use_builtin_types=True)[0][0])
            taken += 1
    assert taken >= 50


def test_a_sandbox_customer_list_uses_one_compiled_shape(loop: str) -> None:
    rows = [{"cust_number": f"673{i:06d}", "cust_external_id": i if i % 3 else None,
             "cust_name": "Zażółć & <gęślą>" if i % 7 == 0 else "Jan", "cust_total_balance":
             "-12.50"} for i in range(500)]
    body = b"".join(xmlout.response_chunks(rows))
    dec = _fast_only(body)
    assert dec.bailed is None and dec.items == rows
    # the int member also accepts <nil/>, so one layout serves every row with plain text
    assert len(dec._shapes) <= 2  # noqa: SLF001


def test_bail_midway_keeps_the_items_already_taken_exactly_once() -> None:
    rows: list[Any] = [{"a": i, "b": f"ł{i}"} for i in range(50)]
    rows.insert(30, {"a": {"nested": [1, 2]}, "b": "x"})
    body = xmlrpc.client.dumps((rows,), methodresponse=True).encode()
    dec = _fast_only(body)
    assert dec.bailed and len(dec.items) == 30
    assert decode_reply([body[i:i + 100] for i in range(0, len(body), 100)]) == rows


# -- adversarial: the fast decoder must bail, the result must be the full parser's --------------

def _array(items: str, head: str = "", tail: str = "") -> bytes:
    return (f"{head}<methodResponse><params><param><value><array><data>{items}</data></array>"
            f"</value></param></params></methodResponse>{tail}").encode()


S = "<value><struct><member><name>a</name><value><string>{}</string></value></member>" \
    "</struct></value>"
ADVERSARIAL: dict[str, bytes] = {
    "cdata": _array(S.format("<![CDATA[x<y]]>")),
    "comment between items": _array(S.format("1") + "<!-- c -->" + S.format("2")),
    "comment in a member": _array(S.format("1<!-- c -->2")),
    "processing instruction": _array(S.format("1") + "<?php echo 1; ?>" + S.format("2")),
    "doctype": _array(S.format("1"), head="<!DOCTYPE methodResponse>"),
    "entity declaration": _array(S.format("&e;"), head='<!DOCTYPE m [<!ENTITY e "x">]>'),
    "undefined entity": _array(S.format("&nbsp;")),
    "bare ampersand": _array(S.format("a & b")),
    "invalid character reference": _array(S.format("&#1;")),
    "surrogate reference": _array(S.format("&#xD800;")),
    "uppercase X reference": _array(S.format("&#X41;")),
    "]]> in text": _array(S.format("a]]>b")),
    "control character": _array(S.format("a\x01b")),
    "U+FFFE": _array(S.format("a\ufffeb")),
    "carriage returns": _array(S.format("a\r\nb\rc")),
    "carriage return between tags": _array(S.format("1") + "\r\n" + S.format("2")),
    "attribute": _array(S.format("1").replace("<string>", '<string lang="pl">')),
    "namespaced tag": _array(S.format("1").replace("string>", "ex:string>")),
    "nested struct": _array("<value><struct><member><name>a</name><value><struct></struct>"
                            "</value></member></struct></value>"),
    "nested array": _array("<value><struct><member><name>a</name><value><array><data>"
                           "</data></array></value></member></struct></value>"),
    "value in value": _array("<value><value>x</value></value>"),
    "text around a typed value": _array("<value>x<string>y</string></value>"),
    "name after value": _array("<value><struct><member><value><int>1</int></value>"
                               "<name>a</name></member></struct></value>"),
    "unknown type": _array("<value><bigdecimal>1.5</bigdecimal></value>"),
    "bad int": _array("<value><int>x1</int></value>"),
    "bad boolean": _array("<value><boolean> 1</boolean></value>"),
    "bad date": _array("<value><dateTime.iso8601>2024</dateTime.iso8601></value>"),
    "bad base64": _array("<value><base64>ł</base64></value>"),
    "latin-2 declared": _array(S.format("\u0105"),
                               head="<?xml version='1.0' encoding='iso-8859-2'?>")
    .replace("\u0105".encode(), b"\xb1"),
    "byte order mark": b"\xef\xbb\xbf" + _array(S.format("1")),
    "not UTF-8": _array(S.format("1")).replace(b">1<", b">\xff<"),
    "xml 1.1": _array(S.format("1"), head="<?xml version='1.1'?>"),
    "space before declaration": _array(S.format("1"), head=" <?xml version='1.0'?>"),
    "junk after the document": _array(S.format("1"), tail="<x/>"),
    "two params": _array(S.format("1")).replace(
        b"</param></params>", b"</param><param><value>2</value></param></params>"),
    "fault": xmlout.fault_xml(713, "Usługa może zostać zaterminowana jedynie na koniec okresu"),
    "scalar reply": xmlout.fault_xml(1, "x").replace(b"fault", b"params"),
    "truncated": _array(S.format("1") * 3)[:-40],
    "mismatched end tag": _array(S.format("1")).replace(b"</data>", b"</dat>"),
    "html": b"<!DOCTYPE html><html><body>503</body></html>",
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_bodies_bail_and_match_the_full_parser(name: str) -> None:
    body = ADVERSARIAL[name]
    dec = _fast_only(body)
    assert dec.bailed, f"the fast decoder accepted {name!r}"
    expected = _outcome(lambda: decode_reply([body], fast=False))
    rnd = random.Random(name)
    for pieces in ([body], [bytes([b]) for b in body], _pieces(body, rnd)):
        assert _outcome(lambda p=pieces: decode_reply(p)) == expected


def test_refusals_keep_their_reasons() -> None:
    assert _outcome(lambda: decode_reply([ADVERSARIAL["fault"]])) == (
        "fault", 713, "Usługa może zostać zaterminowana jedynie na koniec okresu")
    with pytest.raises(SmsUnavailable, match="declares a DTD or entities"):
        decode_reply([ADVERSARIAL["entity declaration"]])
    with pytest.raises(SmsUnavailable, match="HTML page"):
        decode_reply([ADVERSARIAL["html"]])
    with pytest.raises(SmsUnavailable, match="incomplete XML"):
        decode_reply([ADVERSARIAL["truncated"]])


def test_an_item_larger_than_the_window_goes_to_expat() -> None:
    big = "ż" * (3 << 19)
    body = _array(S.format("a") + S.format(big))
    dec = _fast_only(body, [body[i:i + 65536] for i in range(0, len(body), 65536)])
    assert dec.bailed and len(dec.items) == 1
    assert decode_reply([body[i:i + 65536] for i in range(0, len(body), 65536)]) == \
        [{"a": "a"}, {"a": big}]


@pytest.mark.parametrize("raw,text", [("a&amp;b", "a&b"), ("&lt;&gt;&quot;&apos;", "<>\"'"),
                                      ("&#322;&#x142;&#X", None), ("&#0;", None),
                                      ("&#x10FFFF;", "\U0010ffff"), ("&#xFFFE;", None),
                                      ("&#9;&#10;&#13;", "\t\n\r"), ("x]]>", None),
                                      ("&amp", None), ("&#;", None), ("&#99999999999;", None)])
def test_unescape_matches_expat(raw: str, text: str | None) -> None:
    body = _array(S.format(raw))
    expected = _outcome(lambda: decode_reply([body], fast=False))
    assert (expected[0] == "ok") == (text is not None)
    if text is None:
        with pytest.raises(Exception):  # noqa: B017 - Bail: the full parser decides
            unescape(raw)
    else:
        assert unescape(raw) == text
        assert expected == ("ok", _typed([{"a": text}]))
    assert _outcome(lambda: decode_reply([body])) == expected


@pytest.mark.parametrize("kind", ["some", "all", "none"])
def test_long_runs_after_learning_what_to_share(kind: str, loop: str) -> None:
    """Past the sample the decoder shares only repeating members; values stay identical."""
    rnd = random.Random(kind)
    rows = []
    for i in range(900):
        unique = f"{i:09d}-{rnd.random()}"
        repeated = rnd.choice(["Kraków", "Łódź", "", "a & b"])
        if kind == "all":
            row: dict[str, Any] = {"a": repeated, "b": repeated[::-1], "c": repeated * 2}
        elif kind == "none":
            row = {"a": unique, "n": i if i % 5 else None, "b": unique + "x", "z": None}
        else:
            row = {"a": unique, "n": i if i % 5 else None, "b": repeated, "flag": i % 2 == 0,
                   "c": unique + "y", "z": None, "d": repeated + "!"}
        rows.append(row)
    body = b"".join(xmlout.response_chunks(rows))
    dec = _fast_only(body, [body[i:i + 4096] for i in range(0, len(body), 4096)])
    assert dec.bailed is None
    assert _typed(dec.items) == _typed(xmlrpc.client.loads(body, use_builtin_types=True)[0][0])
    assert dec._shapes[0].mode == kind  # noqa: SLF001 - the layout that took the long run
    assert (dec._shapes[0].spec is not None) == (loop == "C")  # noqa: SLF001 - which loop ran
    if kind != "none":  # past the sample too, each repeated text is one object
        late = dec.items[500:]
        assert len({id(r["b"]) for r in late}) == len({r["b"] for r in late})


@pytest.mark.parametrize("bad", ["<int>12x</int>", "<boolean>2</boolean>", "<double>x</double>"])
def test_a_bad_value_late_in_a_compiled_run_fails_as_the_full_parser_does(
        bad: str, loop: str) -> None:
    """Past the sample, structs go through the shape's compiled loop; a value its converter
    refuses there still hands over to expat at that struct, with the same outcome."""
    good = ("<value><struct><member><name>n</name><value><int>{}</int></value></member>"
            "<member><name>s</name><value><string>Kraków {}</string></value></member>"
            "<member><name>b</name><value><boolean>1</boolean></value></member>"
            "<member><name>d</name><value><double>1.5</double></value></member>"
            "</struct></value>")
    items = [good.format(i, i % 7) for i in range(600)]
    kind = bad.split(">")[0][1:]
    items[450] = items[450].replace({"int": "<int>450</int>", "boolean": "<boolean>1</boolean>",
                                     "double": "<double>1.5</double>"}[kind], bad)
    body = _array("".join(items))
    pieces = [body[i:i + 3000] for i in range(0, len(body), 3000)]
    assert _outcome(lambda: decode_reply(pieces)) == \
        _outcome(lambda: decode_reply([body], fast=False))
    dec = _fast_only(body, pieces)
    assert dec.bailed is not None and len(dec.items) == 450


def test_a_compiled_run_keeps_nil_and_escaped_members_identical(loop: str) -> None:
    rows = [{"id": i, "name": f"Nowak {i % 3}", "note": None if i % 4 else "a & b <c>",
             "when": None, "flag": i % 2 == 0} for i in range(700)]
    body = b"".join(xmlout.response_chunks(rows))
    pieces = [body[i:i + 5000] for i in range(0, len(body), 5000)]
    assert _typed(decode_reply(pieces)) == \
        _typed(xmlrpc.client.loads(body, use_builtin_types=True)[0][0])


# -- compact rows (bridge.sms.rows) ---------------------------------------------------------------

def _rows_as_dicts(value: Any) -> Any:
    return [as_dict(item) for item in value] if isinstance(value, list) else value


@pytest.mark.parametrize("seed", range(0, 60, 5))
def test_rows_hold_exactly_what_the_dicts_hold(seed: int) -> None:
    """``rows=True`` changes only the container: each struct as (names, values...), on the
    fast path, after a bail and on the expat path alike; nested structs stay dicts."""
    rnd = random.Random(seed)
    shape = ["flat", "flat", "flat", "scalars", "mixed", "nested"][seed % 6]
    value = _value(rnd, shape)
    for body in _bodies(rnd, value):
        expected = _typed(xmlrpc.client.loads(body, use_builtin_types=True)[0][0])
        for fast in (True, False):
            decoder = ReplyDecoder(fast=fast, rows=True)
            for piece in _pieces(body, rnd):
                decoder.feed(piece)
            got = decoder.close()
            if isinstance(got, list):
                flat = [item for item in got if isinstance(item, tuple)]
                assert all(is_row(item) and len(item) == len(item[0]) + 1 for item in flat)
                assert not any(isinstance(v, (dict, list)) for item in flat for v in item[1:])
                assert not any(isinstance(item, dict) and not any(
                    isinstance(v, (dict, list)) for v in item.values()) for item in got)
            assert _typed(_rows_as_dicts(got)) == expected, body[:300]


def test_rows_of_one_layout_share_their_names_and_read_by_name(loop: str) -> None:
    rows = [{"cust_number": f"673{i:06d}", "cust_external_id": i if i % 3 else None,
             "cust_surname": "Zażółć & <gęślą>" if i % 7 == 0 else f"Nowak{i % 4}"}
            for i in range(700)]
    body = b"".join(xmlout.response_chunks(rows))
    dec = FastArrayDecoder(rows=True)
    for i in range(0, len(body), 3000):
        assert dec.feed(body[i:i + 3000])
    got = dec.finish()[0]
    assert [as_dict(r) for r in got] == rows
    assert len({id(r[0]) for r in got}) == 1  # escaped texts took the generic path: same names
    assert column(got, "cust_external_id") == [r["cust_external_id"] for r in rows]
    assert column(got, "missing") == [None] * len(rows)
    assert field(got[5], "cust_surname") == "Nowak1" and field(got[5], "nope", 0) == 0
    assert field(rows[5], "cust_surname") == "Nowak1"  # a dict reads as a dict


# -- matching bytes: hostile bytes in the compiled loop, cut anywhere ------------------------------

_LATE = ("<value><struct><member><name>nr</name><value><int>{i}</int></value></member>"
         "<member><name>nazwisko_łódź</name><value><string>Żółć {i}</string></value></member>"
         "<member><name>miasto</name><value><string>{city}</string></value></member>"
         "<member><name>uwagi</name><value>{note}</value></member>"
         "<member><name>email</name><value><string>{mail}</string></value></member>"
         "</struct></value>")


def _late_body(hostile: str | None, at: int = 450, count: int = 600) -> bytes:
    """``count`` structs of one layout (a shared, an unshared, an untyped member, non-ASCII
    names and texts); struct ``at`` replaced by ``hostile`` (its fields filled in)."""
    items = [_LATE.format(i=i, city=["Kraków", "Łódź", "Gdańsk"][i % 3], note=f"ś{i}",
                          mail=f"jan.żak{i}@example.pl") for i in range(count)]
    if hostile is not None:
        items[at] = hostile.format(i=at, city="Kraków", note=f"ś{at}",
                                   mail=f"jan.żak{at}@example.pl")
    return _array("".join(items))


HOSTILE_LATE: dict[str, tuple[str, bool]] = {  # the struct, whether the fast path takes it
    "entities": (_LATE.replace("{city}", "A &amp; B &lt;C&gt; &#322;&#x142; &quot;&apos;")
                 .replace("{note}", "x &#10; y").replace("{mail}", "a&#64;b"), True),
    "U+FFFD is a character": (_LATE.replace("{city}", "\ufffd\uffbf").replace("{note}", "")
                              .replace("{mail}", ""), True),
    "nil string members": (_LATE.replace("<string>{city}</string>", "<nil/>")
                           .replace("<string>{mail}</string>", "<nil/>")
                           .replace("{note}", ""), True),
    "empty and closed strings": (_LATE.replace("<string>{city}</string>", "<string/>")
                                 .replace("{mail}", "").replace("{note}", ""), True),
    "CDATA": (_LATE.replace("{city}", "<![CDATA[a<b]]>").replace("{note}", "")
              .replace("{mail}", ""), False),
    "nested value": (_LATE.replace("<string>{city}</string>",
                                   "<struct><member><name>x</name><value>1</value></member>"
                                   "</struct>").replace("{note}", "").replace("{mail}", ""),
                     False),
    "U+FFFE": (_LATE.replace("{city}", "a\ufffeb").replace("{note}", "")
               .replace("{mail}", ""), False),
    "U+FFFF untyped": (_LATE.replace("{note}", "\uffff").replace("{city}", "x")
                       .replace("{mail}", ""), False),
    "non-ASCII digits": (_LATE.replace("<int>{i}</int>", "<int>\u0661\u0662</int>")
                         .replace("{city}", "x").replace("{note}", "").replace("{mail}", ""),
                         False),
    "odd whitespace between tags": (_LATE.replace("<member><name>miasto", " \n\t<member>\n"
                                                  "<name>miasto").replace("{city}", "x")
                                    .replace("{note}", "").replace("{mail}", ""), True),
}
BAD_BYTES: dict[str, tuple[str, bytes]] = {  # a placeholder in the text, the bytes it becomes
    "lone continuation byte, shared member": ("{city}", b"Krak\xb3w"),
    "latin-2 byte, unshared member": ("{mail}", b"\xb1@example.pl"),
    "truncated sequence, untyped member": ("{note}", b"\xc5"),
    "overlong slash in a name": ("nazwisko_łódź", b"\xc0\xaf"),
    "encoded surrogate": ("{city}", b"\xed\xa0\x80"),
}


def _cuts(body: bytes, at: int) -> list[list[bytes]]:
    """Whole, in 4 KB pieces, and cut at each of 24 bytes around the middle of struct ``at``
    (its texts' UTF-8 sequences split at their bytes)."""
    mid = body.index(f"<int>{at - 1}</int>".encode()) + 600  # one struct is ~450 bytes
    return [[body], [body[i:i + 4096] for i in range(0, len(body), 4096)],
            *([body[:c], body[c:]] for c in range(mid - 12, mid + 12))]


@pytest.mark.parametrize("name", list(HOSTILE_LATE))
def test_hostile_texts_in_the_compiled_loop_decode_as_expat_does(name: str, loop: str) -> None:
    hostile, taken = HOSTILE_LATE[name]
    body = _late_body(hostile)
    expected = _outcome(lambda: decode_reply([body], fast=False))
    assert expected[0] == "ok" or not taken
    for pieces in _cuts(body, 450):
        assert _outcome(lambda p=pieces: decode_reply(p)) == expected, name
    if expected[0] == "ok":  # the list's rows hold the same values
        decoder = ReplyDecoder(rows=True)
        for piece in _cuts(body, 450)[1]:
            decoder.feed(piece)
        assert _typed(_rows_as_dicts(decoder.close())) == expected[1]
    dec = _fast_only(body, [body[i:i + 4096] for i in range(0, len(body), 4096)])
    assert (dec.bailed is None) == taken, dec.bailed
    if not taken:  # bailed at that struct or, for bytes refused as they arrive, its piece's
        # start: what it took is exactly the first structs (the rest is the replay's)
        assert 400 <= len(dec.items) <= 450
        assert [item["nr"] for item in dec.items] == list(range(len(dec.items)))


@pytest.mark.parametrize("name", list(BAD_BYTES))
def test_bytes_that_are_not_utf8_bail_where_they_are(name: str, loop: str) -> None:
    """A captured text that is not UTF-8 (in a shared, an unshared or an untyped member, or
    in a literal part) bails at its struct, in the sample and in the compiled loop alike; the
    outcome is the full parser's refusal."""
    where, bad = BAD_BYTES[name]
    for at in (3, 450):  # while sampling, and past the sample in the compiled loop
        good = _late_body(None)
        marked = _late_body(_LATE.replace(where, "\x00MARK\x00"), at=at)
        body = marked.replace(b"\x00MARK\x00", bad)
        expected = _outcome(lambda b=body: decode_reply([b], fast=False))
        assert expected[0] == "unavailable"
        assert _outcome(lambda b=good: decode_reply([b])) == \
            _outcome(lambda b=good: decode_reply([b], fast=False))
        for pieces in ([body], [body[i:i + 4096] for i in range(0, len(body), 4096)],
                       [bytes([b]) for b in body] if at == 3 else [body]):
            assert _outcome(lambda p=pieces: decode_reply(p)) == expected
        dec = _fast_only(body, [body[i:i + 4096] for i in range(0, len(body), 4096)])
        assert dec.bailed is not None and len(dec.items) == at


def test_a_forbidden_character_split_across_pieces_still_bails(loop: str) -> None:
    """U+FFFE/U+FFFF are found in the bytes as they arrive, wherever a piece ends."""
    body = _late_body(HOSTILE_LATE["U+FFFE"][0])
    seq = "\ufffe".encode()
    at = body.index(seq)
    for cut in (at + 1, at + 2):
        dec = _fast_only(body, [body[:cut], body[cut:]])
        assert dec.bailed is not None and len(dec.items) == 450
    three = [body[:at + 1], body[at + 1:at + 2], body[at + 2:]]
    assert _fast_only(body, three).bailed is not None
    # EF BF BD (U+FFFD), an EF at a piece's end followed by BF BD, is a character: no bail
    ok = _late_body(HOSTILE_LATE["U+FFFD is a character"][0])
    at = ok.index("\ufffd".encode())
    assert _fast_only(ok, [ok[:at + 1], ok[at + 1:]]).bailed is None


# -- long generated runs: the compiled loop (C or Python) against expat ---------------------------

_MUTATIONS = [b"&", b"<", b">", b"\r", b"\x01", b"\x0b", b"\xff", b"\xc5", b"\xef\xbf\xbe",
              b" ", b"\t", b"\n", b"x", b"/", b"0", b"-", b"&amp;", b"]]>", b""]


PLAIN_WORDS = ["Kraków", "Łódź", "ul. Długa 5/3", "", " ", "Jan", "tab\there", "0", "€"]


def _long_rows(rnd: random.Random) -> list[dict[str, Any]]:
    """260-420 structs of one layout, each member of one type, texts repeating or not: the
    first 220 plain, so that one shape learns and every struct after goes through the compiled
    loop; those may hold nil members and any of WORDS (markup, references, controls)."""
    names = rnd.sample(NAMES, rnd.randint(1, 8))
    kinds = {n: rnd.choice(["word", "word", "unique", "int", "bool", "double", "nil"])
             for n in names}

    def member(kind: str, i: int) -> Any:
        if i < 220:
            if kind == "word":
                return rnd.choice(PLAIN_WORDS)
        elif kind != "nil" and rnd.random() < 0.05:
            return None
        return {"word": lambda: rnd.choice(WORDS), "unique": lambda: f"{i}-{rnd.random()}",
                "int": lambda: rnd.choice([i, -i, 2**31 - 1, 0]),
                "bool": lambda: rnd.random() < 0.5,
                "double": lambda: rnd.choice([0.5, -1.25, float(i)]),
                "nil": lambda: None}[kind]()

    return [{n: member(kinds[n], i) for n in names} for i in range(rnd.randint(260, 420))]


def _mutate(body: bytes, rnd: random.Random) -> bytes:
    """One byte of a late struct (past the sample) replaced, removed or doubled."""
    starts = [i for i in range(len(body)) if body.startswith(b"<value><struct>", i)]
    if len(starts) < 230:
        return body
    at = rnd.randrange(starts[220], len(body) - 40)
    return body[:at] + rnd.choice(_MUTATIONS + [body[at:at + 1] * 2]) + body[at + 1:]


@pytest.mark.parametrize("seed", range(16))
def test_long_generated_runs_decode_as_expat_does(seed: int, loop: str) -> None:
    """Long replies, intact or with one late byte spoilt (markup, controls, bytes that are not
    UTF-8, forbidden characters, whitespace), cut anywhere: the fast decoder gives exactly the
    full parser's outcome, values or refusal, as dicts and as rows."""
    rnd = random.Random(f"long-{seed}")
    rows = _long_rows(rnd)
    writer = _Writer(rnd)
    writer.jitter = False  # one layout: the run goes through the compiled loop
    sandbox = b"".join(xmlout.response_chunks(rows))
    for body in (sandbox, writer.reply(rows)):
        for spoilt in (body, _mutate(body, rnd), _mutate(body, rnd)):
            expected = _outcome(lambda b=spoilt: decode_reply([b], fast=False))
            pieces = _pieces(spoilt, rnd)
            assert _outcome(lambda p=pieces: decode_reply(p)) == expected, spoilt[:200]
            if expected[0] == "ok":
                decoder = ReplyDecoder(rows=True)
                for piece in pieces:
                    decoder.feed(piece)
                assert _typed(_rows_as_dicts(decoder.close())) == expected[1]
    dec = _fast_only(sandbox)  # the intact body really ran the loop under test
    assert dec.bailed is None and len(dec.items) == len(rows)
    learnt = [s for s in dec._shapes if s.seen == fastdecode.SHARE_SAMPLE]  # noqa: SLF001
    assert learnt and all((s.spec is not None) == (loop == "C") for s in learnt)


def _learnt_spec(count: int = 260) -> tuple[tuple[Any, ...], bytes]:
    assert fastdecode._fastrun is not None, "the C loop is not built"  # noqa: SLF001
    body = _late_body(None, count=count)
    dec = _fast_only(body)
    assert dec.bailed is None and dec._shapes[0].spec is not None  # noqa: SLF001
    start = body.index(b"<value><struct>")
    return dec._shapes[0].spec, body[start:body.rindex(b"</data>")]  # noqa: SLF001


def test_the_c_loop_takes_only_whole_structs_wherever_the_bytes_end() -> None:
    """Called directly on every prefix of a run: it takes exactly the complete structs, stops
    at the start of the one cut off and never reads past the bytes it was given."""
    spec, run = _learnt_spec()
    ends = [i + len(b"</struct></value>") for i in range(len(run))
            if run.startswith(b"</struct></value>", i)]
    assert len(ends) == 260
    for cut in list(range(0, ends[2] + 1)) + [ends[-1] - 1, ends[-1]]:
        items: list[Any] = []
        pos, exc = fastdecode._fastrun.run(run[:cut], 0, spec, items, {None: None})  # noqa: SLF001
        whole = sum(1 for e in ends if e <= cut)
        assert exc is None and len(items) == whole
        assert pos == (ends[whole - 1] if whole else 0)


def test_the_c_loop_refuses_a_wrong_description_and_survives_random_bytes() -> None:
    run_c = fastdecode._fastrun.run  # noqa: SLF001
    spec, run = _learnt_spec()
    with pytest.raises(TypeError):
        run_c(run, 0, spec[:-1], [], {})
    with pytest.raises(ValueError):
        run_c(run, 0, (spec[0][:-1], *spec[1:]), [], {})
    for bad in (b"\x07", b"\xff"):  # a kind, then an action out of range (not negative)
        with pytest.raises(ValueError):
            run_c(run, 0, (spec[0], bad * len(spec[1]), *spec[2:]), [], {})
        with pytest.raises(ValueError):
            run_c(run, 0, (*spec[:4], bad * len(spec[4]), *spec[5:]), [], {})
    with pytest.raises(ValueError):
        run_c(run, len(run) + 1, spec, [], {})
    rnd = random.Random(5)
    for _ in range(400):
        spoilt = bytearray(run[:6000])
        for _ in range(rnd.randint(1, 6)):
            spoilt[rnd.randrange(len(spoilt))] = rnd.randrange(256)
        items: list[Any] = []
        start = rnd.randrange(0, 50)
        pos, exc = run_c(bytes(spoilt), start, spec, items, {None: None})
        assert start <= pos <= len(spoilt)
        assert exc is None or isinstance(exc, (UnicodeDecodeError, ValueError))
        assert all(is_row(item) or isinstance(item, dict) for item in items)


def test_the_c_loop_takes_nil_for_typed_members_itself() -> None:
    """A typed member sent as <nil/> is part of the shape: the C loop takes it (None), it does
    not hand the struct to the slow path."""
    spec, _ = _learnt_spec()
    body = _late_body(HOSTILE_LATE["nil string members"][0], at=0, count=2)
    run = body[body.index(b"<value><struct>"):body.rindex(b"</data>")]
    items: list[Any] = []
    pos, exc = fastdecode._fastrun.run(run, 0, spec, items, {None: None})  # noqa: SLF001
    assert exc is None and pos == len(run) and len(items) == 2
    assert [field(items[0], "miasto"), field(items[0], "email")] == [None, None]
    assert field(items[1], "miasto") == "Łódź"


def test_the_shared_texts_stop_growing_at_the_memo_limit(loop: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastdecode, "MEMO_LIMIT", 50)
    # 30 towns while sampling (so the town is shared), then a new one in each struct
    rows = [{"nr": i, "miasto": f"Miasto {i % 30 if i < 300 else i}"} for i in range(900)]
    body = b"".join(xmlout.response_chunks(rows))
    dec = _fast_only(body)
    assert dec.bailed is None and dec.items == rows
    assert dec._shapes[0].mode == "some"  # noqa: SLF001 - the town is shared
    assert len(dec._texts) == 50  # noqa: SLF001


def test_an_interrupt_inside_the_c_loop_is_raised_not_handed_back() -> None:
    """A converter's Exception is the reply's problem (handed back, the struct left to the
    slow path); KeyboardInterrupt or SystemExit pass through, as through the Python loop."""
    spec, run = _learnt_spec()
    converts = list(spec[5])
    at = next(i for i, c in enumerate(converts) if c is int)

    def with_convert(convert: Callable[[bytes], Any]) -> tuple[Any, ...]:
        return (*spec[:5], tuple(convert if i == at else c for i, c in enumerate(converts)),
                *spec[6:])

    def interrupt(_raw: bytes) -> Any:
        raise KeyboardInterrupt

    def refuse(_raw: bytes) -> Any:
        raise ValueError("no")

    items: list[Any] = []
    pos, exc = fastdecode._fastrun.run(run, 0, with_convert(refuse), items, {None: None})  # noqa: SLF001
    assert (pos, items, type(exc)) == (0, [], ValueError)
    with pytest.raises(KeyboardInterrupt):
        fastdecode._fastrun.run(run, 0, with_convert(interrupt), [], {None: None})  # noqa: SLF001
