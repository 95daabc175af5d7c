"""State changes of appointments.

Every function runs in one transaction, locks the appointment it changes and writes one
audit event on it. The event's data hold the changed fields and a snapshot of the whole
appointment after the change, so the history can show it "as it looked then" (seed 002).

Two kinds of callers:

* The back office (REST API) and staff editing data call `create_appointment`,
  `update_appointment` and `cancel_appointment`. They emit no API event: the back office
  pushed the change itself and needs no echo.
* Staff decisions and the customer's answers the back office must learn about go through
  `services/workshop/` (propose, plan, reschedule, finalize, cancel, ...), which builds on
  `_update` here and emits the `appointment.*` feed events.

Refusals raise AppointmentError, a ServiceError naming the field at fault.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.models import (
    FINAL_STATUSES,
    MAX_MILEAGE_KM,
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    AppointmentWorkItem,
    BookableService,
)
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import Customer
from theke.tenants.models import Tenant

__all__ = [
    "TRANSITIONS",
    "AppointmentError",
    "WorkItem",
    "advisor_by_email",
    "cancel_appointment",
    "create_appointment",
    "event_payload",
    "total_cost",
    "upcoming_and_recent",
    "update_appointment",
    "work_items_of",
]

# The customer's data on the appointment (a converted lead's, seed 001) and a walk-in vehicle.
CONTACT_FIELDS = (
    "contact_salutation",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_mobile",
    "contact_street",
    "contact_postal_code",
    "contact_city",
)
WALK_IN_FIELDS = ("walk_in_vin", "walk_in_license_plate", "walk_in_make", "walk_in_model")
APPOINTMENT_FIELDS = frozenset(
    {
        "external_id",
        "source",
        "status",
        "customer",
        "vehicle",
        "branch",
        "advisor",
        "start",
        "end",
        "work_items",
        "notes",
        "mileage_km",
        "customer_waits",
        "replacement_car",
        "estimated_cost",
        *CONTACT_FIELDS,
        *WALK_IN_FIELDS,
        "update_master_data",
        "confirmed_at",
        "overbooked",
        "workshop_time_confirmed",
        "work_order_ready",
        "parts_ready",
        "no_show_at",
        "counter_proposal_note",
        "counter_proposal_at",
    }
)
FOREIGN_KEYS = ("customer", "vehicle", "branch", "advisor")
TEXT_FIELDS = frozenset(
    {"external_id", "notes", "counter_proposal_note", *CONTACT_FIELDS, *WALK_IN_FIELDS}
) - {"contact_mobile"}
BOOLEAN_FIELDS = frozenset(
    {
        "customer_waits",
        "replacement_car",
        "update_master_data",
        "overbooked",
        "workshop_time_confirmed",
        "work_order_ready",
        "parts_ready",
    }
)
OPTIONAL_MOMENTS = frozenset({"confirmed_at", "no_show_at", "counter_proposal_at"})
MAX_WORK_ITEMS = 50
WORK_ITEM_TEXT_LIMIT = 10_000
MAX_COST = Decimal("99999999.99")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class WorkItem:
    """One work item as the services take it ("Arbeitsposition": text, cost, service)."""

    text: str
    cost: Decimal | None = None
    service_id: int | None = None

    def plain(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "cost": str(self.cost) if self.cost is not None else None,
            "service_id": self.service_id,
        }


def work_items_of(appointment: Appointment) -> list[WorkItem]:
    """The appointment's work items as values (prefetched `work_items` are used)."""
    return [
        WorkItem(item.text, item.cost, item.service_id) for item in appointment.work_items.all()
    ]


def total_cost(appointment: Appointment) -> Decimal | None:
    """The total the customer is told: "Gesamtkosten" when set, else the items' sum."""
    if appointment.estimated_cost is not None:
        return appointment.estimated_cost
    costs = [item.cost for item in appointment.work_items.all() if item.cost is not None]
    return sum(costs, Decimal("0")) if costs else None


