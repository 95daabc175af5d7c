"""What a declining customer may choose, and every word said about each choice.

The choices depend on the object of the estimate (seed 000 names return shipping and
disposal for a device; a car is not shipped back): a device is sent back or disposed of, a
vehicle is picked up unrepaired or disposed of and scrapped. This module is the one place
of their wording: the customer's decline form and decision box, the "what happens next"
sentence, the company e-mail and staff note, the decision PDF and the staff pages all read
it. Which choices a tenant offers and at which flat fee is decided by the service
`decline_options(estimate)` (services/decline.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DeclineObject(models.TextChoices):
    """What the estimate is about, as far as a decline is concerned."""

    DEVICE = "device", _("Gerät")
    VEHICLE = "vehicle", _("Fahrzeug")


class DeclineChoice(models.TextChoices):
    RETURN_SHIPPING = "return_shipping", _("Rücksendung")
    DISPOSAL = "disposal", _("Entsorgung")
    PICKUP_UNREPAIRED = "pickup_unrepaired", _("Unrepariert abholen")
    SCRAPPING = "scrapping", _("Entsorgung/Verschrottung")


@dataclass(frozen=True)
class ChoiceWording:
    """One decline choice and how each place speaks of it."""

    code: str
    object: str  # DeclineObject
    # The customer's decline form: the question above the options and the option's title.
    question: Promise
    option: Promise
    # The answer as the company e-mail and the staff note name it ("abgelehnt, …").
    answer: Promise
    # The customer's decision box: what was chosen, said to the customer.
    decision: Promise
    # After the decision: what happens next, said to the customer (the next-steps box, which
    # adds the flat fee's amount itself).
    next_step: Promise
    # Needs a return address (the form asks for it, the decision stores it).
    needs_address: bool
    # The special article found when the tenant has chosen none: its number, or a word in
    # its text (lower case).
    fee_number: str
    fee_word: str

    @property
    def label(self) -> str:
        """The short name (staff lists, the PDF, the settings)."""
        return str(DeclineChoice(self.code).label)


_DEVICE_QUESTION = _("Was soll mit Ihrem Gerät geschehen?")
_VEHICLE_QUESTION = _("Was soll mit Ihrem Fahrzeug geschehen?")

WORDINGS: dict[str, ChoiceWording] = {
    wording.code: wording
    for wording in (
        ChoiceWording(
            code=DeclineChoice.RETURN_SHIPPING,
            object=DeclineObject.DEVICE,
            question=_DEVICE_QUESTION,
            option=_("Rücksendung an mich"),
            answer=_("abgelehnt, Rücksendung"),
            decision=_("Ihr Gerät wird an Sie zurückgeschickt."),
            next_step=_(
                "Wir senden Ihr Gerät unrepariert an die angegebene Adresse zurück. "
                "Sie erhalten eine Nachricht, sobald es unterwegs ist."
            ),
            needs_address=True,
            fee_number="PA-RUECK",
            fee_word="rückversand",
        ),
        ChoiceWording(
            code=DeclineChoice.DISPOSAL,
            object=DeclineObject.DEVICE,
            question=_DEVICE_QUESTION,
            option=_("Fachgerechte Entsorgung"),
            answer=_("abgelehnt, Entsorgung"),
            decision=_("Ihr Gerät wird fachgerecht entsorgt."),
            next_step=_("Wir entsorgen Ihr Gerät fachgerecht. Sie müssen nichts weiter tun."),
            needs_address=False,
            fee_number="PA-ENTS",
            fee_word="entsorg",
        ),
        ChoiceWording(
            code=DeclineChoice.PICKUP_UNREPAIRED,
            object=DeclineObject.VEHICLE,
            question=_VEHICLE_QUESTION,
            option=_("Fahrzeug unrepariert abholen"),
            answer=_("abgelehnt, Fahrzeug wird unrepariert abgeholt"),
            decision=_("Sie holen Ihr Fahrzeug unrepariert bei uns ab."),
            next_step=_(
                "Ihr Fahrzeug steht unrepariert zur Abholung bereit. Bitte holen Sie es "
                "während unserer Öffnungszeiten ab."
            ),
            needs_address=False,
            fee_number="PA-ABHOL",
            fee_word="unrepariert",
        ),
        ChoiceWording(
            code=DeclineChoice.SCRAPPING,
            object=DeclineObject.VEHICLE,
            question=_VEHICLE_QUESTION,
            option=_("Fahrzeug entsorgen und verschrotten lassen"),
            answer=_("abgelehnt, Entsorgung/Verschrottung des Fahrzeugs"),
            decision=_("Ihr Fahrzeug wird fachgerecht entsorgt und verschrottet."),
            next_step=_(
                "Wir lassen Ihr Fahrzeug fachgerecht entsorgen und verschrotten und melden uns "
                "bei Ihnen, um die Fahrzeugpapiere und die Abmeldung abzustimmen. Den "
                "Verwertungsnachweis schicken wir Ihnen zu."
            ),
            needs_address=False,
            fee_number="PA-VERSCHR",
            fee_word="verschrott",
        ),
    )
}


def wording(code: str) -> ChoiceWording | None:
    """The wording of a stored choice; None for no choice (an accepted estimate)."""
    return WORDINGS.get(code)


def object_of(has_vehicle: bool) -> DeclineObject:
    """A vehicle's estimate is about the vehicle; every other is about a device."""
    return DeclineObject.VEHICLE if has_vehicle else DeclineObject.DEVICE


def choices_for(obj: str) -> list[ChoiceWording]:
    """The choices for an object, in the order the customer sees them."""
    return [w for w in WORDINGS.values() if w.object == obj]


def question_for(obj: str) -> str:
    """The decline form's question for an object."""
    return str(_VEHICLE_QUESTION if obj == DeclineObject.VEHICLE else _DEVICE_QUESTION)
