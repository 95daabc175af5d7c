"""Permission codes, named after the rights in the seed documents, and the default roles.

Codes live in code, not in the database: a role stores the list of codes it grants.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, Promise] = {
    "tenants.manage_settings": _("Mandant und Betriebe verwalten"),
    "accounts.manage_users": _("Benutzer und Rollen verwalten"),
    "customers.view": _("Kundenstamm ansehen"),
    "customers.manage": _("Kundenstamm bearbeiten"),
    "customers.manage_articles": _("Artikelstamm und Pauschalen pflegen"),
    "audit.view": _("Protokoll ansehen"),
    "messaging.manage_templates": _("Textbausteine bearbeiten"),
    "messaging.use_conversations": _("Unterhaltungen mit Kunden lesen und beantworten"),
    "messaging.manage_quarantine": _("Quarantäne eingehender E-Mails bearbeiten"),
    "messaging.view_deliveries": _("Versandprotokoll ansehen und erneut senden"),
    "estimates.view": _("Kostenvoranschläge ansehen"),
    "estimates.manage": _("Kostenvoranschläge bearbeiten und senden"),
    "appointments.use_lead_manager": _("Leadmanager nutzen"),
    "appointments.administer_online_booking": _("Online-Terminbuchung administrieren"),
    "appointments.edit_cancelled_leads": _("Stornierte Leads bearbeiten"),
    "appointments.manage": _("Termine verwalten"),
    "portal.manage": _("Kundenportal verwalten"),
    "portal.dispatch": _("Portal-Bestellungen disponieren"),
    "jobs.use": _("Jobs bearbeiten"),
    "jobs.administer_workflows": _("Workflows administrieren"),
    "api.manage_keys": _("API-Schlüssel und Webhooks verwalten"),
}

ALL = frozenset(PERMISSIONS)

# name -> granted codes. Admin gets everything, others what their daily work needs.
DEFAULT_ROLES: dict[str, frozenset[str]] = {
    "Admin": ALL,
    "Serviceberater": frozenset(
        {
            "customers.view",
            "customers.manage",
            "audit.view",
            "estimates.view",
            "estimates.manage",
            "appointments.use_lead_manager",
            "appointments.manage",
            "jobs.use",
            "messaging.use_conversations",
            "messaging.manage_quarantine",
            "messaging.view_deliveries",
        }
    ),
    "Techniker": frozenset(
        {"customers.view", "estimates.view", "jobs.use", "messaging.use_conversations"}
    ),
    "Vertrieb": frozenset(
        {
            "customers.view",
            "customers.manage",
            "audit.view",
            "estimates.view",
            "portal.manage",
            "jobs.use",
            "messaging.use_conversations",
            "messaging.view_deliveries",
        }
    ),
    "Disposition": frozenset(
        {
            "customers.view",
            "portal.dispatch",
            "appointments.manage",
            "jobs.use",
            "messaging.use_conversations",
        }
    ),
}


def unknown_codes(codes: list[str]) -> list[str]:
    return sorted(set(codes) - ALL)


# Area (the code's prefix) -> heading in the role form.
AREAS: dict[str, Promise] = {
    "tenants": _("Mandant"),
    "accounts": _("Benutzer"),
    "customers": _("Kunden"),
    "audit": _("Protokoll"),
    "messaging": _("Nachrichten"),
    "estimates": _("Kostenvoranschläge"),
    "appointments": _("Termine"),
    "portal": _("Kundenportal"),
    "jobs": _("Jobs"),
    "api": _("API"),
}


def area_of(code: str) -> str:
    return code.split(".", 1)[0]


def area_label(area: str) -> str:
    return str(AREAS.get(area, area))
