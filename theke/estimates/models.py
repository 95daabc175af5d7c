"""Online cost estimates (seed 000): the estimate, its positions and photos, and the links
customers open it with.

An estimate is known by the back office's id (`external_id`). One row is one *version*:
revising a sent estimate (issue 5) adds a row with the next `version` and marks the old one
`superseded`, so old versions stay readable with their answer. At most one version per
external id is live (not superseded); links follow to the live version.

A link may exist before the estimate's data: `POST /estimates/<id>/link` creates a
placeholder (`has_data=False`) that the back office fills later with `PUT`.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_scopes.manager import DisabledQuerySet

from theke.customers.models import CustomerLink
from theke.estimates.decline_choices import ChoiceWording, wording
from theke.estimates.decline_choices import DeclineChoice as DeclineChoice  # its home is there
from theke.tenants.models import LegalConsentRecord
from theke.tenants.scoping import TenantOwned, TenantScopedManager, scopes_disabled


class EstimateStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SENT = "sent", _("Gesendet")
    VIEWED = "viewed", _("Angesehen")
    ACCEPTED = "accepted", _("Angenommen")
    DECLINED = "declined", _("Abgelehnt")
    EXPIRED = "expired", _("Abgelaufen")
    REVOKED = "revoked", _("Zurückgezogen")
    SUPERSEDED = "superseded", _("Ersetzt")


# The id of an estimate entered by staff starts with this (the back office never sees it).
STAFF_ID_PREFIX = "THEKE-"

# Statuses after which the estimate's content may no longer change.
FINAL_STATUSES = frozenset(
    {
        EstimateStatus.ACCEPTED,
        EstimateStatus.DECLINED,
        EstimateStatus.REVOKED,
        EstimateStatus.SUPERSEDED,
    }
)


class Estimate(TenantOwned):
    external_id = models.CharField(_("ID im Warenwirtschaftssystem"), max_length=100)
    version = models.PositiveIntegerField(_("Version"), default=1)
    status = models.CharField(
        _("Status"), max_length=20, choices=EstimateStatus.choices, default=EstimateStatus.DRAFT
    )
    # False for the placeholder a link creates before the back office has sent the data.
    has_data = models.BooleanField(_("Daten übertragen"), default=False)
    number = models.CharField(_("Nummer"), max_length=40, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estimates",
        verbose_name=_("Kunde"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ansprechpartner"),
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estimates",
        verbose_name=_("Fahrzeug"),
    )
    # The back office's order id as sent; `order` is resolved from it when that order is
    # known (the order may arrive after the estimate).
    order_external_id = models.CharField(_("Auftrag (ID)"), max_length=100, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estimates",
        verbose_name=_("Auftrag"),
    )
    object_description = models.CharField(_("Gegenstand"), max_length=300, blank=True)
    defect_description = models.TextField(_("Fehlerbeschreibung"), blank=True)
    technician_name = models.CharField(_("Zuständiger Techniker"), max_length=200, blank=True)
    technician_email = models.EmailField(_("E-Mail des Technikers"), blank=True)
    technician_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Techniker (Benutzer)"),
    )
    # The staff user who last sent the estimate's link: told of the customer's answer.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Gesendet von"),
    )
    currency = models.CharField(_("Währung"), max_length=3, default="EUR")
    valid_until = models.DateField(_("Gültig bis"), null=True, blank=True)
    terms = models.TextField(_("Bedingungen"), blank=True)
    notes = models.TextField(_("Hinweise"), blank=True)
    net_total = models.DecimalField(
        _("Summe netto"), default=Decimal("0.00"), max_digits=12, decimal_places=2
    )
    vat_total = models.DecimalField(
        _("MwSt."), default=Decimal("0.00"), max_digits=12, decimal_places=2
    )
    gross_total = models.DecimalField(
        _("Summe brutto"), default=Decimal("0.00"), max_digits=12, decimal_places=2
    )
    data_received_at = models.DateTimeField(_("Daten erhalten am"), null=True, blank=True)
    sent_at = models.DateTimeField(_("Gesendet am"), null=True, blank=True)
    first_viewed_at = models.DateTimeField(_("Zuerst angesehen am"), null=True, blank=True)
    last_viewed_at = models.DateTimeField(_("Zuletzt angesehen am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("Erinnert am"), null=True, blank=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Kostenvoranschlag")
        verbose_name_plural = _("Kostenvoranschläge")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id", "version"],
                name="estimate_version_unique_per_tenant",
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(status="superseded"),
                name="estimate_one_live_version_per_tenant",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="estimate_tenant_status")]

    def __str__(self) -> str:
        label = self.display_number
        return f"{label} (v{self.version})" if self.version > 1 else label

    @property
    def display_number(self) -> str:
        """The number people see: Theke's sequence number ("KV-2026-0001") for an estimate
        entered here, the back office's number (else its id) for one pushed by the API."""
        return self.number or self.external_id

    @property
    def item(self) -> str:
        """What the estimate is about: the object description, else the vehicle."""
        if self.object_description:
            return self.object_description
        return str(self.vehicle) if self.vehicle_id else ""

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def entered_by_staff(self) -> bool:
        """Entered in Theke's forms, not pushed by the back office (its id is Theke's own)."""
        return self.external_id.startswith(STAFF_ID_PREFIX)


