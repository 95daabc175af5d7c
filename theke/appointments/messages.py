# ruff: noqa: E501  (the shipped texts are data: one paragraph per line)
"""The appointments domain's message purposes (online booking and the lead manager).

Registered with messaging's registry when this module is imported (messaging imports every
domain's `messages` module when the apps are ready). Each topic keeps its own section.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import (
    COMPANY,
    EMAIL,
    RECIPIENT,
    Purpose,
    defaults,
    email_default,
    letter,
    placeholders,
    register,
)

# --- online booking (customer side) ----------------------------------------------------------

# The placeholders every booking text shares: what was booked, where and when.
BOOKING_PLACEHOLDERS = {
    "date": _("Tag des gewünschten Termins, z. B. „Dienstag, 14. Oktober 2025“"),
    "time": _("Uhrzeit des gewünschten Termins, z. B. „09:30“"),
    "services": _("Gebuchte Leistungen, durch Komma getrennt"),
    "vehicle": _("Fahrzeug: Marke, Modell und Kennzeichen"),
    "branch_name": _("Name des Betriebs"),
    "branch_address": _("Anschrift des Betriebs"),
    "branch_phone": _("Telefonnummer des Betriebs"),
}

BOOKING_SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "date": "Dienstag, 14. Oktober 2025",
        "time": "09:30",
        "services": "Inspektion, Räderwechsel",
        "vehicle": "Volkswagen Golf, B-EB 123",
        "branch_name": "Autohaus Muster Mitte",
        "branch_address": "Hauptstraße 1, 10115 Berlin",
        "branch_phone": "030 1234567",
        "cancel_until": "Montag, 13. Oktober 2025, 09:30 Uhr",
        "customer_name": "Max Mustermann",
        "cancelled_at": "10.10.2025, 16:05 Uhr",
        "customer_contact": "max@example.com, +49 151 2345678",
    },
    "en": {
        "date": "Tuesday, 14 October 2025",
        "services": "Inspection, tyre change",
        "cancel_until": "Monday, 13 October 2025, 9:30 am",
        "cancelled_at": "10 October 2025, 4:05 pm",
    },
}

BOOKING_RECEIVED = register(
    Purpose(
        code="booking_received",
        label=_("Terminanfrage erhalten"),
        description=_(
            "Bestätigt dem Kunden den Eingang seiner Online-Terminbuchung, mit dem Link zum "
            "Ansehen oder Stornieren der Anfrage."
        ),
        channels=(EMAIL,),
        placeholders=placeholders(
            RECIPIENT,
            COMPANY,
            BOOKING_PLACEHOLDERS,
            link=_("Link zur Terminanfrage (ansehen oder stornieren)"),
            cancel_until=_("Bis wann der Kunde online stornieren kann"),
        ),
        defaults=defaults(
            email_de=email_default(
                "Anfrage erhalten: Ihr Termin am {date} um {time}",
                letter(
                    "de",
                    """
vielen Dank für Ihre Terminanfrage. Wir haben sie erhalten und melden uns, sobald wir den Termin eingeplant haben.

Termin: {date}, {time} Uhr
Leistungen: {services}
Fahrzeug: {vehicle}
Betrieb: {branch_name}, {branch_address}

Unter folgendem Link können Sie Ihre Anfrage ansehen und bis {cancel_until} stornieren:

{link}

Bei Fragen erreichen Sie uns unter {branch_phone}.
""",
                ),
                "Anfrage ansehen",
            ),
            email_en=email_default(
                "Request received: your appointment on {date} at {time}",
                letter(
                    "en",
                    """
Thank you for your appointment request. We have received it and will get back to you as soon as we have scheduled it.

Appointment: {date}, {time}
Services: {services}
Vehicle: {vehicle}
Branch: {branch_name}, {branch_address}

You can view your request at the link below and cancel it until {cancel_until}:

{link}

If you have any questions, please call us on {branch_phone}.
""",
                ),
                "View request",
            ),
        ),
        samples=BOOKING_SAMPLES,
    )
)

BOOKING_CANCELLED = register(
    Purpose(
        code="booking_cancelled",
        label=_("Terminanfrage storniert (an den Kunden)"),
        description=_(
            "Bestätigt dem Kunden, dass er seine online gebuchte Terminanfrage storniert hat."
        ),
        channels=(EMAIL,),
        placeholders=placeholders(RECIPIENT, COMPANY, BOOKING_PLACEHOLDERS),
        defaults=defaults(
            email_de=email_default(
                "Storniert: Ihr Termin am {date} um {time}",
                letter(
                    "de",
                    """
Sie haben Ihre Terminanfrage für {date}, {time} Uhr ({services}) bei {branch_name} storniert. Der Termin ist damit abgesagt.

Möchten Sie einen neuen Termin vereinbaren? Buchen Sie gern wieder online oder rufen Sie uns an: {branch_phone}.
""",
                ),
            ),
            email_en=email_default(
                "Cancelled: your appointment on {date} at {time}",
                letter(
                    "en",
                    """
You have cancelled your appointment request for {date}, {time} ({services}) at {branch_name}. The appointment is cancelled.

Would you like a new appointment? Feel free to book online again or call us on {branch_phone}.
""",
                ),
            ),
        ),
        samples=BOOKING_SAMPLES,
    )
)

BOOKING_CANCELLED_COMPANY = register(
    Purpose(
        code="booking_cancelled_company",
        label=_("Terminanfrage vom Kunden storniert"),
        description=_(
            "Meldet an die Benachrichtigungsadresse Ihres Unternehmens, dass ein Kunde seine "
            "online gebuchte Terminanfrage storniert hat."
        ),
        channels=(EMAIL,),
        to_company=True,
        placeholders=placeholders(
            BOOKING_PLACEHOLDERS,
            customer_name=_("Name des Kunden"),
            customer_contact=_("E-Mail-Adresse und Mobilnummer des Kunden"),
            cancelled_at=_("Zeitpunkt der Stornierung"),
            company_name=COMPANY["company_name"],
        ),
        defaults=defaults(
            email_de=email_default(
                "Von Kunden storniert: Termin am {date} um {time}",
                """Guten Tag,

{customer_name} hat die Terminanfrage für {date}, {time} Uhr am {cancelled_at} storniert.

Leistungen: {services}
Fahrzeug: {vehicle}
Betrieb: {branch_name}
Kontakt: {customer_contact}

Diese Nachricht wurde automatisch für {company_name} erstellt.""",
            ),
            email_en=email_default(
                "Cancelled by the customer: appointment on {date} at {time}",
                """Hello,

{customer_name} cancelled the appointment request for {date}, {time} on {cancelled_at}.

Services: {services}
Vehicle: {vehicle}
Branch: {branch_name}
Contact: {customer_contact}

This message was generated automatically for {company_name}.""",
            ),
        ),
        samples=BOOKING_SAMPLES,
    )
)
