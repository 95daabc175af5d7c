# ruff: noqa: E501  (the shipped texts are data: one paragraph per line)
"""The appointments' message purposes (registered with messaging's registry on import).

Each topic keeps its own block, so parallel work on online booking merges cleanly.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import (
    COMPANY,
    RECIPIENT,
    SMS,
    Purpose,
    Texts,
    make_purpose,
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
        "link": "https://theke.example/termin/Xy7pQ2/",
    },
    "en": {"date": "14 October 2025", "work": "Inspection, wheel change"},
}

APPOINTMENT_CONFIRMATION = register(
    make_purpose(
        "appointment_confirmation",
        _("Terminbestätigung"),
        _(
            "Bestätigt dem Kunden seinen Termin mit Datum, Uhrzeit, Betrieb und Adresse "
            "(„Bestätigung senden“ auf der Terminseite)."
        ),
        placeholders=placeholders(
            date=_("Datum des Termins"),
            time=_("Beginn (Uhrzeit)"),
            end_time=_("Ende (Uhrzeit)"),
            branch_name=_("Name des Betriebs"),
            branch_address=_("Adresse des Betriebs"),
            work=_("Gebuchte Leistungen"),
            link=_("Link zur Terminseite des Kunden"),
        ),
        de=Texts(
            "Ihr Termin am {date} um {time} Uhr",
            """
hiermit bestätigen wir Ihren Termin:

Datum: {date}
Uhrzeit: {time} bis {end_time} Uhr
Betrieb: {branch_name}
Adresse: {branch_address}
Leistungen: {work}

Alle Einzelheiten zu Ihrem Termin finden Sie hier:

{link}

Sollten Sie den Termin nicht wahrnehmen können, geben Sie uns bitte rechtzeitig Bescheid.
""",
            button="Termin ansehen",
            sms=(
                "{company_name}: Ihr Termin ist bestätigt: {date} um {time} Uhr, "
                "{branch_name}, {branch_address}. Details: {link}"
            ),
        ),
        en=Texts(
            "Your appointment on {date} at {time}",
            """
We are pleased to confirm your appointment:

Date: {date}
Time: {time} to {end_time}
Branch: {branch_name}
Address: {branch_address}
Services: {work}

You will find all details of your appointment here:

{link}

If you cannot keep the appointment, please let us know in good time.
""",
            button="View appointment",
            sms=(
                "{company_name}: Your appointment is confirmed: {date} at {time}, "
                "{branch_name}, {branch_address}. Details: {link}"
            ),
        ),
        samples=CONFIRMATION_SAMPLES,
    )
)


# --- lead manager: rejecting a lead ("Terminleadstorno") ------------------------------------

LEAD_PLACEHOLDERS = placeholders(
    RECIPIENT,
    COMPANY,
    appointment_date=_("Gewünschtes Datum, z. B. 14.10.2025"),
    appointment_time=_("Gewünschte Uhrzeit, z. B. 09:30"),
    branch_name=_("Name des Betriebs"),
    branch_phone=_("Telefonnummer des Betriebs"),
)

LEAD_SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "appointment_date": "14.10.2025",
        "appointment_time": "09:30",
        "branch_name": "Autohaus Muster Mitte",
        "branch_phone": "030 1234568",
    },
    "en": {"appointment_date": "14 October 2025", "appointment_time": "9:30 am"},
}

LEAD_REJECTION_EMAIL = register(
    make_purpose(
        "lead_rejection_email",
        _("E-Mail-Textbaustein für Terminlead-Ablehnung"),
        _(
            "Füllt die E-Mail vor, mit der Sie eine Online-Terminanfrage im Leadmanager "
            "ablehnen. Sie können den Text vor dem Senden ändern."
        ),
        placeholders=LEAD_PLACEHOLDERS,
        de=Texts(
            "Ihre Terminanfrage für den {appointment_date}",
            """
vielen Dank für Ihre Terminanfrage für den {appointment_date} um {appointment_time} Uhr bei {branch_name}. Leider können wir Ihnen diesen Termin nicht anbieten.

Gern finden wir gemeinsam einen anderen Termin: Rufen Sie uns unter {branch_phone} an oder buchen Sie online einen neuen Termin.
""",
        ),
        en=Texts(
            "Your appointment request for {appointment_date}",
            """
