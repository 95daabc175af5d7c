# ruff: noqa: E501  (the shipped texts are data: one paragraph per line)
"""The estimates' message purposes: the link, the reminder and the answer to the company.

Registered with messaging's registry when this module is imported (messaging imports every
domain's `messages` module when the apps are ready).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import (
    Texts,
    make_purpose,
    placeholders,
    register,
)

# Sample values of the estimates' own placeholders, for the preview.
SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "estimate_number": "KV-4711",
        "item": "Smartphone Galaxy S21",
        "valid_until": "31.10.2025",
        "answer": "angenommen",
        "comment": "Auftrag erteilt über 513,96 € brutto (431,90 € netto).\nBestätigt von: Eva Berg",
        "answered_at": "14.10.2025, 10:42 Uhr",
    },
    "en": {
        "item": "Galaxy S21 smartphone",
        "valid_until": "31 October 2025",
        "answer": "accepted",
        "comment": "Order placed for €513.96 gross (€431.90 net).\nConfirmed by: Eva Berg",
        "answered_at": "14 October 2025, 10:42 am",
    },
}

ESTIMATE_LINK = register(
    make_purpose(
        "estimate_link",
        _("Link zum Kostenvoranschlag"),
        _("Schickt dem Kunden den Link zu seinem Online-Kostenvoranschlag."),
        placeholders=placeholders(
            estimate_number=_("Nummer des Kostenvoranschlags"),
            item=_("Gegenstand des Auftrags, z. B. Gerät oder Fahrzeug"),
            link=_("Link zum Kostenvoranschlag"),
            valid_until=_("Gültig bis (Datum)"),
        ),
        de=Texts(
            "Ihr Kostenvoranschlag {estimate_number}",
            """
Ihr Kostenvoranschlag {estimate_number} für {item} ist fertig. Unter folgendem Link können Sie ihn ansehen und direkt online annehmen oder ablehnen:

{link}

Der Kostenvoranschlag ist gültig bis {valid_until}. Bei Fragen rufen Sie uns gern an.
""",
            button="Kostenvoranschlag ansehen",
            sms=(
                "{company_name}: Ihr Kostenvoranschlag {estimate_number} ist fertig. "
                "Ansehen und online beantworten: {link}"
            ),
        ),
        en=Texts(
            "Your cost estimate {estimate_number}",
            """
Your cost estimate {estimate_number} for {item} is ready. You can view it at the link below and accept or decline it online:

{link}

The estimate is valid until {valid_until}. If you have any questions, please give us a call.
""",
            button="View cost estimate",
            sms=(
                "{company_name}: Your cost estimate {estimate_number} is ready. "
                "View and reply online: {link}"
            ),
        ),
        samples=SAMPLES,
    )
)

ESTIMATE_REMINDER = register(
    make_purpose(
        "estimate_reminder",
        _("Erinnerung an Kostenvoranschlag"),
        _(
            "Erinnert den Kunden einmal an seinen unbeantworteten Kostenvoranschlag, wenn Sie "
            "das in den Einstellungen der Kostenvoranschläge eingeschaltet haben."
        ),
        placeholders=ESTIMATE_LINK.placeholders,
        de=Texts(
            "Erinnerung: Ihr Kostenvoranschlag {estimate_number}",
            """
Ihr Kostenvoranschlag {estimate_number} für {item} wartet noch auf Ihre Antwort. Unter folgendem Link können Sie ihn ansehen und online annehmen oder ablehnen:

{link}

Der Kostenvoranschlag ist gültig bis {valid_until}. Haben Sie Fragen? Rufen Sie uns gern an.
""",
            button="Kostenvoranschlag ansehen",
            sms=(
                "{company_name}: Ihr Kostenvoranschlag {estimate_number} wartet noch auf Ihre "
                "Antwort: {link}"
            ),
        ),
        en=Texts(
            "Reminder: your cost estimate {estimate_number}",
            """
Your cost estimate {estimate_number} for {item} is still waiting for your reply. You can view it at the link below and accept or decline it online:

{link}

The estimate is valid until {valid_until}. Any questions? Please give us a call.
""",
            button="View cost estimate",
            sms=(
                "{company_name}: Your cost estimate {estimate_number} is still waiting for your "
                "reply: {link}"
            ),
        ),
        samples=SAMPLES,
    )
)

ESTIMATE_ANSWER_COMPANY = register(
    make_purpose(
        "estimate_answer_company",
        _("Kundenantwort auf Kostenvoranschlag"),
        _(
            "Meldet die Antwort des Kunden auf einen Kostenvoranschlag an die Firmen-E-Mail-Adresse."
        ),
        to_company=True,
        placeholders=placeholders(
            customer_name=_("Name des Kunden"),
            estimate_number=_("Nummer des Kostenvoranschlags"),
            item=_("Gegenstand des Auftrags, z. B. Gerät oder Fahrzeug"),
            answer=_("Antwort des Kunden, z. B. „angenommen“"),
            comment=_(
                "Einzelheiten der Antwort: Summe, nicht gewählte Positionen, Pauschale, "
                "Rücksendeadresse, Name (eine Angabe je Zeile)"
            ),
            answered_at=_("Zeitpunkt der Antwort"),
            link=_("Link zum Kostenvoranschlag in der Theke"),
        ),
        de=Texts(
            "Antwort auf Kostenvoranschlag {estimate_number}: {answer}",
            """
{customer_name} hat den Kostenvoranschlag {estimate_number} ({item}) am {answered_at} beantwortet.

Antwort: {answer}
{comment}

Zum Kostenvoranschlag in der Theke:

{link}
""",
            button="Kostenvoranschlag öffnen",
        ),
        en=Texts(
            "Reply to cost estimate {estimate_number}: {answer}",
            """
{customer_name} replied to cost estimate {estimate_number} ({item}) on {answered_at}.

Reply: {answer}
{comment}

Open the cost estimate in Theke:

{link}
""",
            button="Open cost estimate",
        ),
        samples=SAMPLES,
    )
)