class EstimatePosition(TenantOwned):
    """One line; the amounts are computed by the services (see services.position_amounts)."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="positions")
    position = models.PositiveIntegerField(_("Position"))
    article = models.ForeignKey(
        "customers.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Artikel"),
    )
    text = models.CharField(_("Text"), max_length=500)
    quantity = models.DecimalField(_("Menge"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("Einheit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("Einzelpreis netto"), max_digits=14, decimal_places=4)
    discount_percent = models.DecimalField(
        _("Rabatt (%)"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    vat_rate = models.DecimalField(_("MwSt.-Satz (%)"), max_digits=5, decimal_places=2)
    # The shop marks a position optional; the customer may leave it out (issue 5).
    is_optional = models.BooleanField(_("optional"), default=False)
    net_amount = models.DecimalField(_("Netto"), max_digits=12, decimal_places=2)
    vat_amount = models.DecimalField(_("MwSt."), max_digits=12, decimal_places=2)
    gross_amount = models.DecimalField(_("Brutto"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("Position")
        verbose_name_plural = _("Positionen")
        ordering = ["estimate", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["estimate", "position"], name="estimate_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


def new_photo_key() -> str:
    return secrets.token_urlsafe(16)


def photo_path(instance: EstimatePhoto, filename: str) -> str:
    """A path nobody can guess; the file is only ever served through a checked view."""
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"estimates/{instance.tenant_id}/{secrets.token_urlsafe(24)}{suffix}"


class EstimatePhoto(TenantOwned):
    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="photos")
    # The back office's id of the photo, or one Theke made up; unique per estimate.
    external_id = models.CharField(_("ID"), max_length=100)
    # Names the photo in customer URLs (never the database id).
    key = models.CharField(max_length=40, unique=True, default=new_photo_key, editable=False)
    # The photo as stored (theke.core.images): a JPEG of at most 2560 px, turned upright,
    # without metadata. Rows from before the pipeline kept the upload as it came.
    file = models.FileField(_("Datei"), upload_to=photo_path, max_length=300)
    # Staff pages and large screens: a JPEG of at most 1600 px (upright, without metadata).
    preview = models.FileField(upload_to=photo_path, max_length=300, blank=True)
    # The customer page's list: a WebP 480 px wide (empty for a photo that could not be read
    # when thumbnails came; the page then shows the preview).
    thumbnail = models.FileField(upload_to=photo_path, max_length=300, blank=True)
    # Type (by content) and size of the upload as it came, e.g. image/heic.
    content_type = models.CharField(_("Dateityp"), max_length=50)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))
    # The preview's size in pixels.
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    thumbnail_width = models.PositiveIntegerField(default=0)
    thumbnail_height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("Bildunterschrift"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    created_at = models.DateTimeField(_("Hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Foto")
        verbose_name_plural = _("Fotos")
        ordering = ["estimate", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estimate", "external_id"], name="estimate_photo_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.caption or self.external_id

    def rendition(self, size: str) -> FieldFile:
        """The stored file of a size ("file", "preview", "thumbnail"); a size a photo lacks
        (from before it was made) falls back to the next larger one."""
        order = ("thumbnail", "preview", "file")
        for name in order[order.index(size) :]:
            stored: FieldFile = getattr(self, name)
            if stored:
                return stored
        return self.file


# The kind of customer link that opens an estimate; its object id is the estimate's external
# id, so a link keeps working across the estimate's versions and always shows the live one.
LINK_KIND = "estimate"


class EstimateLinkManager(TenantScopedManager["EstimateLink"]):
    def get_queryset(self) -> models.QuerySet[EstimateLink]:
        queryset = super().get_queryset()
        if isinstance(queryset, DisabledQuerySet):
            return queryset
        return queryset.filter(kind=LINK_KIND)


class EstimateLink(CustomerLink):
    """The customer links of kind "estimate" (theke.customers.links), as the estimates see them."""

    objects = EstimateLinkManager()  # type: ignore[misc]  # narrows the inherited manager

    class Meta:
        proxy = True
        verbose_name = _("Link zum Kostenvoranschlag")
        verbose_name_plural = _("Links zu Kostenvoranschlägen")

    def __str__(self) -> str:
        return f"{self.object_id} · {self.created_at:%Y-%m-%d %H:%M}"

    @cached_property
    def estimate(self) -> Estimate:
        """The live version of the linked estimate (the newest not superseded one)."""
        with scopes_disabled():
            versions = Estimate.objects.filter(tenant_id=self.tenant_id, external_id=self.object_id)
            live = versions.exclude(status=EstimateStatus.SUPERSEDED).order_by("-version").first()
            found = live or versions.order_by("-version").first()
        assert found is not None, "a link's estimate is never deleted"
        return found

    @property
    def estimate_id(self) -> int:
        return self.estimate.pk


class EstimateSettings(TenantOwned):
    """A tenant's settings of online estimates (a row only once the tenant changed one)."""

    link_days = models.PositiveSmallIntegerField(
        _("Links gültig (Tage)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("So lange kann der Kunde einen Link zum Kostenvoranschlag öffnen."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("Erinnerung nach (Tagen)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "Hat der Kunde so viele Tage nach dem Versand nicht geantwortet, erinnert ihn "
            "Theke einmal mit einem neuen Link. Leer lassen: keine Erinnerung."
        ),
    )

    # The choices a declining customer has (theke.estimates.decline_choices): each switched
    # on or off, each with the special article whose price is its flat fee (none chosen:
    # found by its number or name, see services/decline.py).
    return_shipping_enabled = models.BooleanField(_("Rücksendung anbieten (Geräte)"), default=True)
    return_shipping_article = models.ForeignKey(
        "customers.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_special": True},
        verbose_name=_("Artikel Rückversand-Pauschale"),
    )
    disposal_enabled = models.BooleanField(_("Entsorgung anbieten (Geräte)"), default=True)
    disposal_article = models.ForeignKey(
        "customers.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_special": True},
        verbose_name=_("Artikel Entsorgungs-Pauschale"),
    )
    pickup_unrepaired_enabled = models.BooleanField(
        _("Unrepariert abholen anbieten (Fahrzeuge)"), default=True
    )
    pickup_unrepaired_article = models.ForeignKey(
        "customers.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_special": True},
        verbose_name=_("Artikel Pauschale unrepariert abholen"),
    )
    scrapping_enabled = models.BooleanField(
        _("Entsorgung/Verschrottung anbieten (Fahrzeuge)"), default=True
    )
    scrapping_article = models.ForeignKey(
        "customers.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_special": True},
        verbose_name=_("Artikel Verschrottungs-Pauschale"),
    )

    number_prefix = models.CharField(
        _("Präfix der Nummern"),
        max_length=10,
        default="KV",
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9]*$",
                _("Nur Buchstaben und Ziffern, z. B. „KV“."),
            )
        ],
        help_text=_(
            "Kostenvoranschläge, die in Theke erfasst werden, erhalten fortlaufende Nummern wie "
            "„KV-2026-0001“ (je Jahr ab 0001). Die Warenwirtschaft behält ihre eigenen Nummern."
        ),
    )

    class Meta:
        verbose_name = _("Einstellungen für Kostenvoranschläge")
        verbose_name_plural = _("Einstellungen für Kostenvoranschläge")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="estimate_settings_one_per_tenant")
        ]

    def __str__(self) -> str:
        return str(self.tenant)