Thank you for your appointment request for {appointment_date} at {appointment_time} at {branch_name}. Unfortunately we cannot offer you this appointment.

We will gladly find another date with you: call us on {branch_phone} or book a new appointment online.
""",
        ),
        samples=LEAD_SAMPLES,
    )
)

LEAD_REJECTION_SMS = register(
    Purpose(
        code="lead_rejection_sms",
        label=_("SMS-Textbaustein für Terminlead-Ablehnung"),
        description=_(
            "Füllt die SMS vor, mit der Sie eine Online-Terminanfrage im Leadmanager "
            "ablehnen. Sie können den Text vor dem Senden ändern."
        ),
        channels=(SMS,),
        placeholders=LEAD_PLACEHOLDERS,
        defaults={
            (SMS, "de"): sms_default(
                "{company_name}: Ihren Wunschtermin am {appointment_date} um {appointment_time} "
                "Uhr können wir leider nicht anbieten. Bitte rufen Sie uns an: {branch_phone}"
            ),
            (SMS, "en"): sms_default(
                "{company_name}: Unfortunately we cannot offer your requested appointment on "
                "{appointment_date} at {appointment_time}. Please call us: {branch_phone}"
            ),
        },
        samples=LEAD_SAMPLES,
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
    make_purpose(
        "booking_received",
        _("Terminanfrage erhalten"),
        _(
            "Bestätigt dem Kunden den Eingang seiner Online-Terminbuchung, mit dem Link zum "
            "Ansehen oder Stornieren der Anfrage."
        ),
        placeholders=placeholders(
            BOOKING_PLACEHOLDERS,
            link=_("Link zur Terminanfrage (ansehen oder stornieren)"),
            cancel_until=_("Bis wann der Kunde online stornieren kann"),
        ),
        de=Texts(
            "Anfrage erhalten: Ihr Termin am {date} um {time}",
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
            button="Anfrage ansehen",
        ),
        en=Texts(
            "Request received: your appointment on {date} at {time}",
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
            button="View request",
        ),
        samples=BOOKING_SAMPLES,
    )
)

BOOKING_CANCELLED = register(
    make_purpose(
        "booking_cancelled",
        _("Terminanfrage storniert (an den Kunden)"),
        _("Bestätigt dem Kunden, dass er seine online gebuchte Terminanfrage storniert hat."),
        placeholders=BOOKING_PLACEHOLDERS,
        de=Texts(
            "Storniert: Ihr Termin am {date} um {time}",
            """
Sie haben Ihre Terminanfrage für {date}, {time} Uhr ({services}) bei {branch_name} storniert. Der Termin ist damit abgesagt.

Möchten Sie einen neuen Termin vereinbaren? Buchen Sie gern wieder online oder rufen Sie uns an: {branch_phone}.
""",
        ),
        en=Texts(
            "Cancelled: your appointment on {date} at {time}",
            """
You have cancelled your appointment request for {date}, {time} ({services}) at {branch_name}. The appointment is cancelled.

Would you like a new appointment? Feel free to book online again or call us on {branch_phone}.
""",
        ),
        samples=BOOKING_SAMPLES,
    )
)

BOOKING_CANCELLED_COMPANY = register(
    make_purpose(
        "booking_cancelled_company",
        _("Terminanfrage vom Kunden storniert"),
        _(
            "Meldet an die Benachrichtigungsadresse Ihres Unternehmens, dass ein Kunde seine "
            "online gebuchte Terminanfrage storniert hat."
        ),
        to_company=True,
        placeholders=placeholders(
            BOOKING_PLACEHOLDERS,
            customer_name=_("Name des Kunden"),
            customer_contact=_("E-Mail-Adresse und Mobilnummer des Kunden"),
            cancelled_at=_("Zeitpunkt der Stornierung"),
        ),
        de=Texts(
            "Von Kunden storniert: Termin am {date} um {time}",
            """
{customer_name} hat die Terminanfrage für {date}, {time} Uhr am {cancelled_at} storniert.

Leistungen: {services}
Fahrzeug: {vehicle}
Betrieb: {branch_name}
Kontakt: {customer_contact}
""",
        ),
        en=Texts(
            "Cancelled by the customer: appointment on {date} at {time}",
            """
{customer_name} cancelled the appointment request for {date}, {time} on {cancelled_at}.

