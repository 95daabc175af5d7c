from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstimatesConfig(AppConfig):
    """Online cost estimates (seed 000)."""

    name = "theke.estimates"
    verbose_name = _("Kostenvoranschläge")
    permissions = {
        "estimates.view": _("Kostenvoranschläge ansehen"),
        "estimates.manage": _("Kostenvoranschläge bearbeiten und senden"),
    }
    role_grants = {
        "Serviceberater": ["estimates.view", "estimates.manage"],
        "Techniker": ["estimates.view"],
        "Vertrieb": ["estimates.view"],
    }

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.core.panels import CUSTOMER_PAGE, register_panel, register_tile
        from theke.estimates import staff_views
        from theke.estimates.models import Estimate, EstimateSettings
        from theke.estimates.services import ACTION_LABELS

        register_tile("estimates.new_decisions", staff_views.new_decisions_tile, order=10)
        register_tile("estimates.overdue", staff_views.overdue_answers_tile, order=20)
        register_panel(
            CUSTOMER_PAGE,
            "estimates",
            template="estimates/staff/_customer_panel.html",
            context=staff_views.customer_estimates_panel,
            order=5,
        )

        register_actions(
            ACTION_LABELS, {"estimate": Estimate, "estimate_settings": EstimateSettings}
        )
