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

# --- quote requests: to sales, answer to the customer (quotes) -------------------------------
