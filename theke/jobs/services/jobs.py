"""Jobs: starting one, saving a phase's view, activating a phase, assigning it.

Each change locks the job, checks it still is where the user saw it (two tabs: one outcome),
and in one transaction writes the values, a history line per changed field (JobChange), the
audit event, the feed event and the outbox rows of the phase's message.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import CustomerAccount, User
from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import SYSTEM, Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import Contact, Customer, Vehicle
from theke.jobs.definition import Compiled, Definition, FieldDef, PhaseDef
from theke.jobs.models import (
    ARCHIVED_STATUSES,
    ActorKind,
    FieldType,
    Job,
    JobChange,
    JobStatus,
    Origin,
    View,
    Waiting,
    Workflow,
    WorkflowVersion,
)
from theke.jobs.services import sending
from theke.jobs.services.files import Upload, store_upload
from theke.jobs.services.workflows import version_compiled
from theke.jobs.values import (
    default_value,
    display,
    is_empty,
    put,
    required_message,
    rule_values,
    stored,
)
from theke.tenants.models import Branch, Tenant
from theke.tenants.scoping import tenant_scope

NUMBER_PREFIX = "J"


# --- who changes a job ----------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """Who changes a job: the audit actor plus what the job's history shows."""

    actor: Actor
    kind: str
    name: str
    user: User | None = None

    @classmethod
    def staff(cls, user: User) -> Who:
        return cls(Actor.staff(user), ActorKind.STAFF, str(user), user)

    @classmethod
    def customer(cls, contact: Contact | None, account: CustomerAccount | None = None) -> Who:
        if account is not None:
            label = f"{account.first_name} {account.last_name}".strip() or account.email
            actor = Actor(ActorType.CONTACT, id=f"customer-account:{account.pk}", label=label)
            return cls(actor, ActorKind.CUSTOMER, label)
        name = str(contact) if contact is not None else str(_("Kunde"))
        actor = Actor.contact(contact) if contact is not None else Actor(ActorType.CONTACT)
        return cls(actor, ActorKind.CUSTOMER, name)

    @classmethod
    def api(cls, actor: Actor) -> Who:
        return cls(actor, ActorKind.API, actor.label or str(_("Schnittstelle")))


SYSTEM_WHO = Who(SYSTEM, ActorKind.SYSTEM, "System")


# --- reading a job --------------------------------------------------------------------------


def compiled_of(job: Job) -> Compiled:
    return version_compiled(job.version)


def branch_names(tenant: Tenant) -> dict[int, str]:
    with tenant_scope(tenant):
        return dict(Branch.objects.filter(tenant=tenant).values_list("pk", "name"))


def values_for_rules(
    job: Job,
    *,
    logged_in: bool,
    overrides: Mapping[str, Any] | None = None,
    names: Mapping[int, str] | None = None,
) -> dict[str, object]:
    return rule_values(
        job,
        compiled_of(job).definition,
        logged_in=logged_in,
        branch_names=names if names is not None else branch_names(job.tenant),
        overrides=overrides,
    )


def current_phase(job: Job) -> PhaseDef:
    phase = compiled_of(job).definition.phase(job.phase_key)
    if phase is None:  # versions are immutable and jobs move only with a mapping
        raise ServiceError(_("Die Phase dieses Jobs gibt es nicht mehr."), None, code="phase")
    return phase


def was_saved(job: Job, phase_key: str, view: str) -> bool:
    return f"{phase_key}:{view}" in job.saved


def messages_allowed(job: Job) -> bool:
    """No messages for a job whose messages are suppressed, or that is closed or canceled."""
    return not job.suppress_messages and job.status not in ARCHIVED_STATUSES


# --- numbers and links ----------------------------------------------------------------------