S = AppointmentStatus
# Which status may follow which. Finalized and cancelled are final: the back office makes
# a new appointment instead of reviving one (its history stays as it was).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.PROPOSED, S.PLANNED, S.CANCELLED}),
    # Back to "Angefragt" when the customer asks for another time or the proposal expires.
    S.PROPOSED: frozenset({S.REQUESTED, S.PLANNED, S.CANCELLED}),
    # A planned appointment may be offered anew (another time proposed to the customer), or
    # go back to "Angefragt" when the customer asks for another time on their page.
    S.PLANNED: frozenset({S.REQUESTED, S.PROPOSED, S.FINALIZED, S.CANCELLED}),
    S.FINALIZED: frozenset(),
    S.CANCELLED: frozenset(),
}


class AppointmentError(ServiceError):
    """A refused change of an appointment; `field` names the input at fault, or None."""


# --- helpers ------------------------------------------------------------------------------


def _check_fields(values: Mapping[str, Any]) -> None:
    unknown = set(values) - APPOINTMENT_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _plain(value: Any) -> Any:
    """A JSON-friendly, comparable form of a field value for audit data."""
    if isinstance(value, datetime.datetime):
        return _iso(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _ref(obj: models.Model | None) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "label": str(obj)}


def _snapshot(appointment: Appointment) -> dict[str, Any]:
    """The whole appointment as it is now, for the history "as it looked then"."""
    return {
        "version": appointment.version,
        "external_id": appointment.external_id,
        "status": appointment.status,
        "source": appointment.source,
        "customer": _ref(appointment.customer),
        "vehicle": _ref(appointment.vehicle),
        "branch": _ref(appointment.branch),
        "advisor": _ref(appointment.advisor),
        "start": _iso(appointment.start),
        "end": _iso(appointment.end),
        "work_items": [item.plain() for item in work_items_of(appointment)],
        "notes": appointment.notes,
        "mileage_km": appointment.mileage_km,
        "customer_waits": appointment.customer_waits,
        "replacement_car": appointment.replacement_car,
        "estimated_cost": _plain(appointment.estimated_cost),
        **{name: str(getattr(appointment, name)) for name in (*CONTACT_FIELDS, *WALK_IN_FIELDS)},
        "update_master_data": appointment.update_master_data,
        "confirmed_at": _iso(appointment.confirmed_at),
        "overbooked": appointment.overbooked,
        "workshop_time_confirmed": appointment.workshop_time_confirmed,
        "work_order_ready": appointment.work_order_ready,
        "parts_ready": appointment.parts_ready,
        "no_show_at": _iso(appointment.no_show_at),
        "counter_proposal_note": appointment.counter_proposal_note,
    }


