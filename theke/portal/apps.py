from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The B2B customer portal (seed 003)."""

    name = "theke.portal"
    verbose_name = _("Kundenportal")
    # Rights are offered once their pages work: portal.manage (activation, invitations:
    # users area) and portal.dispatch (portal orders, new locations: shop area).
    permissions: dict[str, object] = {
        "portal.dispatch": _("Portalaufträge und neue Lieferorte bearbeiten"),
    }
    role_grants: dict[str, list[str]] = {
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
