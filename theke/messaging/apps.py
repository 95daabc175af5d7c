from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "theke.messaging"
    label = "messaging"
    verbose_name = _("Nachrichten")

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.messaging.services import conversations, delivery, inbound, inbox, templates

        for module in (templates, delivery, inbox, conversations, inbound):
            register_actions(module.ACTION_LABELS)