def _datetime(value: Any, field: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise AppointmentError(
            _("Bitte geben Sie Datum und Uhrzeit an."), field, "invalid_datetime"
        )
    if timezone.is_naive(value):
        raise AppointmentError(
            _("Bitte geben Sie die Uhrzeit mit Zeitzone an."), field, "naive_datetime"
        )
    return value


def _mileage(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MILEAGE_KM:
        raise AppointmentError(
            _("Der Kilometerstand muss eine ganze Zahl zwischen 0 und %(maximum)s sein.")
            % {"maximum": MAX_MILEAGE_KM},
            "mileage_km",
            "invalid_mileage",
        )
    return value


def _cost(value: Any, field: str = "estimated_cost") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 <= number <= MAX_COST:
        raise AppointmentError(
            _("Die Kosten müssen ein Betrag zwischen 0 und %(maximum)s sein.")
            % {"maximum": MAX_COST},
            field,
            "invalid_cost",
        )
    return number.quantize(CENT)


def _work_items(value: Any) -> list[WorkItem]:
    """Work items from WorkItem values or mappings (text, cost, service_id); empty texts
    without a cost are dropped (an empty form row)."""
    items: list[WorkItem] = []
    for raw in value or ():
        if isinstance(raw, WorkItem):
            text, cost, service_id = raw.text, raw.cost, raw.service_id
        else:
            text, cost, service_id = raw.get("text"), raw.get("cost"), raw.get("service_id")
        text = "" if text is None else str(text).strip()
        cost = _cost(cost, "work_items")
        if not text and cost is None:
            continue
        if not text:
            raise AppointmentError(
                _("Bitte beschreiben Sie die Arbeit zu jedem Betrag."), "work_items", "no_text"
            )
        if len(text) > WORK_ITEM_TEXT_LIMIT:
            raise AppointmentError(
                _("Eine Arbeitsposition darf höchstens %(limit)s Zeichen lang sein.")
                % {"limit": WORK_ITEM_TEXT_LIMIT},
                "work_items",
                "too_long",
            )
        items.append(WorkItem(text, cost, service_id))
    if len(items) > MAX_WORK_ITEMS:
        raise AppointmentError(
            _("Höchstens %(limit)s Arbeitspositionen.") % {"limit": MAX_WORK_ITEMS},
            "work_items",
            "too_many",
        )
    return items


def _normalize(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in TEXT_FIELDS:
            clean[key] = "" if value is None else str(value).strip()
        elif key in BOOLEAN_FIELDS:
            clean[key] = bool(value)
        elif key in ("start", "end"):
            clean[key] = _datetime(value, key)
        elif key in OPTIONAL_MOMENTS:
            clean[key] = None if value is None else _datetime(value, key)
        elif key == "work_items":
            clean[key] = _work_items(value)
        elif key == "mileage_km":
            clean[key] = _mileage(value)
        elif key == "estimated_cost":
            clean[key] = _cost(value)
        else:
            clean[key] = value
    if "status" in clean and clean["status"] not in AppointmentStatus.values:
        raise AppointmentError(_("Unbekannter Status."), "status", "invalid_status")
    if "source" in clean and clean["source"] not in AppointmentSource.values:
        raise AppointmentError(_("Unbekannte Herkunft."), "source", "invalid_source")
    return clean


def _is_member(tenant: Tenant, user: User) -> bool:
    return (
        user.is_active
        and User.objects.filter(
            pk=user.pk, memberships__tenant=tenant, memberships__is_active=True
        ).exists()
    )


def advisor_by_email(tenant: Tenant, email: str) -> User:
    """The active staff user of `tenant` with this e-mail address (the API's advisor key)."""
    user = (
        User.objects.filter(
            email__iexact=email.strip(),
            is_active=True,
            memberships__tenant=tenant,
            memberships__is_active=True,
        )
        .order_by("pk")
        .first()
    )
    if user is None:
        raise AppointmentError(
            _("„%(email)s“ ist kein aktiver Mitarbeiter dieses Mandanten.") % {"email": email},
            "advisor",
            "not_a_member",
        )
    return user


def _check_references(
    tenant: Tenant, appointment: Appointment, changed: set[str], *, other_owner_ok: bool = False
) -> None:
    """References belong to the tenant; the vehicle to the customer; the advisor is staff.

    Only changed references are checked: a vehicle that changed keeper since does not make
    an old appointment unchangeable. `other_owner_ok`: staff confirmed a vehicle of another
    keeper (seed 001: the appointment shows a warning instead).
    """
    customer = appointment.customer
    if customer.tenant_id != tenant.pk:
        raise AppointmentError(_("Unbekannter Kunde."), "customer", "invalid_customer")
    branch = appointment.branch
    if "branch" in changed and branch is not None and branch.tenant_id != tenant.pk:
        raise AppointmentError(_("Unbekannter Betrieb."), "branch", "invalid_branch")
    vehicle = appointment.vehicle
    if changed & {"vehicle", "customer"} and vehicle is not None:
        if vehicle.tenant_id != tenant.pk:
            raise AppointmentError(_("Unbekanntes Fahrzeug."), "vehicle", "invalid_vehicle")
        if vehicle.customer_id != customer.pk and not other_owner_ok:
            raise AppointmentError(
                _("Das Fahrzeug gehört nicht zu diesem Kunden."), "vehicle", "foreign_vehicle"
            )
    advisor = appointment.advisor
    if "advisor" in changed and advisor is not None and not _is_member(tenant, advisor):
        raise AppointmentError(
            _("%(name)s ist kein aktiver Mitarbeiter dieses Mandanten.") % {"name": advisor},
            "advisor",
            "not_a_member",
        )


def _check_times(appointment: Appointment) -> None:
    if appointment.end <= appointment.start:
        raise AppointmentError(
            _("Das Ende des Termins muss nach seinem Beginn liegen."), "end", "end_before_start"
        )


def _full_clean(appointment: Appointment) -> None:
    """Model-level checks (lengths, choices); references were checked before."""
    try:
        appointment.full_clean(
            exclude=list(FOREIGN_KEYS), validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise AppointmentError(
            messages[0], None if field == NON_FIELD_ERRORS else field, "invalid"
        ) from exc


def _save(appointment: Appointment) -> None:
    """Save; an external id taken by a concurrent writer becomes an AppointmentError."""
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        raise AppointmentError(
            _("Die ID „%(external_id)s“ ist bereits vergeben.")
            % {"external_id": appointment.external_id},
            "external_id",
            "duplicate",
        ) from exc


def _lock(appointment: Appointment) -> Appointment:
    """The appointment row, locked; the scoped manager refuses other tenants' rows."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("tenant", "customer", "vehicle", "branch", "advisor")
        .get(pk=appointment.pk)
    )


def _assign(appointment: Appointment, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the values; return {field: [old, new]} for those that really changed."""
    changes: dict[str, list[Any]] = {}
    for key, new in values.items():
        if key == "work_items":
            old_items = work_items_of(appointment)
            if old_items != new:
                changes[key] = [
                    [item.plain() for item in old_items],
                    [item.plain() for item in new],
                ]
            continue
        if key in FOREIGN_KEYS:
            old_id = getattr(appointment, f"{key}_id")
            new_id = new.pk if new is not None else None
            if old_id != new_id:
                old = getattr(appointment, key)
                setattr(appointment, key, new)
                changes[key] = [_plain(old), _plain(new)]
            continue
        old = getattr(appointment, key)
        if _plain(old) == _plain(new) or (old in (None, "") and new in (None, "")):
            continue
        setattr(appointment, key, new)
        changes[key] = [_plain(old), _plain(new)]
    return changes


def _write_work_items(appointment: Appointment, items: Sequence[WorkItem]) -> None:
    """Replace the appointment's work items (services of other tenants are dropped)."""
    service_ids = {item.service_id for item in items if item.service_id is not None}
    own = set(
        BookableService.objects.filter(pk__in=service_ids, tenant=appointment.tenant_id)
        .values_list("pk", flat=True)
        .order_by()
    )
    AppointmentWorkItem.objects.filter(appointment=appointment).delete()
    AppointmentWorkItem.objects.bulk_create(
        AppointmentWorkItem(
            tenant_id=appointment.tenant_id,
            appointment=appointment,
            position=position,
            text=item.text,
            cost=item.cost,
            service_id=item.service_id if item.service_id in own else None,
        )
        for position, item in enumerate(items)
    )
    # The prefetched or cached items are stale now.
    getattr(appointment, "_prefetched_objects_cache", {}).pop("work_items", None)


def _final_error(status: str) -> AppointmentError:
    if status == AppointmentStatus.CANCELLED:
        message = _("Der Termin ist storniert und kann nicht mehr geändert werden.")
    else:
        message = _("Der Termin ist abgeschlossen und kann nicht mehr geändert werden.")
    return AppointmentError(message, "status", "final")


def _check_transition(old: str, new: str) -> None:
    if new != old and new not in TRANSITIONS[old]:
        raise AppointmentError(
            _("Ein Termin mit dem Status „%(old)s“ kann nicht auf „%(new)s“ gesetzt werden.")
            % {"old": AppointmentStatus(old).label, "new": AppointmentStatus(new).label},
            "status",
            "invalid_transition",
        )


def event_payload(appointment: Appointment) -> dict[str, Any]:
    """What an API event about the appointment tells the back office."""
    customer, vehicle, branch = appointment.customer, appointment.vehicle, appointment.branch
    return {
        "uid": str(appointment.uid),
        "status": appointment.status,
        "start": appointment.start,
        "end": appointment.end,
        "customer_external_id": customer.external_id or None,
        "vehicle_external_id": (vehicle.external_id or None) if vehicle else None,
        "branch_external_id": (branch.external_id or None) if branch else None,
        "advisor_email": appointment.advisor.email if appointment.advisor else None,
    }


# --- the back office and staff edits (no API event) ---------------------------------------


@transaction.atomic
def create_appointment(
    tenant: Tenant,
    actor: Actor,
    *,
    customer: Customer,
    start: datetime.datetime,
    end: datetime.datetime,
    other_owner_ok: bool = False,
    **values: Any,
) -> Appointment:
    """Create an appointment of a customer (status "planned" unless another is given).

    `other_owner_ok` allows a vehicle of another keeper (a converted lead, seed 001)."""
    values = {"customer": customer, "start": start, "end": end, **values}
    _check_fields(values)
    values = _normalize(values)
    items: list[WorkItem] = values.pop("work_items", [])
    appointment = Appointment(tenant=tenant, **values)
    _check_references(tenant, appointment, set(values), other_owner_ok=other_owner_ok)
    _check_times(appointment)
    _full_clean(appointment)
    _save(appointment)
    _write_work_items(appointment, items)
    record(tenant, actor, "appointment.created", appointment, {"snapshot": _snapshot(appointment)})
    _after_change(appointment)
    return appointment


def _default_action(appointment: Appointment, changes: Mapping[str, Any]) -> str:
    if "status" in changes:
        return f"appointment.{appointment.status}"
    if "confirmed_at" in changes and appointment.confirmed_at is not None:
        return "appointment.confirmed"
    return "appointment.updated"


def _after_change(appointment: Appointment) -> None:
    """What follows every change: the reminders follow the appointment's time and status."""
    from theke.appointments.services.reminders import sync_reminders

    sync_reminders(appointment)


def _update(
    appointment: Appointment,
    actor: Actor,
    values: Mapping[str, Any],
    *,
    other_owner_ok: bool = False,
    action: str | None = None,
) -> tuple[Appointment, dict[str, list[Any]]]:
    """Change the appointment under its lock; `action` names the audit event (default:
    `appointment.<status>` on a status change, else `appointment.updated`)."""
    _check_fields(values)
    clean = _normalize(values)
    appointment = _lock(appointment)
    tenant = appointment.tenant
    old_status = appointment.status
    changes = _assign(appointment, clean)
    if not changes:
        return appointment, changes
    if old_status in FINAL_STATUSES:
        raise _final_error(old_status)
    _check_transition(old_status, appointment.status)
    _check_references(tenant, appointment, set(changes), other_owner_ok=other_owner_ok)
    _check_times(appointment)
    _full_clean(appointment)
    appointment.version += 1
    _save(appointment)
    if "work_items" in changes:
        _write_work_items(appointment, clean["work_items"])
    if action is None:
        action = _default_action(appointment, changes)
    data = {"changes": changes, "snapshot": _snapshot(appointment)}
    record(tenant, actor, action, appointment, data)
    _after_change(appointment)
    if appointment.status == AppointmentStatus.CANCELLED:
        # Whoever cancels (staff, the customer, the back office): its lead says "Storniert".
        from theke.appointments.services.leads import mark_lead_of_cancelled_appointment

        mark_lead_of_cancelled_appointment(appointment, actor)
    return appointment, changes


@transaction.atomic
def update_appointment(
    appointment: Appointment, actor: Actor, *, other_owner_ok: bool = False, **values: Any
) -> Appointment:
    """Change an appointment; records only the fields that changed.

    A finalized or cancelled appointment refuses every change (an identical one is a no-op).
    `other_owner_ok`: staff confirmed a vehicle of another keeper (seed 001's warning).
    """
    return _update(appointment, actor, values, other_owner_ok=other_owner_ok)[0]


@transaction.atomic
def cancel_appointment(appointment: Appointment, actor: Actor) -> bool:
    """Cancel an appointment; False when it was cancelled already. Refused once finalized."""
    locked = _lock(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        return False
    _update(locked, actor, {"status": AppointmentStatus.CANCELLED})
    return True


# --- reading ------------------------------------------------------------------------------


def upcoming_and_recent(customer: Customer, limit: int = 10) -> list[Appointment]:
    """The customer's next appointments, then the latest past ones (the customer page)."""
    now = timezone.now()
    rows: QuerySet[Appointment] = (
        Appointment.objects.filter(customer=customer)
        .select_related("vehicle", "branch", "advisor")
        .prefetch_related("work_items")
    )
    upcoming = list(rows.filter(end__gte=now).order_by("start", "pk")[:limit])
    past = list(rows.filter(end__lt=now).order_by("-start", "-pk")[: max(limit - len(upcoming), 0)])
    return upcoming + past
