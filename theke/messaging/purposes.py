# ruff: noqa: E501  (the shipped texts are data: one paragraph per line)
"""The purposes Theke sends messages for: placeholders, sample values and the shipped texts.

Each purpose documents the placeholders its texts may use (`{customer_name}`, `{link}`, …);
the code that sends a message of that purpose fills exactly these. The shipped default texts
are data in two languages, not gettext msgids: a tenant replaces them per purpose, channel
and language (MessageTemplate), and the recipient's language picks the text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.html import urlize
from django.utils.translation import gettext_lazy as _

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)
LANGUAGES = ("de", "en")

Label = str | Promise


@dataclass(frozen=True)
class DefaultText:
    """A shipped text of one channel and language; SMS uses `text` only."""

    subject: str = ""
    text: str = ""
    html: str = ""
    # The label of the prominent `{link}` in the HTML built from the text.
    link_label: str = ""


@dataclass(frozen=True)
class Purpose:
    """Why a message is sent, which channels it may use and what its texts may contain."""

    code: str
    label: Label
    description: Label
    channels: tuple[str, ...]
    placeholders: Mapping[str, Label]
    defaults: Mapping[tuple[str, str], DefaultText]
    # Staff may pick this purpose when writing to a customer by hand.
    manual: bool = False
    # Goes to the business itself (its notification address), not to a customer.
    to_company: bool = False
    samples: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def default(self, channel: str, language: str) -> DefaultText:
        return self.defaults[(channel, language)]

    def html_for(self, text: str, language: str) -> str:
        """The HTML part built from an e-mail text (a template, placeholders kept)."""
        default = self.defaults.get((EMAIL, language))
        return html_from_text(text, default.link_label if default else "")

    def sample_context(self, language: str) -> dict[str, str]:
        """Sample values of every placeholder, for the preview."""
        values = {**SAMPLES["de"], **SAMPLES.get(language, {})}
        own = {**self.samples.get("de", {}), **self.samples.get(language, {})}
        values.update(own)
        return {name: values.get(name, name) for name in self.placeholders}


# --- placeholders ---------------------------------------------------------------------------

COMPANY: dict[str, Label] = {
    "company_name": _("Name Ihres Unternehmens"),
    "company_phone": _("Telefonnummer Ihres Unternehmens"),
    "company_email": _("E-Mail-Adresse Ihres Unternehmens"),
}
RECIPIENT: dict[str, Label] = {
    "greeting": _(
        "Anrede mit Namen, z. B. „Guten Tag Herr Müller“ (auf Englisch „Dear Mr Müller“)"
    ),
    "customer_name": _("Vor- und Nachname des Empfängers"),
}
APPOINTMENT: dict[str, Label] = {
    "appointment_date": _("Datum und Uhrzeit des Termins"),
    "branch_name": _("Name des Betriebs"),
    "branch_address": _("Anschrift des Betriebs"),
    "vehicle": _("Fahrzeug (Kennzeichen, Marke, Modell)"),
}


def _placeholders(*groups: Mapping[str, Label], **own: Label) -> dict[str, Label]:
    merged: dict[str, Label] = {}
    for group in groups:
        merged.update(group)
    merged.update(own)
    return merged


# Sample values for the preview; the company's own values come from the tenant.
SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "greeting": "Guten Tag Herr Mustermann",
        "customer_name": "Max Mustermann",
        "company_name": "Autohaus Muster",
        "company_phone": "030 1234567",
        "company_email": "info@autohaus-muster.de",
        "link": "https://theke.example/t/muster/x7Kq2Lm9",
        "estimate_number": "KV-4711",
        "item": "Smartphone Galaxy S21",
        "valid_until": "31.10.2025",
        "answer": "angenommen",
        "comment": "Bitte rufen Sie mich vor der Reparatur kurz an.",
        "answered_at": "14.10.2025, 10:42 Uhr",
        "appointment_date": "Di. 14.10.2025, 09:30 Uhr",
        "branch_name": "Autohaus Muster Mitte",
        "branch_address": "Hauptstraße 1, 10115 Berlin",
        "vehicle": "B-MM 123, VW Golf",
        "user_email": "max.mustermann@example.com",
        "request_title": "Container für die Baustelle Lindenweg",
        "job_title": "VW Golf B-MM 123",
        "phase_name": "Fahrzeug abholbereit",
        "phase_message": "Ihr Fahrzeug ist fertig und kann ab sofort abgeholt werden.",
        "conversation_subject": "Kostenvoranschlag KV-4711",
        "message_text": "Das Ersatzteil ist eingetroffen. "
        "Wir können morgen mit der Reparatur beginnen.",
        "sender_name": "Anna Berger",
    },
    "en": {
        "greeting": "Dear Mr Mustermann",
        "item": "Galaxy S21 smartphone",
        "valid_until": "31 October 2025",
        "answer": "accepted",
        "comment": "Please give me a quick call before the repair.",
        "answered_at": "14 October 2025, 10:42 am",
        "appointment_date": "Tue 14 Oct 2025, 9:30 am",
        "branch_address": "Hauptstrasse 1, 10115 Berlin",
        "request_title": "Container for the Lindenweg building site",
        "phase_name": "Vehicle ready for collection",
        "phase_message": "Your vehicle is ready and can be collected now.",
        "conversation_subject": "Cost estimate KV-4711",
        "message_text": "The spare part has arrived. We can start the repair tomorrow.",
    },
}

# --- helpers building the shipped texts -----------------------------------------------------

SIGNATURE = {
    "de": "Freundliche Grüße\n{company_name}\nTel. {company_phone}",
    "en": "Kind regards\n{company_name}\nPhone {company_phone}",
}
_INLINE_LINK = re.compile(r"\{link\}")


def html_from_text(text: str, link_label: str = "") -> str:
    """The HTML part of an e-mail text: paragraphs, line breaks, and `{link}` as a link.

    Works on the template, so placeholders stay as they are and the renderer escapes their
    values. A paragraph that is only `{link}` becomes a prominent link labelled `link_label`.
    """
    paragraphs = []
    for block in text.strip().split("\n\n"):
        block = block.strip("\n")
        if not block.strip():
            continue
        if block.strip() == "{link}" and link_label:
            paragraphs.append(
                f'<p><a href="{{link}}"><strong>{html.escape(link_label)}</strong></a></p>'
            )
            continue
        lines = [urlize(line, nofollow=True, autoescape=True) for line in block.split("\n")]
        body = "<br>\n".join(lines)
        body = _INLINE_LINK.sub('<a href="{link}">{link}</a>', body)
        paragraphs.append(f"<p>{body}</p>")
    return "\n".join(paragraphs)


def _email(subject: str, text: str, link_label: str = "") -> DefaultText:
    return DefaultText(subject, text, html_from_text(text, link_label), link_label)


def _sms(text: str) -> DefaultText:
    return DefaultText(text=text)


def _letter(language: str, body: str) -> str:
    """Greeting, body and the tenant's signature."""
    return f"{{greeting}},\n\n{body.strip()}\n\n{SIGNATURE[language]}"


