# ruff: noqa: E501  (the shipped texts are data: one paragraph per line)
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
