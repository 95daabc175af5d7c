from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "theke.messaging"
    label = "messaging"
    verbose_name = _("Nachrichten")

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.core.panels import CUSTOMER_PAGE, register_panel
        from theke.messaging.services import conversations, delivery, inbound, inbox, templates
        from theke.messaging.staff_views.deliveries import customer_deliveries_panel

        register_panel(
            CUSTOMER_PAGE,
            "deliveries",
            template="messaging/_deliveries.html",
            context=customer_deliveries_panel,
            order=20,
        )

        for module in (templates, delivery, inbox, conversations, inbound):
            register_actions(module.ACTION_LABELS)
