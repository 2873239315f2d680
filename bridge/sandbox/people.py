"""Deterministic believable Polish customers (names, addresses, PESEL, contacts)."""

from __future__ import annotations

import random
from collections.abc import Iterator

MALE = ("Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Marcin", "Michał",
        "Grzegorz", "Józef", "Marek", "Adam", "Łukasz", "Zbigniew", "Jerzy", "Tadeusz",
        "Mateusz", "Dariusz", "Mariusz", "Wojciech", "Ryszard", "Jakub", "Kamil", "Stanisław")
FEMALE = ("Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa",
          "Krystyna", "Elżbieta", "Magdalena", "Joanna", "Zofia", "Monika", "Teresa",
          "Danuta", "Natalia", "Aleksandra", "Karolina", "Marta", "Beata", "Dorota", "Halina")
SURNAMES = (("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
            ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"),
            ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"),
            ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"),
            ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"), ("Mazur", "Mazur"),
            ("Kwiatkowski", "Kwiatkowska"), ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"),
            ("Grabowski", "Grabowska"), ("Nowakowski", "Nowakowska"), ("Pawłowski", "Pawłowska"),
            ("Michalski", "Michalska"), ("Król", "Król"), ("Wieczorek", "Wieczorek"),
            ("Jabłoński", "Jabłońska"), ("Wróbel", "Wróbel"), ("Majewski", "Majewska"),
            ("Olszewski", "Olszewska"), ("Stępień", "Stępień"), ("Jaworski", "Jaworska"),
            ("Malinowski", "Malinowska"), ("Górski", "Górska"), ("Sikora", "Sikora"))
TOWNS = (("Kraków", "30-", ("Długa", "Karmelicka", "Krowoderska", "Wielicka", "Zakopiańska",
                            "Kalwaryjska", "os. Teatralne")),
         ("Wieliczka", "32-020", ("Słowackiego", "Asnyka", "Piłsudskiego", "Reformacka")),
         ("Skawina", "32-050", ("Mickiewicza", "Żwirki i Wigury", "Energetyków", "Rynek")),
         ("Niepołomice", "32-005", ("Kościuszki", "Bocheńska", "Zabierzowska")),
         ("Myślenice", "32-400", ("Słowackiego", "Kazimierza Wielkiego", "Zdrojowa")))


def pesel(rng: random.Random, female: bool) -> str:
    year, month, day = rng.randint(1940, 1999), rng.randint(1, 12), rng.randint(1, 28)
    serial = rng.randint(0, 999) * 10 + (rng.choice((0, 2, 4, 6, 8)) if female
                                         else rng.choice((1, 3, 5, 7, 9)))
    digits = f"{year % 100:02d}{month:02d}{day:02d}{serial:04d}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def person(rng: random.Random, external_id: int | str) -> dict:
    """One customer's cust_data (without PINs) for custAdd / the demo LMS database."""
    female = rng.random() < 0.5
    name = rng.choice(FEMALE if female else MALE)
    surname = rng.choice(SURNAMES)[1 if female else 0]
    town, zip_prefix, streets = rng.choice(TOWNS)
    zipcode = zip_prefix + f"{rng.randint(0, 999):03d}" if zip_prefix.endswith("-") else zip_prefix
    street = rng.choice(streets)
    street = street if street.startswith("os.") else f"ul. {street}"
    home = str(rng.randint(1, 120)) + (rng.choice("ABC") if rng.random() < 0.08 else "")
    flat = str(rng.randint(1, 60)) if rng.random() < 0.55 else "."
    login = f"{name}.{surname}".lower().translate(str.maketrans("ąćęłńóśźż", "acelnoszz"))
    return {"cust_external_id": external_id, "cust_name": name, "cust_surname": surname,
            "cust_pesel": pesel(rng, female), "cust_m_street": street, "cust_m_home_nr": home,
            "cust_m_flat": flat, "cust_m_postal_code": zipcode, "cust_m_city": town,
            "cust_email": f"{login}{rng.randint(1, 99)}@example.pl",
            "cust_phone1": f"+48 {rng.randint(500, 799)} {rng.randint(100, 999)} "
                           f"{rng.randint(100, 999)}",
            "cust_phone2": "", "cust_valid_num": f"A{chr(65 + rng.randint(0, 25))}"
                                                 f"{chr(65 + rng.randint(0, 25))}"
                                                 f"{rng.randint(100000, 999999)}"}


def iter_people(count: int, first_external_id: int, seed: int) -> Iterator[dict]:
    """The same people as :func:`people`, one at a time (100,000 at once were ~50 MB)."""
    rng = random.Random(seed)
    for i in range(count):
        yield person(rng, first_external_id + i)


def people(count: int, first_external_id: int, seed: int) -> list[dict]:
    return list(iter_people(count, first_external_id, seed))
