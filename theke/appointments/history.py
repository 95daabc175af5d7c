"""An appointment "as it looked then" (seed 002): its versions and one version's data.

Every change of an appointment records an audit event whose data hold the changed fields
and a snapshot of the whole appointment after the change (services.appointments._snapshot).
`AppointmentData` is what the staff page shows about an appointment, built either from the
live row or from such a snapshot, so the live page and an old version render through the
same template (`appointments/staff/_appointment_data.html`) and cannot drift apart.

Reading only: nothing here changes state.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.appointments.models import Appointment, AppointmentSource, AppointmentStatus
from theke.appointments.services.appointments import (
    CONTACT_FIELDS,
    WALK_IN_FIELDS,
    total_cost,
)
from theke.audit.models import AuditEvent
from theke.audit.presentation import ACTION_LABELS
from theke.core.formatting import money

__all__ = [
    "AppointmentData",
    "FieldChange",
    "ItemRow",
    "Version",
    "field_changes",
    "versions_of",
]

CHECKLIST_FIELDS = ("workshop_time_confirmed", "work_order_ready", "parts_ready")
# Statuses of older snapshots that no longer exist ("confirmed" is planned + confirmed_at).
LEGACY_STATUS_LABELS = {"confirmed": gettext_lazy("Bestätigt")}


@dataclass(frozen=True)
class ItemRow:
    """One work item as shown: its text and cost (None: no price given)."""

    text: str
    cost: Decimal | None = None


@dataclass(frozen=True)
class CheckItem:
    label: str
    done: bool


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _moment(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def _label(value: Any) -> str:
    """A reference of a snapshot ({"id", "label"}) or an old plain value, as text."""
    if isinstance(value, Mapping):
        return str(value.get("label") or "")
    return "" if value is None else str(value)


def status_label(value: str) -> str:
    if value in AppointmentStatus.values:
        return str(AppointmentStatus(value).label)
    return str(LEGACY_STATUS_LABELS.get(value, value))


def _source_label(value: str) -> str:
    return str(AppointmentSource(value).label) if value in AppointmentSource.values else value


def _checklist(values: Mapping[str, Any]) -> tuple[CheckItem, ...]:
    """The checklist, or () for snapshots from before it existed."""
    if not all(name in values for name in CHECKLIST_FIELDS):
        return ()
    return tuple(CheckItem(_field_label(name), bool(values[name])) for name in CHECKLIST_FIELDS)


@dataclass(frozen=True)
class AppointmentData:
    """What the staff appointment page shows about an appointment at one moment."""

    status: str
    status_label: str
    source_label: str
    start: datetime.datetime | None
    end: datetime.datetime | None
    branch: str
    advisor: str
    customer: str
    vehicle: str
    work_items: tuple[ItemRow, ...]
    # "Gesamtkosten" when staff set it, else the items' sum (None: no price at all).
    total_cost: Decimal | None
    mileage_km: int | None
    notes: str
    customer_waits: bool
    replacement_car: bool
    external_id: str
    confirmed_at: datetime.datetime | None
    overbooked: bool
    checklist: tuple[CheckItem, ...]
    no_show_at: datetime.datetime | None
    counter_proposal_note: str
    contact: dict[str, str]
    walk_in: dict[str, str]

    @property
    def duration_minutes(self) -> int:
        if self.start is None or self.end is None:
            return 0
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_final(self) -> bool:
        return self.status in (AppointmentStatus.FINALIZED, AppointmentStatus.CANCELLED)

    @property
    def has_contact(self) -> bool:
        return any(self.contact.values())

    @property
    def is_walk_in_vehicle(self) -> bool:
        return not self.vehicle and any(self.walk_in.values())

    @classmethod
    def from_appointment(cls, appointment: Appointment) -> AppointmentData:
        items = tuple(ItemRow(item.text, item.cost) for item in appointment.work_items.all())
        return cls(
            status=appointment.status,
            status_label=status_label(appointment.status),
            source_label=_source_label(appointment.source),
            start=appointment.start,
            end=appointment.end,
            branch=str(appointment.branch or ""),
            advisor=str(appointment.advisor or ""),
            customer=str(appointment.customer),
            vehicle=str(appointment.vehicle or ""),
            work_items=items,
            total_cost=total_cost(appointment),
            mileage_km=appointment.mileage_km,
            notes=appointment.notes,
            customer_waits=appointment.customer_waits,
            replacement_car=appointment.replacement_car,
            external_id=appointment.external_id,
            confirmed_at=appointment.confirmed_at,
            overbooked=appointment.overbooked,
            checklist=_checklist({name: getattr(appointment, name) for name in CHECKLIST_FIELDS}),
            no_show_at=appointment.no_show_at,
            counter_proposal_note=appointment.counter_proposal_note,
            contact={name: str(getattr(appointment, name) or "") for name in CONTACT_FIELDS},
            walk_in={name: getattr(appointment, name) for name in WALK_IN_FIELDS},
        )

    @classmethod
    def from_snapshot(cls, snapshot: Mapping[str, Any]) -> AppointmentData:
        """An audit snapshot's data; older snapshots (a single `work_description`, no
        checklist) are read as they were written."""
        raw_items = snapshot.get("work_items")
        if isinstance(raw_items, list):
            items = tuple(
                ItemRow(str(item.get("text") or ""), _decimal(item.get("cost")))
                for item in raw_items
                if isinstance(item, Mapping)
            )
        else:
            text = str(snapshot.get("work_description") or "")
            items = (ItemRow(text),) if text else ()
        total = _decimal(snapshot.get("estimated_cost"))
        if total is None:
            costs = [item.cost for item in items if item.cost is not None]
            total = sum(costs, Decimal("0")) if costs else None
        status = str(snapshot.get("status") or "")
        mileage = snapshot.get("mileage_km")
        return cls(
            status=status,
            status_label=status_label(status),
            source_label=_source_label(str(snapshot.get("source") or "")),
            start=_moment(snapshot.get("start")),
            end=_moment(snapshot.get("end")),
            branch=_label(snapshot.get("branch")),
            advisor=_label(snapshot.get("advisor")),
            customer=_label(snapshot.get("customer")),
            vehicle=_label(snapshot.get("vehicle")),
            work_items=items,
            total_cost=total,
            mileage_km=mileage if isinstance(mileage, int) else None,
            notes=str(snapshot.get("notes") or ""),
            customer_waits=bool(snapshot.get("customer_waits")),
            replacement_car=bool(snapshot.get("replacement_car")),
            external_id=str(snapshot.get("external_id") or ""),
            confirmed_at=_moment(snapshot.get("confirmed_at")),
            overbooked=bool(snapshot.get("overbooked")),
            checklist=_checklist(snapshot),
            no_show_at=_moment(snapshot.get("no_show_at")),
            counter_proposal_note=str(snapshot.get("counter_proposal_note") or ""),
            contact={name: str(snapshot.get(name) or "") for name in CONTACT_FIELDS},
            walk_in={name: str(snapshot.get(name) or "") for name in WALK_IN_FIELDS},
        )


# --- the versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One changed field of a version, in words: label, old value → new value."""

    name: str
    label: str
    old: str
    new: str


