"""The B2B customer portal (seed 003): which customers use it, their users with roles and
locations, the tenant's portal settings, and quote requests.

Orders, invoices, quotes, locations and containers are the shared rows of `orders` and
`customers`; the portal only decides who of the customer sees and orders what.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from theke.tenants.models import LegalConsentRecord
from theke.tenants.scoping import TenantOwned


class PortalSettings(TenantOwned):
    """The tenant's portal settings (one row per tenant, created on first use)."""

    lead_time_days = models.PositiveSmallIntegerField(
        _("Vorlauf in Werktagen"),
        default=2,
        help_text=_("So viele Werktage muss ein Wunschtermin mindestens in der Zukunft liegen."),
    )
    show_prices = models.BooleanField(_("Preise im Containershop zeigen"), default=True)
    rent_free_days = models.PositiveSmallIntegerField(
        _("Mietfreie Standtage"),
        null=True,
        blank=True,
        help_text=_("Leer: keine mietfreien Tage; die Standtage werden trotzdem gezeigt."),
    )
    rent_reminder_days = models.PositiveSmallIntegerField(
        _("Erinnerung vor Ende der mietfreien Zeit (Tage)"), default=3
    )
    sales_email = models.EmailField(
        _("E-Mail-Adresse für Angebotsanfragen"),
        blank=True,
        help_text=_("Leer: die Firmen-E-Mail für Benachrichtigungen."),
    )
    dispatch_email = models.EmailField(
        _("E-Mail-Adresse der Disposition"),
        blank=True,
        help_text=_("Erhält eine Nachricht zu jeder Bestellung aus dem Portal (optional)."),
    )

    class Meta:
        verbose_name = _("Portaleinstellungen")
        verbose_name_plural = _("Portaleinstellungen")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="portal_settings_one_per_tenant")
        ]

    def __str__(self) -> str:
        return str(_("Portaleinstellungen"))


class PortalCustomer(TenantOwned):
    """A customer activated for the portal ("Online-Portal" ticked on the customer)."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="portal",
        verbose_name=_("Kunde"),
    )
    is_active = models.BooleanField(_("Online-Portal aktiv"), default=True)
    activated_at = models.DateTimeField(_("Freigeschaltet am"))
    deactivated_at = models.DateTimeField(_("Abgeschaltet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Portalkunde")
        verbose_name_plural = _("Portalkunden")

    def __str__(self) -> str:
        return str(self.customer)


class PortalRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ORDERS = "orders", _("Bestellen")
    READ_ONLY = "read_only", _("Nur lesen")


class PortalUser(TenantOwned, LegalConsentRecord):
    """A person of a portal customer: a customer login (accounts.CustomerAccount) with the
    portal's role, rights and locations; the contact carries language and e-mail for
    messages and the read state of conversations."""

    account = models.OneToOneField(
        "accounts.CustomerAccount",
        on_delete=models.CASCADE,
        related_name="portal_user",
        verbose_name=_("Kundenzugang"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="portal_users",
        verbose_name=_("Kunde"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portal_users",
        verbose_name=_("Ansprechpartner"),
    )
    role = models.CharField(
        _("Rolle"), max_length=10, choices=PortalRole.choices, default=PortalRole.ORDERS
    )
    sees_invoices = models.BooleanField(_("Sieht Rechnungen"), default=False)
    sees_prices = models.BooleanField(_("Sieht Preise"), default=False)
    all_locations = models.BooleanField(_("Alle Standorte"), default=True)
    locations = models.ManyToManyField(
        "customers.Location",
        blank=True,
        related_name="portal_users",
        verbose_name=_("Standorte"),
    )
    invited_at = models.DateTimeField(_("Eingeladen am"), null=True, blank=True)
    registered_at = models.DateTimeField(_("Registriert am"), null=True, blank=True)
    introduction_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Portalbenutzer")
        verbose_name_plural = _("Portalbenutzer")
        ordering = ["account__last_name", "account__first_name", "account__email"]

    def __str__(self) -> str:
        return str(self.account)

    @property
    def is_admin(self) -> bool:
        return self.role == PortalRole.ADMIN

    @property
    def may_order(self) -> bool:
        return self.role in (PortalRole.ADMIN, PortalRole.ORDERS)


class QuoteRequestStatus(models.TextChoices):
    OPEN = "open", _("Offen")
    ANSWERED = "answered", _("Beantwortet")
    CLOSED = "closed", _("Abgeschlossen")


class QuoteRequest(TenantOwned):
    """A customer's quote request ("Angebot anfordern"); its conversation runs by e-mail
    between the tenant's sales address and the portal."""

    number = models.CharField(_("Anfragenummer"), max_length=20)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="quote_requests",
        verbose_name=_("Kunde"),
    )
    requested_by = models.ForeignKey(
        PortalUser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quote_requests",
        verbose_name=_("Angefragt von"),
    )
    location = models.ForeignKey(
        "customers.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quote_requests",
        verbose_name=_("Standort"),
    )
    subject = models.CharField(_("Betreff"), max_length=200)
    description = models.TextField(_("Beschreibung"))
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=QuoteRequestStatus.choices,
        default=QuoteRequestStatus.OPEN,
    )
    conversation = models.OneToOneField(
        "messaging.Conversation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote_request",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(_("Beantwortet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Angebotsanfrage")
        verbose_name_plural = _("Angebotsanfragen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"], name="quote_request_number_unique_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.subject}"
