"""The customer master: customers, contacts, locations, vehicles, assets, articles and the
container catalog (waste types and container types)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from theke.core.validators import validate_single_line
from theke.customers.validators import format_waste_code, validate_vin, validate_waste_code
from theke.tenants.federal_states import FederalState
from theke.tenants.models import Language
from theke.tenants.scoping import TenantOwned


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Privatperson")
    COMPANY = "company", _("Firma")


class Customer(TenantOwned):
    kind = models.CharField(
        _("Art"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    number = models.CharField(_("Kundennummer"), max_length=40, blank=True)
    external_id = models.CharField(_("ID im Warenwirtschaftssystem"), max_length=100, blank=True)
    company_name = models.CharField(
        _("Firma"), max_length=200, blank=True, validators=[validate_single_line]
    )
    salutation = models.CharField(
        _("Anrede"), max_length=40, blank=True, validators=[validate_single_line]
    )
    first_name = models.CharField(
        _("Vorname"), max_length=100, blank=True, validators=[validate_single_line]
    )
    last_name = models.CharField(
        _("Nachname"), max_length=100, blank=True, validators=[validate_single_line]
    )
    branch = models.ForeignKey(
        "tenants.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("Betrieb"),
    )
    notes = models.TextField(_("Notizen"), blank=True)
    # Chose this business as the preferred workshop ("Werkstattkunde", seed 002).
    preferred_workshop = models.BooleanField(_("Werkstattkunde"), default=False)
    # Lower-cased name, number, e-mails, phone digits, plates and VINs, kept by the services,
    # so the customer search is one indexed-column LIKE instead of six joins.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Kunde")
        verbose_name_plural = _("Kunden")
        ordering = ["company_name", "last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"],
                condition=~models.Q(number=""),
                name="customer_number_unique_per_tenant",
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="customer_external_id_unique_per_tenant",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_of(self.kind, self.first_name, self.last_name, self.company_name, self.pk)

    @staticmethod
    def name_of(kind: str, first_name: str, last_name: str, company_name: str, pk: object) -> str:
        """The display name from the plain values (lists that read values, not models)."""
        person = " ".join(p for p in [first_name, last_name] if p)
        if kind == CustomerKind.COMPANY and company_name:
            return company_name
        return person or company_name or f"#{pk}"


class Contact(TenantOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    salutation = models.CharField(
        _("Anrede"), max_length=40, blank=True, validators=[validate_single_line]
    )
    first_name = models.CharField(
        _("Vorname"), max_length=100, blank=True, validators=[validate_single_line]
    )
    last_name = models.CharField(_("Nachname"), max_length=100, validators=[validate_single_line])
    role = models.CharField(
        _("Funktion"), max_length=100, blank=True, validators=[validate_single_line]
    )
    email = models.EmailField(_("E-Mail"), blank=True)
    mobile_phone = PhoneNumberField(_("Mobiltelefon"), blank=True)
    phone = PhoneNumberField(_("Telefon"), blank=True)
    language = models.CharField(
        _("Sprache"), max_length=5, choices=Language.choices, default=Language.GERMAN
    )
    is_primary = models.BooleanField(_("Hauptkontakt"), default=False)
    consent_email = models.BooleanField(_("Einwilligung E-Mail"), default=False)
    consent_email_at = models.DateTimeField(_("Einwilligung E-Mail am"), null=True, blank=True)
    consent_sms = models.BooleanField(_("Einwilligung SMS"), default=False)
    consent_sms_at = models.DateTimeField(_("Einwilligung SMS am"), null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("Ansprechpartner")
        verbose_name_plural = _("Ansprechpartner")
        ordering = ["-is_primary", "last_name", "first_name", "id"]

    def __str__(self) -> str:
        return " ".join(p for p in [self.first_name, self.last_name] if p)


class Location(TenantOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    street = models.CharField(_("Straße"), max_length=200)
    postal_code = models.CharField(_("PLZ"), max_length=12)
    city = models.CharField(_("Ort"), max_length=100)
    country = models.CharField(_("Land"), max_length=2, default="DE")
    state = models.CharField(
        _("Bundesland"),
        max_length=2,
        choices=FederalState.choices,
        blank=True,
        help_text=_("Leer: aus der PLZ ermittelt."),
    )
    is_billing = models.BooleanField(_("Rechnungsadresse"), default=False)
    access_notes = models.TextField(
        _("Zufahrtshinweise"),
        blank=True,
        help_text=_("Zum Beispiel Tor, Durchfahrtshöhe, Ansprechpartner vor Ort."),
    )
    # A delivery location a customer entered in the portal waits here until staff confirm
    # it ("Neue Lieferorte"); orders for it go to dispatch after that.
    needs_confirmation = models.BooleanField(_("Wartet auf Bestätigung"), default=False)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("Standort")
        verbose_name_plural = _("Standorte")
        ordering = ["-is_billing", "name", "city", "id"]

    def __str__(self) -> str:
        address = f"{self.street}, {self.postal_code} {self.city}"
        return f"{self.name} – {address}" if self.name else address


class Vehicle(TenantOwned):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vehicles",
        verbose_name=_("Halter"),
    )
    vin = models.CharField(_("FIN"), max_length=17, blank=True, validators=[validate_vin])
    license_plate = models.CharField(_("Kennzeichen"), max_length=20, blank=True)
    make = models.CharField(_("Marke"), max_length=60, blank=True)
    model = models.CharField(_("Modell"), max_length=100, blank=True)
    first_registration = models.DateField(_("Erstzulassung"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("Kilometerstand"), null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    # Where the vehicle stands (a job on it starts with this location, seed 004).
    branch = models.ForeignKey(
        "tenants.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Standort"),
    )
    # Serviced here by choice ("Werkstattfahrzeug", seed 002).
    preferred_workshop = models.BooleanField(_("Werkstattfahrzeug"), default=False)

    class Meta:
        verbose_name = _("Fahrzeug")
        verbose_name_plural = _("Fahrzeuge")
        ordering = ["license_plate", "vin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "vin"],
                condition=~models.Q(vin=""),
                name="vehicle_vin_unique_per_tenant",
            )
        ]

    def __str__(self) -> str:
        label = " ".join(p for p in [self.make, self.model] if p)
        return " · ".join(p for p in [self.license_plate, label, self.vin] if p) or f"#{self.pk}"


class ContainerOrderKind(models.TextChoices):
    """The order kinds a container type can allow; the same values as orders.OrderKind's
    container kinds (the customer master imports no orders)."""

    PLACEMENT = "placement", _("Gestellung")
    EXCHANGE = "exchange", _("Tausch")
    EMPTYING = "emptying", _("Leerung")
    WITHDRAWAL = "withdrawal", _("Abzug")


class WasteType(TenantOwned):
    """A kind of waste the tenant takes ("Abfallart"), with its AVV waste code."""

    name = models.CharField(_("Bezeichnung"), max_length=200, validators=[validate_single_line])
    code = models.CharField(
        _("Abfallschlüssel"),
        max_length=7,
        blank=True,
        validators=[validate_waste_code],
        help_text=_("AVV-Schlüssel, sechs Ziffern, gefährliche Abfälle mit Stern."),
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    sort_order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("Abfallart")
        verbose_name_plural = _("Abfallarten")
        ordering = ["sort_order", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="waste_type_external_id_unique_per_tenant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code_display})" if self.code else self.name

    @property
    def code_display(self) -> str:
        return format_waste_code(self.code)

    @property
    def is_hazardous(self) -> bool:
        return self.code.endswith("*")


class ContainerType(TenantOwned):
    """A container the tenant places ("Behältertyp"): size, variant, the order kinds it
    allows, its net price and the waste types it may be used for."""

    name = models.CharField(_("Bezeichnung"), max_length=200, validators=[validate_single_line])
    volume_m3 = models.DecimalField(
        _("Größe (m³)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    variant = models.CharField(
        _("Ausführung"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Zum Beispiel offen, mit Deckel, mit Klappe."),
    )
    # A list of ContainerOrderKind values, kept unique and in the choices' order by the
    # services (a list, not four flags, so the API sends what it means: ["exchange", …]).
    order_kinds = models.JSONField(_("Mögliche Aufträge"), default=list, blank=True)
    price = models.DecimalField(
        _("Preis netto"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    waste_types = models.ManyToManyField(
        WasteType, blank=True, related_name="container_types", verbose_name=_("Abfallarten")
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("Behältertyp")
        verbose_name_plural = _("Behältertypen")
        ordering = ["name", "volume_m3", "variant", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="container_type_external_id_unique_per_tenant",
            )
        ]

    def __str__(self) -> str:
        parts = [self.name, f"{self.volume_display} m³", self.variant]
        return " ".join(p for p in parts if p)

    @property
    def volume_display(self) -> str:
        """The size without trailing zeros, German style: "7", "1,1"."""
        text = format(self.volume_m3.normalize(), "f") if self.volume_m3 is not None else ""
        return text.replace(".", ",")

    def order_kind_labels(self) -> list[str]:
        labels = dict(ContainerOrderKind.choices)
        return [str(labels[kind]) for kind in self.order_kinds if kind in labels]

    def allows(self, kind: str) -> bool:
        return kind in self.order_kinds


class Asset(TenantOwned):
    """Something of the customer's that the business services, e.g. a container at a site.

    A container names its container type and waste type; assets without a type (and data
    from before the catalog) describe themselves by the free-text kind and size."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="assets")
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("Standort"),
    )
    kind = models.CharField(_("Typ"), max_length=100, blank=True)
    size = models.CharField(_("Größe"), max_length=60, blank=True)
    container_type = models.ForeignKey(
        ContainerType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("Behältertyp"),
    )
    waste_type = models.ForeignKey(
        WasteType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("Abfallart"),
    )
    placed_on = models.DateField(_("Gestellt am"), null=True, blank=True)
    serial_number = models.CharField(_("Seriennummer"), max_length=100, blank=True)
    description = models.CharField(_("Beschreibung"), max_length=200, blank=True)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("Objekt")
        verbose_name_plural = _("Objekte")
        ordering = ["kind", "serial_number", "id"]

    def __str__(self) -> str:
        return " ".join(p for p in [self.type_label, self.serial_number] if p)

    @property
    def type_label(self) -> str:
        """The container type when there is one, else the free-text kind and size."""
        if self.container_type_id is not None:
            return str(self.container_type)
        return " ".join(p for p in [self.kind, self.size] if p)


