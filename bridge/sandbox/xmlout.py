"""Hand-written XML-RPC reply writer: streams big replies without building them twice.

``xmlrpc.client.dumps`` walks every value through a dispatch table; replies such as 100,000
billing events (~90 MB) or 20,000 customers are instead written row by row with one
precompiled %-template per row shape (:class:`Rows`).  Everything else goes through a small
generic writer.  Strings are always escaped (&, <, >).
"""

from __future__ import annotations

import operator
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import IO

HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse><params><param>"
TAIL = "</param></params></methodResponse>\n"
CHUNK_ROWS = 500
_ESC_CACHE: dict[str, str] = {}


def esc(s: str) -> str:
    if "&" in s or "<" in s or ">" in s:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s


def esc_cached(s: str) -> str:
    """esc() for values that repeat a lot (event descriptions, dates)."""
    out = _ESC_CACHE.get(s)
    if out is None:
        out = esc(s)
        if len(_ESC_CACHE) < 50_000:
            _ESC_CACHE[s] = out
    return out


def value_xml(v: object, out: list[str]) -> None:
    if v is None:
        out.append("<value><nil/></value>")
    elif v is True or v is False:
        out.append("<value><boolean>1</boolean></value>" if v
                   else "<value><boolean>0</boolean></value>")
    elif isinstance(v, int):
        tag = "int" if -2**31 <= v < 2**31 else "i8"
        out.append(f"<value><{tag}>{v}</{tag}></value>")
    elif isinstance(v, float | Decimal):
        out.append(f"<value><double>{float(v)!r}</double></value>")
    elif isinstance(v, str):
        out.append(f"<value><string>{esc(v)}</string></value>")
    elif isinstance(v, dict):
        out.append("<value><struct>")
        for k, item in v.items():
            out.append(f"<member><name>{esc(str(k))}</name>")
            value_xml(item, out)
            out.append("</member>")
        out.append("</struct></value>")
    elif isinstance(v, list | tuple):
        out.append("<value><array><data>")
        for item in v:
            value_xml(item, out)
        out.append("</data></array></value>")
    else:
        raise TypeError(f"cannot send {type(v).__name__} over XML-RPC")


def auto(v: object) -> str:
    if type(v) is int and -2**31 <= v < 2**31:
        return f"<value><int>{v}</int></value>"
    out: list[str] = []
    value_xml(v, out)
    return "".join(out)


class Rows:
    """An array of same-shaped structs; ``kinds``: s=string, i=int, d=double, a=any value."""

    def __init__(self, fields: Sequence[str], kinds: str, rows: Iterable[tuple]) -> None:
        self.rows = rows
        # args: each member's value as rendered; plain: the same with texts left unescaped
        parts, args, plain = [], [], []
        for n, (name, kind) in enumerate(zip(fields, kinds, strict=True)):
            if kind == "s":
                parts.append(f"<member><name>{name}</name><value><string>%s</string></value>"
                             "</member>")
                arg = f"esc(r[{n}])"
            elif kind == "i":
                parts.append(f"<member><name>{name}</name><value><int>%d</int></value></member>")
                arg = f"r[{n}]"
            elif kind == "d":
                parts.append(f"<member><name>{name}</name><value><double>%r</double></value>"
                             "</member>")
                arg = f"r[{n}]"
            else:
                parts.append(f"<member><name>{name}</name>%s</member>")
                arg = f"auto(r[{n}])"
            args.append(arg)
            plain.append(f"r[{n}]" if kind == "s" else arg)
        template = "<value><struct>" + "".join(parts) + "</struct></value>"
        source = f"lambda r: TPL % ({', '.join(args)},)"
        self.render = eval(source, {"TPL": template, "esc": esc_cached, "auto": auto})  # noqa: S307
        # The same without escaping, for a chunk none of whose texts holds &, < or > (nearly
        # every chunk): one call per row instead of one per text member.  100,000 customers
        # (22 texts each) rendered in ~0.3 s instead of 1.0-1.5 s.
        self.render_plain = eval(f"lambda r: TPL % ({', '.join(plain)},)",  # noqa: S307
                                 {"TPL": template, "auto": auto})
        texts = [n for n, kind in enumerate(kinds) if kind == "s"]
        # A row's texts as one tuple (itemgetter of one index gives the bare value).
        self.texts = (operator.itemgetter(*texts) if len(texts) > 1
                      else (lambda r, n=texts[0]: (r[n],)) if texts else None)

    def chunks(self) -> Iterator[str]:
        # Any iterable: a billing reply's rows are generated while they are written.
        rows = iter(self.rows)
        while True:
            batch = list(islice(rows, CHUNK_ROWS))
            if not batch:
                return
            render = self.render if self._needs_escaping(batch) else self.render_plain
            yield "".join([render(r) for r in batch])

    def _needs_escaping(self, batch: list) -> bool:
        """Whether any text of ``batch`` holds a character to escape (looked for in C)."""
        if self.texts is None:
            return False
        joined = "\x00".join(map("\x00".join, map(self.texts, batch)))
        return "&" in joined or "<" in joined or ">" in joined


