from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "theke.audit"
    label = "audit"
    verbose_name = _("Protokoll")
    permissions = {"audit.view": _("Protokoll ansehen")}
    role_grants = {"Serviceberater": ["audit.view"], "Vertrieb": ["audit.view"]}

    def ready(self) -> None:
        from theke.audit.staff_views import recent_events_tile
        from theke.core.panels import START_PAGE, register_panel

        register_panel(
            START_PAGE,
            "recent_events",
            template="audit/staff/_recent_tile.html",
            context=recent_events_tile,
            order=90,
        )