class EstimateNumberCounter(TenantOwned):
    """The last number given to an estimate entered in Theke, per tenant and year; raised
    under a row lock with F() (services.numbers), so two saves never share a number."""

    year = models.PositiveSmallIntegerField(_("Jahr"))
    last = models.PositiveIntegerField(_("Letzte Nummer"), default=0)

    class Meta:
        verbose_name = _("Nummernkreis der Kostenvoranschläge")
        verbose_name_plural = _("Nummernkreise der Kostenvoranschläge")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "year"], name="estimate_number_counter_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class DecisionAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Angenommen")
    DECLINED = "declined", _("Abgelehnt")


class EstimateDecision(TenantOwned, LegalConsentRecord):
    """The customer's answer to one version of an estimate: there is at most one."""

    estimate = models.OneToOneField(
        Estimate, on_delete=models.PROTECT, related_name="decision", verbose_name=_("Version")
    )
    link = models.ForeignKey(
        "customers.CustomerLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.CharField(_("Antwort"), max_length=20, choices=DecisionAnswer.choices)
    choice = models.CharField(
        _("Wunsch bei Ablehnung"), max_length=20, choices=DeclineChoice.choices, blank=True
    )
    version = models.PositiveIntegerField(_("Version"))
    selected_positions = models.JSONField(_("Gewählte Positionen"), default=list)
    net_total = models.DecimalField(_("Summe netto"), max_digits=12, decimal_places=2)
    vat_total = models.DecimalField(_("MwSt."), max_digits=12, decimal_places=2)
    gross_total = models.DecimalField(_("Summe brutto"), max_digits=12, decimal_places=2)
    fee_article = models.ForeignKey(
        "customers.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Pauschale (Artikel)"),
    )
    fee_text = models.CharField(_("Pauschale"), max_length=300, blank=True)
    fee_net = models.DecimalField(
        _("Pauschale netto"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fee_vat = models.DecimalField(
        _("Pauschale MwSt."), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fee_gross = models.DecimalField(
        _("Pauschale brutto"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    address_name = models.CharField(_("Name"), max_length=200, blank=True)
    address_street = models.CharField(_("Straße"), max_length=200, blank=True)
    address_postal_code = models.CharField(_("PLZ"), max_length=12, blank=True)
    address_city = models.CharField(_("Ort"), max_length=100, blank=True)
    address_country = models.CharField(_("Land"), max_length=2, blank=True)
    address_corrected = models.BooleanField(_("Adresse korrigiert"), default=False)
    signed_name = models.CharField(_("Name des Kunden"), max_length=200)
    terms_accepted = models.BooleanField(_("Bedingungen akzeptiert"), default=False)
    decided_at = models.DateTimeField(_("Beantwortet am"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP-Adresse"), null=True, blank=True)
    user_agent = models.CharField(_("Browser"), max_length=500, blank=True)
    # Staff took care of the answer (the start page's "new decisions" are those without).
    handled_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erledigt von"),
    )

    class Meta:
        verbose_name = _("Antwort auf Kostenvoranschlag")
        verbose_name_plural = _("Antworten auf Kostenvoranschläge")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.estimate} · {self.get_answer_display()}"

    @property
    def decline_wording(self) -> ChoiceWording | None:
        """How the pages, e-mails and PDF speak of the decline choice (None: accepted)."""
        return wording(self.choice)

    @property
    def address_lines(self) -> list[str]:
        return [
            line
            for line in (
                self.address_name,
                self.address_street,
                f"{self.address_postal_code} {self.address_city}".strip(),
                self.address_country,
            )
            if line
        ]
