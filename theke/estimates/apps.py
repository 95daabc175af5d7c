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
        from theke.estimates.models import Estimate, EstimateSettings
        from theke.estimates.services import ACTION_LABELS

        register_actions(
            ACTION_LABELS, {"estimate": Estimate, "estimate_settings": EstimateSettings}
        )
