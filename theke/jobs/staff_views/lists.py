"""The job list (running jobs: open and sold) and the archive (closed and canceled), with
their filters and search; the start-page tile and the customer-page panel.

A page of jobs costs the same number of queries however many rows it shows: the rows come
with their customer, vehicle and assignee joined, without their values, and the phase names
come from the versions on the page, each compiled once (theke.jobs.definition.compiled).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from theke.core.forms import BootstrapMixin
from theke.core.navigation import Badge
from theke.core.panels import Tile
from theke.customers.models import Customer
from theke.customers.services import search_words
from theke.jobs.definition import compiled
from theke.jobs.models import (
    ARCHIVED_STATUSES,
    Job,
    JobStatus,
    Waiting,
    Workflow,
    WorkflowVersion,
)
from theke.jobs.staff_views.common import (
    USE,
    is_htmx,
    jobs_on,
    jobs_page,
    staff_members,
    tenant_of,
)
from theke.tenants.models import Tenant

PAGE_SIZE = 25
MAX_WORDS = 10
RUNNING = (JobStatus.OPEN, JobStatus.SOLD)

STATUS_BADGES: dict[str, str] = {
    JobStatus.OPEN: "text-bg-primary",
    JobStatus.SOLD: "text-bg-success",
    JobStatus.CLOSED: "text-bg-secondary",
    JobStatus.CANCELED: "text-bg-dark",
}

# The status filter of each list: its choices, the first is the default.
LIST_STATUSES: list[tuple[str, Any]] = [
    ("running", gettext_lazy("offen und verkauft")),
    (JobStatus.OPEN, gettext_lazy("nur offen")),
    (JobStatus.SOLD, gettext_lazy("nur verkauft")),
]
ARCHIVE_STATUSES: list[tuple[str, Any]] = [
    ("archived", gettext_lazy("alle archivierten")),
    (JobStatus.CLOSED, gettext_lazy("nur abgeschlossen")),
    (JobStatus.CANCELED, gettext_lazy("nur storniert")),
]
STATUS_SETS: dict[str, tuple[str, ...]] = {
    "running": RUNNING,
    "archived": ARCHIVED_STATUSES,
    **{status.value: (status.value,) for status in JobStatus},
}

ME = "me"
NOBODY = "none"


def phase_choices(tenant: Tenant, workflow_id: int | None = None) -> list[tuple[str, str]]:
    """The phases of the workflows' published versions by key (a key several workflows
    share is one choice, its names joined), in workflow order."""
    workflows = Workflow.objects.filter(tenant=tenant, published__isnull=False)
    if workflow_id:
        workflows = workflows.filter(pk=workflow_id)
    names: dict[str, list[str]] = {}
    for workflow in workflows.select_related("published"):
        version = workflow.published
        assert version is not None
        for phase in compiled(version.pk, version.definition).definition.phases:
            known = names.setdefault(phase.key, [])
            if phase.name not in known:
                known.append(phase.name)
    return [(key, " / ".join(labels)) for key, labels in names.items()]


class JobFilterForm(BootstrapMixin, forms.Form):
    """The selection of the job list or the archive; invalid input means no filter."""

    q = forms.CharField(label=gettext_lazy("Suche"), required=False, max_length=200)
    status = forms.ChoiceField(label=gettext_lazy("Jobstatus"), required=False)
    phase = forms.ChoiceField(label=gettext_lazy("Phase"), required=False)
    assignee = forms.ChoiceField(label=gettext_lazy("Bearbeiter"), required=False)
    workflow = forms.ChoiceField(label=gettext_lazy("Workflow"), required=False)
    waiting = forms.ChoiceField(label=gettext_lazy("Wartet auf"), required=False)
    # From the customer page's panel ("Alle anzeigen"): that customer's jobs only.
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, data: Any, *, tenant: Tenant, archive: bool = False) -> None:
        super().__init__(data)
        self.archive = archive
        everyone = ("", str(_("alle")))
        statuses = ARCHIVE_STATUSES if archive else LIST_STATUSES
        self.fields["status"].choices = [(k, str(v)) for k, v in statuses]  # type: ignore[attr-defined]
        workflows = list(Workflow.objects.filter(tenant=tenant).values_list("pk", "name"))
        self.fields["workflow"].choices = [  # type: ignore[attr-defined]
            everyone,
            *[(str(pk), name) for pk, name in workflows],
        ]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            everyone,
            (ME, str(_("mir zugewiesen"))),
            (NOBODY, str(_("niemandem zugewiesen"))),
            *[(str(user.pk), str(user)) for user in staff_members(tenant)],
        ]
        self.fields["waiting"].choices = [  # type: ignore[attr-defined]
            everyone,
            (Waiting.STAFF, str(_("auf uns"))),
            (Waiting.CUSTOMER, str(_("auf den Kunden"))),
        ]
        if archive:
            del self.fields["waiting"]  # an archived job waits for nobody
        workflow = self.value("workflow")
        self.fields["phase"].choices = [  # type: ignore[attr-defined]
            everyone,
            *phase_choices(tenant, int(workflow) if workflow else None),
        ]

    def value(self, name: str) -> str:
        """The field's valid value ("" when missing or invalid; the status has a default)."""
        default = self.fields["status"].choices[0][0] if name == "status" else ""  # type: ignore[attr-defined]
        if not self.is_bound or name not in self.fields:
            return default
        raw = self.data.get(name, "")
        field = self.fields[name]
        if name == "q":
            return str(raw).strip()[:200]
        if name == "customer":
            return raw if str(raw).isdigit() and len(str(raw)) < 12 else ""
        valid = {str(k) for k, _label in field.choices}  # type: ignore[attr-defined]
        return raw if raw in valid and raw else default

    def filters_active(self) -> bool:
        """Whether anything but the default selection is chosen (the page offers a reset)."""
        default_status = self.fields["status"].choices[0][0]  # type: ignore[attr-defined]
        return bool(
            self.value("q")
            or self.value("status") != default_status
            or any(self.value(n) for n in ("phase", "assignee", "workflow", "waiting", "customer"))
        )


