"""The rows of the shared customer-link suite: one per kind of link.

A domain that adds a kind of customer link adds its `LinkCase` (in its own tests package)
to `CASES` below; the suite in test_customer_links.py then proves the shared protections for
it: states, headers, throttling, language, view times, and that no staff page (the object's
own page, the delivery log) reveals the token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from theke.customers.models import CustomerLink


@dataclass(frozen=True)
class IssuedLink:
    link: CustomerLink
    token: str
    path: str  # the customer page behind the token


@dataclass(frozen=True)
class LinkCase:
    kind: str
    # Creates the object and a valid link to it, sent to the customer's first contact.
    # `with_data=False`: the link exists before the object's data (the "available shortly"
    # page); a kind without that state sets `pending_shows` to "".
    issue: Callable[..., IssuedLink]
    shows: str  # text of the valid page
    # The staff page of the object the link opens (it lists the messages that carried it).
    staff_path: Callable[[IssuedLink], str]
    pending_shows: str = ""


def cases() -> list[LinkCase]:
    from theke.appointments.tests.links import LEAD
    from theke.estimates.tests.links import ESTIMATE
    from theke.jobs.tests.links import JOB

    return [ESTIMATE, LEAD, JOB]