def _defaults(
    *,
    email_de: DefaultText,
    email_en: DefaultText,
    sms_de: DefaultText | None = None,
    sms_en: DefaultText | None = None,
) -> dict[tuple[str, str], DefaultText]:
    defaults = {(EMAIL, "de"): email_de, (EMAIL, "en"): email_en}
    if sms_de is not None and sms_en is not None:
        defaults[(SMS, "de")] = sms_de
        defaults[(SMS, "en")] = sms_en
    return defaults


def _appointment_block(language: str, date_label: str = "") -> str:
    if language == "de":
        return (
            f"{date_label or 'Termin'}: {{appointment_date}}\n"
            "Fahrzeug: {vehicle}\n"
            "Ort: {branch_name}, {branch_address}"
        )
    return (
        f"{date_label or 'Date'}: {{appointment_date}}\n"
        "Vehicle: {vehicle}\n"
        "Location: {branch_name}, {branch_address}"
    )


# --- the purposes ---------------------------------------------------------------------------

ESTIMATE_LINK = Purpose(
    code="estimate_link",
    label=_("Link zum Kostenvoranschlag"),
    description=_("Schickt dem Kunden den Link zu seinem Online-Kostenvoranschlag."),
    channels=(EMAIL, SMS),
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        estimate_number=_("Nummer des Kostenvoranschlags"),
        item=_("Gegenstand des Auftrags, z. B. Gerät oder Fahrzeug"),
        link=_("Link zum Kostenvoranschlag"),
        valid_until=_("Gültig bis (Datum)"),
    ),
    defaults=_defaults(
        email_de=_email(
            "Ihr Kostenvoranschlag {estimate_number}",
            _letter(
                "de",
                """
Ihr Kostenvoranschlag {estimate_number} für {item} ist fertig. Unter folgendem Link können Sie ihn ansehen und direkt online annehmen oder ablehnen:

{link}

Der Kostenvoranschlag ist gültig bis {valid_until}. Bei Fragen rufen Sie uns gern an.
""",
            ),
            "Kostenvoranschlag ansehen",
        ),
        email_en=_email(
            "Your cost estimate {estimate_number}",
            _letter(
                "en",
                """
Your cost estimate {estimate_number} for {item} is ready. You can view it at the link below and accept or decline it online:

{link}

The estimate is valid until {valid_until}. If you have any questions, please give us a call.
""",
            ),
            "View cost estimate",
        ),
        sms_de=_sms(
            "{company_name}: Ihr Kostenvoranschlag {estimate_number} ist fertig. "
            "Ansehen und online beantworten: {link}"
        ),
        sms_en=_sms(
            "{company_name}: Your cost estimate {estimate_number} is ready. "
            "View and reply online: {link}"
        ),
    ),
)

