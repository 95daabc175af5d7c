from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "theke.api"
    label = "api"
    verbose_name = _("Schnittstelle")
    permissions = {"api.manage_keys": _("API-Schlüssel und Webhooks verwalten")}
    permission_area = _("API")

    def ready(self) -> None:
        from theke.api.webhooks import sender, services
        from theke.audit.feed import EVENT_LISTENERS
        from theke.audit.presentation import register_actions
        from theke.messaging.models import Channel
        from theke.messaging.purposes import register_untemplated
        from theke.messaging.services import delivery

        # Registered here so that neither messaging nor the event feed imports the API.
        delivery.SENDERS[Channel.WEBHOOK] = sender.send_webhooks
        if services.queue_event_deliveries not in EVENT_LISTENERS:
            EVENT_LISTENERS.append(services.queue_event_deliveries)
        register_actions(services.ACTION_LABELS)
        register_untemplated(services.EVENT_PURPOSE, _("Webhook-Ereignis"))
        register_untemplated(services.TEST_PURPOSE, _("Webhook-Test"))
        register_untemplated(services.NOTICE_PURPOSE, _("Hinweis: Webhook abgeschaltet"))
        register_actions(
            {
                "api_key.created": _("API-Schlüssel erstellt"),
                "api_key.revoked": _("API-Schlüssel widerrufen"),
            },
            areas={"api_key": _("API-Schlüssel"), "webhook": _("Webhooks")},
        )