def _field_label(name: str) -> str:
    if name == "work_items":
        return _("Arbeitspositionen")
    if name == "work_description":  # older events
        return _("Leistungen / Arbeiten")
    try:
        return str(getattr(Appointment._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:  # an old event may name a field that is gone
        return name


def _show(name: str, value: Any) -> str:
    """A changed value as text (events store plain JSON values)."""
    if value is True:
        return _("ja")
    if value is False:
        return _("nein")
    if value in (None, "", []):
        return "–"
    if name == "status":
        return status_label(str(value))
    if name == "source":
        return _source_label(str(value))
    if name == "work_items" and isinstance(value, list):
        parts = []
        for item in value:
            if not isinstance(item, Mapping):
                continue
            cost = _decimal(item.get("cost"))
            text = str(item.get("text") or "")
            parts.append(f"{text} ({money(cost)})" if cost is not None else text)
        return "; ".join(parts) or "–"
    if name == "estimated_cost":
        amount = _decimal(value)
        return money(amount) if amount is not None else str(value)
    moment = _moment(value) if isinstance(value, str) and "T" in value else None
    if moment is not None:
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    return str(value)


def field_changes(changes: Any) -> list[FieldChange]:
    """The changes of an audit event ({field: [old, new]}) with German labels."""
    if not isinstance(changes, Mapping):
        return []
    rows = []
    for name, pair in changes.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        rows.append(
            FieldChange(name, _field_label(name), _show(name, pair[0]), _show(name, pair[1]))
        )
    return rows


@dataclass(frozen=True)
class Version:
    """One version of an appointment: the event that made it and the data it left."""

    number: int
    event: AuditEvent
    label: str
    changes: list[FieldChange]
    snapshot: Mapping[str, Any]

    @property
    def actor(self) -> str:
        return self.event.actor_label or str(self.event.get_actor_type_display())

    @property
    def data(self) -> AppointmentData:
        return AppointmentData.from_snapshot(self.snapshot)


def versions_of(appointment: Appointment) -> list[Version]:
    """The appointment's versions, oldest first, numbered from 1: every audit event on it
    that left a snapshot (events without one, e.g. a message sent, change nothing)."""
    events = (
        AuditEvent.objects.for_object(appointment)
        .select_related("actor_user")
        .order_by("created_at", "id")
    )
    versions: list[Version] = []
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        snapshot = data.get("snapshot")
        if not isinstance(snapshot, dict):
            continue
        versions.append(
            Version(
                number=len(versions) + 1,
                event=event,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                changes=field_changes(data.get("changes")),
                snapshot=snapshot,
            )
        )
    return versions