ESTIMATE_REMINDER = Purpose(
    code="estimate_reminder",
    label=_("Erinnerung an Kostenvoranschlag"),
    description=_(
        "Erinnert den Kunden einmal an seinen unbeantworteten Kostenvoranschlag, wenn Sie "
        "das in den Einstellungen der Kostenvoranschläge eingeschaltet haben."
    ),
    channels=(EMAIL, SMS),
    placeholders=ESTIMATE_LINK.placeholders,
    defaults=_defaults(
        email_de=_email(
            "Erinnerung: Ihr Kostenvoranschlag {estimate_number}",
            _letter(
                "de",
                """
Ihr Kostenvoranschlag {estimate_number} für {item} wartet noch auf Ihre Antwort. Unter folgendem Link können Sie ihn ansehen und online annehmen oder ablehnen:

{link}

Der Kostenvoranschlag ist gültig bis {valid_until}. Haben Sie Fragen? Rufen Sie uns gern an.
""",
            ),
            "Kostenvoranschlag ansehen",
        ),
        email_en=_email(
            "Reminder: your cost estimate {estimate_number}",
            _letter(
                "en",
                """
Your cost estimate {estimate_number} for {item} is still waiting for your reply. You can view it at the link below and accept or decline it online:

{link}

The estimate is valid until {valid_until}. Any questions? Please give us a call.
""",
            ),
            "View cost estimate",
        ),
        sms_de=_sms(
            "{company_name}: Ihr Kostenvoranschlag {estimate_number} wartet noch auf Ihre "
            "Antwort: {link}"
        ),
        sms_en=_sms(
            "{company_name}: Your cost estimate {estimate_number} is still waiting for your "
            "reply: {link}"
        ),
    ),
)

