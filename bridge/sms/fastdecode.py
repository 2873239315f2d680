"""Fast decoding of the one reply shape that is big: an array of flat structs of scalars.

SMS's big replies (custList of 20,000 customers, 100,000 billing events) are a single array whose
items are structs of plain scalars.  Decoding them through expat plus ``Unmarshaller`` callbacks
costs several Python calls per tag; here compiled regular expressions match whole structs in C.

The decoder is deliberately narrow.  It accepts only a strict subset of XML-RPC for which it
yields exactly what ``xmlrpc.client`` (with ``use_builtin_types=True``) would: the same values
and types, entity and character references resolved as expat does, untyped ``<value>`` text as
a string with its whitespace.  Anything else — a fault, a non-array reply, nested structs or
arrays inside members, attributes, comments, CDATA, processing instructions, any ``<!``, a
``\\r``, a character XML forbids, an unknown entity, a value its converter refuses — makes it
*bail*: the caller then hands :meth:`FastArrayDecoder.replay` (the reply's head plus everything
not decoded yet) to the hardened expat parser and prepends :attr:`FastArrayDecoder.items`.
Items are only ever taken from complete, fully matched structs, so bailing never loses or
misreads one; the expat parser sees a well-formed splice of the same document.

Streaming: bytes are fed as they arrive, so decoding overlaps the download and the body is
never held whole (only the undecoded tail, at most :data:`MAX_PENDING` bytes).

Bytes, not text: the patterns match the UTF-8 bytes of the reply, and only the texts kept (the
groups of a match) become ``str``.  Turning the whole body into text first cost about a third of
the decoding (the tags are most of the bytes) and made the patterns run over 2-byte characters
as soon as one Polish letter was in a piece.  Everything a match does not capture is ASCII
matched literally, so UTF-8 validity is still checked where it matters: a captured text that is
not UTF-8 fails its decoding and bails; the rest goes to expat in the replay.  The one
character class a byte pattern cannot exclude, U+FFFE/U+FFFF (not XML characters), is looked
for in the bytes as they arrive.  The first struct of each layout and any odd item still go
through the text patterns, on that item's text alone.
"""

from __future__ import annotations

import base64
import re
import xmlrpc.client
from collections.abc import Callable
from typing import Any

from bridge.sms.rows import Layouts

try:  # the C loop (bridge/sms/_fastrun.c), built by setup.py where a compiler is
    from bridge.sms import _fastrun
except ImportError:  # pragma: no cover - the generated Python loop does the same, slower
    _fastrun = None

MAX_PENDING = 1 << 20  # one item bigger than this is not the common shape: let expat do it
MAX_TAIL = 4096
HEAD_WINDOW = 1024  # the head must be within this many bytes (whitespace is possible)
MEMO_LIMIT = 200_000
MAX_SHAPES = 8
SHARE_SAMPLE = 200  # structs of one layout looked at before deciding which texts to share
SHARE_RATIO = 8  # share a member's texts when at least 1 in 8 of the sample was a repeat
C_MAX_GROUPS = 512  # MAX_GROUPS of _fastrun.c: a wider struct runs the Python loop
# A group's kind and a value's action, as _fastrun.c numbers them.
_K_UNTYPED, _K_TYPED, _K_EMPTY = 0, 1, 2
_A_DECODE, _A_SHARE, _A_NONE, _A_CONVERT = 0, 1, 2, 3

_S = r"[ \t\n]*"
# Character data expat would pass through unchanged, minus '<': no '\r' (expat rewrites line
# ends), no C0 controls or U+FFFE/U+FFFF (not XML characters: expat refuses them).
_TEXT = r"[^<\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*"
_TYPES = r"string|int|i4|i8|double|boolean|dateTime\.iso8601|base64|nil"

_Q = r"(?:\"{0}\"|'{0}')"
_DECL = (r"<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*" + _Q.format(r"1\.0")
         + r"(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*" + _Q.format("[Uu][Tt][Ff]-8") + ")?"
         + r"(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*" + _Q.format("(?:yes|no)") + ")?"
         + r"[ \t\n]*\?>")
_HEAD = re.compile(f"(?:{_DECL})?{_S}<methodResponse>{_S}<params>{_S}<param>{_S}"
                   f"<value>{_S}<array>{_S}<data>")