def _next_number(tenant: Tenant, today: datetime.date) -> str:
    # The caller holds the tenant row's lock: numbers are handed out one at a time.
    prefix = f"{NUMBER_PREFIX}-{today.year}-"
    last = (
        Job.objects.filter(tenant=tenant, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    current = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
    return f"{prefix}{current + 1:05d}"


# --- history --------------------------------------------------------------------------------


def _change(
    job: Job, who: Who, phase: PhaseDef | None, key: str, label: str, old: str, new: str
) -> JobChange:
    return JobChange(
        tenant=job.tenant,
        job=job,
        at=timezone.now(),
        actor_kind=who.kind,
        actor_name=who.name[:200],
        user=who.user,
        phase_key=phase.key if phase else "",
        phase_name=phase.name if phase else "",
        field_key=key,
        field_label=label[:200],
        old=old,
        new=new,
    )


# --- messages -------------------------------------------------------------------------------


def _phase_message(job: Job, phase: PhaseDef, now: datetime.datetime) -> None:
    """Queue the phase's message (e-mail, and SMS if chosen) unless messages are off."""
    if not phase.message or not messages_allowed(job):
        return
    sending.send_phase_message(job, phase, now)


# --- starting a job -------------------------------------------------------------------------


@dataclass
class NewJob:
    """What a new job starts with, wherever it comes from."""

    customer: Customer
    origin: str
    contact: Contact | None = None
    vehicle: Vehicle | None = None
    title: str = ""
    assignee: User | None = None
    callback_phone: str = ""
    customer_message: str = ""
    external_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def _lock_tenant(tenant: Tenant) -> None:
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


def _initial_branch(new: NewJob) -> int | None:
    # Seed 004: the location is taken from the vehicle when the job starts.
    if new.vehicle is not None and new.vehicle.branch_id:
        return new.vehicle.branch_id
    return new.customer.branch_id


def _field_of_type(definition: Definition, kind: str) -> FieldDef | None:
    return next((f for f in definition.fields.values() if f.type == kind), None)


def start_job(
    workflow: Workflow,
    new: NewJob,
    who: Who,
    *,
    version: WorkflowVersion | None = None,
    test_owner: User | None = None,
) -> Job:
    """Start a job on the workflow's published version (a test version in the test mode)
    in its first due phase; that phase's message goes out as on every activation."""
    tenant = workflow.tenant
    version = version or workflow.published
    if version is None:
        raise ServiceError(
            _("Der Workflow „%(name)s“ ist noch nicht veröffentlicht.") % {"name": workflow.name},
            "workflow",
            code="unpublished",
        )
    if new.customer.tenant_id != tenant.pk:
        raise ServiceError(_("Diesen Kunden gibt es nicht."), "customer", code="customer")
    now = timezone.now()
    made = version_compiled(version)
    definition = made.definition
    with tenant_scope(tenant), transaction.atomic():
        _lock_tenant(tenant)
        job = Job(
            tenant=tenant,
            number=_next_number(tenant, timezone.localdate()),
            title=new.title[:200],
            workflow=workflow,
            version=version,
            phase_key="",
            phase_activated_at=now,
            customer=new.customer,
            contact=new.contact or new.customer.contacts.order_by("pk").first(),
            vehicle=new.vehicle,
            branch_id=_initial_branch(new),
            assignee=new.assignee,
            origin=Origin.TEST if test_owner else new.origin,
            callback_phone=new.callback_phone,
            external_id=new.external_id,
            is_test=test_owner is not None,
            test_owner=test_owner,
        )
        for item in definition.fields.values():
            initial = default_value(item)
            if initial is not None:
                put(job, item, initial)
        message_field = _field_of_type(definition, FieldType.CUSTOMER_MESSAGE)
        if new.customer_message and message_field is not None:
            job.values[message_field.key] = new.customer_message
        for key, value in new.values.items():
            if key in definition.fields:
                put(job, definition.fields[key], value)
        values = rule_values(job, definition, logged_in=False, branch_names=branch_names(tenant))
        first = made.first_due(values)
        if first is None:
            raise ServiceError(
                _("Keine Phase des Workflows trifft auf diesen Job zu."), None, code="no_phase"
            )
        job.phase_key = first.key
        job.waiting_for = _waiting_for(made, first, values)
        job.save(force_insert=True)
        _change(job, who, first, "phase", str(_("Phase")), "", first.name).save()
        record(tenant, who.actor, "job.created", job, {"origin": job.origin, "phase": first.key})
        if not job.is_test:
            emit_event(
                tenant,
                "job.created",
                subject_type="job",
                external_id=job.external_id,
                payload=job_payload(job, first),
            )
        _phase_message(job, first, now)
    return job


def _waiting_for(made: Compiled, phase: PhaseDef, values: Mapping[str, object]) -> str:
    """A phase whose customer view offers a save button waits for the customer."""
    for shown in made.shown(phase, View.CUSTOMER, values):
        if shown.visible and shown.field.type == FieldType.SAVE_BUTTON:
            return Waiting.CUSTOMER
    return Waiting.STAFF


def job_payload(job: Job, phase: PhaseDef | None = None) -> dict[str, Any]:
    """What the feed tells the back office about a job."""
    return {
        "number": job.number,
        "external_id": job.external_id,
        "workflow": job.workflow.name,
        "phase": job.phase_key,
        "phase_name": phase.name if phase else job.phase_key,
        "status": job.status,
        "customer": job.customer.external_id,
        "customer_number": job.customer.number,
        "origin": job.origin,
    }


# --- activating a phase ---------------------------------------------------------------------


def _lock(job: Job) -> Job:
    return (
        Job.objects.select_for_update(of=("self",))
        .select_related("version", "workflow", "customer", "contact")
        .get(pk=job.pk)
    )


def _refuse_archived(job: Job) -> None:
    if job.status in ARCHIVED_STATUSES:
        raise ServiceError(
            _("Der Job ist %(status)s und im Archiv: er lässt sich nicht mehr bearbeiten.")
            % {"status": JobStatus(job.status).label},
            None,
            code="archived",
        )


def _refuse_moved(job: Job, expected_phase: str) -> None:
    if job.phase_key != expected_phase:
        phase = compiled_of(job).definition.phase(job.phase_key)
        raise ServiceError(
            _(
                "Der Job ist inzwischen in der Phase „%(phase)s“. Bitte laden Sie die Seite neu; "
                "Ihre Eingaben wurden nicht gespeichert."
            )
            % {"phase": phase.name if phase else job.phase_key},
            None,
            code="moved",
        )


def activate_phase(job: Job, phase_key: str, who: Who, *, expected_phase: str) -> Job:
    """Make `phase_key` the job's current phase (staff do this by hand) and send its message.

    A phase whose condition does not hold is obsolete and refused, with the reason."""
    with tenant_scope(job.tenant), transaction.atomic():
        locked = _lock(job)
        _refuse_moved(locked, expected_phase)
        _refuse_archived(locked)
        made = compiled_of(locked)
        target = made.definition.phase(phase_key)
        if target is None:
            raise ServiceError(_("Diese Phase gibt es nicht."), "phase", code="phase")
        if target.key == locked.phase_key:
            raise ServiceError(_("Diese Phase ist schon aktiv."), "phase", code="same")
        values = values_for_rules(locked, logged_in=False)
        if not made.applies(target, values):
            raise ServiceError(
                _("Die Phase „%(phase)s“ entfällt für diesen Job, weil %(reason)s.")
                % {"phase": target.name, "reason": made.why_skipped(target, values)},
                "phase",
                code="obsolete",
            )
        _enter(locked, made, target, who, values)
    return locked


def _enter(
    job: Job, made: Compiled, target: PhaseDef, who: Who, values: Mapping[str, object]
) -> None:
    """Move the locked job into `target`: history, events, message (caller holds the lock)."""
    now = timezone.now()
    old = made.definition.phase(job.phase_key)
    job.phase_key = target.key
    job.phase_activated_at = now
    job.waiting_for = _waiting_for(made, target, values)
    job.save(update_fields=["phase_key", "phase_activated_at", "waiting_for", "updated_at"])
    _change(job, who, target, "phase", str(_("Phase")), old.name if old else "", target.name).save()
    record(job.tenant, who.actor, "job.phase_activated", job, {"phase": target.key})
    if not job.is_test:
        emit_event(
            job.tenant,
            "job.phase_activated",
            subject_type="job",
            external_id=job.external_id,
            payload=job_payload(job, target),
        )
    _phase_message(job, target, now)


# --- saving a view --------------------------------------------------------------------------


class FieldErrors(ServiceError):
    """Input refused field by field (key -> message), e.g. required fields left empty."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(
            _("Bitte prüfen Sie die markierten Felder."), None, code="fields", params=None
        )
        self.errors = dict(errors)


@dataclass
class Saved:
    job: Job
    changes: list[JobChange]


def save_view(
    job: Job,
    *,
    view: str,
    expected_phase: str,
    submitted: Mapping[str, Any],
    who: Who,
    logged_in: bool = False,
) -> Saved:
    """Save what a view's editable, visible fields hold (`submitted`: field key -> value as
    the form cleaned it; files and payments are stored by their own services first).

    Visibility is judged with the values being saved, so a box that hides a field in the
    same form works; hidden fields keep their value and never block saving.
    """
    with tenant_scope(job.tenant), transaction.atomic():
        locked = _lock(job)
        _refuse_moved(locked, expected_phase)
        _refuse_archived(locked)
        made = compiled_of(locked)
        phase = current_phase(locked)
        names = branch_names(locked.tenant)
        values = values_for_rules(locked, logged_in=logged_in, overrides=submitted, names=names)
        shown = made.shown(phase, view, values, sent=was_saved(locked, phase.key, view))
        if view == View.CUSTOMER and not any(
            s.visible and s.field.type == FieldType.SAVE_BUTTON for s in shown
        ):
            raise ServiceError(
                _("In dieser Phase gibt es für Sie nichts zu speichern."), None, code="no_save"
            )
        errors = {
            s.field.key: required_message(s.field, s.label)
            for s in shown
            if s.required and is_empty(s.field, submitted.get(s.field.key, stored(locked, s.field)))
        }
        if errors:
            raise FieldErrors(errors)
        status_before = locked.status
        changes = []
        for s in shown:
            if not s.editable or s.field.key not in submitted:
                continue
            old = stored(locked, s.field)
            new = submitted[s.field.key]
            if isinstance(new, Upload):
                new = store_upload(locked, s.field.key, new, who.name)
            if old == new or (is_empty(s.field, old) and is_empty(s.field, new)):
                continue
            put(locked, s.field, new)
            changes.append(
                _change(
                    locked,
                    who,
                    phase,
                    s.field.key,
                    s.label,
                    display(s.field, old, names),
                    display(s.field, new, names),
                )
            )
        now = timezone.now()
        locked.saved[f"{phase.key}:{view}"] = now.isoformat()
        if view == View.CUSTOMER:
            locked.waiting_for = Waiting.STAFF
        if locked.status != status_before:
            locked.closed_at = now if locked.status in ARCHIVED_STATUSES else None
        locked.save()
        JobChange.objects.bulk_create(changes)
        record(
            locked.tenant,
            who.actor,
            "job.saved",
            locked,
            {"view": view, "phase": phase.key, "fields": [c.field_key for c in changes]},
        )
        if locked.is_test:
            return Saved(locked, changes)
        if view == View.CUSTOMER:
            emit_event(
                locked.tenant,
                "job.customer_saved",
                subject_type="job",
                external_id=locked.external_id,
                payload={
                    **job_payload(locked, phase),
                    "fields": {c.field_key: c.new for c in changes},
                },
            )
            sending.tell_staff_customer_saved(locked, phase, changes)
        if locked.status != status_before:
            emit_event(
                locked.tenant,
                "job.status_changed",
                subject_type="job",
                external_id=locked.external_id,
                payload={**job_payload(locked, phase), "previous_status": status_before},
            )
    return Saved(locked, changes)


# --- assigning ------------------------------------------------------------------------------


def assign(job: Job, assignee: User | None, who: Who) -> Job:
    """Give the job to a staff member (or to nobody)."""
    with tenant_scope(job.tenant), transaction.atomic():
        locked = _lock(job)
        if locked.assignee_id == (assignee.pk if assignee else None):
            return locked
        old = str(locked.assignee) if locked.assignee_id else ""
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        _change(
            locked, who, None, "assignee", str(_("Bearbeiter")), old, str(assignee or "")
        ).save()
        record(locked.tenant, who.actor, "job.assigned", locked, {"assignee": str(assignee or "")})
    return locked