ESTIMATE_ANSWER_COMPANY = Purpose(
    code="estimate_answer_company",
    label=_("Kundenantwort auf Kostenvoranschlag"),
    description=_(
        "Meldet die Antwort des Kunden auf einen Kostenvoranschlag an die Firmen-E-Mail-Adresse."
    ),
    channels=(EMAIL,),
    to_company=True,
    placeholders=_placeholders(
        customer_name=_("Name des Kunden"),
        estimate_number=_("Nummer des Kostenvoranschlags"),
        item=_("Gegenstand des Auftrags, z. B. Gerät oder Fahrzeug"),
        answer=_("Antwort des Kunden, z. B. „angenommen“"),
        comment=_("Anmerkung des Kunden"),
        answered_at=_("Zeitpunkt der Antwort"),
        link=_("Link zum Kostenvoranschlag in der Theke"),
        company_name=COMPANY["company_name"],
    ),
    defaults=_defaults(
        email_de=_email(
            "Antwort auf Kostenvoranschlag {estimate_number}: {answer}",
            """Guten Tag,

{customer_name} hat den Kostenvoranschlag {estimate_number} ({item}) am {answered_at} beantwortet.

Antwort: {answer}
Anmerkung: {comment}

Zum Kostenvoranschlag in der Theke:

{link}

Diese Nachricht wurde automatisch für {company_name} erstellt.""",
            "Kostenvoranschlag öffnen",
        ),
        email_en=_email(
            "Reply to cost estimate {estimate_number}: {answer}",
            """Hello,

{customer_name} replied to cost estimate {estimate_number} ({item}) on {answered_at}.

Reply: {answer}
Comment: {comment}

Open the cost estimate in Theke:

{link}

This message was generated automatically for {company_name}.""",
            "Open cost estimate",
        ),
    ),
)

BOOKING_RECEIVED = Purpose(
    code="booking_received",
    label=_("Terminanfrage eingegangen"),
    description=_("Bestätigt dem Kunden den Eingang seiner Online-Terminanfrage."),
    channels=(EMAIL, SMS),
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        APPOINTMENT,
        appointment_date=_("Gewünschter Termin (Datum und Uhrzeit)"),
        link=_("Link zur Terminanfrage"),
    ),
    defaults=_defaults(
        email_de=_email(
            "Ihre Terminanfrage bei {company_name}",
            _letter(
                "de",
                """
vielen Dank für Ihre Terminanfrage. Folgende Angaben haben wir erhalten:

Wunschtermin: {appointment_date}
Fahrzeug: {vehicle}
Betrieb: {branch_name}, {branch_address}

Wir prüfen Ihre Anfrage und melden uns in Kürze mit einer Bestätigung bei Ihnen. Ihre Anfrage können Sie jederzeit hier einsehen:

{link}
""",
            ),
            "Terminanfrage ansehen",
        ),
        email_en=_email(
            "Your appointment request at {company_name}",
            _letter(
                "en",
                """
Thank you for your appointment request. We have received the following details:

Preferred date: {appointment_date}
Vehicle: {vehicle}
Branch: {branch_name}, {branch_address}

We will review your request and get back to you shortly with a confirmation. You can view your request at any time here:

{link}
""",
            ),
            "View appointment request",
        ),
        sms_de=_sms(
            "{company_name}: Vielen Dank für Ihre Terminanfrage ({appointment_date}). "
            "Wir melden uns in Kürze. {link}"
        ),
        sms_en=_sms(
            "{company_name}: Thank you for your appointment request ({appointment_date}). "
            "We will confirm it shortly. {link}"
        ),
    ),
)

LEAD_REJECTED = Purpose(
    code="lead_rejected",
    label=_("Terminanfrage abgelehnt"),
    description=_("Teilt dem Kunden mit, dass sein Wunschtermin nicht möglich ist."),
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        appointment_date=_("Gewünschter Termin (Datum und Uhrzeit)"),
        branch_name=APPOINTMENT["branch_name"],
        link=_("Link zur Online-Terminbuchung"),
    ),
    defaults=_defaults(
        email_de=_email(
            "Ihre Terminanfrage für {appointment_date}",
            _letter(
                "de",
                """
vielen Dank für Ihre Terminanfrage. Leider können wir Ihnen den gewünschten Termin am {appointment_date} nicht anbieten.

Gern können Sie über folgenden Link einen anderen Termin wählen oder uns unter {company_phone} anrufen – wir finden bestimmt einen passenden Termin für Sie.

{link}
""",
            ),
            "Anderen Termin wählen",
        ),
        email_en=_email(
            "Your appointment request for {appointment_date}",
            _letter(
                "en",
                """
Thank you for your appointment request. Unfortunately, we are unable to offer you the requested date, {appointment_date}.

You are welcome to choose another date using the link below, or call us on {company_phone} – we will be happy to find a suitable time for you.

{link}
""",
            ),
            "Choose another date",
        ),
        sms_de=_sms(
            "{company_name}: Ihr Wunschtermin {appointment_date} ist leider nicht möglich. "
            "Neuen Termin wählen: {link}"
        ),
        sms_en=_sms(
            "{company_name}: Unfortunately your requested date {appointment_date} is not "
            "available. Choose another: {link}"
        ),
    ),
)