_TAIL = re.compile(f"{_S}</data>{_S}</array>{_S}</value>{_S}</param>{_S}</params>{_S}"
                   f"</methodResponse>{_S}")


def _value(back: str, capture: bool, tag_group: str = "") -> str:
    """A value pattern; with ``capture``: untyped text, type, typed text, self-closed tag."""
    g = "(" if capture else "(?:"
    return (f"<value>(?:{g}{_TEXT})</value>|{_S}(?:<({tag_group}{_TYPES})>{g}{_TEXT})"
            f"</{back}>|<{g}nil|string)/>){_S}</value>)|<value/>")


_SCALAR = re.compile(_value(r"\2", True))
_CAPTURED = _value(r"\3", True)  # as the 2nd to 5th groups of a member
_MEMBER_CAP = re.compile(f"<member>{_S}<name>({_TEXT})</name>{_S}(?:{_CAPTURED}){_S}</member>")
_MEMBER = (f"<member>{_S}<name>{_TEXT}</name>{_S}"
           f"(?:{_value('(?P=t)', False, '?P<t>')}){_S}</member>")
_STRUCT = re.compile(f"<value>{_S}<struct>{_S}(?:{_MEMBER}{_S})*</struct>{_S}</value>")
_UNPLAIN = re.compile("[&>]")
_STRUCT_START = re.compile(f"<value>{_S}<struct>")
# The byte patterns of the hot path.  _PLAIN_B is a shape's text: _TEXT without '&' and '>'
# (needs no unescaping, cannot hold a forbidden ']]>'), over UTF-8 bytes: every byte of a
# multi-byte character is >= 0x80, so excluding ASCII bytes excludes exactly those characters;
# U+FFFE/U+FFFF are refused by FastArrayDecoder._forbidden instead.
_PLAIN_B = r"[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f]*"
_HEAD_B = re.compile(_HEAD.pattern.encode("ascii"))
_TAIL_B = re.compile(_TAIL.pattern.encode("ascii"))
_WS_B = re.compile(_S.encode("ascii"))
_STRUCT_START_B = re.compile(_STRUCT_START.pattern.encode("ascii"))
_REF = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class Bail(Exception):
    """The input left the fast subset; the full parser must take over from here."""


def _xml_char(code: int) -> bool:
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _ref(m: re.Match[str]) -> str:
    if m.group(1):
        return _NAMED[m.group(1)]
    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    if not _xml_char(code):
        raise Bail("reference to a character XML forbids")
    return chr(code)


def unescape(raw: str) -> str:
    """Character data as expat reports it (``raw`` already free of '<', '\\r', controls)."""
    if "]]>" in raw:
        raise Bail("']]>' in character data")
    if "&" not in raw:
        return raw
    if "&" in _REF.sub("", raw):
        raise Bail("an entity reference other than the five predefined ones")
    return _REF.sub(_ref, raw)


def _boolean(text: str) -> bool:
    if text == "0":
        return False
    if text == "1":
        return True
    raise Bail("bad boolean")


def _datetime(text: str) -> Any:
    xmlrpc.client.DateTime().decode(text)  # what Unmarshaller.end_dateTime runs first
    return xmlrpc.client._datetime_type(text)  # noqa: SLF001 - the very converter it uses


def _base64(text: str) -> bytes:
    return base64.decodebytes(text.encode("ascii"))


# The conversions of xmlrpc.client.Unmarshaller.dispatch for the types of _TYPES.
CONVERT: dict[str, Callable[[str], Any]] = {
    "int": int, "i4": int, "i8": int, "double": float, "boolean": _boolean,
    "dateTime.iso8601": _datetime, "base64": _base64,
}


def _boolean_b(raw: bytes) -> bool:
    if raw == b"0":
        return False
    if raw == b"1":
        return True
    raise Bail("bad boolean")


def _via_text(convert: Callable[[str], Any]) -> Callable[[bytes], Any]:
    return lambda raw: convert(raw.decode("utf-8"))


# CONVERT for the byte groups of a shape.  int() and float() read ASCII bytes exactly as the
# same text; what only the text form would accept (non-ASCII digits or spaces) fails here and
# bails, so the full parser decides.  The rest convert the decoded text, as CONVERT does.
CONVERT_B: dict[str, Callable[[bytes], Any]] = {
    "int": int, "i4": int, "i8": int, "double": float, "boolean": _boolean_b,
    "dateTime.iso8601": _via_text(_datetime), "base64": _via_text(_base64),
}


