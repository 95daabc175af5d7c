"""Jobs: starting one, saving a phase's view, activating a phase, assigning it.

Each change locks the job, checks it still is where the user saw it (two tabs: one outcome),
and in one transaction writes the values, a history line per changed field (JobChange), the
audit event, the feed event and the outbox rows of the phase's message.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

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
        """An API key; the history shows "API-Schlüssel <name of the key>"."""
        name = _("API-Schlüssel %(name)s") % {"name": actor.label} if actor.label else ""
        return cls(actor, ActorKind.API, name or str(_("Schnittstelle")))


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
        _store_changes(locked, who, changes, status_before, view=view, phase_key=phase.key)
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
        _status_event(locked, phase, status_before)
    return Saved(locked, changes)


def _store_changes(
    locked: Job,
    who: Who,
    changes: list[JobChange],
    status_before: str,
    *,
    view: str,
    phase_key: str,
) -> None:
    """Save the job with its history lines and audit which fields changed; a job that
    enters or leaves the archive gets or loses its archiving time."""
    if locked.status != status_before:
        locked.closed_at = timezone.now() if locked.status in ARCHIVED_STATUSES else None
    locked.save()
    JobChange.objects.bulk_create(changes)
    fields = [c.field_key for c in changes]
    record(
        locked.tenant,
        who.actor,
        "job.saved",
        locked,
        {"view": view, "phase": phase_key, "fields": fields},
    )


def _status_event(job: Job, phase: PhaseDef | None, status_before: str) -> None:
    """`job.status_changed` when a save changed a real job's status."""
    if job.status == status_before or job.is_test:
        return
    emit_event(
        job.tenant,
        "job.status_changed",
        subject_type="job",
        external_id=job.external_id,
        payload={**job_payload(job, phase), "previous_status": status_before},
    )


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


# --- api ------------------------------------------------------------------------------------
#
# The back office sets field values through the API (theke.jobs.api). It is neither the
# staff view nor the customer's: any field of the job's version may be set, each value checked
# by its field's type, and the history, the audit and the feed see it like a save.

# Values made by an action of their own (uploads, documents, payments) or none at all.
API_NOT_SETTABLE = frozenset(
    {
        FieldType.FILE,
        FieldType.DOCUMENT_SAVE,
        FieldType.DOCUMENT_SHOW,
        FieldType.PAYMENT,
        FieldType.SAVE_BUTTON,
    }
)
API_MAX_TEXT = 500
API_MAX_TEXTAREA = 5000
API_MAX_EXTRAS = 50


def _refuse(message: str, **params: object) -> ServiceError:
    return ServiceError(message % params, None, code="invalid")


