"""API of the job manager (see theke.api.resources for the shared conventions).

* `POST /jobs` starts a job (origin "api"): the customer by `customer_external_id`, optional
  contact, vehicle (`vehicle_external_id` or `vin`: the customer's or one in stock), the
  workflow by name or Theke's id (default: the tenant's default workflow), title, callback
  phone, the customer's message (a lead from a vehicle marketplace) and initial `values`.
  With `external_id` (unique per tenant) a repeat of the same request answers 200 with the
  job it made; another request with that id is 409.
* `GET /jobs` (filters, ordered by `updated_at` then id, paged by an opaque cursor like
  `/leads`) and `GET /jobs/{number}`: phase, status, every field's value and its display
  text, files (downloadable at `GET /jobs/{number}/files/{id}`) and payments.
* `PATCH /jobs/{number}` sets field values (`values`: field key -> value, checked by the
  field's type); `POST /jobs/{number}/phase` activates a phase (its message goes out).
* Values by field type: text, text area and customer message are strings; select lists a
  string of the options; checkbox and "suppress messages" booleans; the job status one of
  open, sold, closed, canceled; the callback number a dialable phone number; the location a
  branch's ID im Warenwirtschaftssystem or Theke's id; a vehicle configuration
  `{"vehicle": <external id or VIN>, "extras": [...], "price": "29990.00"}`; null clears.
  Files, documents, payments and buttons are not set through values (422).
* Events: `job.created`, `job.phase_activated`, `job.customer_saved`, `job.status_changed`,
  `job.payment_received` (payload: the job's number, external_id, workflow, phase, status,
  customer).
* A tenant without the job manager answers 409 (type `urn:theke:problem:jobs-disabled`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote as urlquote

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from theke.api.cursors import UpdatedCursor
from theke.api.errors import FieldError, Problem
from theke.api.idempotency import idempotent
from theke.api.resources import (
    ExternalId,
    StrictIn,
    api_scope,
    find,
    service_problem,
    unknown_reference,
)
from theke.api.types import OffsetDateTime, SingleLine
from theke.audit.models import AuditEvent
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import Contact, Customer, Vehicle
from theke.jobs.definition import VALUELESS, Definition, FieldDef
from theke.jobs.models import (
    ARCHIVED_STATUSES,
    FieldType,
    Job,
    JobFile,
    Origin,
    Payment,
    Workflow,
    WorkflowVersion,
)
from theke.jobs.services import jobs as services
from theke.jobs.services.workflows import version_compiled
from theke.jobs.values import display, stored
from theke.tenants.models import Branch, Tenant

router = Router(tags=["jobs"])

JOBS_DISABLED_TYPE = "urn:theke:problem:jobs-disabled"
JOB_LIMIT = 100
MAX_JOB_LIMIT = 1000
MAX_VALUES = 200
# The audit action that keeps what a create request asked for (repeats compare with it).
API_REQUEST = "job.api_request"
JOB_CURSOR = UpdatedCursor(salt="theke.jobs.api.jobs.cursor")
StatusName = Literal["open", "sold", "closed", "canceled"]
OptionalId = Field(None, min_length=1, max_length=100)


# --- schemas --------------------------------------------------------------------------------


class VehicleConfigIn(StrictIn):
    vehicle: str = Field(
        min_length=1,
        max_length=100,
        description="The vehicle's external_id or VIN: the customer's or one in stock.",
    )
    extras: list[Annotated[str, Field(max_length=200)]] = Field([], max_length=50)
    price: str = Field("", pattern=r"^(\d{1,10}(\.\d{1,2})?)?$", description='"29990.00"')


JobValue = Annotated[
    StrictStr | StrictBool | StrictInt | VehicleConfigIn | None,
    Field(description="A field's value; its type depends on the field's type (see above)."),
]
Values = Annotated[
    dict[str, JobValue],
    Field(
        max_length=MAX_VALUES,
        description="Field key -> value, checked by the field's type; an unknown key, a "
        "value of the wrong type or not among a select list's options is 422 naming "
        "`values.<key>`.",
    ),
]


class JobIn(StrictIn):
    customer_external_id: str = ExternalId
    contact_external_id: str | None = Field(
        None, max_length=100, description="A contact of the customer; default: the first."
    )
    vehicle_external_id: str | None = OptionalId
    vin: str | None = Field(
        None,
        min_length=1,
        max_length=17,
        description="Instead of vehicle_external_id: the vehicle by its VIN.",
    )
    workflow: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The workflow's name or Theke's id; default: the tenant's default workflow.",
    )
    title: Annotated[str, SingleLine(200)] = ""
    callback_phone: str = Field(
        "", max_length=40, description="The requester's phone (Rückruf), e.g. +49 171 1234567."
    )
    customer_message: str = Field(
        "", max_length=5000, description="The customer's message (Externe Kundenmitteilung)."
    )
    external_id: str = Field(
        "",
        max_length=100,
        description="Your id of the job, unique per tenant: the same request again answers "
        "200 with the job it made, another request with this id 409.",
    )
    values: Values = {}


class JobPatchIn(StrictIn):
    values: Values


class PhaseIn(StrictIn):
    phase: str = Field(min_length=1, max_length=60, description="The key of the phase.")
    expected_phase: str | None = Field(
        None,
        min_length=1,
        max_length=60,
        description="The phase you saw; another current phase answers 409.",
    )


class FieldOut(Schema):
    key: str
    label: str
    type: str
    display: str = Field(description="The value as people read it.")


class FileOut(Schema):
    id: int
    field_key: str
    kind: Literal["upload", "document"]
    document: str
    name: str
    content_type: str
    size: int
    created_at: datetime
    created_by: str
    url: str


class PaymentOut(Schema):
    field_key: str
    provider: str
    amount: str = Field(description='"1250.00"')
    purpose: str
    status: Literal["open", "paid", "failed", "canceled"]
    created_at: datetime
    paid_at: datetime | None


class JobSummaryOut(Schema):
    number: str
    external_id: str
    title: str
    workflow: str
    workflow_version: int | None
    phase: str
    phase_name: str
    status: StatusName
    waiting_for: Literal["staff", "customer", ""]
    origin: str
    customer_external_id: str
    customer_number: str
    customer_name: str
    vehicle_external_id: str | None
    vin: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class JobOut(JobSummaryOut):
    contact_external_id: str | None
    branch_external_id: str | None
    assignee: str | None
    callback_phone: str
    suppress_messages: bool
    values: dict[str, Any] = Field(description="Field key -> value, as PATCH takes it.")
    fields: list[FieldOut]
    files: list[FileOut]
    payments: list[PaymentOut]


class JobPage(Schema):
    jobs: list[JobSummaryOut]
    next_cursor: str = Field(description="Pass as `after` to read on; also when `jobs` is empty.")
    has_more: bool


class JobQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    status: list[StatusName] | None = Field(
        None, description="Only jobs with one of these statuses (repeat the parameter)."
    )
    phase: str | None = Field(None, max_length=60, description="Only jobs in this phase (key).")
    updated_since: OffsetDateTime | None = Field(
        None, description="Only jobs changed at or after this moment."
    )
    external_id: str | None = Field(None, max_length=100)
    customer_external_id: str | None = Field(None, max_length=100)
    after: str | None = Field(
        None, description="The `next_cursor` of the previous page; leave out to start."
    )
    limit: int = Field(JOB_LIMIT, ge=1, le=MAX_JOB_LIMIT)


# --- helpers --------------------------------------------------------------------------------


@contextmanager
def jobs_scope(request: Any) -> Iterator[tuple[Tenant, Actor]]:
    """The API key's tenant scope; 409 when the tenant has no job manager."""
    with api_scope(request) as (tenant, actor):
        if not tenant.jobs_enabled:
            raise Problem(
                409,
                "The job manager is not enabled",
                "The job manager is not switched on for this tenant.",
                type=JOBS_DISABLED_TYPE,
            )
        yield tenant, actor


