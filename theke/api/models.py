"""API keys of a tenant and the stored responses of idempotent POSTs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from theke.core.crypto import EncryptedBinaryField
from theke.tenants.scoping import TenantOwned


class ApiKey(TenantOwned):
    """A back-office system's credential; only the SHA-256 of the full key is stored."""

    name = models.CharField(_("Bezeichnung"), max_length=100)
    prefix = models.CharField(_("Präfix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erstellt von"),
    )
    created_at = models.DateTimeField(_("Erstellt am"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("Zuletzt verwendet"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API-Schlüssel")
        verbose_name_plural = _("API-Schlüssel")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(TenantOwned):
    """One Idempotency-Key of one tenant: the request it was first used for and its answer."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In Bearbeitung")
        DONE = "done", _("Erledigt")

    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # Encrypted at rest: a response may hold a live customer link (POST /estimates/…/link).
    response_body = EncryptedBinaryField(default=b"")
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="api_idempotency_tenant_key")
        ]
        verbose_name = _("Idempotenz-Schlüssel")
        verbose_name_plural = _("Idempotenz-Schlüssel")

    def __str__(self) -> str:
        return self.key


class DisableReason(models.TextChoices):
    MANUAL = "manual", _("Von Hand deaktiviert.")
    GONE = "gone", _("Der Empfänger hat mit HTTP 410 (Gone) geantwortet.")
    PRIVATE_ADDRESS = "private_address", _("Die Adresse zeigt auf ein privates oder lokales Netz.")
    FAILING = (
        "failing",
        _("Die Zustellung ist über mehr als einen Tag immer wieder fehlgeschlagen."),
    )


class WebhookEndpoint(TenantOwned):
    """A URL of the back office that receives the tenant's events, signed (Standard Webhooks).

    `secret` signs every delivery; after a rotation the previous secrets stay in
    `retired_secrets` ([{"secret", "expires_at"}]) and keep signing until they expire, so
    the receiver can switch without losing a delivery.
    """

    url = models.CharField(_("Adresse (URL)"), max_length=2000)
    description = models.CharField(_("Beschreibung"), max_length=200, blank=True)
    # Exact types ("estimate.accepted") or a prefix with a wildcard ("estimate.*"); empty: all.
    event_types = models.JSONField(_("Ereignistypen"), default=list, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    disabled_at = models.DateTimeField(_("Deaktiviert am"), null=True, blank=True)
    disabled_reason = models.CharField(
        _("Grund der Deaktivierung"), max_length=20, choices=DisableReason.choices, blank=True
    )
    # What the receiver or the address check said, as it was (not translated).
    disabled_detail = models.CharField(_("Einzelheiten"), max_length=500, blank=True)
    secret = models.CharField(max_length=100)
    retired_secrets = models.JSONField(default=list, blank=True)
    # Failed attempts in a row (any message); a successful delivery resets both.
    failure_count = models.PositiveIntegerField(_("Fehlversuche in Folge"), default=0)
    failing_since = models.DateTimeField(_("Fehlschläge seit"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("Zuletzt erfolgreich"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("Zuletzt fehlgeschlagen"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erstellt von"),
    )
    created_at = models.DateTimeField(_("Erstellt am"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "is_active"], name="api_webhook_active")]
        verbose_name = _("Webhook-Endpunkt")
        verbose_name_plural = _("Webhook-Endpunkte")

    def __str__(self) -> str:
        return self.description or self.url

    def accepts(self, event_type: str) -> bool:
        """Whether an event of this type goes to this endpoint (no types: every event)."""
        if not self.event_types:
            return True
        for wanted in self.event_types:
            if wanted == event_type:
                return True
            if wanted.endswith(".*") and event_type.startswith(wanted[:-1]):
                return True
        return False


class WebhookAttempt(TenantOwned):
    """One HTTP request of a webhook delivery (an outbox message): what the receiver said."""

    message = models.ForeignKey(
        "messaging.OutboundMessage", on_delete=models.CASCADE, related_name="webhook_attempts"
    )
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    url = models.CharField(_("Adresse (URL)"), max_length=2000)
    attempted_at = models.DateTimeField(_("Zeitpunkt"))
    duration_ms = models.PositiveIntegerField(_("Dauer (ms)"), default=0)
    response_status = models.PositiveSmallIntegerField(_("HTTP-Status"), null=True, blank=True)
    response_body = models.TextField(_("Antwort"), blank=True)
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        verbose_name = _("Zustellversuch")
        verbose_name_plural = _("Zustellversuche")

    def __str__(self) -> str:
        return f"{self.url} {self.response_status or self.error[:40]}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
