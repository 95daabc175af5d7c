"""Tenants (Mandanten) and their branches (Betriebe)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from theke.core.validators import validate_single_line
from theke.tenants.federal_states import FederalState
from theke.tenants.scoping import TenantOwned
from theke.tenants.validators import validate_bic, validate_iban, validate_vat_id

brand_color_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$",
    _("Bitte geben Sie eine Farbe im Format #RRGGBB an."),
)


class Language(models.TextChoices):
    GERMAN = "de", _("Deutsch")
    ENGLISH = "en", _("Englisch")


class Tenant(models.Model):
    """One business using Theke. Not tenant-scoped itself: it is the scope."""

    name = models.CharField(_("Name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("Kurzname"), max_length=60, unique=True)
    legal_name = models.CharField(
        _("Firmierung"), max_length=200, blank=True, validators=[validate_single_line]
    )
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=12, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    country = models.CharField(_("Land"), max_length=2, default="DE")
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    logo = models.ImageField(_("Logo"), upload_to="tenant-logos/", blank=True)
    brand_color = models.CharField(
        _("Markenfarbe"), max_length=7, default="#1f4e79", validators=[brand_color_validator]
    )
    default_language = models.CharField(
        _("Standardsprache"), max_length=5, choices=Language.choices, default=Language.GERMAN
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    # Messaging: sender identity, the SMS feature switch ("Freischaltung"), inbound replies.
    email_sender_name = models.CharField(
        _("Absendername für E-Mails"),
        max_length=100,
        blank=True,
        help_text=_("Leer: Name des Mandanten."),
        validators=[validate_single_line],
    )
    email_reply_to = models.EmailField(_("Antwortadresse für E-Mails"), blank=True)
    notification_email = models.EmailField(
        _("Firmen-E-Mail für Benachrichtigungen"),
        blank=True,
        help_text=_("Hierhin gehen z. B. die Antworten von Kunden auf Kostenvoranschläge."),
    )
    sms_enabled = models.BooleanField(_("SMS freigeschaltet"), default=False)
    # Product switches ("Freischaltung"), set by the platform operator.
    online_booking_enabled = models.BooleanField(
        _("Online-Terminbuchung freigeschaltet"), default=False
    )
    portal_enabled = models.BooleanField(
        _("Kundenportal freigeschaltet"),
        default=False,
        help_text=_("B2B-Kundenportal: Kunden bestellen Container, sehen Aufträge und Rechnungen."),
    )
    jobs_enabled = models.BooleanField(
        _("Jobmanager freigeschaltet"),
        default=False,
        help_text=_(
            "Jobs mit Workflows aus Phasen und Feldern; Kunden antworten auf ihrem Parkplatz."
        ),
    )
    sms_sender = models.CharField(
        _("SMS-Absender"), max_length=11, blank=True, help_text=_("Höchstens 11 Zeichen.")
    )
    inbound_email_domain = models.CharField(
        _("Domain für Antwort-E-Mails"),
        max_length=200,
        blank=True,
        help_text=_("Leer: die Domain der Plattform."),
    )
    # Legal and bank details for the letterhead and footer of the PDFs (theke.core.pdf).
    register_court = models.CharField(
        _("Registergericht"),
        max_length=100,
        blank=True,
        help_text=_("Zum Beispiel: Amtsgericht Berlin-Charlottenburg"),
    )
    register_number = models.CharField(
        _("Registernummer"),
        max_length=40,
        blank=True,
        help_text=_("Zum Beispiel: HRB 123456 B"),
    )
    vat_id = models.CharField(
        _("USt-IdNr."),
        max_length=20,
        blank=True,
        help_text=_("Umsatzsteuer-Identifikationsnummer, zum Beispiel DE123456789."),
        validators=[validate_vat_id],
    )
    managing_director = models.CharField(
        _("Geschäftsführung"),
        max_length=200,
        blank=True,
        help_text=_("Mehrere Namen mit Komma trennen."),
    )
    bank_name = models.CharField(_("Bank"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    # Platform operators only (Django admin): lets webhooks reach private and loopback
    # addresses, e.g. a back office in the same network, or a test receiver.
    webhooks_allow_private_targets = models.BooleanField(
        _("Webhooks an private und lokale Adressen erlauben"),
        default=False,
        help_text=_(
            "Nur für Installationen im eigenen Netz: Webhooks dürfen dann auch an private, "
            "lokale und Loopback-Adressen gehen."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Mandant")
        verbose_name_plural = _("Mandanten")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def notification_address(self) -> str:
        """Where the company's notifications go (e.g. customers' answers to estimates): the
        notification address, else the tenant's main e-mail; "" when neither is set."""
        return self.notification_email or self.email


