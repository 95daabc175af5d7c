from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "theke.tenants"
    label = "tenants"
    verbose_name = _("Mandanten")
    # The rights of this domain, collected by theke.accounts.permissions.
    permissions = {"tenants.manage_settings": _("Mandant und Betriebe verwalten")}
    permission_area = _("Mandant")

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.tenants.models import Branch, LegalText, Tenant

        register_actions(
            {
                "tenant.created": _("Mandant angelegt"),
                "tenant.updated": _("Stammdaten geändert"),
                "tenant.messaging_updated": _("Nachrichten-Einstellungen geändert"),
                "branch.created": _("Betrieb angelegt"),
                "branch.updated": _("Betrieb geändert"),
                "legal_text.published": _("Rechtstext veröffentlicht"),
            },
            {"tenant": Tenant, "branch": Branch, "legal_text": LegalText},
        )
