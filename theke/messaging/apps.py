from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


def discover_purposes() -> None:
    """Import every Theke app's `messages` module: each registers its own purposes."""
    for config in apps.get_app_configs():
        if config.name.startswith("theke.") and module_has_submodule(config.module, "messages"):
            import_module(f"{config.name}.messages")


class MessagingConfig(AppConfig):
    name = "theke.messaging"
    label = "messaging"
    verbose_name = _("Nachrichten")
    permissions = {
        "messaging.manage_templates": _("Textbausteine bearbeiten"),
        "messaging.use_conversations": _("Unterhaltungen mit Kunden lesen und beantworten"),
        "messaging.manage_quarantine": _("Quarantäne eingehender E-Mails bearbeiten"),
        "messaging.view_deliveries": _("Versandprotokoll ansehen und erneut senden"),
    }
    role_grants = {
        "Serviceberater": [
            "messaging.use_conversations",
            "messaging.manage_quarantine",
            "messaging.view_deliveries",
        ],
        "Techniker": ["messaging.use_conversations"],
        "Vertrieb": ["messaging.use_conversations", "messaging.view_deliveries"],
        "Disposition": ["messaging.use_conversations"],
    }

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.core.panels import CUSTOMER_PAGE, register_panel, register_tile
        from theke.messaging import checks  # noqa: F401 (registers the system checks)
        from theke.messaging.services import conversations, delivery, inbound, inbox, templates
        from theke.messaging.staff_views.conversations import (
            quarantine_tile,
            unread_conversations_tile,
        )
        from theke.messaging.staff_views.deliveries import (
            customer_deliveries_panel,
            failed_deliveries_tile,
        )

        register_tile("messaging.unread_conversations", unread_conversations_tile, order=30)
        register_tile("messaging.failed_deliveries", failed_deliveries_tile, order=40)
        register_tile("messaging.quarantine", quarantine_tile, order=50)

        register_panel(
            CUSTOMER_PAGE,
            "deliveries",
            template="messaging/_deliveries.html",
            context=customer_deliveries_panel,
            order=20,
        )

        for module in (templates, delivery, inbox, conversations, inbound):
            register_actions(module.ACTION_LABELS)
        register_actions(
            {},
            areas={
                "conversation": _("Unterhaltungen"),
                "inbound": _("Eingehende E-Mails"),
                "message": _("Nachrichten an Kunden"),
                "message_template": _("Textvorlagen"),
            },
        )
        discover_purposes()
