"""Finding duplicate customers ("Dublettenabfrage", seed 001): the probe, the criteria and
the candidates the search returns. The search itself is `customers.services` (it reads the
precomputed match keys); this module holds the shared types and the pure key functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DuplicateCandidate", "DuplicateCriteria", "DuplicateProbe"]


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
