"""Customers: SMS customer list joined with LMS, export/link to SMS, PINs (manual 2.1–2.4)."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import secrets
import threading
import time
from array import array
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bridge import busy
from bridge import cache as tags
from bridge import validation as v
from bridge.cache import Cached
from bridge.lms import customers as lms
from bridge.reaper import free_later
from bridge.services.context import Conflict, Context, NotFound, NotLinked
from bridge.services.paging import paginate, sort_items, value_positions
from bridge.sms import rows as smsrows

log = logging.getLogger("lmstv.services")

LIST_SORTS = ("cust_external_id", "cust_number", "cust_name", "cust_surname", "cust_m_street",
              "cust_m_city", "balance", "status")
_LMS_SORTS = ("balance", "status")


# -- helpers shared by the other use cases -----------------------------------------------------

def sms_customer_url(ctx: Context, cust_number: str | None) -> str | None:
    if not cust_number:
        return None
    return f"{ctx.sms_web_url}customer/show/id/{str(cust_number)[-6:]}"


def external_id(value: Any) -> int | None:
    """SMS's ``cust_external_id`` as an LMS id (it may come as int, digit string or empty)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        num = int(value.strip())
        return num if num > 0 else None
    return None


def lms_customer(ctx: Context, customer_id: int) -> dict[str, Any]:
    cust = lms.get_customer(ctx.db, customer_id)
    if cust is None:
        raise NotFound(f"Nie ma w LMS klienta o ID {customer_id}.")
    return cust


def linked_customer(ctx: Context, customer_id: int) -> tuple[dict[str, Any], str]:
    """The LMS customer and its SMS number; 404 unknown, 409 not exported yet."""
    cust = lms_customer(ctx, customer_id)
    number = cust.get("tv_cust_number")
    if not number:
        raise NotLinked()
    number = str(number).strip()
    check_stored_number(number)
    return cust, number


def check_stored_number(number: str) -> None:
    """Only lmstv writes digits to ``tv_cust_number``, but an adopted or hand-edited value may
    not be digits; SMS numbers are, so say so (409) instead of failing inside the SMS client."""
    if not (number.isascii() and number.isdigit()):
        raise Conflict(f"Numer klienta SMS zapisany w LMS ({number[:20]}) jest niepoprawny – "
                       "powinien składać się z cyfr. Popraw powiązanie (Eksport do SMS lub "
                       "lmstv customers sync-ids).")


def as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [value]
    return list(value)


def sms_customer(ctx: Context, customer_id: int, cust_number: str) -> dict[str, Any] | None:
    raw = ctx.read(f"CustomerList{cust_number}", [tags.customer_tag(customer_id)],
                   lambda: ctx.sms.custList(cust_number))
    if isinstance(raw, list):
        raw = next((c for c in raw if str(c.get("cust_number")) == cust_number), None)
    if not raw:
        return None
    out = dict(raw)
    out["cust_number"] = str(out.get("cust_number", cust_number))
    out["sms_url"] = sms_customer_url(ctx, out["cust_number"])
    return out