class _Texts(dict):  # type: ignore[type-arg]
    """Shared texts: a captured byte string -> its text, decoded once (None stays None).

    Indexing is one C lookup when the text was seen; only a new one calls Python.  Past
    MEMO_LIMIT new texts are decoded but no longer kept.
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__({None: None})  # a typed member's <nil/> leaves its group None

    def __missing__(self, raw: bytes) -> str:
        text = raw.decode("utf-8")
        if len(self) < MEMO_LIMIT:
            self[raw] = text
        return text


def scalar(untyped: str | None, tag: str | None, typed: str | None, closed: str | None) -> Any:
    """One value from the groups of a value match (None/'' for groups that did not take part)."""
    if tag:
        text = unescape(typed or "")
        if tag == "string":
            return text
        if tag == "nil":
            return None
        try:
            return CONVERT[tag](text)
        except Bail:
            raise
        except Exception as exc:  # the full parser will report it in its own words
            raise Bail(f"bad {tag}") from exc
    if closed:
        return None if closed == "nil" else ""
    return unescape(untyped or "")


class _Shape:
    """A compiled pattern for structs laid out like one already decoded by the generic path.

    Everything but the members' texts is matched literally, whitespace included (servers lay
    out every struct alike), and a typed member may also be ``<nil/>`` so that nil-able fields
    do not split the shapes.  Matching is one pass in C over the reply's bytes; the groups are
    the texts' bytes, in order.  ``text`` is the item it is learnt from, already decoded.
    """

    def __init__(self, text: str, start: int, end: int, members: list[re.Match[str]], *,
                 layouts: Layouts | None = None) -> None:
        at = start
        names: list[str] = []
        # The shape as pieces: the literal texts around the groups, and each group's kind and,
        # when typed, its tag. The C loop (bridge/sms/_fastrun.c) takes them as they are; the
        # pattern below is built from them.
        literals: list[str] = []
        kinds: list[int] = []
        tags: list[str] = []
        self.converts: list[tuple[int, Callable[[bytes], Any]]] = []
        self.nils: list[int] = []
        self.typed: set[int] = set()  # a typed member's group is None when it is <nil/>
        for i, mm in enumerate(members):
            names.append(unescape(mm.group(1)))
            tag, closed = mm.group(3), mm.group(5)
            if tag:
                literals.append(text[at:mm.start(3) - 1])
                kinds.append(_K_TYPED)
                at = mm.end(4) + len(tag) + 3
                self.typed.add(i)
            elif not closed and mm.start(2) >= 0:
                literals.append(text[at:mm.start(2)])
                kinds.append(_K_UNTYPED)
                at = mm.end(2)
            else:  # <nil/>, <string/> or <value/>: all literal, an empty group keeps the count
                literals.append(text[at:mm.end()])
                kinds.append(_K_EMPTY)
                at = mm.end()
            tags.append(tag or "")
            if tag in CONVERT_B:
                self.converts.append((i, CONVERT_B[tag]))
            elif tag == "nil" or closed == "nil":
                self.nils.append(i)
        literals.append(text[at:end])
        self._pieces = (tuple(piece.encode("utf-8") for piece in literals), bytes(kinds),
                        tuple(f"<{t}>".encode() if t else b"" for t in tags),
                        tuple(f"</{t}>".encode() if t else b"" for t in tags))
        parts = [_S]
        for literal, kind, tag in zip(literals, kinds, tags, strict=False):  # + the last literal
            parts += [re.escape(literal), _group(kind, tag)]
        parts.append(re.escape(literals[-1]))
        # With layouts (rows wanted, see bridge.sms.rows) the names tuple starts every row.
        self.names = tuple(names) if layouts is None else layouts.names(tuple(names))
        self.rows = layouts is not None
        self.pattern = "".join(parts)
        # Literal parts keep their non-ASCII characters (re.escape leaves them): as UTF-8 they
        # match the same characters' bytes.
        compiled = re.compile(self.pattern.encode("utf-8"))
        self.match = compiled.match
        self.scanner = compiled.scanner
        # Which members' texts are worth sharing is learnt from the first structs: sharing a
        # unique text (a PESEL, an e-mail) only costs a hash and a memo entry.
        self.seen = 0
        self.hits = [0] * len(names)
        self.mode = "all"  # until learnt: share every text; then "all", "none" or "some"
        self.run: Callable[..., tuple[re.Match[bytes] | None, BaseException | None]] = _no_run
        self.spec: tuple[Any, ...] | None = None  # the C loop's, once learnt (with _fastrun)

    def learnt(self) -> None:
        """Decide what to share from the sample (converted and nil members never are)."""
        plain = set(range(len(self.names))) - {i for i, _ in self.converts} - set(self.nils)
        shared = {i for i in plain if self.hits[i] * SHARE_RATIO >= self.seen}
        self.mode = ("all" if len(shared) == len(self.names) else "some" if shared else "none")
        self.run = _compile_run(self, shared)
        if _fastrun is not None and len(self.names) <= C_MAX_GROUPS:
            self.spec = self._spec(shared)

    def _spec(self, shared: set[int]) -> tuple[Any, ...]:
        """The C loop's description of this shape, its values built as _compile_run's are."""
        converts: list[Any] = [None] * len(self.names)
        actions = []
        for i in range(len(self.names)):
            if i in shared:
                actions.append(_A_SHARE)
            elif i in self.nils:
                actions.append(_A_NONE)
            else:
                actions.append(_A_DECODE)
        for i, convert in self.converts:
            actions[i] = _A_CONVERT
            converts[i] = convert
        return (*self._pieces, bytes(actions), tuple(converts), self.names, self.rows,
                MEMO_LIMIT)


def _group(kind: int, tag: str) -> str:
    """A shape's pattern for one member's text (see _fastrun.c for the same in C)."""
    if kind == _K_TYPED:
        return f"(?:<{re.escape(tag)}>({_PLAIN_B})</{re.escape(tag)}>|<nil/>)"
    if kind == _K_UNTYPED:
        return f"({_PLAIN_B})"
    return "()"  # all literal: an empty group keeps the count


def _no_run(*_args: Any) -> tuple[None, BaseException]:
    raise AssertionError("a shape runs compiled only once it has learnt what to share")


# The loop every struct of a big reply goes through, generated per shape so that building a
# struct is one dict display: no zip, no call per member but the sharing and conversions.
# Only indexes and fixed identifiers go into the source; the names and converters are bound as
# closure variables, so nothing from the reply is ever compiled.
_RUN_SOURCE = """
def make(K, C, D):
    {keys} = K
    {convs} = C
    def run(next_match, append, S):
        last = None
        try:
            for m in iter(next_match, None):
                g = m.groups()
                append({build})
                last = m
        except Exception as exc:
            return last, exc
        return last, None
    return run