def _api_text(item: FieldDef, value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _refuse(_("„%(label)s“ erwartet einen Text."), label=item.label)
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > limit:
        raise _refuse(
            _("„%(label)s“ darf höchstens %(max)d Zeichen lang sein."), label=item.label, max=limit
        )
    return value or None


def _api_choice(item: FieldDef, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise _refuse(
            _("„%(value)s“ steht bei „%(label)s“ nicht zur Auswahl (%(choices)s)."),
            value=str(value)[:60],
            label=item.label,
            choices=", ".join(choices),
        )
    return value


def _api_branch(item: FieldDef, value: Any, tenant: Tenant) -> int | None:
    """A location by the branch's ID im Warenwirtschaftssystem, else by Theke's id."""
    if value is None or value == "":
        return None
    branches = Branch.objects.filter(tenant=tenant)
    found = None
    if isinstance(value, str):
        found = branches.filter(external_id=value).order_by("pk").first()
        if found is None and value.isascii() and value.isdigit() and len(value) < 19:
            found = branches.filter(pk=int(value)).first()
    elif isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        found = branches.filter(pk=value).first()
    if found is None:
        raise _refuse(
            _("„%(label)s“: Einen Standort „%(value)s“ gibt es nicht."),
            label=item.label,
            value=str(value)[:60],
        )
    return found.pk


def api_phone(label: str, value: Any) -> str:
    """A phone number as E.164 (German numbers may be national); "" for none."""
    if value is None or value == "":
        return ""
    number = to_python(value, region="DE") if isinstance(value, str) else None
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        raise _refuse(_("„%(label)s“: Bitte geben Sie eine gültige Telefonnummer an."), label=label)
    return str(number.as_e164)


def _api_vehicle_config(
    item: FieldDef, value: Any, tenant: Tenant, customer: Customer
) -> dict[str, Any] | None:
    """{"vehicle": external id or VIN, "extras": [text, …], "price": "29990.00"} as the
    configuration field stores it; the vehicle is the customer's or one in stock."""
    if value is None:
        return None
    extras = value.get("extras", []) if isinstance(value, Mapping) else None
    if (
        not isinstance(value, Mapping)
        or set(value) - {"vehicle", "extras", "price"}
        or not isinstance(value.get("vehicle"), str)
        or not isinstance(extras, list)
        or not all(isinstance(extra, str) for extra in extras)
    ):
        raise _refuse(
            _(
                '„%(label)s“ erwartet {"vehicle": ID oder FIN, "extras": [Texte], '
                '"price": "Betrag"}.'
            ),
            label=item.label,
        )
    reference = value["vehicle"]
    vehicles = Vehicle.objects.filter(tenant=tenant).filter(
        Q(customer=customer) | Q(customer__isnull=True)
    )
    vehicle = None
    if reference:
        vehicle = vehicles.filter(external_id=reference).order_by("pk").first()
        vehicle = vehicle or vehicles.filter(vin=reference.upper()).order_by("pk").first()
    if vehicle is None:
        raise _refuse(
            _("„%(label)s“: Ein Fahrzeug „%(value)s“ des Kunden oder im Bestand gibt es nicht."),
            label=item.label,
            value=reference[:60],
        )
    price = value.get("price") or ""
    if price:
        amount = _amount(price)
        if amount is None:
            raise _refuse(_("„%(label)s“: Der Preis ist kein Betrag."), label=item.label)
        price = str(amount)
    texts = [text.strip()[:200] for text in extras if text.strip()][:API_MAX_EXTRAS]
    from theke.jobs.forms import vehicle_label  # the form's label: one wording everywhere

    return {
        "vehicle": vehicle.pk,
        "label": vehicle_label(vehicle),
        "extras": [{"text": text} for text in texts],
        "price": price,
    }


def _amount(value: Any) -> Decimal | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,10}(\.\d{1,2})?", value):
        return None
    return Decimal(value).quantize(Decimal("0.01"))


def _api_value(item: FieldDef, value: Any, tenant: Tenant, customer: Customer) -> Any:
    kind = item.type
    if kind in API_NOT_SETTABLE:
        raise _refuse(
            _("„%(label)s“ lässt sich über die Schnittstelle nicht setzen."), label=item.label
        )
    if kind == FieldType.TEXT:
        return _api_text(item, value, API_MAX_TEXT)
    if kind in (FieldType.TEXTAREA, FieldType.CUSTOMER_MESSAGE):
        return _api_text(item, value, API_MAX_TEXTAREA)
    if kind in (FieldType.CHECKBOX, FieldType.SUPPRESS_MESSAGES):
        if not isinstance(value, bool):
            raise _refuse(_("„%(label)s“ erwartet true oder false."), label=item.label)
        return value
    if kind == FieldType.SELECT:
        return None if value is None or value == "" else _api_choice(item, value, item.options)
    if kind == FieldType.JOB_STATUS:
        return _api_choice(item, value, tuple(JobStatus.values))
    if kind == FieldType.CALLBACK_PHONE:
        return api_phone(item.label, value)
    if kind == FieldType.LOCATION:
        return _api_branch(item, value, tenant)
    if kind == FieldType.VEHICLE_CONFIG:
        return _api_vehicle_config(item, value, tenant, customer)
    raise _refuse(  # a type added later and not yet offered here
        _("„%(label)s“ lässt sich über die Schnittstelle nicht setzen."), label=item.label
    )


def parse_api_values(
    definition: Definition, raw: Mapping[str, Any], *, tenant: Tenant, customer: Customer
) -> dict[str, Any]:
    """The API's JSON values as a job stores them, each checked by its field's type.

    Raises FieldErrors naming every refused key (unknown field, wrong type, not an option)."""
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    with tenant_scope(tenant):
        for key, value in raw.items():
            item = definition.fields.get(key)
            if item is None:
                errors[key] = _("Der Workflow hat kein Feld „%(key)s“.") % {"key": key[:60]}
                continue
            try:
                parsed[key] = _api_value(item, value, tenant, customer)
            except ServiceError as error:
                errors[key] = str(error.messages[0])
    if errors:
        raise FieldErrors(errors)
    return parsed


def _refuse_archived_unless_reopening(
    job: Job, definition: Definition, values: Mapping[str, Any]
) -> None:
    """An archived job takes no values, except its status set back to open or sold."""
    if job.status not in ARCHIVED_STATUSES:
        return
    status = _field_of_type(definition, FieldType.JOB_STATUS)
    reopens = (
        status is not None
        and set(values) == {status.key}
        and values[status.key] not in ARCHIVED_STATUSES
    )
    if not reopens:
        _refuse_archived(job)


def set_values_from_api(job: Job, values: Mapping[str, Any], who: Who) -> Saved:
    """Set field values sent by the back office (JSON as the API documents them): any field
    of the job's version, a history line per changed field, the audit event, and
    `job.status_changed` when the status changes. An archived job is refused unless the
    values only reopen it through its status."""
    with tenant_scope(job.tenant), transaction.atomic():
        locked = _lock(job)
        made = compiled_of(locked)
        definition = made.definition
        parsed = parse_api_values(
            definition, values, tenant=locked.tenant, customer=locked.customer
        )
        _refuse_archived_unless_reopening(locked, definition, parsed)
        phase = definition.phase(locked.phase_key)
        names = branch_names(locked.tenant)
        status_before = locked.status
        changes = []
        for key, new in parsed.items():
            item = definition.fields[key]
            old = stored(locked, item)
            if old == new or (is_empty(item, old) and is_empty(item, new)):
                continue
            put(locked, item, new)
            changes.append(
                _change(
                    locked,
                    who,
                    phase,
                    key,
                    item.label,
                    display(item, old, names),
                    display(item, new, names),
                )
            )
        if not changes:
            return Saved(locked, [])
        _store_changes(locked, who, changes, status_before, view="api", phase_key=locked.phase_key)
        _status_event(locked, phase, status_before)
    return Saved(locked, changes)
