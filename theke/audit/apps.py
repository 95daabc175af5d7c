from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "theke.audit"
    label = "audit"
    verbose_name = _("Protokoll")
    permissions = {"audit.view": _("Protokoll ansehen")}
    role_grants = {"Serviceberater": ["audit.view"], "Vertrieb": ["audit.view"]}
