from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The B2B customer portal (seed 003)."""

    name = "theke.portal"
    verbose_name = _("Kundenportal")
    # Rights are offered once their pages work: portal.manage (activation, invitations:
    # users area) and portal.dispatch (portal orders, new locations: shop area).
    permissions: dict[str, object] = {}
    role_grants: dict[str, list[str]] = {}

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.portal.models import PortalCustomer, PortalUser, QuoteRequest

        register_actions(
            {
                "portal_customer.activated": _("Für das Kundenportal freigeschaltet"),
                "portal_customer.deactivated": _("Kundenportal abgeschaltet"),
                "portal_user.invited": _("Zum Kundenportal eingeladen"),
                "portal_user.registered": _("Im Kundenportal registriert"),
                "portal_user.changed": _("Portalbenutzer geändert"),
                "portal_user.consented": _("Bedingungen im Kundenportal akzeptiert"),
                "quote_request.created": _("Angebot angefordert"),
            },
            {
                "portal_customer": PortalCustomer,
                "portal_user": PortalUser,
                "quote_request": QuoteRequest,
            },
        )

        # --- activation, invitation, registration, users (users) ---

        # --- dashboard, lists, analytics (pages) ---

        # --- container shop, container orders, dispatch (shop) ---

        # --- quote requests (quotes) ---
        from theke.core.panels import register_tile
        from theke.messaging.threads import register_thread_handler
        from theke.portal.services import quotes as quote_services
        from theke.portal.staff_views import quotes as quote_views

        # Inbound mail on a quote request's conversation is sales answering (not the customer).
        register_thread_handler("portal.quoterequest", quote_services.THREAD_HANDLER)
        register_tile("portal.quote_requests", quote_views.unanswered_tile, order=40)
        register_actions({"quote_request.answered": _("Angebotsanfrage beantwortet")})