"""


def _compile_run(shape: _Shape, shared: set[int]) -> Callable[..., Any]:
    """The shape's run loop: (match of the last struct decoded, exception that stopped it)."""
    order = [i for i, _ in shape.converts]
    exprs = []
    for i in range(len(shape.names)):
        if i in order:
            exprs.append(f"None if g[{i}] is None else c{order.index(i)}(g[{i}])")
        elif i in shape.nils:
            exprs.append("None")
        elif i in shared:  # S: the decoder's _Texts
            exprs.append(f"S[g[{i}]]")
        elif i in shape.typed:
            exprs.append(f"None if g[{i}] is None else D(g[{i}])")
        else:  # an untyped text's group always takes part
            exprs.append(f"D(g[{i}])")
    if shape.rows:  # (names, value, ...): see bridge.sms.rows
        build = "(K, " + "".join(f"{e}, " for e in exprs) + ")"
    else:
        build = "{" + ", ".join(f"k{i}: {e}" for i, e in enumerate(exprs)) + "}"
    source = _RUN_SOURCE.format(
        keys="".join(f"k{i}, " for i in range(len(shape.names))) or "_",
        convs="".join(f"c{n}, " for n in range(len(order))) or "_",
        build=build)
    space: dict[str, Any] = {}
    exec(compile(source, "<fastdecode run>", "exec"), space)  # noqa: S102 - see _RUN_SOURCE
    return space["make"](shape.names, tuple(convert for _, convert in shape.converts),
                         bytes.decode)  # UTF-8, strict: a bad byte raises and bails