Services: {services}
Vehicle: {vehicle}
Branch: {branch_name}
Contact: {customer_contact}
""",
        ),
        samples=BOOKING_SAMPLES,
    )
)


# --- life: workshop appointments (proposal, cancellation; seed 002) ------------------------------

# What every appointment text of staff's workshop appointments shows (services/notify.py).
WORKSHOP_PLACEHOLDERS = {
    "date": _("Datum des Termins"),
    "time": _("Beginn (Uhrzeit)"),
    "end_time": _("Ende (Uhrzeit)"),
    "branch_name": _("Name des Betriebs"),
    "branch_address": _("Adresse des Betriebs"),
    "work": _("Gebuchte Leistungen"),
    "link": _("Link zur Terminseite des Kunden"),
}

WORKSHOP_SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        **CONFIRMATION_SAMPLES["de"],
        "slots": "• Dienstag, 14.10.2025, 09:30–11:00 Uhr\n• Mittwoch, 15.10.2025, 14:00–15:30 Uhr",
        "slots_short": "14.10. 09:30, 15.10. 14:00",
        "valid_until": "12.10.2025, 18:00 Uhr",
    },
    "en": {
        "date": "14 October 2025",
        "work": "Inspection, wheel change",
        "slots": "• Tuesday, 14 October 2025, 9:30–11:00\n• Wednesday, 15 October 2025, 14:00–15:30",
        "slots_short": "14 Oct 9:30, 15 Oct 14:00",
        "valid_until": "12 October 2025, 18:00",
    },
}

APPOINTMENT_PROPOSAL = register(
    make_purpose(
        "appointment_proposal",
        _("Terminvorschlag"),
        _(
            "Bietet dem Kunden ein bis drei Termine zur Auswahl an („Vorschlag anbieten“); "
            "der Kunde wählt über den Link einen Termin oder bittet um einen anderen."
        ),
        placeholders=placeholders(
            WORKSHOP_PLACEHOLDERS,
            slots=_("Die angebotenen Termine, einer pro Zeile"),
            slots_short=_("Die angebotenen Termine, kurz (für SMS)"),
            valid_until=_("Bis wann die Termine freigehalten werden"),
        ),
        de=Texts(
            "Terminvorschlag von {company_name}",
            """
wie besprochen schlagen wir Ihnen folgende Termine vor:

{slots}

Betrieb: {branch_name}, {branch_address}
Leistungen: {work}

Bitte wählen Sie über den folgenden Link einen Termin aus oder teilen Sie uns mit, wann es Ihnen besser passt:

{link}

Wir halten die Termine bis {valid_until} für Sie frei.
""",
            button="Termin auswählen",
            sms=(
                "{company_name}: Ihre Terminvorschläge ({slots_short}). Bitte wählen Sie bis "
                "{valid_until}: {link}"
            ),
        ),
        en=Texts(
            "Appointment proposal from {company_name}",
            """
As discussed, we would like to offer you the following appointments:

{slots}

Branch: {branch_name}, {branch_address}
Services: {work}

Please choose an appointment at the link below or let us know when would suit you better:

{link}

We will hold these appointments for you until {valid_until}.
""",
            button="Choose appointment",
            sms=(
                "{company_name}: Your proposed appointments ({slots_short}). Please choose by "
                "{valid_until}: {link}"
            ),
        ),
        samples=WORKSHOP_SAMPLES,
    )
)

APPOINTMENT_CANCELLATION = register(
    make_purpose(
        "appointment_cancellation",
        _("Terminabsage"),
        _(
            "Teilt dem Kunden mit, dass sein bestätigter Termin storniert ist; die "
            "Kalenderdatei im Anhang entfernt ihn aus seinem Kalender."
        ),
        placeholders=WORKSHOP_PLACEHOLDERS,
        de=Texts(
            "Storniert: Ihr Termin am {date} um {time} Uhr",
            """
Ihr Termin am {date} um {time} Uhr bei {branch_name} ist storniert.

Leistungen: {work}

Möchten Sie einen neuen Termin vereinbaren? Sprechen Sie uns gern an. Ihre Termine finden Sie hier:

