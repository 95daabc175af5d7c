"""Finding duplicate customers ("Dublettenabfrage", seed 001): the probe, the criteria and
the candidates the search returns. The search itself is `customers.services` (it reads the
precomputed match keys); this module holds the shared types and the pure key functions.

Match keys are normalized strings stored per customer (model CustomerMatchKey) and looked
up by equality on an index, so a lookup never scans the customer master:

* phone: E.164 digits of every contact phone and mobile; email: lower-cased address;
  plate: letters and digits of the plate, upper-cased; vin: the VIN, upper-cased;
* name_pc: "<postcode>:<surname>" for the surname and every variant with one letter
  deleted. Two names within Damerau-Levenshtein distance 1 (one letter inserted,
  deleted, replaced or two adjacent ones swapped) always share one such variant, so the
  typo search is an equality lookup too; the distance is checked on the few hits;
* phonetic_pc: "<postcode>:<Kölner Phonetik of the surname>";
* phonetic_name: "<Kölner Phonetik of the first name>:<… of the surname>" (anywhere).

Names are compared normalized: lower case, ä/ö/ü as ae/oe/ue, ß as ss, accents, spaces,
hyphens and other punctuation dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import cologne_phonetics
import phonenumbers
from rapidfuzz.distance import OSA

if TYPE_CHECKING:
    from theke.customers.models import Customer

__all__ = [
    "DuplicateCandidate",
    "DuplicateCriteria",
    "DuplicateProbe",
    "MatchKind",
    "NameMatch",
    "PersonFacts",
    "customer_match_keys",
    "email_key",
    "name_key",
    "phone_key",
    "phonetic_code",
    "plate_key",
    "postcode_key",
    "probe_match_keys",
    "score_names",
    "typo_key",
    "typo_variants",
    "vin_key",
]


@dataclass(frozen=True)
class DuplicateProbe:
    """What is known of the person looked for (a lead's data, as entered)."""

    first_name: str = ""
    last_name: str = ""
    postal_code: str = ""
    email: str = ""
    phone: str = ""  # any format; compared as E.164 digits
    license_plate: str = ""
    vin: str = ""


@dataclass(frozen=True)
class DuplicateCriteria:
    """Which criteria count (the tenant's "Dublettenabfrage" setting)."""

    name_postcode: bool = True
    email: bool = True
    phone: bool = True
    vehicle: bool = True


@dataclass
class DuplicateCandidate:
    """A customer that may be the one looked for, with why it was found (German labels
    such as "gleiche Telefonnummer", "klingt gleich", "ein Tippfehler"), best first."""

    customer_id: int
    score: float
    reasons: list[str] = field(default_factory=list)
    customer: Customer | None = None


class MatchKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    PLATE = "plate"
    VIN = "vin"
    NAME_POSTCODE = "name_pc"
    PHONETIC_POSTCODE = "phonetic_pc"
    PHONETIC_NAME = "phonetic_name"


NAME_KINDS = frozenset(
    {MatchKind.NAME_POSTCODE, MatchKind.PHONETIC_POSTCODE, MatchKind.PHONETIC_NAME}
)
VEHICLE_KINDS = frozenset({MatchKind.PLATE, MatchKind.VIN})
MAX_KEY_LENGTH = 254

# --- normalization ------------------------------------------------------------------------

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_MIN_TYPO_LENGTH = 3


def name_key(value: str) -> str:
    """A name compared tolerantly: "Müller-Lüdenscheidt" and "mueller ludenscheidt" differ
    by one letter only; "Strauß" and "Strauss" are equal."""
    text = (value or "").strip().lower().translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_LETTER.sub("", text)


_CONTRACTED = str.maketrans({"ä": "A", "ö": "O", "ü": "U", "ß": "S", "ẞ": "S"})
_DIGRAPHS = (("ae", "A"), ("oe", "O"), ("ue", "U"), ("ss", "S"))
_NOT_TYPO_LETTER = re.compile(r"[^a-zAOUS]")


def typo_key(value: str) -> str:
    """A name with each umlaut and ß as one letter ("Müller", "Mueller": "mUller"), so a typo
    on an umlaut ("Koäh" for "Koch", "Sßü" for "Süß") is one edit, as the writer made it."""
    text = (value or "").strip().lower()
    for spelled, letter in _DIGRAPHS:
        text = text.replace(spelled, letter)
    text = unicodedata.normalize("NFC", text).translate(_CONTRACTED)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_TYPO_LETTER.sub("", text)


def phonetic_code(value: str) -> str:
    """The Kölner Phonetik code of a name ("" for no letters)."""
    normalized = name_key(value)
    if not normalized:
        return ""
    return "".join(code for _word, code in cologne_phonetics.encode(normalized))


def email_key(value: str) -> str:
    return (value or "").strip().lower()


def phone_key(value: object, region: str = "DE") -> str:
    """E.164 digits (without "+") of a phone number in any format; "" for no number.

    "+49 171 1234567", "0171/1234567" and "0049 171-1234567" give the same key. A number the
    library cannot parse keeps its bare digits (at least six), so it still matches itself.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= 6 else ""


def plate_key(value: str) -> str:
    return _NOT_ALNUM.sub("", (value or "").upper())


def vin_key(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def postcode_key(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def typo_variants(name: str) -> set[str]:
    """The name and each variant with one letter deleted (short names: only themselves)."""
    if len(name) < _MIN_TYPO_LENGTH:
        return {name} if name else set()
    return {name} | {name[:i] + name[i + 1 :] for i in range(len(name))}


# --- keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    """What the duplicate search knows of a stored customer (its own and its contacts'
    names, its locations' postcodes, phones, e-mails and vehicles), as plain values."""

    names: Sequence[tuple[str, str]] = ()  # (first name, last name)
    postal_codes: Sequence[str] = ()
    emails: Sequence[str] = ()
    phones: Sequence[object] = ()
    plates: Sequence[str] = ()
    vins: Sequence[str] = ()


def _name_keys(first: str, last: str, postcodes: Iterable[str]) -> set[tuple[str, str]]:
    last_key = name_key(last)
    if not last_key:
        return set()
    keys: set[tuple[str, str]] = set()
    last_code = phonetic_code(last_key)
    first_code = phonetic_code(first)
    if first_code and last_code:
        keys.add((MatchKind.PHONETIC_NAME, f"{first_code}:{last_code}"))
    variants = typo_variants(last_key) | typo_variants(typo_key(last))
    for postcode in postcodes:
        if not postcode:
            continue
        keys |= {(MatchKind.NAME_POSTCODE, f"{postcode}:{v}") for v in variants}
        if last_code:
            keys.add((MatchKind.PHONETIC_POSTCODE, f"{postcode}:{last_code}"))
    return keys


def customer_match_keys(facts: PersonFacts) -> set[tuple[str, str]]:
    """Every (kind, key) a stored customer is found by."""
    postcodes = {postcode_key(p) for p in facts.postal_codes} - {""}
    keys: set[tuple[str, str]] = set()
    for first, last in facts.names:
        keys |= _name_keys(first, last, postcodes)
    keys |= {(MatchKind.PHONE, phone_key(p)) for p in facts.phones}
    keys |= {(MatchKind.EMAIL, email_key(e)) for e in facts.emails}
    keys |= {(MatchKind.PLATE, plate_key(p)) for p in facts.plates}
    keys |= {(MatchKind.VIN, vin_key(v)) for v in facts.vins}
    return {(kind, key[:MAX_KEY_LENGTH]) for kind, key in keys if key}


def probe_match_keys(probe: DuplicateProbe, criteria: DuplicateCriteria) -> set[tuple[str, str]]:
    """The (kind, key) pairs to look up for a probe, under the criteria switched on."""
    facts = PersonFacts(
        names=[(probe.first_name, probe.last_name)] if criteria.name_postcode else [],
        postal_codes=[probe.postal_code],
        emails=[probe.email] if criteria.email else [],
        phones=[probe.phone] if criteria.phone else [],
        plates=[probe.license_plate] if criteria.vehicle else [],
        vins=[probe.vin] if criteria.vehicle else [],
    )
    return customer_match_keys(facts)


# --- scoring ------------------------------------------------------------------------------

# Evidence weights: an exact identifier alone makes a candidate, a similar surname needs a
# second piece (postcode or first name) to pass MIN_SCORE; a clearly different first name
# counts against (another person of the same household or street).
EXACT_WEIGHTS: dict[str, float] = {
    MatchKind.PHONE: 0.6,
    MatchKind.EMAIL: 0.6,
    MatchKind.VIN: 0.7,
    MatchKind.PLATE: 0.5,
}
LAST_SAME, LAST_TYPO, LAST_SOUNDS = 0.35, 0.3, 0.25
FIRST_SAME, FIRST_CLOSE, FIRST_OTHER = 0.15, 0.1, -0.2
# A namesake elsewhere is no duplicate by name alone (a big master has dozens); the same
# person after a move is still found by phone or e-mail.
POSTCODE_SAME, POSTCODE_OTHER = 0.15, -0.1
MIN_SCORE = 0.45


class Relation(StrEnum):
    SAME = "same"
    TYPO = "typo"
    SOUNDS = "sounds"
    OTHER = "other"
    UNKNOWN = "unknown"


def _relation(probe_value: str, stored_value: str) -> Relation:
    a, b = name_key(probe_value), name_key(stored_value)
    if not a or not b:
        return Relation.UNKNOWN
    if a == b:
        return Relation.SAME
    if (
        OSA.distance(a, b, score_cutoff=1) <= 1
        or OSA.distance(typo_key(probe_value), typo_key(stored_value), score_cutoff=1) <= 1
    ):
        return Relation.TYPO
    if phonetic_code(a) == phonetic_code(b):
        return Relation.SOUNDS
    return Relation.OTHER


@dataclass(frozen=True)
class NameMatch:
    """How well a probe's name and postcode fit a stored customer's best name."""

    score: float
    last: Relation
    first: Relation
    same_postcode: bool


_LAST = {Relation.SAME: LAST_SAME, Relation.TYPO: LAST_TYPO, Relation.SOUNDS: LAST_SOUNDS}
_FIRST = {
    Relation.SAME: FIRST_SAME,
    Relation.TYPO: FIRST_CLOSE,
    Relation.SOUNDS: FIRST_CLOSE,
    Relation.OTHER: FIRST_OTHER,
    Relation.UNKNOWN: 0.0,
}


def score_names(probe: DuplicateProbe, facts: PersonFacts) -> NameMatch | None:
    """The best fit of the probe's name (and postcode) among the stored names, or None."""
    postcode = postcode_key(probe.postal_code)
    stored = {postcode_key(p) for p in facts.postal_codes} - {""}
    same_postcode = bool(postcode) and postcode in stored
    if same_postcode:
        postcode_score = POSTCODE_SAME
    else:
        postcode_score = POSTCODE_OTHER if postcode and stored else 0.0
    best: NameMatch | None = None
    for first, last in facts.names:
        last_relation = _relation(probe.last_name, last)
        if last_relation not in _LAST:
            continue
        first_relation = _relation(probe.first_name, first)
        score = _LAST[last_relation] + _FIRST[first_relation]
        score += postcode_score
        if best is None or score > best.score:
            best = NameMatch(score, last_relation, first_relation, same_postcode)
    return best
