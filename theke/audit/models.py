"""The append-only audit trail: who did what, to which object, when.

Journal entries and history events of the seeds are audit events. Rows can only be
inserted: the model refuses save-on-existing and delete, the queryset refuses update and
delete, and database triggers refuse UPDATE and DELETE for anything that slips past.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from theke.tenants.scoping import TenantOwned, TenantScopedManager


class AuditEventImmutableError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class ActorType(models.TextChoices):
    STAFF = "staff", _("Mitarbeiter")
    CONTACT = "contact", _("Kunde")
    API_KEY = "api_key", _("API-Schlüssel")
    SYSTEM = "system", _("System")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutableError("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditEventImmutableError("audit events cannot be deleted")

    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


AuditEventManager = TenantScopedManager.from_queryset(AuditEventQuerySet)


class AuditEvent(TenantOwned):
    actor_type = models.CharField(_("Art des Akteurs"), max_length=10, choices=ActorType.choices)
    actor_user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Contacts and API keys may be removed later; their label keeps the event readable.
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(_("Akteur"), max_length=200, blank=True)
    action = models.CharField(_("Aktion"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    object_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("Zeitpunkt"), db_index=True)

    objects = AuditEventManager()  # type: ignore[misc]  # narrows the inherited manager

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant", "content_type", "object_id", "-created_at"],
                name="audit_object_timeline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditEventImmutableError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutableError("audit events cannot be deleted")


class FeedEvent(TenantOwned):
    """One entry of the tenant's event feed, written by `theke.audit.feed.emit_event`.

    The API serves the feed (GET /api/v1/events) and delivers it as webhooks. The table keeps
    the name it had when the model lived in the API app.
    """

    type = models.CharField(_("Typ"), max_length=100)
    subject_type = models.CharField(_("Objektart"), max_length=50)
    external_id = models.CharField(_("Externe ID"), max_length=100, blank=True)
    payload = models.JSONField(_("Daten"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("Erstellt am"), auto_now_add=True)

    class Meta:
        db_table = "api_apievent"
        ordering = ["pk"]
        indexes = [models.Index(fields=["tenant", "id"], name="api_event_tenant_id")]
        verbose_name = _("Ereignis")
        verbose_name_plural = _("Ereignisse")

    def __str__(self) -> str:
        return f"{self.type} {self.external_id}".strip()