{link}
""",
            button="Meine Termine",
            sms="{company_name}: Ihr Termin am {date} um {time} Uhr ist storniert. {link}",
        ),
        en=Texts(
            "Cancelled: your appointment on {date} at {time}",
            """
Your appointment on {date} at {time} at {branch_name} has been cancelled.

Services: {work}

Would you like a new appointment? Please get in touch with us. You can find your appointments here:

{link}
""",
            button="My appointments",
            sms="{company_name}: Your appointment on {date} at {time} has been cancelled. {link}",
        ),
        samples=WORKSHOP_SAMPLES,
    )
)


# --- remind ---
# The reminders (services/reminders.py): a few days before and on the morning of the day,
# with the link to the customer's appointment page (time, place, cancel, other time).

# The same placeholders as the other workshop texts (life's block above).
# A link without an ellipsis, so the SMS sample stays GSM-7.
REMINDER_SAMPLES = {
    **WORKSHOP_SAMPLES,
    "de": {**WORKSHOP_SAMPLES["de"], "link": "https://theke.example/termin/Xy7Beispiel/"},
}

APPOINTMENT_REMINDER = register(
    make_purpose(
        "appointment_reminder",
        _("Terminerinnerung"),
        _(
            "Erinnert den Kunden einige Tage vor dem Termin (wie viele, wählt er selbst; "
            "sonst gilt Ihre Einstellung) mit dem Link zu seiner Terminseite."
        ),
        placeholders=WORKSHOP_PLACEHOLDERS,
        de=Texts(
            "Erinnerung: Ihr Termin am {date} um {time} Uhr",
            """
wir möchten Sie an Ihren Termin erinnern:

Datum: {date}
Uhrzeit: {time} bis {end_time} Uhr
Betrieb: {branch_name}
Adresse: {branch_address}
Leistungen: {work}

Alle Einzelheiten finden Sie auf Ihrer Terminseite. Dort können Sie den Termin auch absagen oder einen anderen Termin anfragen:

{link}
""",
            button="Termin ansehen",
            sms=(
                "{company_name}: Erinnerung an Ihren Termin am {date} um {time} Uhr, "
                "{branch_name}, {branch_address}. Details: {link}"
            ),
        ),
        en=Texts(
            "Reminder: your appointment on {date} at {time}",
            """
We would like to remind you of your appointment:

Date: {date}
Time: {time} to {end_time}
Branch: {branch_name}
Address: {branch_address}
Services: {work}

You will find all the details on your appointment page, where you can also cancel the appointment or ask for another time:

{link}
""",
            button="View appointment",
            sms=(
                "{company_name}: Reminder of your appointment on {date} at {time}, "
                "{branch_name}, {branch_address}. Details: {link}"
            ),
        ),
        samples=REMINDER_SAMPLES,
    )
)

APPOINTMENT_SAME_DAY_REMINDER = register(
    make_purpose(
        "appointment_same_day_reminder",
        _("Erinnerung am Termintag"),
        _(
            "Erinnert den Kunden am Morgen des Termintags, wenn er das wünscht, mit dem Link "
            "zu seiner Terminseite."
        ),
        placeholders=WORKSHOP_PLACEHOLDERS,
        de=Texts(
            "Heute um {time} Uhr: Ihr Termin bei {branch_name}",
            """
heute ist es so weit: Wir erwarten Sie um {time} Uhr.

Betrieb: {branch_name}
Adresse: {branch_address}
Leistungen: {work}

Alle Einzelheiten finden Sie auf Ihrer Terminseite:

{link}
""",
            button="Termin ansehen",
            sms=(
                "{company_name}: Heute um {time} Uhr erwarten wir Sie bei {branch_name}, "
                "{branch_address}. Details: {link}"
            ),
        ),
        en=Texts(
            "Today at {time}: your appointment at {branch_name}",
            """
Today is the day: we look forward to seeing you at {time}.

Branch: {branch_name}
Address: {branch_address}
Services: {work}

You will find all the details on your appointment page:

{link}
""",
            button="View appointment",
            sms=(
                "{company_name}: Today at {time} we look forward to seeing you at "
                "{branch_name}, {branch_address}. Details: {link}"
            ),
        ),
        samples=REMINDER_SAMPLES,
    )
)
