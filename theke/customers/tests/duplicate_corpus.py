"""A seeded corpus of German customers and perturbed queries for the duplicate search's
quality test (and bench/booking.py): pure data, no database.

Customers get realistic first and last names (umlauts and ß included, common names far
more often than rare ones, as in a real customer master), a street, a postcode from the
business's catchment area, a mobile or landline number written in one of the ways people
write them, and an e-mail address. Each query takes one customer and changes exactly one
thing: one typo (a letter inserted, deleted or replaced), an umlaut/ß spelling (Müller ->
Mueller, Strauß -> Strauss and back), two adjacent letters swapped, or the phone number
written another way. A query carries only what it tests (name and postcode, or the phone
number), so no untouched field finds the customer on its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from theke.customers.duplicates import DuplicateProbe

FIRST_NAMES = [
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Peter",
    "Frank",
    "Jürgen",
    "Klaus",
    "Uwe",
    "Wolfgang",
    "Markus",
    "Christian",
    "Jörg",
    "Dieter",
    "Bernd",
    "Matthias",
    "Sven",
    "Björn",
    "Sören",
    "Günter",
    "Hans",
    "Horst",
    "Helmut",
    "Jens",
    "Jan",
    "Tobias",
    "Florian",
    "Sebastian",
    "Alexander",
    "Daniel",
    "Lukas",
    "Jonas",
    "Felix",
    "Maximilian",
    "Leon",
    "Paul",
    "Niklas",
    "Tim",
    "Manfred",
    "Rüdiger",
    "Jochen",
    "Holger",
    "Kai",
    "Lars",
    "Dirk",
    "Olaf",
    "Ralf",
    "Torsten",
    "Volker",
    "Mehmet",
    "Ahmet",
    "Sabine",
    "Petra",
    "Andrea",
    "Claudia",
    "Susanne",
    "Monika",
    "Birgit",
    "Stefanie",
    "Nicole",
    "Katrin",
    "Anja",
    "Julia",
    "Sandra",
    "Martina",
    "Karin",
    "Ursula",
    "Renate",
    "Bärbel",
    "Jürgen",
    "Käthe",
    "Anna",
    "Lea",
    "Sophie",
    "Marie",
    "Hannah",
    "Laura",
    "Lena",
    "Sarah",
    "Katharina",
    "Christina",
    "Franziska",
    "Johanna",
    "Charlotte",
    "Emma",
    "Mia",
    "Jana",
    "Heike",
    "Silke",
    "Ute",
    "Gudrun",
    "Doris",
    "Elke",
    "Gisela",
    "Brigitte",
    "Angelika",
    "Gabriele",
    "Kerstin",
    "Simone",
    "Tanja",
    "Ayşe",
    "Fatma",
    "Zoë",
    "Chloé",
    "Ingrid",
    "Helga",
    "Hildegard",
    "Waltraud",
    "Björg",
    "Jörn",
    "Gött",
    "Dörte",
    "Götz",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Thomas",
    "Voigt",
    "Sauer",
    "Arnold",
    "Wolff",
    "Pfeiffer",
    "Strauß",
    "Voß",
    "Fuß",
    "Preuß",
    "Weiße",
    "Blöß",
    "Großmann",
    "Jürgens",
    "Lührs",
    "Nöthen",
    "Müller-Lüdenscheidt",
    "Schäfer-Gümbel",
    "Özdemir",
    "Yılmaz",
    "Kowalski",
    "Nowak",
    "Dąbrowski",
    "Ott",
    "Ulm",
    "Eck",
    "Rösler",
    "Büttner",
    "Wöhler",
    "Dörr",
    "Löffler",
    "Höfer",
    "Süß",
    "Rieß",
    "Klöckner",
    "Gärtner",
    "Häusler",
    "Möbius",
    "Stößel",
    "Schüßler",
    "Brückner",
    "Kästner",
    "Fröhlich",
    "Göbel",
]
STREETS = [
    "Hauptstraße",
    "Schulstraße",
    "Gartenstraße",
    "Bahnhofstraße",
    "Dorfstraße",
    "Bergstraße",
    "Lindenstraße",
    "Kirchstraße",
    "Waldstraße",
    "Ringstraße",
    "Goethestraße",
    "Schillerstraße",
    "Mühlenweg",
    "Am",
    "Anger",
    "Birkenweg",
    "Rosenweg",
    "Eichendorffstraße",
    "Friedhofstraße",
    "Lessingstraße",
    "Brückenstraße",
]
MOBILE_PREFIXES = ["151", "152", "157", "160", "162", "163", "170", "171", "172", "175", "176"]
LANDLINE_PREFIXES = ["30", "40", "89", "221", "69", "711", "211", "231", "511", "351"]
MAIL_DOMAINS = ["example.com", "example.org", "mail.example.net", "web.example", "posteo.example"]
CASE_LETTERS = "abcdefghijklmnopqrstuvwxyzäöü"
UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
PERTURBATIONS = ("typo", "umlaut", "swap", "phone")


@dataclass(frozen=True)
class CorpusCustomer:
    first_name: str
    last_name: str
    street: str
    postal_code: str
    city: str
    email: str
    phone: str  # as the customer wrote it
    national: str  # digits after the country code, e.g. "1711234567"


@dataclass(frozen=True)
class CorpusQuery:
    index: int  # of the customer meant
    kind: str  # one of PERTURBATIONS
    probe: DuplicateProbe


def _weighted(rng: random.Random, names: list[str]) -> str:
    # Zipf-like: the first names of the lists are the common ones.
    return rng.choices(names, cum_weights=_CUMULATIVE[len(names)])[0]


def _cumulative(count: int) -> list[float]:
    total, weights = 0.0, []
    for rank in range(count):
        total += 1 / (rank + 8)
        weights.append(total)
    return weights


_CUMULATIVE = {len(names): _cumulative(len(names)) for names in (FIRST_NAMES, LAST_NAMES)}


def _ascii(value: str) -> str:
    for umlaut, spelled in UMLAUTS.items():
        value = value.replace(umlaut, spelled)
    return "".join(ch for ch in value.lower() if ch.isascii() and ch.isalnum())


def _written(rng: random.Random, national: str, mobile: bool) -> str:
    """One of the ways Germans write a number (the national digits without the 0)."""
    split = 3 if mobile else (2 if len(national) < 10 else 3)
    head, tail = national[:split], national[split:]
    return rng.choice(
        [
            f"+49 {head} {tail}",
            f"0{head} {tail}",
            f"0{head}/{tail}",
            f"0{head}-{tail}",
            f"0049 {head} {tail}",
            f"+49 (0){head} {tail}",
            f"0{national}",
            f"+49{national}",
        ]
    )


def build_customers(
    count: int = 5000, seed: int = 12, postcodes: int = 250
) -> list[CorpusCustomer]:
    """`count` customers, no two with the same first name, last name and postcode."""
    rng = random.Random(seed)
    areas = [(f"{rng.randint(1067, 99998):05d}", f"Ort {i}") for i in range(postcodes)]
    seen: set[tuple[str, str, str]] = set()
    used_phones: set[str] = set()
    customers: list[CorpusCustomer] = []
    while len(customers) < count:
        first, last = _weighted(rng, FIRST_NAMES), _weighted(rng, LAST_NAMES)
        postcode, city = areas[min(int(rng.expovariate(1 / (postcodes / 4))), postcodes - 1)]
        if (first, last, postcode) in seen:
            continue
        mobile = rng.random() < 0.7
        if mobile:
            national = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
        else:
            national = rng.choice(LANDLINE_PREFIXES) + f"{rng.randint(100_000, 9_999_999)}"
        if national in used_phones:
            continue
        seen.add((first, last, postcode))
        used_phones.add(national)
        local = rng.choice([f"{_ascii(first)}.{_ascii(last)}", f"{_ascii(first)[0]}{_ascii(last)}"])
        email = f"{local}{rng.randint(1, 999)}@{rng.choice(MAIL_DOMAINS)}"
        street = f"{rng.choice(STREETS)} {rng.randint(1, 150)}"
        customers.append(
            CorpusCustomer(
                first,
                last,
                street,
                postcode,
                city,
                email,
                _written(rng, national, mobile),
                national,
            )
        )
    return customers


def _typo(rng: random.Random, word: str) -> str:
    position = rng.randrange(len(word))
    letter = rng.choice(CASE_LETTERS)
    operation = rng.choice(["insert", "delete", "substitute"]) if len(word) > 3 else "insert"
    if operation == "insert":
        return word[:position] + letter + word[position:]
    if operation == "delete":
        return word[:position] + word[position + 1 :]
    while letter == word[position].lower():
        letter = rng.choice(CASE_LETTERS)
    return word[:position] + letter + word[position + 1 :]


def _swap(rng: random.Random, word: str) -> str:
    positions = [i for i in range(len(word) - 1) if word[i].lower() != word[i + 1].lower()]
    if not positions:
        return _typo(rng, word)
    i = rng.choice(positions)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _umlaut_variant(word: str) -> str | None:
    """Müller -> Mueller, Strauß -> Strauss; Mueller -> Müller (None: nothing to vary)."""
    for umlaut, spelled in UMLAUTS.items():
        if umlaut in word:
            return word.replace(umlaut, spelled, 1)
    for spelled, umlaut in [("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß")]:
        if spelled in word:
            return word.replace(spelled, umlaut, 1)
    return None


def _other_format(rng: random.Random, customer: CorpusCustomer) -> str:
    mobile = customer.national[0] == "1"
    while True:
        written = _written(rng, customer.national, mobile)
        if written != customer.phone:
            return written


def build_queries(
    customers: list[CorpusCustomer], count: int = 1500, seed: int = 13
) -> list[CorpusQuery]:
    """`count` queries, each one perturbation of one customer (kinds in equal shares)."""
    rng = random.Random(seed)
    with_umlaut = [
        i for i, c in enumerate(customers) if _umlaut_variant(c.last_name + c.first_name)
    ]
    queries: list[CorpusQuery] = []
    for number in range(count):
        kind = PERTURBATIONS[number % len(PERTURBATIONS)]
        index = rng.choice(with_umlaut) if kind == "umlaut" else rng.randrange(len(customers))
        c = customers[index]
        first, last = c.first_name, c.last_name
        if kind == "phone":
            probe = DuplicateProbe(phone=_other_format(rng, c))
        else:
            in_last = rng.random() < 0.7
            if kind == "umlaut":
                varied = _umlaut_variant(last)
                in_last = varied is not None and (in_last or _umlaut_variant(first) is None)
            change = {"typo": _typo, "swap": _swap}.get(kind)
            if in_last:
                last = change(rng, last) if change else (_umlaut_variant(last) or last)
            else:
                first = change(rng, first) if change else (_umlaut_variant(first) or first)
            probe = DuplicateProbe(first_name=first, last_name=last, postal_code=c.postal_code)
        queries.append(CorpusQuery(index, kind, probe))
    return queries
