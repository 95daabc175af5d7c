"""The one helper that writes audit events. Services call it inside their transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from theke.audit.models import ActorType, AuditEvent
from theke.tenants.models import Tenant


@dataclass(frozen=True)
class Actor:
    """Who caused a change: a staff user, a customer contact, an API key or the system."""

    type: str
    user_id: int | None = None
    id: str = ""
    label: str = ""

    @classmethod
    def staff(cls, user: Any) -> Actor:
        return cls(ActorType.STAFF, user_id=user.pk, id=str(user.pk), label=str(user))

    @classmethod
    def contact(cls, contact: Any) -> Actor:
        return cls(ActorType.CONTACT, id=str(contact.pk), label=str(contact))

    @classmethod
    def api_key(cls, key_id: Any, name: str) -> Actor:
        return cls(ActorType.API_KEY, id=str(key_id), label=name)


SYSTEM = Actor(ActorType.SYSTEM, label="System")


def record(
    tenant: Tenant,
    actor: Actor,
    action: str,
    subject: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event, e.g. record(t, Actor.staff(u), "customer.created", customer)."""
    event = AuditEvent(
        tenant=tenant,
        actor_type=actor.type,
        actor_user_id=actor.user_id,
        actor_id=actor.id,
        actor_label=actor.label[:200],
        action=action,
        data=data or {},
        created_at=timezone.now(),
    )
    if subject is not None:
        event.content_type = ContentType.objects.get_for_model(subject)
        event.object_id = str(subject.pk)
        event.object_label = str(subject)[:200]
    event.save(force_insert=True)
    return event


def timeline(*subjects: models.Model, limit: int = 200) -> list[AuditEvent]:
    """The events of one or more objects, newest first (the current tenant's scope applies)."""
    about_any = models.Q(pk__in=[])
    for subject in subjects:
        about_any |= models.Q(
            content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
        )
    return list(AuditEvent.objects.filter(about_any).select_related("actor_user")[:limit])