def _jobs() -> QuerySet[Job]:
    return Job.objects.filter(is_test=False).select_related(
        "customer", "contact", "workflow", "version", "vehicle", "branch", "assignee"
    )


def _job(number: str) -> Job:
    job = _jobs().filter(number=number).first()
    if job is None:
        raise Problem(404, "Not Found", f"No job with number {number!r}.")
    return job


def _unprocessable(path: str, message: str, code: str) -> Problem:
    return Problem(422, "Unprocessable Content", message, errors=[FieldError(path, message, code)])


def _field_errors(exc: services.FieldErrors) -> Problem:
    return Problem(
        422,
        "Unprocessable Content",
        str(exc.messages[0]),
        errors=[
            FieldError(f"values.{key}", message, "invalid") for key, message in exc.errors.items()
        ],
    )


def _job_problem(exc: ServiceError, path: str = "") -> Problem:
    """A refused change: 409 when the job's state is in the way, else 422."""
    if isinstance(exc, services.FieldErrors):
        return _field_errors(exc)
    message = " ".join(str(m) for m in exc.messages)
    if exc.code in ("archived", "moved", "same"):
        return Problem(409, "Conflict", message)
    if path:
        return _unprocessable(path, message, exc.code or "invalid")
    return service_problem(exc)


def _plain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value.model_dump() if isinstance(value, BaseModel) else value
        for key, value in values.items()
    }


