"""The appointments' message purposes (registered with messaging's registry on import).

Each topic keeps its own block, so parallel work on online booking merges cleanly.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import (
    COMPANY,
    EMAIL,
    RECIPIENT,
    SMS,
    Purpose,
    defaults,
    email_default,
    letter,
    placeholders,
    register,
    sms_default,
)

# --- appointment confirmation (lead conversion, seed 001) ------------------------------------

CONFIRMATION_SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "date": "14.10.2025",
        "time": "09:30",
        "end_time": "11:00",
        "branch_name": "Autohaus Muster Mitte",
        "branch_address": "Hauptstraße 1, 10115 Berlin",
        "work": "Inspektion, Räderwechsel",
    },
    "en": {"date": "14 October 2025", "work": "Inspection, wheel change"},
}

APPOINTMENT_CONFIRMATION = register(
    Purpose(
        code="appointment_confirmation",
        label=_("Terminbestätigung"),
        description=_(
            "Bestätigt dem Kunden seinen Termin mit Datum, Uhrzeit, Betrieb und Adresse "
            "(„Bestätigung senden“ auf der Terminseite)."
        ),
        channels=(EMAIL, SMS),
        placeholders=placeholders(
            RECIPIENT,
            COMPANY,
            date=_("Datum des Termins"),
            time=_("Beginn (Uhrzeit)"),
            end_time=_("Ende (Uhrzeit)"),
            branch_name=_("Name des Betriebs"),
            branch_address=_("Adresse des Betriebs"),
            work=_("Gebuchte Leistungen"),
        ),
        defaults=defaults(
            email_de=email_default(
                "Ihr Termin am {date} um {time} Uhr",
                letter(
                    "de",
                    """
hiermit bestätigen wir Ihren Termin:

Datum: {date}
Uhrzeit: {time} bis {end_time} Uhr
Betrieb: {branch_name}
Adresse: {branch_address}
Leistungen: {work}

Sollten Sie den Termin nicht wahrnehmen können, geben Sie uns bitte rechtzeitig Bescheid.
""",
                ),
            ),
            email_en=email_default(
                "Your appointment on {date} at {time}",
                letter(
                    "en",
                    """
We are pleased to confirm your appointment:

Date: {date}
Time: {time} to {end_time}
Branch: {branch_name}
Address: {branch_address}
Services: {work}

If you cannot keep the appointment, please let us know in good time.
""",
                ),
            ),
            sms_de=sms_default(
                "{company_name}: Ihr Termin ist bestätigt: {date} um {time} Uhr, "
                "{branch_name}, {branch_address}."
            ),
            sms_en=sms_default(
                "{company_name}: Your appointment is confirmed: {date} at {time}, "
                "{branch_name}, {branch_address}."
            ),
        ),
        samples=CONFIRMATION_SAMPLES,
    )
)
