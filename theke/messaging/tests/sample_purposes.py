"""Purposes that exist only in tests: the editor, compose and sending are generic, and their
tests need purposes with placeholders a page cannot fill, an e-mail-only one, and more than
one that staff may pick by hand. Registered by the `sample_purposes` fixture."""

from __future__ import annotations

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
    sms_default,
)

APPOINTMENT = {
    "appointment_date": "Datum und Uhrzeit des Termins",
    "branch_name": "Name des Betriebs",
    "branch_address": "Anschrift des Betriebs",
    "vehicle": "Fahrzeug (Kennzeichen, Marke, Modell)",
}

REMINDER = Purpose(
    code="test_reminder",
    label="Terminerinnerung",
    description="Erinnert den Kunden vor seinem Termin.",
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=placeholders(RECIPIENT, COMPANY, APPOINTMENT, link="Link zum Termin"),
    defaults=defaults(
        email_de=email_default(
            "Erinnerung an Ihren Termin am {appointment_date}",
            letter(
                "de",
                "gern erinnern wir Sie an Ihren Termin:\n\n"
                "Termin: {appointment_date}\nFahrzeug: {vehicle}\n"
                "Ort: {branch_name}, {branch_address}\n\n{link}",
            ),
            "Termin ansehen",
        ),
        email_en=email_default(
            "Reminder: your appointment on {appointment_date}",
            letter(
                "en",
                "This is a friendly reminder of your upcoming appointment:\n\n"
                "Date: {appointment_date}\nVehicle: {vehicle}\n"
                "Location: {branch_name}, {branch_address}\n\n{link}",
            ),
            "View appointment",
        ),
        sms_de=sms_default("{company_name}: Wir erinnern an Ihren Termin am {appointment_date}."),
        sms_en=sms_default("{company_name}: Reminder of your appointment on {appointment_date}."),
    ),
)

REJECTION = Purpose(
    code="test_rejection",
    label="Terminanfrage abgelehnt",
    description="Teilt dem Kunden mit, dass sein Wunschtermin nicht möglich ist.",
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=placeholders(
        RECIPIENT, COMPANY, appointment_date="Gewünschter Termin", link="Link zur Buchung"
    ),
    defaults=defaults(
        email_de=email_default(
            "Ihre Terminanfrage für {appointment_date}",
            letter("de", "leider ist der {appointment_date} nicht möglich.\n\n{link}"),
        ),
        email_en=email_default(
            "Your appointment request for {appointment_date}",
            letter("en", "unfortunately {appointment_date} is not available.\n\n{link}"),
        ),
        sms_de=sms_default("{company_name}: {appointment_date} ist leider nicht möglich. {link}"),
        sms_en=sms_default("{company_name}: {appointment_date} is not available. {link}"),
    ),
)

INVITATION = Purpose(
    code="test_invitation",
    label="Einladung zum Kundenportal",
    description="Lädt einen Benutzer des Kunden ein (nur per E-Mail).",
    channels=(EMAIL,),
    placeholders=placeholders(RECIPIENT, COMPANY, link="Link zur Registrierung"),
    defaults=defaults(
        email_de=email_default("Ihre Einladung", letter("de", "Bitte hier anmelden:\n\n{link}")),
        email_en=email_default("Your invitation", letter("en", "Please sign up here:\n\n{link}")),
    ),
)

SAMPLE_PURPOSES = (REMINDER, REJECTION, INVITATION)