def _json_value(
    item: FieldDef, raw: Any, branches: Mapping[int, Branch], vehicles: Mapping[int, Vehicle]
) -> Any:
    """A stored value as PATCH takes it (files, documents, payments: their id and name)."""
    if item.type == FieldType.LOCATION:
        branch = branches.get(raw) if raw else None
        return (branch.external_id or str(branch.pk)) if branch else None
    if item.type == FieldType.VEHICLE_CONFIG:
        if not isinstance(raw, Mapping):
            return None
        vehicle = vehicles.get(raw.get("vehicle"))  # type: ignore[arg-type]
        return {
            "vehicle": (vehicle.external_id or vehicle.vin or None) if vehicle else None,
            "label": raw.get("label", ""),
            "extras": [str(extra.get("text", "")) for extra in raw.get("extras", [])],
            "price": raw.get("price", ""),
        }
    return raw


def _config_vehicles(job: Job, definition: Definition) -> dict[int, Vehicle]:
    """The vehicles the job's configuration fields name, by id (one query)."""
    ids = set()
    for item in definition.fields.values():
        raw = stored(job, item) if item.type == FieldType.VEHICLE_CONFIG else None
        if isinstance(raw, Mapping) and isinstance(raw.get("vehicle"), int):
            ids.add(raw["vehicle"])
    return {v.pk: v for v in Vehicle.objects.filter(pk__in=ids)} if ids else {}


def _file_url(job: Job, row: JobFile) -> str:
    return f"{settings.BASE_URL}/api/v1/jobs/{urlquote(job.number, safe='')}/files/{row.pk}"


def _summary(job: Job, definition: Definition) -> dict[str, Any]:
    phase = definition.phase(job.phase_key)
    return {
        "number": job.number,
        "external_id": job.external_id,
        "title": job.title,
        "workflow": job.workflow.name,
        "workflow_version": job.version.number,
        "phase": job.phase_key,
        "phase_name": phase.name if phase else job.phase_key,
        "status": job.status,
        "waiting_for": job.waiting_for,
        "origin": job.origin,
        "customer_external_id": job.customer.external_id,
        "customer_number": job.customer.number,
        "customer_name": job.customer.display_name,
        "vehicle_external_id": (job.vehicle.external_id or None) if job.vehicle else None,
        "vin": (job.vehicle.vin or None) if job.vehicle else None,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "closed_at": job.closed_at,
    }