class Branch(TenantOwned):
    """A tenant's site with its own address and opening hours."""

    name = models.CharField(_("Name"), max_length=200, validators=[validate_single_line])
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=12, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    state = models.CharField(
        _("Bundesland"),
        max_length=2,
        choices=FederalState.choices,
        blank=True,
        help_text=_("Leer: aus der PLZ ermittelt. Bestimmt die Feiertage."),
    )
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # The branch's number in the back-office system: the API names branches by it (a name
    # may change, this key does not).
    external_id = models.CharField(
        _("ID im Warenwirtschaftssystem"),
        max_length=100,
        blank=True,
        help_text=_("Nummer des Betriebs im eigenen System; die Schnittstelle nutzt sie."),
    )

    class Meta:
        verbose_name = _("Betrieb")
        verbose_name_plural = _("Betriebe")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"], name="branch_name_unique_per_tenant"
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="branch_external_id_unique_per_tenant",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_line(self) -> str:
        return ", ".join(p for p in [self.street, f"{self.postal_code} {self.city}".strip()] if p)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Montag")
    TUESDAY = 1, _("Dienstag")
    WEDNESDAY = 2, _("Mittwoch")
    THURSDAY = 3, _("Donnerstag")
    FRIDAY = 4, _("Freitag")
    SATURDAY = 5, _("Samstag")
    SUNDAY = 6, _("Sonntag")


class OpeningHours(TenantOwned):
    """One opening interval of a branch on a weekday; a lunch break means two rows."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("Wochentag"), choices=Weekday.choices)
    opens = models.TimeField(_("von"))
    closes = models.TimeField(_("bis"))

    class Meta:
        verbose_name = _("Öffnungszeit")
        verbose_name_plural = _("Öffnungszeiten")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_closes_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def contains(self, moment: datetime.time) -> bool:
        return self.opens <= moment < self.closes


class LegalTextKind(models.TextChoices):
    TERMS = "terms", _("Geschäftsbedingungen")
    PRIVACY = "privacy", _("Datenschutzerklärung")


# The public pages' path segment of each kind (German, like the other customer URLs).
LEGAL_TEXT_PATHS = {LegalTextKind.TERMS: "agb", LegalTextKind.PRIVACY: "datenschutz"}


class LegalText(TenantOwned):
    """One published version of a tenant's terms or privacy policy.

    A new text is a new row with the next number; a published row is never changed, so
    whatever a customer accepted can be shown again word for word.
    """

    kind = models.CharField(_("Art"), max_length=20, choices=LegalTextKind.choices)
    version = models.PositiveIntegerField(_("Fassung"))
    body = models.TextField(_("Text"))
    published_at = models.DateTimeField(_("Veröffentlicht am"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Veröffentlicht von"),
    )

    class Meta:
        verbose_name = _("Rechtstext")
        verbose_name_plural = _("Rechtstexte")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "version"], name="legal_text_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="legal_text_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"

    def get_absolute_url(self) -> str:
        """The public page of exactly this version."""
        path = LEGAL_TEXT_PATHS[LegalTextKind(self.kind)]
        return reverse(
            "tenant_pages:legal_text_version", args=[self.tenant.slug, path, self.version]
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Acceptances point at these rows: changing one would change what was agreed to.
        if not self._state.adding:
            raise ValueError("a published legal text is never changed; publish a new version")
        super().save(*args, **kwargs)


class LegalConsentRecord(models.Model):
    """The fields of a row that records an acceptance of the terms and privacy policy (an
    estimate decision, a booking, a registration): which versions, and when.

    A null version with a time: the tenant had published none, the customer saw Theke's
    default text. Set them with `theke.tenants.services.Consent.apply_to`.
    """

    terms_text = models.ForeignKey(
        LegalText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Akzeptierte Geschäftsbedingungen"),
    )
    privacy_text = models.ForeignKey(
        LegalText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Zur Kenntnis genommene Datenschutzerklärung"),
    )
    consented_at = models.DateTimeField(_("Bedingungen akzeptiert am"), null=True, blank=True)

    class Meta:
        abstract = True

    def consent_texts(self) -> list[tuple[str, LegalText | None]]:
        """(kind, version) of the texts accepted; a None version is the default text."""
        return [
            (LegalTextKind.TERMS, self.terms_text),
            (LegalTextKind.PRIVACY, self.privacy_text),
        ]

    @property
    def consent_summary(self) -> str:
        """One line for documents: which versions were accepted, and when ("" if none)."""
        if self.consented_at is None:
            return ""
        texts = []
        for kind, text in self.consent_texts():
            version = (
                _("Fassung %(version)s") % {"version": text.version}
                if text is not None
                else _("Standardtext")
            )
            texts.append(f"{LegalTextKind(kind).label} {version}")
        when = formats.date_format(timezone.localtime(self.consented_at), "SHORT_DATETIME_FORMAT")
        return _("%(texts)s; bestätigt am %(when)s") % {"texts": ", ".join(texts), "when": when}
