from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Orders, invoices and quotes of the back office, shared by the mission's domains."""

    name = "theke.orders"
    verbose_name = _("Aufträge")

    def ready(self) -> None:
        from theke.audit.presentation import register_actions
        from theke.core.panels import CUSTOMER_PAGE, register_panel
        from theke.orders.models import Invoice, Order, Quote
        from theke.orders.staff_views import customer_documents_panel

        register_panel(
            CUSTOMER_PAGE,
            "documents",
            template="orders/staff/_customer_documents.html",
            context=customer_documents_panel,
            order=10,
        )

        register_actions(
            {
                "order.created": _("Auftrag angelegt"),
                "order.updated": _("Auftrag geändert"),
                "order.cancelled": _("Auftrag storniert"),
                "invoice.created": _("Rechnung angelegt"),
                "invoice.updated": _("Rechnung geändert"),
                "invoice.pdf_attached": _("Rechnungs-PDF hinterlegt"),
                "quote.created": _("Angebot angelegt"),
                "quote.updated": _("Angebot geändert"),
                "quote.pdf_attached": _("Angebots-PDF hinterlegt"),
                "quote.deleted": _("Angebot zurückgezogen"),
            },
            {"order": Order, "invoice": Invoice, "quote": Quote},
        )