def _job_out(job: Job) -> dict[str, Any]:
    definition = services.compiled_of(job).definition
    branches = {b.pk: b for b in Branch.objects.filter(tenant=job.tenant)}
    names = {pk: b.name for pk, b in branches.items()}
    vehicles = _config_vehicles(job, definition)
    values: dict[str, Any] = {}
    fields = []
    for item in definition.fields.values():
        if item.type in VALUELESS:
            continue
        raw = stored(job, item)
        values[item.key] = _json_value(item, raw, branches, vehicles)
        fields.append(
            {
                "key": item.key,
                "label": item.label,
                "type": item.type,
                "display": display(item, raw, names),
            }
        )
    files = [
        {
            "id": row.pk,
            "field_key": row.field_key,
            "kind": row.kind,
            "document": row.document,
            "name": row.name,
            "content_type": row.content_type,
            "size": row.size,
            "created_at": row.created_at,
            "created_by": row.created_by_name,
            "url": _file_url(job, row),
        }
        for row in JobFile.objects.filter(job=job).order_by("created_at", "pk")
    ]
    payments = [
        {
            "field_key": row.field_key,
            "provider": row.provider,
            "amount": str(row.amount),
            "purpose": row.purpose,
            "status": row.status,
            "created_at": row.created_at,
            "paid_at": row.paid_at,
        }
        for row in Payment.objects.filter(job=job).order_by("created_at", "pk")
    ]
    return {
        **_summary(job, definition),
        "contact_external_id": (job.contact.external_id or None) if job.contact else None,
        "branch_external_id": (job.branch.external_id or None) if job.branch else None,
        "assignee": str(job.assignee) if job.assignee else None,
        "callback_phone": job.callback_phone,
        "suppress_messages": job.suppress_messages,
        "values": values,
        "fields": fields,
        "files": files,
        "payments": payments,
    }


# --- starting a job -------------------------------------------------------------------------


def _workflow(reference: str | None) -> Workflow:
    """The workflow by name (ignoring case), else by Theke's id; default: the default one."""
    if reference is None:
        workflow = Workflow.objects.filter(is_default=True).first()
        if workflow is None:
            raise _unprocessable(
                "workflow", "The tenant has no default workflow; name one.", "no_default"
            )
        return workflow
    workflow = Workflow.objects.filter(name__iexact=reference.strip()).order_by("pk").first()
    if workflow is None and reference.isascii() and reference.isdigit() and len(reference) < 19:
        workflow = Workflow.objects.filter(pk=int(reference)).first()
    if workflow is None:
        raise _unprocessable("workflow", f"No workflow {reference!r} (name or id).", "unknown")
    if not workflow.is_active:
        raise _unprocessable(
            "workflow", f"The workflow {workflow.name!r} takes no new jobs.", "inactive"
        )
    return workflow


def _contact(customer: Customer, external_id: str | None) -> Contact | None:
    if not external_id:
        return None
    contact = find(Contact.objects.filter(customer=customer), external_id)
    if contact is None:
        raise unknown_reference("contact of this customer", "contact_external_id", external_id)
    return contact


def _vehicle(customer: Customer, data: JobIn) -> Vehicle | None:
    """The vehicle by external id or VIN: the customer's own or one in stock (no holder)."""
    if data.vehicle_external_id is None and data.vin is None:
        return None
    vehicles = Vehicle.objects.filter(Q(customer=customer) | Q(customer__isnull=True))
    if data.vehicle_external_id is not None:
        field, reference = "vehicle_external_id", data.vehicle_external_id
        vehicle = find(vehicles, reference)
    else:
        field, reference = "vin", str(data.vin)
        vehicle = vehicles.filter(vin=reference.strip().upper()).order_by("pk").first()
    if vehicle is None:
        raise unknown_reference("vehicle of this customer or in stock", field, reference)
    if data.vin is not None and vehicle.vin != data.vin.strip().upper():
        raise _unprocessable(
            "vin", "The VIN is not the one of vehicle_external_id's vehicle.", "mismatch"
        )
    return vehicle


def _fingerprint(data: JobIn) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _repeat(external_id: str, fingerprint: str) -> Job | None:
    """The job an earlier identical request made; 409 for a different one with the id."""
    job = _jobs().filter(external_id=external_id).first()
    if job is None:
        return None
    asked = (
        AuditEvent.objects.for_object(job)
        .filter(action=API_REQUEST)
        .values_list("data", flat=True)
        .first()
    )
    if not asked or asked.get("fingerprint") != fingerprint:
        raise Problem(
            409,
            "Conflict",
            f"The job {job.number} already has the external_id {external_id!r}, made by "
            "another request.",
            extra={"number": job.number},
        )
    return job