class Rendered:
    """A whole methodResponse already rendered, kept in an unlinked temporary file.

    100,000 customers are ~190 MB of XML: held in the sandbox's memory they alone took it over
    the 300 MB every process may use, while in a file the operating system's page cache keeps
    them and the process reads 1 MB at a time.  The file goes when the last holder (the cache or
    a reply still being sent) lets go of this object.
    """

    READ = 1 << 20

    def __init__(self, file: IO[bytes], size: int) -> None:
        self.file, self.size = file, size

    def chunks(self) -> Iterator[bytes]:
        fd, offset = self.file.fileno(), 0
        while offset < self.size:
            piece = os.pread(fd, min(self.READ, self.size - offset), offset)
            if not piece:
                raise OSError("rendered reply file ended early")
            offset += len(piece)
            yield piece


class Recorded:
    """Rows whose rendering is handed to ``keep`` (as :class:`Rendered`) once sent in full;
    ``ended`` is called when the sending ends, in full or not."""

    def __init__(self, rows: Rows, keep: Callable[[Rendered], None],
                 ended: Callable[[], None] | None = None) -> None:
        self.rows, self.keep, self.ended = rows, keep, ended


def _recorded_chunks(value: Recorded) -> Iterator[bytes]:
    try:
        file: IO[bytes] | None = tempfile.TemporaryFile()
    except OSError:
        file = None  # no room for the copy: the reply is simply rendered again next time
    size = 0
    try:
        for chunk in response_chunks(value.rows):
            if file is not None:
                try:
                    file.write(chunk)
                    size += len(chunk)
                except OSError:
                    file.close()
                    file = None
            yield chunk
        if file is not None:
            file.flush()
            value.keep(Rendered(file, size))
            file = None
    finally:
        if file is not None:
            file.close()
        if value.ended is not None:
            value.ended()


def response_chunks(value: object) -> Iterator[bytes]:
    """The methodResponse for ``value``, as UTF-8 pieces of bounded size."""
    if isinstance(value, Rendered):
        yield from value.chunks()
        return
    if isinstance(value, Recorded):
        yield from _recorded_chunks(value)
        return
    if isinstance(value, Rows):
        yield (HEAD + "<value><array><data>").encode()
        for chunk in value.chunks():
            yield chunk.encode()
        yield ("</data></array></value>" + TAIL).encode()
        return
    out = [HEAD]
    value_xml(value, out)
    out.append(TAIL)
    yield "".join(out).encode()


def fault_xml(code: int, message: str) -> bytes:
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse><fault><value><struct>"
            f"<member><name>faultCode</name><value><int>{code}</int></value></member>"
            f"<member><name>faultString</name><value><string>{esc(message)}</string></value>"
            "</member></struct></value></fault></methodResponse>\n").encode()
