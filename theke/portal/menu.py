"""The portal's top menu: the areas a user may reach, with their unread counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from theke.portal.models import PortalUser
from theke.portal.services import quotes


@dataclass(frozen=True)
class MenuItem:
    name: str
    label: str | Promise
    url: str
    count: int = 0


def menu_for(user: PortalUser, slug: str) -> list[MenuItem]:
    """The menu of this user: invoices only for users who may see them, users for admins."""
    items = [
        MenuItem("dashboard", _("Übersicht"), reverse("portal:dashboard", args=[slug])),
        MenuItem(
            "locations",
            _("Aufträge / Standortübersicht"),
            reverse("portal:locations", args=[slug]),
        ),
        MenuItem("orders", _("Aufträge"), reverse("portal:orders", args=[slug])),
    ]
    if user.sees_invoices:
        items.append(MenuItem("invoices", _("Rechnungen"), reverse("portal:invoices", args=[slug])))
    items.append(
        MenuItem(
            "quotes",
            _("Angebote"),
            reverse("portal:quotes", args=[slug]),
            count=quotes.unread_count(user),
        )
    )
    items.append(MenuItem("analytics", _("Auswertungen"), reverse("portal:analytics", args=[slug])))
    if user.is_admin:
        items.append(MenuItem("users", _("Benutzer"), reverse("portal:users", args=[slug])))
    return items