def lms_brief(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if not row:
        return None
    out = {k: row.get(k) for k in ("id", "name", "lastname", "status", "deleted", "address",
                                    "zip", "city") if k in row}
    if "deleted" in out:
        out["deleted"] = bool(out["deleted"])
    if "balance" in row:
        out["balance"] = None if row["balance"] is None else str(row["balance"])
    return out


def owners_by_number(ctx: Context, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The LMS customers of the rows' SMS numbers, in one query."""
    numbers = sorted({str(r["cust_number"]) for r in rows if r.get("cust_number")})
    return lms.customers_by_tv_numbers(ctx.db, numbers) if numbers else {}


def with_owner(row: dict[str, Any], owners: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A copy of an SMS row (message, STB) with its LMS customer: ``lms_id`` and ``lms``."""
    item = dict(row)
    num = str(row["cust_number"]) if row.get("cust_number") else None
    item["cust_number"] = num
    owner = owners.get(num) if num else None
    item["lms_id"] = int(owner["id"]) if owner else None
    item["lms"] = ({"id": int(owner["id"]), "name": owner.get("name"),
                    "lastname": owner.get("lastname")} if owner else None)
    return item


# -- 2.4 list ----------------------------------------------------------------------------------

_sorted_memo: OrderedDict[tuple, tuple[Any, ...]] = OrderedDict()
_memo_lock = threading.Lock()
# Rows held by all sorted lists together (each row is a reference to a customer of the cached
# list, so this bounds the lists, not the customers themselves).
SORTED_MEMO_ROWS = 200_000


def _remember_sorted(key: tuple, rows: list[Any] | tuple[Any, ...]) -> None:
    """Keep a sorted list for the next page of the same list.  Only lists of the newest SMS
    fetch are kept: each older one pins a whole decoded customer list (20,000 customers ≈ 30 MB),
    and 32 of them made a worker grow by a gigabyte under repeated ``?fresh=1`` reads.

    Kept as a tuple (see :func:`_untracked`)."""
    rows = _untracked(rows)
    with _memo_lock:
        for stale in [k for k in _sorted_memo if k[0] != key[0]]:
            free_later(_sorted_memo.pop(stale))
        _sorted_memo[key] = rows
        held = sum(len(r) for r in _sorted_memo.values())
        while len(_sorted_memo) > 1 and (len(_sorted_memo) > 32 or held > SORTED_MEMO_ROWS):
            _, dropped = _sorted_memo.popitem(last=False)
            free_later(dropped)
            held -= len(dropped)


def _prepared(ctx: Context, raw: list[Any]) -> list[dict[str, Any]]:
    """The page's customers (compact rows or dicts) as response items (new dicts)."""
    items = []
    for c in raw:
        item = smsrows.as_dict(c) if smsrows.is_row(c) else dict(c)
        item["cust_number"] = str(item.get("cust_number") or "")
        item["cust_external_id"] = external_id(item.get("cust_external_id"))
        item["lms_id"] = item["cust_external_id"]
        for pin_key in ("cust_vod_pin", "cust_master_pin"):
            if item.get(pin_key) is not None:
                item[pin_key] = str(item[pin_key])
        street = str(item.get("cust_m_street") or "")
        home = str(item.get("cust_m_home_nr") or "").strip(".")
        flat = str(item.get("cust_m_flat") or "").strip(".")
        item["street_line"] = (street + (f" {home}" if home else "") +
                               (f"/{flat}" if flat else "")).strip()
        item["sms_url"] = sms_customer_url(ctx, item["cust_number"])
        items.append(item)
    return items


def _field(c: Any, name: str) -> Any:
    """A field of a raw SMS customer (a compact row or a dict) as :func:`_prepared` would
    have it."""
    if name == "cust_number":
        return str(smsrows.field(c, "cust_number") or "")
    if name in ("cust_external_id", "lms_id"):
        return external_id(smsrows.field(c, "cust_external_id"))
    return smsrows.field(c, name)


def _matches(c: Any, q: str) -> bool:
    if q.isdigit() and (q in _field(c, "cust_number") or str(_field(c, "lms_id") or "") == q):
        return True
    first, last = _field(c, "cust_name") or "", _field(c, "cust_surname") or ""
    return q in f"{first} {last}".lower() or q in f"{last} {first}".lower()


# Sorted lists are shared between processes in blocks of this many rows: a process that has
# not fetched the list itself serves a page from one or two blocks (a few ms) instead of
# unpickling and sorting all 20,000 customers (80-455 ms after every purge, per worker).
BLOCK_ROWS = 500
_blocks_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lmstv-blocks")
_written: set[tuple] = set()
# How long a reader waits for blocks another process announced it is writing (see
# _write_blocks).  Writing 200 blocks (100,000 customers) takes 0.25-1 s; a writer that died
# half-way (a worker killed) costs its readers this long, then they fetch the list themselves.
BLOCKS_WAIT_S = 10.0
_POLL_S = 0.003
# Before each block the writer waits up to this long for a moment when this process serves no
# request (bridge.busy): beside a request it takes the GIL from it in turns, which made the
# warm list right after a fetch slower (bench_api at 100k, load 4-6: wall p99 17-21 ms against
# 10 ms with the blocks written before answering).  At most 200 x 10 ms in a worker never idle.
GAP_WAIT_S = 0.01
# The writer's CPU runs right after the answer, beside the next requests of every worker: on
# 2 cores it made the warm list after a purge slower.  At a low priority it mostly takes a core
# none of them wants; not the lowest (19): on a box kept busy it would get ~1.5 % of a core,
# and 100,000 customers' blocks (~250 ms of CPU) would outlast the readers' deadline.
WRITER_NICE = 10
# Blocks stored before answering (the page's own and this many from the top); the rest follow
# in the background.  200 blocks are 100,000 customers, the largest operator's list, stored
# whole before answering: written in the background (4 at once, pages 1-80), the writer's CPU
# ran beside the next requests of every worker, and the warm list right after a purge had a
# wall p99 of 9-99 ms against 5 ms (bench_api at 100k, paired, load 5); the fresh answer gained
# only 0-0.3 s.  A longer list is stored in part first, so its answer time stays bounded.
FIRST_BLOCKS_NOW = 200
# The token of the newest list this process has read or fetched: blocks of an older one are
# not worth writing any more (the list was fetched again, or the cache purged).
_newest = [""]


def _block_key(token: str, q: str, sort: str, order: str, block: int | str) -> str:
    # The token ties the blocks to one valid fetch; q is hashed, it is the operator's text.
    # ``block`` is a number, or "pending" / "done" for the markers of _write_blocks.
    digest = hashlib.sha256(q.encode("utf-8")).hexdigest()[:16]
    return f"CustomerList:{token}:{sort}:{order}:{digest}:{block}"


def _write_blocks(cache: Any, memo_key: tuple, rows: list[Any], first: int = 0) -> None:
    """Store a sorted list's blocks for the other processes.

    A "pending" marker (when readers may stop waiting) and the first blocks (``first``, the
    page asked, and :data:`FIRST_BLOCKS_NOW` from the top: a whole list of up to 100,000
    customers) are stored at once, before the caller answers; the blocks of a longer list
    follow in the background, then a "done" marker.  A reader that misses a block waits for it
    while the marker says it is coming (:func:`_get_block`), so no process ever pages from, or
    rebuilds the list out of, blocks that are not all there.
    """
    token, q, sort, order = memo_key
    count = max(1, -(-len(rows) // BLOCK_ROWS))
    cache.put_derived(_block_key(token, q, sort, order, "pending"), time.time() + BLOCKS_WAIT_S)
    now = sorted({first, *range(min(count, FIRST_BLOCKS_NOW))})
    later = [block for block in range(count) if block not in now]

    def put(block: int) -> None:
        part = rows[block * BLOCK_ROWS:(block + 1) * BLOCK_ROWS]
        cache.put_derived(_block_key(token, q, sort, order, block), (len(rows), part))

    for block in now:
        put(block)

    def write() -> None:
        _lower_priority()
        try:
            for block in later:
                if _newest[0] != token:
                    break  # fetched again since: "done" tells any reader to stop waiting
                busy.wait_for_gap(GAP_WAIT_S)
                put(block)
        except Exception:  # noqa: BLE001 - a missing block only means the slow path
            log.warning("could not share the sorted customer list", exc_info=True)
        try:  # also after a failure: readers stop waiting for what will not come
            cache.put_derived(_block_key(token, q, sort, order, "done"), True)
        except Exception:  # noqa: BLE001 - then they wait until the pending deadline
            log.warning("could not mark the sorted customer list's blocks done", exc_info=True)

    _blocks_writer.submit(write)


def _lower_priority() -> None:
    """Let every other thread of the box have a core before the writer (Linux: a thread's own
    nice value).  The writer holds the GIL only while its worker serves no request (busy), so
    a worker's requests do not queue behind it while it waits for a core."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WRITER_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: the default priority
        pass


def _get_block(ctx: Context, token: str, q: str, sort: str, order: str, block: int, *,
               wait: bool = True) -> Any:
    """A stored block, waiting for it while its writer says it is still writing (None when it
    is not there and not coming: never written, culled, or its writer gone)."""
    cache = ctx.cache
    key = _block_key(token, q, sort, order, block)
    got = cache.get_derived(key)
    if got is not None or not wait:
        return got
    deadline = cache.get_derived(_block_key(token, q, sort, order, "pending"))
    if deadline is None:
        return None
    done = _block_key(token, q, sort, order, "done")
    while time.time() < deadline and cache.get_derived(done) is None:
        time.sleep(_POLL_S)
        got = cache.get_derived(key)
        if got is not None:
            return got
    return cache.get_derived(key)


def _shared_page(ctx: Context, token: str, q: str, sort: str, order: str, page: int,
                 per_page: int) -> tuple[int, list[Any]] | None:
    """(total, the page's raw rows) from the shared blocks, or None when one is missing."""
    start = (page - 1) * per_page
    first = start // BLOCK_ROWS
    got = _get_block(ctx, token, q, sort, order, first, wait=first == 0)
    if got is None and first > 0:  # past the end of the list? Block 0 knows its length
        head = _get_block(ctx, token, q, sort, order, 0)
        if head is not None and start >= head[0]:
            return head[0], []
        got = _get_block(ctx, token, q, sort, order, first)
    if got is None:
        return None
    total, rows = got
    end = min(start + per_page, total)
    out = rows[start - first * BLOCK_ROWS:end - first * BLOCK_ROWS]
    for block in range(first + 1, (max(end, 1) - 1) // BLOCK_ROWS + 1):
        more = _get_block(ctx, token, q, sort, order, block)
        if more is None:
            return None
        out += more[1][:end - block * BLOCK_ROWS]
    return total, out


def _share_blocks(ctx: Context, memo_key: tuple, rows: list[Any], page: int,
                  per_page: int | None) -> None:
    """Write the sorted list's blocks for the other processes (once per list and sort), the
    current page's first."""
    with _memo_lock:
        if memo_key in _written:
            return
        if len(_written) > 256:
            _written.clear()
        _written.add(memo_key)
    here = ((page - 1) * per_page // BLOCK_ROWS) if per_page else 0
    try:
        _write_blocks(ctx.cache, memo_key, rows, here)
    except Exception:  # noqa: BLE001 - a missing block only means the slow path
        log.warning("could not share the sorted customer list", exc_info=True)


def _page_result(total: int, items: list[Any], page: int, per_page: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "per_page": per_page,
            "pages": math.ceil(total / per_page) if total else 0}


def customer_list(ctx: Context, *, q: str, sort: str, order: str, page: int,
                  per_page: int | None) -> dict[str, Any]:
    q = q.strip().lower()
    lms_rows: dict[int, dict[str, Any]] = {}
    result = None
    if sort not in _LMS_SORTS and per_page is not None and not ctx.fresh:
        # A page another process (or this one) has already sorted: no customer list needed.
        peeked = ctx.cache.peek("CustomerList", [tags.TAG_CUSTOMERS], ctx.epoch())
        if peeked is not None:
            with _memo_lock:
                rows = _sorted_memo.get((peeked.token, q, sort, order))
            if rows is not None:
                result = paginate(rows, page, per_page)
            else:
                shared = _shared_page(ctx, peeked.token, q, sort, order, page, per_page)
                if shared is not None:
                    result = _page_result(shared[0], shared[1], page, per_page)
            if result is not None:
                ctx.note(peeked)
    if result is None:
        result, lms_rows = _sorted_page(ctx, q, sort, order, page, per_page)
    items = _prepared(ctx, result["items"])
    ids = [it["lms_id"] for it in items if it["lms_id"]]
    if ids and not lms_rows:
        lms_rows = lms.customers_by_ids(ctx.db, ids)
    result["items"] = [_with_lms(it, lms_rows) for it in items]
    result.update(sort=sort, order=order)
    return result


def _sorted_page(ctx: Context, q: str, sort: str, order: str, page: int, per_page: int | None
                 ) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The page from the whole list (fetched or cached), sorted here."""
    packed_as = (sort, order) if sort not in _LMS_SORTS else (_SMS_ORDER, "asc")
    fetched: dict[str, list[Any]] = {}
    here = (page - 1) * per_page // BLOCK_ROWS if per_page else 0
    got = _list_entry(ctx, packed_as, fetched, here)
    if got.token:
        _newest[0] = got.token
    memo_key = (got.token, q, sort, order)
    rows = None
    if got.token and sort not in _LMS_SORTS:
        with _memo_lock:
            rows = _sorted_memo.get(memo_key)
    if rows is None and not q and "sorted" in fetched and packed_as == (sort, order):
        rows = fetched["sorted"]  # this request's fetch, sorted while it was stored
        _remember_sorted(memo_key, rows)
    lms_rows: dict[int, dict[str, Any]] = {}
    if rows is None:
        # Filter and sort the raw SMS rows (sort keys straight from them); only the page's
        # rows are turned into response items: 20,000 copies per cold request were most of
        # the bridge's own time.
        rows = as_list(got.value)
        if q:
            rows = [c for c in rows if _matches(c, q)]
        if sort in _LMS_SORTS:
            lms_rows = lms.customers_by_ids(ctx.db, [i for c in rows
                                                     if (i := _field(c, "lms_id"))])
            rows = sort_items(rows, sort, order, key=lambda c: (
                lms_rows.get(_field(c, "lms_id")) or {}).get(sort))
        else:
            rows = _sorted(rows, sort, order)
            if got.token:
                _remember_sorted(memo_key, rows)
        if got.token and sort not in _LMS_SORTS:
            _share_blocks(ctx, memo_key, rows, page, per_page)
    return paginate(rows, page, per_page), lms_rows


_SMS_ORDER = "sms"  # blocks in SMS's own order (the list was first asked with an LMS sort)


def _list_entry(ctx: Context, packed_as: tuple[str, str], fetched: dict[str, list[Any]],
                first_block: int = 0) -> Cached:
    """The whole SMS customer list (compact rows) from the cache, or fetched and stored as
    the blocks of ``packed_as`` (``fetched["sorted"]``: this fetch's rows in that order;
    ``first_block``: the block of the page asked, stored before answering)."""
    gone = ctx.cache.peek("CustomerList", [tags.TAG_CUSTOMERS], ctx.epoch()) is None
    if ctx.fresh or gone:
        # About to fetch: the sorted lists held are all of an older fetch, and keeping them
        # through the fetch would hold two whole lists (100,000 customers: 2 x 70 MB).
        with _memo_lock:
            free_later(*_sorted_memo.values())
            _sorted_memo.clear()
            if gone:
                # Nobody can read the blocks still being written (their entry is gone), and
                # the writer holds their list: stop it.  (Not for ?fresh=1: the entry being
                # replaced is still served if the new fetch fails.)
                _newest[0] = ""

    def pack(token: str, raw: Any) -> Any:
        return _pack_list(ctx, token, as_list(raw), packed_as, fetched, first_block)

    got = ctx.cache.get_or_call("CustomerList", [tags.TAG_CUSTOMERS],
                                lambda: _untracked(ctx.sms.custList("", rows=True)),
                                fresh=ctx.fresh,
                                epoch=ctx.epoch(), pack=pack,
                                unpack=lambda token, packed: _unpack_list(ctx, token, packed))
    ctx.note(got)
    return got


def cached_sms_customers(ctx: Context) -> list[dict[str, Any]]:
    """Every SMS customer as a dict, through the customer list's cache entry (which holds
    compact rows stored as sorted blocks, so it cannot be read as a plain cached value)."""
    return [smsrows.as_dict(c) for c in as_list(_list_entry(ctx, (_SMS_ORDER, "asc"),
                                                               {}).value)]


def _positions(rows: list[Any], sort: str, order: str) -> list[int]:
    if sort == _SMS_ORDER:
        return list(range(len(rows)))
    values = smsrows.column(rows, "cust_external_id" if sort == "lms_id" else sort)
    if sort == "cust_number":
        values = [str(v or "") for v in values]
    elif sort in ("cust_external_id", "lms_id"):
        values = [external_id(v) for v in values]
    return value_positions(values, order)


def _sorted(rows: list[Any], sort: str, order: str) -> list[Any]:
    return [rows[i] for i in _positions(rows, sort, order)]


def _pack_list(ctx: Context, token: str, raw: list[Any], packed_as: tuple[str, str],
               fetched: dict[str, list[Any]], first_block: int = 0
               ) -> tuple[str, str, int, bytes]:
    """Store a fetched list as the blocks of the sort it was asked with (what every process
    pages from at once, no extra pickling: this replaces pickling the list whole) plus where
    each row stood in SMS's order (to rebuild the list for another sort).  The blocks are
    written by :func:`_write_blocks` (those of a list over 100,000 customers partly in the
    background); the request that fetched answers from ``fetched["sorted"]``."""
    sort, order = packed_as
    positions = _positions(raw, sort, order)
    rows = [raw[i] for i in positions]
    fetched["sorted"] = rows
    memo_key = (token, "", sort, order)
    with _memo_lock:
        _written.add(memo_key)
        _newest[0] = token
    _write_blocks(ctx.cache, memo_key, rows, first_block)
    return sort, order, len(rows), array("I", positions).tobytes()


def _unpack_list(ctx: Context, token: str, packed: Any) -> list[Any] | None:
    """The list in SMS's order again from :func:`_pack_list`'s blocks (None if one is gone)."""
    sort, order, count, where = packed
    positions = array("I")
    positions.frombytes(where)
    out: list[Any] = [None] * count
    for block in range(max(1, -(-count // BLOCK_ROWS))):
        got = _get_block(ctx, token, "", sort, order, block)
        if got is None:
            return None
        base = block * BLOCK_ROWS
        for n, row in enumerate(got[1]):
            out[positions[base + n]] = row
    return _untracked(out)


def _untracked(rows: Any) -> Any:
    """A list of customers kept past the request, as a tuple.

    Every full garbage collection walks every list it tracks, item by item: a worker keeping
    100,000 customers in two or three lists had each of its full collections read 200,000-300,000
    rows scattered over ~70 MB (18-40 ms wall on a loaded box, in whichever request set it off:
    the warm page's p99 at 100k).  A tuple of untracked rows (compact rows of scalars are) is
    untracked by the collector itself at its next collection, and is never walked again."""
    return tuple(rows) if isinstance(rows, list) else rows


def _with_lms(item: dict[str, Any], rows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    row = rows.get(item["lms_id"]) if item["lms_id"] else None
    out = dict(item)
    out["lms"] = lms_brief(row)
    if row is None:
        out["lms_id"] = None
    return out


# -- 2.1 / 2.2 export --------------------------------------------------------------------------

def new_pin() -> str:
    """Four random digits from the OS's cryptographic RNG (leading zeros allowed)."""
    return f"{secrets.randbelow(10000):04d}"


def export_customer(ctx: Context, customer_id: int) -> dict[str, Any]:
    cust = lms_customer(ctx, customer_id)
    if cust.get("deleted"):
        raise NotFound(f"Klient LMS o ID {customer_id} jest usunięty.")
    data = lms.sms_customer_data(ctx.db, customer_id)
    number = cust.get("tv_cust_number")
    invalidate = [tags.customer_tag(customer_id), tags.TAG_CUSTOMERS]
    if number:
        number = str(number)
        ctx.change("customer.export", customer_id, {"cust_number": number, "mode": "update"},
                   lambda: ctx.sms.custEdit(number, data), invalidate)
        return {"cust_number": number, "action": "updated"}

    # Not linked here: SMS may already know the customer by its external id (then link it and
    # remember the link, which the original forgot — bug #10).
    all_customers = as_list(ctx.sms.custList(""))
    found = next((c for c in all_customers
                  if external_id(c.get("cust_external_id")) == customer_id), None)
    if found is not None:
        number = str(found["cust_number"])
        owner = lms.get_customer_by_tv_number(ctx.db, number)
        if owner is not None and int(owner["id"]) != customer_id:
            raise ctx.refused("customer.export", customer_id, {"cust_number": number}, Conflict(
                f"Numer SMS {number} jest już powiązany z klientem LMS o ID {owner['id']}."))
        ctx.change("customer.export", customer_id, {"cust_number": number, "mode": "link"},
                   lambda: ctx.sms.custEdit(number, data), invalidate)
        _link(ctx, customer_id, number)
        return {"cust_number": number, "action": "linked"}

    pins = {"cust_vod_pin": new_pin(), "cust_master_pin": new_pin()}
    created = ctx.change("customer.export", customer_id, {"mode": "create", **pins},
                         lambda: ctx.sms.custAdd({**data, **pins}), invalidate)
    number = str(created)
    _link(ctx, customer_id, number)
    ctx.cache.invalidate(*invalidate)
    return {"cust_number": number, "action": "created"}


def _link(ctx: Context, customer_id: int, number: str) -> None:
    try:
        lms.link_tv_number(ctx.db, customer_id, number)
    except lms.LinkConflict as exc:
        other = getattr(exc, "customer_id", None) or getattr(exc, "other_id", None)
        raise Conflict(f"Numer SMS {number} jest już powiązany z klientem LMS o ID "
                       f"{other}.") from None


def ensure_linked(ctx: Context, customer_id: int) -> tuple[str, bool]:
    """The customer's SMS number, exporting the customer first when needed (manual 3.1)."""
    cust = lms_customer(ctx, customer_id)
    if cust.get("tv_cust_number"):
        return str(cust["tv_cust_number"]), False
    return export_customer(ctx, customer_id)["cust_number"], True


# -- 2.3 PINs ----------------------------------------------------------------------------------

def get_pins(ctx: Context, customer_id: int) -> dict[str, Any]:
    _, number = linked_customer(ctx, customer_id)
    sc = sms_customer(ctx, customer_id, number)
    if sc is None:
        raise NotFound(f"SMS nie zna klienta o numerze {number}.")
    return {"cust_number": number, "cust_vod_pin": _pin_text(sc.get("cust_vod_pin")),
            "cust_master_pin": _pin_text(sc.get("cust_master_pin"))}


def _pin_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return f"{value:04d}" if isinstance(value, int) else str(value)


def set_pins(ctx: Context, customer_id: int, body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    vod = form.field("cust_vod_pin", v.pin)
    master = form.field("cust_master_pin", v.pin)
    form.done()
    _, number = linked_customer(ctx, customer_id)
    pins = {"cust_vod_pin": vod, "cust_master_pin": master}
    ctx.change("customer.pins", customer_id, {"cust_number": number, **pins},
               lambda: ctx.sms.custEdit(number, pins),
               [tags.customer_tag(customer_id), tags.TAG_CUSTOMERS])
    return {"cust_number": number, **pins}