def _initial_values(workflow: Workflow, data: JobIn, customer: Customer) -> dict[str, Any]:
    if workflow.published is None:
        return {}  # start_job refuses it
    definition = version_compiled(workflow.published).definition
    try:
        values = services.parse_api_values(
            definition, _plain_values(data.values), tenant=workflow.tenant, customer=customer
        )
    except services.FieldErrors as exc:
        raise _field_errors(exc) from exc
    status = next((f for f in definition.fields.values() if f.type == FieldType.JOB_STATUS), None)
    if status is not None and values.get(status.key) in ARCHIVED_STATUSES:
        raise _unprocessable(
            f"values.{status.key}", "A new job cannot start closed or canceled.", "archived"
        )
    return values


@router.post(
    "/jobs",
    response={200: JobOut, 201: JobOut},
    operation_id="create_job",
    summary="Start a job (e.g. a lead from a vehicle marketplace)",
    description="Starts the job in the first phase due (its message goes out unless "
    "`values` suppress messages). 201 with the job; with an `external_id` already used by "
    "the same request 200 with that job, by another request 409. An unknown customer, "
    "contact, vehicle or workflow is 422 naming the field, an invalid value 422 naming "
    "`values.<key>`. Send an `Idempotency-Key` to retry safely.",
)
@idempotent
def create_job(request: Any, data: JobIn) -> Status:
    with jobs_scope(request) as (tenant, actor), transaction.atomic():
        fingerprint = _fingerprint(data)
        # The lock start_job takes anyway, taken first: a request with the same external_id
        # at the same moment waits here and then finds the job the first one made.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        if data.external_id and (job := _repeat(data.external_id, fingerprint)) is not None:
            return Status(200, _job_out(job))
        customer = find(Customer.objects.all(), data.customer_external_id)
        if customer is None:
            raise unknown_reference("customer", "customer_external_id", data.customer_external_id)
        contact = _contact(customer, data.contact_external_id)
        vehicle = _vehicle(customer, data)
        workflow = _workflow(data.workflow)
        try:
            phone = services.api_phone("callback_phone", data.callback_phone)
        except ServiceError as exc:
            raise _unprocessable("callback_phone", str(exc.messages[0]), "phone") from exc
        new = services.NewJob(
            customer=customer,
            origin=Origin.API,
            contact=contact,
            vehicle=vehicle,
            title=data.title,
            callback_phone=phone,
            customer_message=data.customer_message.strip(),
            external_id=data.external_id,
            values=_initial_values(workflow, data, customer),
        )
        try:
            job = services.start_job(workflow, new, services.Who.api(actor))
        except ServiceError as exc:
            raise _job_problem(exc, "workflow" if exc.code == "unpublished" else "") from exc
        record(tenant, actor, API_REQUEST, job, {"fingerprint": fingerprint})
        return Status(201, _job_out(_jobs().get(pk=job.pk)))


# --- reading jobs ---------------------------------------------------------------------------


