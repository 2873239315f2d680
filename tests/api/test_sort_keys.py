"""The fast sort of lists from SMS orders exactly as the plain natural-key sort did."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from bridge import validation as v
from bridge.services.paging import natural_key, sort_items

TEXTS = ["Kowalski", "kowalski", "Łódź", "łódź", "Żak", "zak", "Ąbc", "abc", "", " ", "a b",
         "Gęślą-Jaźń", "O'Brien", "ul. Polna", "Polna 2", "Polna 10", "Polna 2a", "2", "10",
         "²", "①", "٣", "abc٣", "ﬁ", "ß", "İ", "Ǆ", "x\u0307"]


def _reference(items: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda it: v.natural_key(it.get(sort)), reverse=(order == "desc"))


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_same_order_as_natural_key(seed: int, order: str) -> None:
    rnd = random.Random(seed)
    if seed % 2:  # digit-free texts only: the string fast path
        pool = [t for t in TEXTS if not any(c.isdecimal() for c in t)]
    else:
        pool = list(TEXTS) + [None, 0, 7, -1.5, Decimal("2.50"), 10]
    items = [{"k": rnd.choice(pool), "n": i} for i in range(rnd.randrange(0, 300))]
    got = sort_items(items, "k", order)
    assert [it["n"] for it in got] == [it["n"] for it in _reference(items, "k", order)]


def test_natural_key_is_the_validation_one() -> None:
    for value in list(TEXTS) + [None, 3, 2.5, Decimal("1.1"), True]:
        assert natural_key(value) == v.natural_key(value)


def test_key_function_and_ties_keep_input_order() -> None:
    items = [{"k": "b", "n": 1}, {"k": "a", "n": 2}, {"k": "B", "n": 3}, {"k": "a", "n": 4}]
    assert [it["n"] for it in sort_items(items, "k", "asc")] == [2, 4, 1, 3]
    assert [it["n"] for it in sort_items(items, "k", "desc")] == [1, 3, 2, 4]
    assert [it["n"] for it in sort_items(items, "x", "asc", key=lambda it: -it["n"])] == \
        [4, 3, 2, 1]


def test_superscripts_and_other_non_decimal_digits_sort_as_text():
    from bridge.services.paging import sort_items
    from bridge.validation import natural_key

    # "²" passes str.isdigit() but int() refuses it; it must not break the customer list.
    items = [{"s": "Nowak²"}, {"s": "nowak10"}, {"s": "Nowak2"}, {"s": "²"}, {"s": "٣"}]
    assert [it["s"] for it in sort_items(items, "s", "asc")] == \
        [it["s"] for it in sorted(items, key=lambda it: natural_key(it["s"]))]
    assert natural_key("²") == (2, ((1, 0, "²"),))
    assert natural_key("a٣") == (2, ((1, 0, "a"), (0, 3, "")))


def test_ids_must_be_ascii_digits():
    import pytest

    from bridge.services.customers import external_id
    from bridge.validation import ValidationError, positive_int

    assert external_id("²") is None and external_id("12") == 12
    for bad in ("²", "٣", "1²"):
        with pytest.raises(ValidationError):
            positive_int(bad)



POLISH = ["azz", "ąb", "b", "Cygan", "czarny", "Ćwik", "Ebert", "Ęba", "Górska", "Grabowska",
          "lis", "Łukasz", "Nowak", "Ńa", "Ozga", "Ósma", "Szymański", "Śliwa", "Wójcik",
          "Wróbel", "Zając", "Źdźbło", "Żak", "żaba"]


@pytest.mark.parametrize("seed", range(5))
def test_texts_sort_in_polish_alphabetical_order(seed: int) -> None:
    # "Grabowska, Górska" and Ł/Ś/Ż after Z were code-point order; case does not matter
    shuffled = list(POLISH)
    random.Random(seed).shuffle(shuffled)
    items = [{"k": t} for t in shuffled]
    expected = ["azz", "ąb", "b", "Cygan", "czarny", "Ćwik", "Ebert", "Ęba", "Górska",
                "Grabowska", "lis", "Łukasz", "Nowak", "Ńa", "Ozga", "Ósma", "Szymański",
                "Śliwa", "Wójcik", "Wróbel", "Zając", "Źdźbło", "żaba", "Żak"]
    assert [it["k"] for it in sort_items(items, "k", "asc")] == expected
    assert sorted(shuffled, key=v.natural_key) == expected
    # with numbers inside (streets): Polish letters, then the number numerically
    streets = ["Łąkowa 10", "Lipowa 2", "Łąkowa 9", "Śląska 1", "Szkolna 3"]
    assert [it["k"] for it in sort_items([{"k": s} for s in streets], "k", "asc")] == \
        ["Lipowa 2", "Łąkowa 9", "Łąkowa 10", "Szkolna 3", "Śląska 1"]
    assert v.polish_text_key("Á") == v.polish_text_key("a")  # other languages: base letter
