"""What the back office pushes about orders: repair and service orders, invoices and quotes.

The back office is the source of truth; Theke keeps a copy to show to staff and, in the
portal, to the customer. Every row carries the back office's own id (`external_id`),
unique per tenant, by which the API upserts it.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from theke.tenants.scoping import TenantOwned

ZERO = Decimal("0.00")


def _random_pdf_name(folder: str) -> str:
    """192 random bits name the file: its path reveals and lets guess nothing (media files
    may be served by the web server in front of Theke)."""
    return f"orders/{folder}/{secrets.token_urlsafe(24)}.pdf"


def invoice_pdf_path(instance: Any, filename: str) -> str:
    return _random_pdf_name("invoices")


def quote_pdf_path(instance: Any, filename: str) -> str:
    return _random_pdf_name("quotes")


class OrderKind(models.TextChoices):
    REPAIR = "repair", _("Reparaturauftrag")
    SERVICE = "service", _("Serviceauftrag")
    # Container services (seed 003); the values of customers.ContainerOrderKind.
    PLACEMENT = "placement", _("Gestellung")
    EXCHANGE = "exchange", _("Tausch")
    EMPTYING = "emptying", _("Leerung")
    WITHDRAWAL = "withdrawal", _("Abzug")


class OrderOrigin(models.TextChoices):
    BACK_OFFICE = "back_office", _("Warenwirtschaft")
    PORTAL = "portal", _("Kundenportal")


def permit_path(instance: Any, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"orders/permits/{secrets.token_urlsafe(24)}.{suffix[:8]}"


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Offen")
    PLANNED = "planned", _("Geplant")
    IN_PROGRESS = "in_progress", _("In Arbeit")
    COMPLETED = "completed", _("Erledigt")
    INVOICED = "invoiced", _("Abgerechnet")
    CANCELLED = "cancelled", _("Storniert")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Offen")
    PAID = "paid", _("Bezahlt")
    CANCELLED = "cancelled", _("Storniert")


class QuoteStatus(models.TextChoices):
    OPEN = "open", _("Offen")
    ACCEPTED = "accepted", _("Angenommen")
    DECLINED = "declined", _("Abgelehnt")
    EXPIRED = "expired", _("Abgelaufen")


class Order(TenantOwned):
    """A repair order (workshop), a service order, or a container order (placement, exchange,
    emptying, withdrawal of a container at a customer's site)."""

    # NULL (not "") for an order placed in the portal until the back office assigns its own
    # id: the unique (tenant, external_id) stays a plain unique index, which the API's
    # INSERT … ON CONFLICT needs, and lets any number of orders wait for their id.
    external_id = models.CharField(
        _("ID im Warenwirtschaftssystem"), max_length=100, null=True, blank=True
    )
    kind = models.CharField(
        _("Auftragsart"), max_length=10, choices=OrderKind.choices, default=OrderKind.REPAIR
    )
    number = models.CharField(_("Auftragsnummer"), max_length=40)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("Kunde"),
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("Fahrzeug"),
    )
    location = models.ForeignKey(
        "customers.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("Standort"),
    )
    asset = models.ForeignKey(
        "customers.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("Objekt"),
    )
    branch = models.ForeignKey(
        "tenants.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("Betrieb"),
    )
    title = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    planned_date = models.DateField(_("Geplantes Datum"), null=True, blank=True)
    # --- container orders (seed 003): what the portal's shop asks for, what the back office
    # needs to prefill its dispatch job, and what it pushes back.
    origin = models.CharField(
        _("Herkunft"), max_length=12, choices=OrderOrigin.choices, default=OrderOrigin.BACK_OFFICE
    )
    container_type = models.ForeignKey(
        "customers.ContainerType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("Behältertyp"),
    )
    waste_type = models.ForeignKey(
        "customers.WasteType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("Abfallart"),
    )
    wish_date = models.DateField(_("Wunschtermin"), null=True, blank=True)
    customer_note = models.TextField(_("Hinweis des Kunden"), blank=True)
    public_ground = models.BooleanField(_("Stellplatz auf öffentlichem Grund"), default=False)
    permit = models.FileField(_("Genehmigung"), upload_to=permit_path, blank=True, max_length=200)
    permit_by_service = models.BooleanField(
        _("Genehmigung durch den Entsorger beantragen"), default=False
    )
    ordered_by = models.ForeignKey(
        "accounts.CustomerAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("Bestellt von"),
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("Nachfolgeauftrag von"),
    )
    # When the order went to dispatch (`portal.order.created`); a portal order for a new
    # delivery location waits for staff to confirm the location first.
    released_at = models.DateTimeField(_("An Disposition übergeben"), null=True, blank=True)
    completed_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Auftrag")
        verbose_name_plural = _("Aufträge")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="order_external_id_unique_per_tenant"
            )
        ]
        indexes = [
            # The customer's latest orders in the list's order, newest first (no sort step).
            models.Index(fields=["customer", "-created_at", "-id"], name="order_customer_newest"),
            models.Index(fields=["tenant", "number"], name="order_number"),
            models.Index(fields=["asset", "-created_at"], name="order_asset_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}" if self.title else self.number


class Invoice(TenantOwned):
    """An invoice of the back office; a business record, so it is never deleted."""

    external_id = models.CharField(_("ID im Warenwirtschaftssystem"), max_length=100)
    number = models.CharField(_("Rechnungsnummer"), max_length=40)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("Kunde"),
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("Auftrag"),
    )
    issue_date = models.DateField(_("Rechnungsdatum"))
    due_date = models.DateField(_("Fällig am"), null=True, blank=True)
    net_total = models.DecimalField(_("Netto"), max_digits=12, decimal_places=2, default=ZERO)
    gross_total = models.DecimalField(_("Brutto"), max_digits=12, decimal_places=2, default=ZERO)
    currency = models.CharField(_("Währung"), max_length=3, default="EUR")
    status = models.CharField(
        _("Status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    paid_at = models.DateTimeField(_("Bezahlt am"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=invoice_pdf_path, blank=True, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Rechnung")
        verbose_name_plural = _("Rechnungen")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="invoice_external_id_unique_per_tenant"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-issue_date"], name="invoice_customer_latest"),
            models.Index(fields=["tenant", "number"], name="invoice_number"),
        ]

    def __str__(self) -> str:
        return self.number


class Quote(TenantOwned):
    """A quote (Angebot), e.g. the answer to a portal customer's quote request."""

    external_id = models.CharField(_("ID im Warenwirtschaftssystem"), max_length=100)
    number = models.CharField(_("Angebotsnummer"), max_length=40)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("Kunde"),
    )
    location = models.ForeignKey(
        "customers.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("Standort"),
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("Auftrag"),
    )
    date = models.DateField(_("Angebotsdatum"))
    valid_until = models.DateField(_("Gültig bis"), null=True, blank=True)
    title = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    net_total = models.DecimalField(_("Netto"), max_digits=12, decimal_places=2, default=ZERO)
    gross_total = models.DecimalField(_("Brutto"), max_digits=12, decimal_places=2, default=ZERO)
    currency = models.CharField(_("Währung"), max_length=3, default="EUR")
    status = models.CharField(
        _("Status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.OPEN
    )
    pdf = models.FileField(_("PDF"), upload_to=quote_pdf_path, blank=True, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="quote_external_id_unique_per_tenant"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-date"], name="quote_customer_latest"),
            models.Index(fields=["tenant", "number"], name="quote_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}" if self.title else self.number
