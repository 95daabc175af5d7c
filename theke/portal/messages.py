"""The portal's message purposes (registered with messaging's registry on import).

Each area keeps its own block, so parallel work merges cleanly.
"""

from __future__ import annotations

# --- invitation and registration (users) -----------------------------------------------------
# --- container orders: received, execution date, rent-free days (shop) -----------------------
# --- quote requests: to sales, answer to the customer (quotes) -------------------------------
from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import Texts, make_purpose, register

QUOTE_REQUEST_SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "number": "AF-2026-00001",
        "subject": "Neuer Standort Lager Süd",
        "description": "Wir benötigen ab März zwei 10-m³-Mulden für Bauschutt.",
        "customer": "Bau Berg GmbH (Kundennummer 10042)",
        "requested_by": "Eva Berg, eva.berg@bau-berg.example, 0171 2345678",
        "location": "Lager Süd, Industriestraße 5, 12345 Musterstadt",
        "access_notes": "Zufahrt über Tor 2, werktags 7 bis 16 Uhr",
        "attachments": "Lageplan.pdf",
        "link": "https://theke.example/staff/messaging/unterhaltungen/17/",
    },
    "en": {
        "subject": "New site south warehouse",
        "description": "From March we need two 10 m³ skips for rubble.",
        "access_notes": "Access through gate 2, weekdays 7 am to 4 pm",
    },
}

PORTAL_QUOTE_REQUEST = register(
    make_purpose(
        "portal_quote_request",
        _("Angebotsanfrage aus dem Kundenportal (an den Vertrieb)"),
        _(
            "Geht an die E-Mail-Adresse für Angebotsanfragen, wenn ein Kunde im Portal ein "
            "Angebot anfordert. Antworten Sie direkt aus Ihrem E-Mail-Programm: Ihre Antwort "
            "erscheint beim Kunden im Portal."
        ),
        placeholders={
            "number": _("Nummer der Anfrage, z. B. AF-2026-00001"),
            "subject": _("Betreff der Anfrage"),
            "description": _("Beschreibung des Kunden"),
            "customer": _("Kunde mit Kundennummer"),
            "requested_by": _("Anfragender Benutzer mit E-Mail-Adresse und Telefonnummer"),
            "location": _("Standort mit Adresse"),
            "access_notes": _("Zufahrtshinweise des Standorts"),
            "attachments": _("Namen der angehängten Dateien"),
            "link": _("Link zur Unterhaltung in Theke"),
        },
        de=Texts(
            "Angebotsanfrage {number}: {subject}",
            """
ein Kunde hat im Kundenportal ein Angebot angefordert.

Anfrage: {number}
Kunde: {customer}
Angefragt von: {requested_by}
Standort: {location}
Zufahrtshinweise: {access_notes}

Betreff: {subject}

{description}

Anhänge: {attachments}

Antworten Sie einfach auf diese E-Mail, gern mit Dokumenten im Anhang:
Der Kunde erhält Ihre Antwort im Portal. Die Unterhaltung in Theke:

{link}
""",
            button="Unterhaltung öffnen",
        ),
        en=Texts(
            "Quote request {number}: {subject}",
            """
a customer has requested a quote in the customer portal.

Request: {number}
Customer: {customer}
Requested by: {requested_by}
Location: {location}
Access notes: {access_notes}

Subject: {subject}

{description}

Attachments: {attachments}

Simply reply to this e-mail, with documents attached if you like:
the customer receives your answer in the portal. The conversation in Theke:

{link}
""",
            button="Open conversation",
        ),
        samples=QUOTE_REQUEST_SAMPLES,
        to_company=True,
    )
)

PORTAL_QUOTE_ANSWER = register(
    make_purpose(
        "portal_quote_answer",
        _("Antwort auf eine Angebotsanfrage (an den Kunden)"),
        _(
            "Sagt dem Benutzer im Kundenportal, der ein Angebot angefordert hat, dass der "
            "Vertrieb geantwortet hat, mit einem Link zur Antwort im Portal."
        ),
        placeholders={
            "number": _("Nummer der Anfrage, z. B. AF-2026-00001"),
            "subject": _("Betreff der Anfrage"),
            "link": _("Link zur Anfrage im Kundenportal"),
        },
        de=Texts(
            "Sie haben eine Antwort auf Ihre Angebotsanfrage",
            """
Sie haben eine Antwort auf Ihre Angebotsanfrage {number} „{subject}“.

Die Antwort und alle Dokumente finden Sie im Kundenportal:

{link}

Dort können Sie auch direkt antworten.
""",
            button="Antwort lesen",
        ),
        en=Texts(
            "You have an answer to your quote request",
            """
You have an answer to your quote request {number} "{subject}".

You will find the answer and all documents in the customer portal:

{link}

You can also reply there directly.
""",
            button="Read answer",
        ),
        samples={
            "de": {
                "number": "AF-2026-00001",
                "subject": "Neuer Standort Lager Süd",
                "link": "https://theke.example/portal/demo/angebote/anfragen/1/",
            },
            "en": {"subject": "New site south warehouse"},
        },
    )
)
