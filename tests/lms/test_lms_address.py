"""Splitting real-world one-line Polish addresses into street / house number / flat."""

from __future__ import annotations

import pytest

from bridge.lms.address import split_address

CASES = [
    ("ul. Długa 12/3", "ul. Długa", "12", "3"),
    ("Al. Jana Pawła II 5 m. 7", "Al. Jana Pawła II", "5", "7"),
    ("Kwiatowa 4a", "Kwiatowa", "4a", "."),
    ("os. Tysiąclecia 12/34", "os. Tysiąclecia", "12", "34"),
    ("ul. 3 Maja 15", "ul. 3 Maja", "15", "."),
    ("ul. 3 Maja", "ul. 3 Maja", ".", "."),
    ("ul. 11 Listopada 5/2", "ul. 11 Listopada", "5", "2"),
    ("Aleja 29 Listopada 130", "Aleja 29 Listopada", "130", "."),
    ("Plac Wolności 1 lok. 4", "Plac Wolności", "1", "4"),
    ("ul. Piłsudskiego 10 m 3", "ul. Piłsudskiego", "10", "3"),
    ("ul. Długa 12 / 3", "ul. Długa", "12", "3"),
    ("Długa 12A/3B", "Długa", "12A", "3B"),
    ("Wrocławska 15-17", "Wrocławska", "15-17", "."),
    ("ul. Kościuszki 5 lok 2", "ul. Kościuszki", "5", "2"),
    ("Mała Wieś 12", "Mała Wieś", "12", "."),
    ("Stara Wieś 45A", "Stara Wieś", "45A", "."),
    ("Długa", "Długa", ".", "."),
    ("", ".", ".", "."),
    ("   ", ".", ".", "."),
    ("12/3", ".", "12", "3"),
    ("ul. Długa nr 12", "ul. Długa", "12", "."),
    ("ul. Armii Krajowej 2 B", "ul. Armii Krajowej", "2B", "."),
    ("ul. Długa 12, m. 3", "ul. Długa", "12", "3"),
    ("ul. Długa 12 m.3", "ul. Długa", "12", "3"),
    ("ul. Jana III Sobieskiego 7", "ul. Jana III Sobieskiego", "7", "."),
    ("ul. Długa 12 lok. U1", "ul. Długa", "12", "U1"),
    ("Rynek 1", "Rynek", "1", "."),
    ("  ul.  Polna   7 /  9 ", "ul. Polna", "7", "9"),
    ("ul. Ks. J. Popiełuszki 2a m 14", "ul. Ks. J. Popiełuszki", "2a", "14"),
    ("ul. Mikołaja Kopernika 21B/4", "ul. Mikołaja Kopernika", "21B", "4"),
    ("Os. Kalinowe 5 m 12", "Os. Kalinowe", "5", "12"),
    ("ul. Żwirki i Wigury 3/1a", "ul. Żwirki i Wigury", "3", "1a"),
    ("ul. Marii Skłodowskiej-Curie 8/10", "ul. Marii Skłodowskiej-Curie", "8", "10"),
]


@pytest.mark.parametrize(("line", "street", "house", "flat"), CASES, ids=[c[0] or "empty"
                                                                         for c in CASES])
def test_split_address(line, street, house, flat):
    assert tuple(split_address(line)) == (street, house, flat)


def test_none_is_all_missing():
    assert tuple(split_address(None)) == (".", ".", ".")
