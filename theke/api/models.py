"""API keys of a tenant and the stored responses of idempotent POSTs."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    response_body = models.BinaryField(default=b"")
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


class ApiEvent(TenantOwned):
    """One entry of the tenant's event feed (GET /api/v1/events), written by emit_event."""

    type = models.CharField(_("Typ"), max_length=100)
    subject_type = models.CharField(_("Objektart"), max_length=50)
    external_id = models.CharField(_("Externe ID"), max_length=100, blank=True)
    payload = models.JSONField(_("Daten"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("Erstellt am"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["tenant", "id"], name="api_event_tenant_id")]
        verbose_name = _("API-Ereignis")
        verbose_name_plural = _("API-Ereignisse")

    def __str__(self) -> str:
        return f"{self.type} {self.external_id}".strip()