class FastArrayDecoder:
    """Feed reply bytes with :meth:`feed`; :meth:`finish` returns the reply or None to bail."""

    def __init__(self, *, rows: bool = False) -> None:
        """``rows``: structs become compact rows (:mod:`bridge.sms.rows`), not dicts."""
        self.layouts = Layouts() if rows else None
        self._buf = b""  # the bytes not decoded yet
        self._head: bytes | None = None
        self._done = 0
        self._ended = False  # saw </data>
        self._shapes: list[_Shape] = []
        self._texts = _Texts()  # the shapes' shared texts, by their bytes
        self._memo: dict[str, str] = {}  # the generic path's, by text
        self.items: list[Any] = []
        self.bailed: str | None = None

    # -- public -------------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> bool:
        """Take the next bytes; False means: bail, replay() to the full parser from now on."""
        if self.bailed is not None:
            return False
        seen = len(self._buf)
        self._buf += chunk
        try:
            self._forbidden(seen)
            self._advance(final=False)
        except Bail as exc:
            return self._bail(str(exc))
        return True

    def finish(self) -> tuple[Any, ...] | None:
        """The decoded reply params at the end of the body, or None when the caller must replay."""
        if self.bailed is not None:
            return None
        try:
            self._advance(final=True)
        except Bail as exc:
            self._bail(str(exc))
            return None
        if self._head is None or not self._ended or not _TAIL_B.fullmatch(self._buf):
            self._bail("not a plain array reply")
            return None
        return (self.items,)

    def replay(self) -> bytes:
        """What the full parser must read: the head and everything not decoded yet."""
        return (self._head or b"") + self._buf

    # -- work ---------------------------------------------------------------------------------

    def _bail(self, why: str) -> bool:
        self.bailed = why
        return False

    def _forbidden(self, seen: int) -> None:
        """Bail on U+FFFE/U+FFFF among the new bytes (a byte class cannot exclude them)."""
        buf = self._buf
        # One byte is looked for with memchr, several times faster than the two-byte prefix.
        at = buf.find(b"\xef", max(0, seen - 2))
        while at >= 0:
            if buf[at + 1:at + 3] in (b"\xbf\xbe", b"\xbf\xbf"):
                raise Bail("a character XML forbids")
            if at + 3 > len(buf):
                return  # its last bytes are still to come: looked at again with them
            at = buf.find(b"\xef", at + 1)

    def _advance(self, *, final: bool) -> None:
        buf = self._buf
        if self._head is None:
            m = _HEAD_B.match(buf)
            if m is None:
                if final or len(buf) >= HEAD_WINDOW:
                    raise Bail("not an array reply")
                return  # the head may still be arriving
            self._head, buf = buf[:m.end()], buf[m.end():]
        if self._ended:
            self._buf = buf
            if len(buf) > MAX_TAIL:
                raise Bail("trailing data")
            return
        if b"\r" in buf:
            self._buf = buf
            raise Bail("carriage return")
        self._done = 0
        try:
            self._items(buf)
        finally:  # items taken must never be replayed, even when bailing halfway
            self._buf = buf = buf[self._done:]
        if buf.startswith(b"</data>"):
            self._ended = True
        elif buf.startswith(b"</") and len(buf) >= len(b"</data>"):
            raise Bail("unexpected end tag")
        elif len(buf) > MAX_PENDING:
            raise Bail("an item too large for the fast path")
        elif final:
            raise Bail("incomplete or unexpected item")

    def _items(self, buf: bytes) -> None:
        """Decode every complete item of ``buf``; ``_done`` is the position after the last."""
        shapes = self._shapes
        ws = _WS_B.match
        pos = 0
        size = len(buf)
        while True:
            self._done = pos
            for n, shape in enumerate(shapes):  # a shape's pattern skips leading whitespace
                end = self._run(shape, buf, pos)
                if end != pos:
                    pos = end
                    if n:  # most recently matching first: runs of one shape stay cheap
                        shapes.insert(0, shapes.pop(n))
                    break
            else:
                pos = self._done = ws(buf, pos).end()
                if pos >= size or buf.startswith(b"</", pos):
                    return
                end = self._generic(buf, pos)
                if end < 0:
                    return
                pos = end

    def _run(self, shape: _Shape, buf: bytes, pos: int) -> int:
        """Decode the run of items of this shape at ``pos``; the position after the run.

        The hot loop of a big reply: once a shape has learnt what to share, its compiled loop
        (:func:`_compile_run`) takes every struct of the run; until then the sampling loop does.
        """
        while shape.seen < SHARE_SAMPLE:
            m = shape.match(buf, pos)
            if m is None:
                return pos
            self._sample(shape, m.groups())
            self._one(shape, m.groups(), pos)
            pos = m.end()
        if shape.spec is not None:
            pos, exc = _fastrun.run(buf, pos, shape.spec, self.items, self._texts)
        else:
            # scanner().match matches at the end of the previous match only (never searches
            # on), and iter() over it keeps the stepping in C.
            last, exc = shape.run(shape.scanner(buf, pos).match, self.items.append, self._texts)
            if last is not None:
                pos = last.end()
        if exc is not None:
            self._done = pos
            if isinstance(exc, Bail):
                raise exc
            raise Bail("bad value") from exc
        return pos

    def _one(self, shape: _Shape, groups: tuple[Any, ...], pos: int) -> None:
        """One struct the slow way (while the shape is still sampling its texts)."""
        texts = self._texts
        try:
            values = [texts[v] for v in groups]
            for i, convert in shape.converts:
                v = groups[i]
                values[i] = None if v is None else convert(v)
        except Bail:
            self._done = pos
            raise
        except Exception as exc:
            self._done = pos
            raise Bail("bad value") from exc
        for i in shape.nils:
            values[i] = None
        if shape.rows:
            self.items.append((shape.names, *values))
        else:
            self.items.append(dict(zip(shape.names, values)))  # noqa: B905 - one per name

    def _share(self, value: Any) -> Any:
        if type(value) is str and len(self._memo) < MEMO_LIMIT:
            return self._memo.setdefault(value, value)
        return value

    def _sample(self, shape: _Shape, groups: tuple[bytes | None, ...]) -> None:
        texts = self._texts
        hits = shape.hits
        for i, v in enumerate(groups):
            if v in texts:
                hits[i] += 1
        shape.seen += 1
        if shape.seen == SHARE_SAMPLE:
            shape.learnt()

    def _generic(self, buf: bytes, pos: int) -> int:
        """One item the known shapes did not match; -1 when it is not complete yet.

        The item is cut out of the bytes at its first ``</value>`` (after ``</struct>`` for a
        struct: a flat struct has no other), decoded and matched as text; an item that does
        not match whole is outside the fast subset.
        """
        if _STRUCT_START_B.match(buf, pos):
            close = buf.find(b"</struct>", pos)
            end = buf.find(b"</value>", close) if close >= 0 else -1
            if end < 0:
                return -1
            end += len(b"</value>")
            text = _text(buf, pos, end)
            m = _STRUCT.fullmatch(text)
            if m is None:
                raise Bail("an item outside the fast subset")
            out: dict[str, Any] = {}
            members = list(_MEMBER_CAP.finditer(text))
            share = self._share
            for mm in members:
                name, untyped, tag, typed, closed = mm.groups()
                out[share(unescape(name))] = share(scalar(untyped, tag, typed, closed))
            # A text with '&' or '>' is why a known layout did not match: learn from plain ones.
            if members and not any(_UNPLAIN.search(mm.group(2) or mm.group(4) or "")
                                   for mm in members):
                self._learn(_Shape(text, 0, len(text), members, layouts=self.layouts))
            self.items.append(out if self.layouts is None else self.layouts.row(out))
            return end
        if buf.startswith(b"<value/>", pos):
            end = pos + len(b"<value/>")
        else:
            end = buf.find(b"</value>", pos)
            if end < 0:
                return -1
            end += len(b"</value>")
        m = _SCALAR.fullmatch(_text(buf, pos, end))
        if m is None:
            raise Bail("an item outside the fast subset")
        self.items.append(scalar(*m.groups()))
        return end

    def _learn(self, shape: _Shape) -> None:
        """Put the shape first; a layout already known (its text had an '&') is not repeated."""
        shapes = self._shapes
        for n, known in enumerate(shapes):
            if known.pattern == shape.pattern:
                shapes.insert(0, shapes.pop(n))
                return
        shapes.insert(0, shape)
        del shapes[MAX_SHAPES:]


def _text(buf: bytes, start: int, end: int) -> str:
    """One item's text (cut at '<' and '>', never inside a UTF-8 sequence)."""
    try:
        return buf[start:end].decode("utf-8")
    except UnicodeDecodeError:
        raise Bail("not UTF-8") from None
