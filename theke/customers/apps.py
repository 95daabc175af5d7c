from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "theke.customers"
    label = "customers"
    verbose_name = _("Kundenstamm")
    permissions = {
        "customers.view": _("Kundenstamm ansehen"),
        "customers.manage": _("Kundenstamm bearbeiten"),
        "customers.manage_articles": _("Artikelstamm und Pauschalen pflegen"),
        "customers.manage_catalog": _("Abfallarten und Behältertypen pflegen"),
    }
    permission_area = _("Kunden")
    role_grants = {
        "Serviceberater": ["customers.view", "customers.manage"],
        "Techniker": ["customers.view"],
        "Vertrieb": ["customers.view", "customers.manage"],
        "Disposition": ["customers.view", "customers.manage_catalog"],
    }

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.core.panels import START_PAGE, register_panel
        from theke.customers.models import (
            Article,
            Asset,
            Contact,
            ContainerType,
            Customer,
            Location,
            Vehicle,
            WasteType,
        )
        from theke.customers.staff_views import start_tile

        register_panel(
            START_PAGE,
            "customers",
            template="customers/staff/_start_tile.html",
            context=start_tile,
            order=10,
            css_class="col-12 col-lg-6",
        )

        register_actions(
            {
                "customer.created": _("Kunde angelegt"),
                "customer.updated": _("Kundendaten geändert"),
                "customer.deleted": _("Kunde gelöscht"),
                "contact.added": _("Ansprechpartner hinzugefügt"),
                "contact.updated": _("Ansprechpartner geändert"),
                "contact.removed": _("Ansprechpartner entfernt"),
                "location.added": _("Standort hinzugefügt"),
                "location.updated": _("Standort geändert"),
                "location.removed": _("Standort entfernt"),
                "vehicle.added": _("Fahrzeug hinzugefügt"),
                "vehicle.updated": _("Fahrzeug geändert"),
                "vehicle.removed": _("Fahrzeug entfernt"),
                "vehicle.owner_changed": _("Halter gewechselt"),
                "asset.added": _("Objekt hinzugefügt"),
                "asset.updated": _("Objekt geändert"),
                "asset.removed": _("Objekt entfernt"),
                "article.created": _("Artikel angelegt"),
                "article.updated": _("Artikel geändert"),
                "article.deleted": _("Artikel gelöscht"),
                "article.deactivated": _("Artikel deaktiviert"),
                "waste_type.created": _("Abfallart angelegt"),
                "waste_type.updated": _("Abfallart geändert"),
                "waste_type.deactivated": _("Abfallart deaktiviert"),
                "container_type.created": _("Behältertyp angelegt"),
                "container_type.updated": _("Behältertyp geändert"),
                "container_type.deactivated": _("Behältertyp deaktiviert"),
            },
            {
                "customer": Customer,
                "contact": Contact,
                "location": Location,
                "vehicle": Vehicle,
                "asset": Asset,
                "article": Article,
                "waste_type": WasteType,
                "container_type": ContainerType,
            },
        )
