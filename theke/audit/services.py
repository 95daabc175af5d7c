"""The one helper that writes audit events. Services call it inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
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


def record_many(
    tenant: Tenant,
    actor: Actor,
    entries: Iterable[tuple[str, models.Model | None, dict[str, Any] | None]],
) -> int:
    """Append many events of one actor at once (bulk imports); each entry is
    (action, subject, data) as for record(). Saved subjects only. Returns the count.

    One prepared INSERT run for all rows: at a thousand events per API request, the ORM's
    per-row statement compilation would cost more than the rest of the request.
    """
    connection = connections[router.db_for_write(AuditEvent)]
    meta = AuditEvent._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    data_field = meta.get_field("data")
    common = {
        "tenant_id": tenant.pk,
        "actor_type": actor.type,
        "actor_user_id": actor.user_id,
        "actor_id": actor.id,
        "actor_label": actor.label[:200],
        "created_at": meta.get_field("created_at").get_db_prep_save(timezone.now(), connection),
    }
    rows = []
    for action, subject, data in entries:
        values = {
            **common,
            "action": action,
            "data": data_field.get_db_prep_save(data or {}, connection),
            "content_type_id": None,
            "object_id": "",
            "object_label": "",
        }
        if subject is not None:
            if subject.pk is None:
                raise ValueError("record_many() needs saved subjects")
            values["content_type_id"] = ContentType.objects.get_for_model(subject).pk
            values["object_id"] = str(subject.pk)
            values["object_label"] = str(subject)[:200]
        rows.append([values[field.attname] for field in fields])
    if rows:
        # Inserts only: the model and the database triggers still refuse changes.
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column or field.attname) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cursor:
            cursor.executemany(
                # Table and column names come from the model, never from input.
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )
    return len(rows)


def timeline(*subjects: models.Model, limit: int = 200) -> list[AuditEvent]:
    """The events of one or more objects, newest first (the current tenant's scope applies)."""
    about_any = models.Q(pk__in=[])
    for subject in subjects:
        about_any |= models.Q(
            content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
        )
    return list(AuditEvent.objects.filter(about_any).select_related("actor_user")[:limit])