@router.get(
    "/jobs",
    response=JobPage,
    operation_id="list_jobs",
    summary="List jobs, oldest change first",
    description="Filters: `status` (repeatable), `phase`, `updated_since`, `external_id`, "
    "`customer_external_id`. Ordered by `updated_at`, then by id; page on with "
    "`after=<next_cursor>`. A job changed after you read it comes again on a later page, so "
    "polling with the last cursor picks up changes. What happened to jobs is in the event "
    "feed (`/events`, webhooks): `job.created`, `job.phase_activated`, `job.customer_saved` "
    "(with the fields the customer changed), `job.status_changed` (with `previous_status`) "
    "and `job.payment_received`; their payload carries the job's `number`, `external_id`, "
    "`workflow`, `phase`, `phase_name`, `status`, `customer` (external id), "
    "`customer_number` and `origin`.",
)
def list_jobs(request: Any, query: Query[JobQuery]) -> dict[str, Any]:
    with jobs_scope(request) as (tenant, _actor):
        last_updated, last_id = None, 0
        if query.after:
            last_updated, last_id = JOB_CURSOR.decode(query.after, tenant.pk)
        jobs = Job.objects.filter(tenant=tenant, is_test=False).select_related(
            "customer", "workflow", "vehicle"
        )
        if query.status:
            jobs = jobs.filter(status__in=query.status)
        if query.phase is not None:
            jobs = jobs.filter(phase_key=query.phase)
        if query.updated_since is not None:
            jobs = jobs.filter(updated_at__gte=query.updated_since)
        if query.external_id is not None:
            jobs = jobs.filter(external_id=query.external_id)
        if query.customer_external_id is not None:
            jobs = jobs.filter(customer__external_id=query.customer_external_id)
        if last_updated is not None:
            jobs = jobs.filter(
                Q(updated_at__gt=last_updated) | Q(updated_at=last_updated, pk__gt=last_id)
            )
        rows = list(jobs.order_by("updated_at", "pk")[: query.limit + 1])
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        versions = {
            v.pk: v for v in WorkflowVersion.objects.filter(pk__in={job.version_id for job in rows})
        }
        summaries = []
        for job in rows:
            job.version = versions[job.version_id]
            summaries.append(_summary(job, version_compiled(job.version).definition))
        if rows:
            last_updated, last_id = rows[-1].updated_at, rows[-1].pk
        return {
            "jobs": summaries,
            "next_cursor": JOB_CURSOR.encode(tenant.pk, last_updated, last_id),
            "has_more": has_more,
        }


@router.get(
    "/jobs/{number}",
    response=JobOut,
    operation_id="get_job",
    summary="Read a job: phase, status, values, files and payments",
)
def get_job(request: Any, number: str) -> dict[str, Any]:
    with jobs_scope(request):
        return _job_out(_job(number))


FILE_RESPONSE: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The file (a PDF or a JPEG photo)",
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


@router.get(
    "/jobs/{number}/files/{file_id}",
    operation_id="get_job_file",
    summary="Download a file or stored document of a job",
    openapi_extra=FILE_RESPONSE,
)
def get_job_file(request: Any, number: str, file_id: int) -> FileResponse:
    with jobs_scope(request):
        job = _job(number)
        row = JobFile.objects.filter(job=job, pk=file_id).first()
        if row is None:
            raise Problem(404, "Not Found", f"The job {number} has no file {file_id}.")
        try:
            handle = row.file.open("rb")
        except FileNotFoundError as exc:
            raise Problem(404, "Not Found", f"The file {file_id} is missing.") from exc
        name = re.sub(r"[^\w.-]+", "_", row.name) or "datei"
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type=row.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- changing a job -------------------------------------------------------------------------


@router.patch(
    "/jobs/{number}",
    response=JobOut,
    operation_id="update_job",
    summary="Set field values of a job",
    description="Any field of the job's workflow version, each checked by its type; each "
    'change is a line of the job\'s history (by "API-Schlüssel <name>"). A changed status '
    "reports `job.status_changed`. A closed or canceled job is 409, unless the values only "
    "set its status back to open or sold.",
)
def update_job(request: Any, number: str, data: JobPatchIn) -> dict[str, Any]:
    with jobs_scope(request) as (_tenant, actor):
        job = _job(number)
        try:
            services.set_values_from_api(job, _plain_values(data.values), services.Who.api(actor))
        except ServiceError as exc:
            raise _job_problem(exc) from exc
        return _job_out(_job(number))


@router.post(
    "/jobs/{number}/phase",
    response=JobOut,
    operation_id="activate_job_phase",
    summary="Activate a phase of a job (its message goes out)",
    description="A phase whose condition does not hold (obsolete) is 422 with the reason; "
    "the phase already active, a closed job, or another current phase than "
    "`expected_phase` is 409.",
)
@idempotent
def activate_job_phase(request: Any, number: str, data: PhaseIn) -> dict[str, Any]:
    with jobs_scope(request) as (_tenant, actor):
        job = _job(number)
        expected = data.expected_phase or job.phase_key
        try:
            services.activate_phase(
                job, data.phase, services.Who.api(actor), expected_phase=expected
            )
        except ServiceError as exc:
            raise _job_problem(exc, "phase") from exc
        return _job_out(_job(number))