APPOINTMENT_CONFIRMATION = Purpose(
    code="appointment_confirmation",
    label=_("Terminbestätigung"),
    description=_("Bestätigt dem Kunden einen vereinbarten Termin."),
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=_placeholders(RECIPIENT, COMPANY, APPOINTMENT, link=_("Link zum Termin")),
    defaults=_defaults(
        email_de=_email(
            "Terminbestätigung für {appointment_date}",
            _letter(
                "de",
                f"""
hiermit bestätigen wir Ihren Termin:

{_appointment_block("de")}

Alle Angaben zu Ihrem Termin finden Sie auch hier:

{{link}}

Falls Sie den Termin nicht wahrnehmen können, geben Sie uns bitte rechtzeitig Bescheid.
""",
            ),
            "Termin ansehen",
        ),
        email_en=_email(
            "Appointment confirmation for {appointment_date}",
            _letter(
                "en",
                f"""
We are pleased to confirm your appointment:

{_appointment_block("en")}

You can also find all details of your appointment here:

{{link}}

If you are unable to attend, please let us know in good time.
""",
            ),
            "View appointment",
        ),
        sms_de=_sms(
            "{company_name}: Ihr Termin am {appointment_date} ist bestätigt. "
            "Ort: {branch_address}. Details: {link}"
        ),
        sms_en=_sms(
            "{company_name}: Your appointment on {appointment_date} at {branch_address} "
            "is confirmed. Details: {link}"
        ),
    ),
)

APPOINTMENT_PROPOSAL = Purpose(
    code="appointment_proposal",
    label=_("Terminvorschlag"),
    description=_("Schlägt dem Kunden einen Termin vor, den er online bestätigen kann."),
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        APPOINTMENT,
        appointment_date=_("Vorgeschlagener Termin (Datum und Uhrzeit)"),
        link=_("Link zum Bestätigen oder Ablehnen"),
    ),
    defaults=_defaults(
        email_de=_email(
            "Unser Terminvorschlag: {appointment_date}",
            _letter(
                "de",
                f"""
gern schlagen wir Ihnen folgenden Termin vor:

{_appointment_block("de")}

Bitte bestätigen Sie den Termin über folgenden Link oder teilen Sie uns dort mit, wenn er Ihnen nicht passt:

{{link}}
""",
            ),
            "Termin bestätigen",
        ),
        email_en=_email(
            "Proposed appointment: {appointment_date}",
            _letter(
                "en",
                f"""
We would like to propose the following appointment:

{_appointment_block("en")}

Please confirm the appointment using the link below, or let us know there if it does not suit you:

{{link}}
""",
            ),
            "Confirm appointment",
        ),
        sms_de=_sms(
            "{company_name}: Wir schlagen Ihnen den Termin {appointment_date} vor. "
            "Bitte hier bestätigen oder ablehnen: {link}"
        ),
        sms_en=_sms(
            "{company_name}: We propose an appointment on {appointment_date}. "
            "Please confirm or decline here: {link}"
        ),
    ),
)

APPOINTMENT_REMINDER = Purpose(
    code="appointment_reminder",
    label=_("Terminerinnerung"),
    description=_("Erinnert den Kunden vor seinem Termin."),
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=_placeholders(RECIPIENT, COMPANY, APPOINTMENT, link=_("Link zum Termin")),
    defaults=_defaults(
        email_de=_email(
            "Erinnerung an Ihren Termin am {appointment_date}",
            _letter(
                "de",
                f"""
gern erinnern wir Sie an Ihren Termin:

{_appointment_block("de")}

Alle Angaben zu Ihrem Termin:

{{link}}

Falls Sie verhindert sind, geben Sie uns bitte kurz Bescheid. Wir freuen uns auf Ihren Besuch.
""",
            ),
            "Termin ansehen",
        ),
        email_en=_email(
            "Reminder: your appointment on {appointment_date}",
            _letter(
                "en",
                f"""
This is a friendly reminder of your upcoming appointment:

{_appointment_block("en")}

All details of your appointment:

{{link}}

If you are unable to make it, please let us know. We look forward to seeing you.
""",
            ),
            "View appointment",
        ),
        sms_de=_sms(
            "{company_name}: Wir erinnern an Ihren Termin am {appointment_date}, "
            "{branch_address}. Verhindert? Bitte Tel. {company_phone}"
        ),
        sms_en=_sms(
            "{company_name}: Reminder of your appointment on {appointment_date}, "
            "{branch_address}. Can't make it? Please call {company_phone}"
        ),
    ),
)