def search(jobs: QuerySet[Job], query: str) -> QuerySet[Job]:
    """Every word must match the job (number, title, external id), its vehicle (plate,
    VIN) or its customer (name, number, contacts, vehicles: the customer's search text)."""
    for word in search_words(query)[:MAX_WORDS]:
        jobs = jobs.filter(
            Q(number__icontains=word)
            | Q(title__icontains=word)
            | Q(external_id__icontains=word)
            | Q(vehicle__license_plate__icontains=word)
            | Q(vehicle__vin__icontains=word)
            | Q(customer__search_text__contains=word)
        )
    return jobs


def filtered_jobs(request: HttpRequest, form: JobFilterForm) -> QuerySet[Job]:
    """The tenant's real jobs (never test jobs) of the form's selection, newest change first."""
    jobs = Job.objects.filter(
        tenant=tenant_of(request),
        is_test=False,
        status__in=STATUS_SETS[form.value("status")],
    )
    phase, workflow, waiting = form.value("phase"), form.value("workflow"), form.value("waiting")
    if phase:
        jobs = jobs.filter(phase_key=phase)
    if workflow:
        jobs = jobs.filter(workflow_id=int(workflow))
    if waiting:
        jobs = jobs.filter(waiting_for=waiting)
    if form.value("customer"):
        jobs = jobs.filter(customer_id=int(form.value("customer")))
    assignee = form.value("assignee")
    if assignee == ME:
        jobs = jobs.filter(assignee_id=request.user.pk)
    elif assignee == NOBODY:
        jobs = jobs.filter(assignee__isnull=True)
    elif assignee:
        jobs = jobs.filter(assignee_id=int(assignee))
    jobs = search(jobs, form.value("q"))
    return jobs.order_by("-updated_at", "-pk")


