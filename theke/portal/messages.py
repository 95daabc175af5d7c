# ruff: noqa: E501  (the shipped texts are data: one paragraph per line)
"""The portal's message purposes (registered with messaging's registry on import).

Each area keeps its own block, so parallel work merges cleanly.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from theke.messaging.purposes import Texts, make_purpose, placeholders, register

# --- invitation and registration (users) -----------------------------------------------------

PORTAL_INVITATION = register(
    make_purpose(
        "portal_invitation",
        _("Einladung zum Kundenportal"),
        _(
            "Lädt einen Benutzer eines Kunden zum Kundenportal ein („Jetzt anmelden“): bei der "
            "Freischaltung, wenn ein Kollege eingeladen wird und bei „Einladung erneut senden“."
        ),
        placeholders=placeholders(
            portal_customer=_("Name des Kunden (Firma), für den der Zugang gilt"),
            valid_until=_("Datum, bis zu dem der Link gilt"),
            link=_("Link zur Registrierung („Jetzt anmelden“)"),
        ),
        de=Texts(
            "Ihr Zugang zum Kundenportal von {company_name}",
            """
Sie wurden zum Kundenportal von {company_name} eingeladen, für {portal_customer}.

Im Kundenportal sehen Sie Ihre Aufträge, Rechnungen, Angebote und Container je Standort und bestellen Container online.

Bitte schließen Sie Ihre Registrierung bis zum {valid_until} ab:

{link}

Der Link gilt einmal. Ist er abgelaufen, senden wir Ihnen gern eine neue Einladung.
""",
            button="Jetzt anmelden",
        ),
        en=Texts(
            "Your access to the customer portal of {company_name}",
            """
You have been invited to the customer portal of {company_name}, for {portal_customer}.

In the customer portal you see your orders, invoices, quotes and containers per location and order containers online.

Please complete your registration by {valid_until}:

{link}

The link can be used once. If it has expired, we will gladly send you a new invitation.
""",
            button="Sign up now",
        ),
        samples={
            "de": {
                "portal_customer": "Bau Berg GmbH",
                "valid_until": "14.10.2025",
                "link": "https://theke.example/portal/einladung/Xy7pQ2/",
            },
            "en": {"valid_until": "14 October 2025"},
        },
    )
)


# --- container orders: received, execution date, rent-free days (shop) -----------------------

ORDER_PLACEHOLDERS = placeholders(
    order_number=_("Nummer des Auftrags, z. B. P-2026-00012"),
    order_kind=_("Auftragsart (Gestellung, Tausch, Leerung, Abzug)"),
    container=_("Behältertyp, z. B. Absetzmulde 7 m³ offen"),
    waste_type=_("Abfallart"),
    location=_("Lieferort mit Adresse"),
    wish_date=_("Wunschtermin"),
    note=_("Hinweis des Kunden"),
    link=_("Link zum Kundenportal"),
)

ORDER_SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "order_number": "P-2026-00012",
        "order_kind": "Gestellung",
        "container": "Absetzmulde 7 m³ offen",
        "waste_type": "Bauschutt (17 01 07)",
        "location": "Baustelle Nord – Nordstraße 1, 80331 München",
        "wish_date": "14.10.2026",
        "planned_date": "15.10.2026",
        "note": "Bitte an der Einfahrt abstellen.",
        "link": "https://theke.example/portal/muster/standorte/",
        "rent_free_until": "20.10.2026",
        "days_left": "3",
    },
    "en": {"order_kind": "Placement", "wish_date": "14 October 2026"},
}

PORTAL_ORDER_RECEIVED = register(
    make_purpose(
        "portal_order_received",
        _("Kundenportal: Bestellung eingegangen"),
        _("Bestätigt dem bestellenden Benutzer den Eingang seiner Bestellung im Kundenportal."),
        placeholders=ORDER_PLACEHOLDERS,
        de=Texts(
            "Ihre Bestellung {order_number} ist eingegangen",
            """
vielen Dank für Ihre Bestellung. Wir haben sie erhalten und planen sie jetzt ein:

Auftrag: {order_number} ({order_kind})
Behälter: {container}
Abfallart: {waste_type}
Lieferort: {location}
Wunschtermin: {wish_date}
Hinweis: {note}

Sobald der Termin feststeht, erhalten Sie eine weitere Nachricht. Den Stand Ihrer Aufträge sehen Sie jederzeit im Kundenportal:

{link}
""",
            button="Zum Kundenportal",
        ),
        en=Texts(
            "Your order {order_number} has been received",
            """
Thank you for your order. We have received it and are now scheduling it:

Order: {order_number} ({order_kind})
Container: {container}
Waste type: {waste_type}
Delivery location: {location}
Requested date: {wish_date}
Note: {note}

As soon as the date is fixed, you will receive another message. You can see the status of your orders in the customer portal at any time:

{link}
""",
            button="Open the customer portal",
        ),
        samples=ORDER_SAMPLES,
    )
)

PORTAL_ORDER_PLANNED = register(
    make_purpose(
        "portal_order_planned",
        _("Kundenportal: Ausführungstermin"),
        _(
            "Teilt dem bestellenden Benutzer den Ausführungstermin mit, sobald die Disposition "
            "ihn geplant oder geändert hat."
        ),
        placeholders=placeholders(
            ORDER_PLACEHOLDERS, planned_date=_("Geplanter Ausführungstermin")
        ),
        de=Texts(
            "Ihr Auftrag {order_number}: Ausführung am {planned_date}",
            """
Ihr Auftrag {order_number} ({order_kind}, {container}) ist eingeplant.

Ausführung am: {planned_date}
Lieferort: {location}

Bitte sorgen Sie dafür, dass der Stellplatz an diesem Tag frei und zugänglich ist. Den Stand Ihrer Aufträge sehen Sie im Kundenportal:

{link}
""",
            button="Zum Kundenportal",
        ),
        en=Texts(
            "Your order {order_number}: carried out on {planned_date}",
            """
Your order {order_number} ({order_kind}, {container}) has been scheduled.

Carried out on: {planned_date}
Delivery location: {location}

Please make sure the site is free and accessible on that day. You can see the status of your orders in the customer portal:

{link}
""",
            button="Open the customer portal",
        ),
        samples=ORDER_SAMPLES,
    )
)

PORTAL_RENT_FREE_ENDING = register(
    make_purpose(
        "portal_rent_free_ending",
        _("Kundenportal: Mietfreie Standzeit endet"),
        _(
            "Erinnert die Administratoren des Kunden einige Tage bevor die mietfreien "
            "Standtage eines Containers enden."
        ),
        placeholders=placeholders(
            container=_("Behältertyp, z. B. Absetzmulde 7 m³ offen"),
            waste_type=_("Abfallart"),
            location=_("Lieferort mit Adresse"),
            rent_free_until=_("Letzter mietfreier Tag"),
            days_left=_("Verbleibende mietfreie Tage"),
            link=_("Link zum Kundenportal"),
        ),
        de=Texts(
            "Mietfreie Standzeit endet am {rent_free_until}",
            """
die mietfreie Standzeit Ihres Containers endet bald:

Behälter: {container}
Abfallart: {waste_type}
Standort: {location}
Mietfrei bis: {rent_free_until} (verbleibende Tage: {days_left})

Danach fällt Miete an. Einen Tausch, eine Leerung oder den Abzug können Sie im Kundenportal bestellen:

{link}
""",
            button="Auftrag erstellen",
        ),
        en=Texts(
            "Rent-free period ends on {rent_free_until}",
            """
The rent-free period of your container ends soon:

Container: {container}
Waste type: {waste_type}
Location: {location}
Rent-free until: {rent_free_until} (days left: {days_left})

After that, rent is charged. You can order an exchange, an emptying or the withdrawal in the customer portal:

{link}
""",
            button="Create an order",
        ),
        samples=ORDER_SAMPLES,
    )
)


# --- quote requests: to sales, answer to the customer (quotes) -------------------------------

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