class Article(TenantOwned):
    number = models.CharField(_("Artikelnummer"), max_length=60)
    text = models.CharField(_("Bezeichnung"), max_length=300)
    unit = models.CharField(_("Einheit"), max_length=20, default="Stk")
    price = models.DecimalField(
        _("Preis netto"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    vat_rate = models.DecimalField(
        _("MwSt.-Satz (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_special = models.BooleanField(
        _("Sonderartikel"),
        default=False,
        help_text=_("Pauschalen wie Rückversand oder Entsorgung."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("Artikel")
        verbose_name_plural = _("Artikel")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"], name="article_number_unique_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text}"


class CustomerLink(TenantOwned):
    """A customer's way in to one object (an estimate, an appointment, an invitation, …).

    Only the SHA-256 of the token is stored. What the link opens is a `kind` (registered by the
    domain, theke.customers.links) and the object's id within that kind, so the customer master
    knows no product. `theke.customers.links.resolve` is the one place that decides whether a
    link is valid, expired, revoked or superseded.
    """

    kind = models.CharField(_("Art"), max_length=30)
    object_id = models.CharField(_("Objekt"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # Whom the link was sent to (their language is the page's), if Theke sent it.
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Empfänger"),
    )
    created_at = models.DateTimeField(_("Erstellt am"), default=timezone.now)
    expires_at = models.DateTimeField(_("Gültig bis"))
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)
    # Set when a new link was issued in this one's place (re-issue): the newer link counts.
    superseded_at = models.DateTimeField(_("Ersetzt am"), null=True, blank=True)
    first_viewed_at = models.DateTimeField(_("Zuerst geöffnet"), null=True, blank=True)
    last_viewed_at = models.DateTimeField(_("Zuletzt geöffnet"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kundenlink")
        verbose_name_plural = _("Kundenlinks")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "kind", "object_id"], name="customer_link_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} · {self.created_at:%Y-%m-%d %H:%M}"

    def is_valid(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.superseded_at is None and self.expires_at > now


class CustomerMatchKey(TenantOwned):
    """One normalized key a customer is found by in the duplicate search (see
    theke.customers.duplicates): kept by the services with `Customer.search_text`."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="match_keys")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=254)

    class Meta:
        verbose_name = _("Dublettenschlüssel")
        verbose_name_plural = _("Dublettenschlüssel")
        indexes = [
            models.Index(fields=["tenant", "kind", "key"], name="customer_match_key_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