PORTAL_INVITATION = Purpose(
    code="portal_invitation",
    label=_("Einladung zum Kundenportal"),
    description=_("Lädt einen Benutzer des Kunden zur Registrierung im Kundenportal ein."),
    channels=(EMAIL,),
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        link=_("Link zur Registrierung („Jetzt anmelden“)"),
        valid_until=_("Gültig bis (Datum)"),
        user_email=_("E-Mail-Adresse, mit der sich der Benutzer anmeldet"),
    ),
    defaults=_defaults(
        email_de=_email(
            "Ihre Einladung zum Kundenportal von {company_name}",
            _letter(
                "de",
                """
{company_name} lädt Sie zum Kundenportal ein. Dort sehen Sie Ihre Aufträge, Rechnungen und Angebote und können Bestellungen und Anfragen direkt online aufgeben – jederzeit und von jedem Gerät.

Bitte schließen Sie Ihre Registrierung über folgenden Link ab:

{link}

Der Link ist gültig bis {valid_until}. Sie melden sich mit Ihrer E-Mail-Adresse {user_email} an.
""",
            ),
            "Jetzt anmelden",
        ),
        email_en=_email(
            "Your invitation to the {company_name} customer portal",
            _letter(
                "en",
                """
{company_name} has invited you to its customer portal, where you can view your orders, invoices and quotes and place orders and requests online – at any time and from any device.

Please complete your registration using the link below:

{link}

The link is valid until {valid_until}. You will sign in with your e-mail address {user_email}.
""",
            ),
            "Sign up now",
        ),
    ),
)

QUOTE_ANSWER = Purpose(
    code="quote_answer",
    label=_("Antwort auf Angebotsanfrage"),
    description=_("Benachrichtigt den Kunden, dass seine Angebotsanfrage beantwortet wurde."),
    channels=(EMAIL,),
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        request_title=_("Betreff der Angebotsanfrage"),
        link=_("Link zur Antwort im Kundenportal"),
    ),
    defaults=_defaults(
        email_de=_email(
            "Antwort auf Ihre Angebotsanfrage: {request_title}",
            _letter(
                "de",
                """
wir haben Ihre Angebotsanfrage „{request_title}“ beantwortet. Unsere Antwort und alle Unterlagen finden Sie im Kundenportal:

{link}

Bei Rückfragen können Sie uns dort direkt antworten.
""",
            ),
            "Antwort ansehen",
        ),
        email_en=_email(
            "Reply to your quote request: {request_title}",
            _letter(
                "en",
                """
We have replied to your quote request "{request_title}". You will find our reply and any documents in the customer portal:

{link}

If you have any questions, you can reply to us there directly.
""",
            ),
            "View reply",
        ),
    ),
)

PHASE_ACTIVATED = Purpose(
    code="phase_activated",
    label=_("Neue Phase eines Jobs"),
    description=_("Informiert den Kunden, wenn ein Job in eine neue Phase wechselt."),
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        job_title=_("Bezeichnung des Jobs, z. B. das Fahrzeug"),
        phase_name=_("Name der Phase"),
        phase_message=_("Mitteilung der Phase an den Kunden"),
        link=_("Link zur Kundenansicht des Jobs"),
    ),
    defaults=_defaults(
        email_de=_email(
            "{job_title}: {phase_name}",
            _letter(
                "de",
                """
es gibt Neuigkeiten zu {job_title}: {phase_name}.

{phase_message}

Alle Informationen finden Sie hier:

{link}
""",
            ),
            "Details ansehen",
        ),
        email_en=_email(
            "{job_title}: {phase_name}",
            _letter(
                "en",
                """
There is news about {job_title}: {phase_name}.

{phase_message}

You will find all the information here:

{link}
""",
            ),
            "View details",
        ),
        sms_de=_sms("{company_name}: Neuigkeiten zu {job_title}: {phase_name}. Details: {link}"),
        sms_en=_sms("{company_name}: News about {job_title}: {phase_name}. Details: {link}"),
    ),
)

