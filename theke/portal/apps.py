from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The B2B customer portal (seed 003)."""

    name = "theke.portal"
    verbose_name = _("Kundenportal")
    # Rights are offered once their pages work: portal.manage (activation, invitations:
    # users area) and portal.dispatch (portal orders, new locations: shop area).
    permissions: dict[str, object] = {
        # --- users ---
        "portal.manage": _("Kundenportal verwalten (Freischaltung, Einladungen)"),
        # --- shop ---
        "portal.dispatch": _("Portalaufträge und neue Lieferorte bearbeiten"),
    }
    role_grants: dict[str, list[str]] = {
        # --- users ---
        "Vertrieb": ["portal.manage"],
        # --- shop ---
        "Disposition": ["portal.dispatch"],
    }

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
        # Registers the customer-link kind "portal_invitation" (its page: portal_invitation:page).
        from theke.core.panels import CUSTOMER_PAGE, register_panel
        from theke.portal.models import PortalSettings
        from theke.portal.services import users as portal_users  # noqa: F401
        from theke.portal.staff_views import users as staff_users

        register_actions(
            {"portal_settings.changed": _("Portaleinstellungen geändert")},
            {"portal_settings": PortalSettings},
        )
        # The customer login lands on the dashboard; the account page links it.
        from theke.accounts.customer_auth import register_home
        from theke.portal.customer_views.signup import portal_home

        register_home(portal_home)
        register_panel(
            CUSTOMER_PAGE,
            "portal.users",
            template="portal/staff/_customer_panel.html",
            context=staff_users.customer_panel,
            order=30,
        )

        # --- dashboard, lists, analytics (pages) ---

        # --- container shop, container orders, dispatch (shop) ---
        from theke.core.panels import register_tile
        from theke.customers.models import Location
        from theke.orders.models import Order
        from theke.orders.services import register_order_listener
        from theke.portal.services.shop import on_orders_changed
        from theke.portal.staff_views.dispatch import new_locations_tile, waiting_orders_tile

        register_actions(
            {
                "portal_order.created": _("Im Kundenportal bestellt"),
                "portal_location.created": _("Neuer Lieferort im Kundenportal angelegt"),
                "portal_location.confirmed": _("Neuer Lieferort bestätigt"),
            },
            {"portal_order": Order, "portal_location": Location},
            {"portal_order": _("Portalauftrag"), "portal_location": _("Lieferort")},
        )
        register_order_listener(on_orders_changed)
        register_tile("portal.dispatch_orders", waiting_orders_tile, order=40)
        register_tile("portal.new_locations", new_locations_tile, order=41)

        # --- quote requests (quotes) ---
        from theke.core.panels import register_tile
        from theke.messaging.threads import register_thread_handler
        from theke.portal.services import quotes as quote_services
        from theke.portal.staff_views import quotes as quote_views

        # Inbound mail on a quote request's conversation is sales answering (not the customer).
        register_thread_handler("portal.quoterequest", quote_services.THREAD_HANDLER)
        register_tile("portal.quote_requests", quote_views.unanswered_tile, order=40)
        register_actions({"quote_request.answered": _("Angebotsanfrage beantwortet")})