def page_rows(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """What a list row needs, joined; the values and the saved marks are left in the DB."""
    return jobs.select_related("customer", "vehicle", "assignee", "workflow").defer(
        "values", "saved"
    )


def jobs_in_order(ids: list[int]) -> list[Job]:
    """The rows of these jobs, joined, in the order of the ids."""
    by_id = {job.pk: job for job in page_rows(Job.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass(frozen=True)
class JobRow:
    job: Job
    phase: str
    version: str
    badge_class: str

    @property
    def vehicle(self) -> str:
        vehicle = self.job.vehicle
        if vehicle is None:
            return ""
        return vehicle.license_plate or f"{vehicle.make} {vehicle.model}".strip() or vehicle.vin


def job_rows(jobs: Iterable[Job]) -> list[JobRow]:
    """Rows with their phase names: the versions on the page are read once, each compiled
    once per process, whatever the number of rows."""
    jobs = list(jobs)
    version_ids = {job.version_id for job in jobs}
    versions = {
        v.pk: v
        for v in WorkflowVersion.objects.filter(pk__in=version_ids).only(
            "pk", "number", "kind", "definition"
        )
    }
    rows = []
    for job in jobs:
        version = versions.get(job.version_id)
        name = job.phase_key
        if version is not None:
            phase = compiled(version.pk, version.definition).definition.phase(job.phase_key)
            name = phase.name if phase is not None else job.phase_key
        rows.append(
            JobRow(
                job=job,
                phase=name,
                version=f"v{version.number}" if version and version.number else "",
                badge_class=STATUS_BADGES.get(job.status, "text-bg-light"),
            )
        )
    return rows


def _list_page(request: HttpRequest, *, archive: bool) -> HttpResponse:
    tenant = tenant_of(request)
    form = JobFilterForm(request.GET or None, tenant=tenant, archive=archive)
    # The page's ids first (sorted and counted in the index), then only those rows joined.
    ids = filtered_jobs(request, form).values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "archive": archive,
        "page": page,
        "rows": job_rows(jobs_in_order(list(page.object_list))),
        "query": form.value("q"),
        "list_url": reverse("jobs:archive" if archive else "jobs:list"),
    }
    template = "jobs/staff/_job_results.html" if is_htmx(request) else "jobs/staff/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@jobs_page(USE)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The running jobs (open and sold), the filters and the search; htmx asks for the
    results only while staff type."""
    return _list_page(request, archive=False)


@jobs_page(USE)
@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    """Closed and canceled jobs: searchable with the same filters, each printable."""
    return _list_page(request, archive=True)


# --- the start page and the customer page -----------------------------------------------------


def _waiting_for_us(request: HttpRequest) -> int:
    return Job.objects.filter(
        tenant=tenant_of(request),
        is_test=False,
        status__in=RUNNING,
        waiting_for=Waiting.STAFF,
    ).count()


def waiting_jobs_badge(request: HttpRequest) -> Badge | None:
    """The navigation badge of "Jobs": running jobs waiting for us (as the start-page tile)."""
    if not jobs_on(request) or not request.user.has_perm(USE):
        return None
    count = _waiting_for_us(request)
    label = ngettext("%(count)d Job wartet auf uns", "%(count)d Jobs warten auf uns", count) % {
        "count": count
    }
    return Badge(count=count, label=label)


def waiting_jobs_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: running jobs waiting for us."""
    if not jobs_on(request) or not request.user.has_perm(USE):
        return None
    count = _waiting_for_us(request)
    return Tile(
        label=_("Jobs warten auf uns"),
        count=count,
        url=reverse("jobs:list") + f"?waiting={Waiting.STAFF}",
        hint=_("Laufende Jobs, in denen wir am Zug sind"),
    )


PANEL_ARCHIVED = 3
PANEL_RUNNING = 10


def customer_jobs_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """Customer-page panel: the customer's running jobs and the last archived ones."""
    if not jobs_on(request) or not request.user.has_perm(USE):
        return None
    jobs = page_rows(Job.objects.filter(customer=customer, is_test=False)).order_by(
        "-updated_at", "-pk"
    )
    running = list(jobs.filter(status__in=RUNNING)[: PANEL_RUNNING + 1])
    archived = list(jobs.filter(status__in=ARCHIVED_STATUSES)[: PANEL_ARCHIVED + 1])
    rows = job_rows([*running[:PANEL_RUNNING], *archived[:PANEL_ARCHIVED]])
    return {
        "customer": customer,
        "running": rows[: min(len(running), PANEL_RUNNING)],
        "archived": rows[min(len(running), PANEL_RUNNING) :],
        "more_running": len(running) > PANEL_RUNNING,
        "more_archived": len(archived) > PANEL_ARCHIVED,
    }