MESSAGE_TO_CUSTOMER = Purpose(
    code="message_to_customer",
    label=_("Freie Nachricht an den Kunden"),
    description=_("Anrede und Grußformel für eine Nachricht, die Sie selbst schreiben."),
    channels=(EMAIL, SMS),
    manual=True,
    placeholders=_placeholders(RECIPIENT, COMPANY),
    defaults=_defaults(
        email_de=_email(
            "Nachricht von {company_name}",
            f"{{greeting}},\n\n\n\n{SIGNATURE['de']}",
        ),
        email_en=_email(
            "Message from {company_name}",
            f"{{greeting}},\n\n\n\n{SIGNATURE['en']}",
        ),
        sms_de=_sms("{greeting},\n\n\nFreundliche Grüße\n{company_name}"),
        sms_en=_sms("{greeting},\n\n\nKind regards\n{company_name}"),
    ),
)

CONVERSATION_REPLY = Purpose(
    code="conversation_reply",
    label=_("Neue Nachricht in einer Unterhaltung"),
    description=_("Benachrichtigt den Kunden über eine neue Nachricht Ihres Teams."),
    channels=(EMAIL, SMS),
    placeholders=_placeholders(
        RECIPIENT,
        COMPANY,
        conversation_subject=_("Betreff der Unterhaltung"),
        message_text=_("Text der neuen Nachricht"),
        sender_name=_("Name des Mitarbeiters, der geschrieben hat"),
        link=_("Link zur Unterhaltung"),
    ),
    defaults=_defaults(
        email_de=_email(
            "Neue Nachricht: {conversation_subject}",
            _letter(
                "de",
                """
Sie haben eine neue Nachricht von {sender_name} ({company_name}) zu „{conversation_subject}“:

{message_text}

Sie können einfach auf diese E-Mail antworten oder die Unterhaltung hier öffnen:

{link}
""",
            ),
            "Unterhaltung öffnen",
        ),
        email_en=_email(
            "New message: {conversation_subject}",
            _letter(
                "en",
                """
You have a new message from {sender_name} ({company_name}) about "{conversation_subject}":

{message_text}

Simply reply to this e-mail, or open the conversation here:

{link}
""",
            ),
            "Open conversation",
        ),
        sms_de=_sms(
            "{company_name}: Sie haben eine neue Nachricht zu {conversation_subject}. "
            "Lesen und antworten: {link}"
        ),
        sms_en=_sms(
            "{company_name}: You have a new message about {conversation_subject}. "
            "Read and reply: {link}"
        ),
    ),
)

PURPOSES: dict[str, Purpose] = {
    purpose.code: purpose
    for purpose in (
        ESTIMATE_LINK,
        ESTIMATE_REMINDER,
        ESTIMATE_ANSWER_COMPANY,
        BOOKING_RECEIVED,
        LEAD_REJECTED,
        APPOINTMENT_CONFIRMATION,
        APPOINTMENT_PROPOSAL,
        APPOINTMENT_REMINDER,
        PORTAL_INVITATION,
        QUOTE_ANSWER,
        PHASE_ACTIVATED,
        MESSAGE_TO_CUSTOMER,
        CONVERSATION_REPLY,
    )
}


def get_purpose(code: str) -> Purpose:
    """The purpose with this code; LookupError for an unknown one."""
    try:
        return PURPOSES[code]
    except KeyError:
        raise LookupError(f"unknown message purpose: {code!r}") from None


def manual_purposes() -> list[Purpose]:
    """Purposes staff may pick when writing to a customer, the free message first."""
    chosen = [p for p in PURPOSES.values() if p.manual]
    return sorted(chosen, key=lambda p: p.code != MESSAGE_TO_CUSTOMER.code)
