"""A job as its customer sees it: one implementation, two ways in.

The customer opens a job through its customer link (`/p/<token>/`, theke.jobs.customer_views
.parking) or, logged in, from their Parkplatz (`/parkplatz/<slug>/<pk>/`, .account). Both
build a `Door` and hand it to `show` (GET) or `save` (POST); the page, the files and the
documents are the same.

The page shows the current phase's customer view (`PhaseForm(job, "customer")`): inputs,
values, files, documents, the payment and the save button; after saving, the entries marked
"nach dem Senden anzeigen". Below it "Ihre Anfrage im Überblick": the phases the job went
through, with the documents of earlier phases. A file or document is served only when a
customer view the job has reached shows its field (`Reach`): a staff-only field's files never
leave through these pages.

Fields whose value decides what else the view shows (e.g. "Auslieferung gewünscht") ask for
the fields again when changed (htmx, `_preview`: nothing is saved). Without script the
customer saves and the newly shown required field asks for its input next to it.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from theke.accounts.models import CustomerAccount
from theke.core import token_pages
from theke.core.errors import ServiceError
from theke.customers.models import Contact
from theke.jobs import documents
from theke.jobs.definition import Compiled, PhaseDef, Shown
from theke.jobs.forms import PhaseForm, Row, RowView, UploadField, vehicle_label
from theke.jobs.models import FieldType, Job, JobChange, JobFile, Payment, View
from theke.jobs.services import jobs as job_services
from theke.jobs.services.jobs import FieldErrors, Who
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

TEMPLATE = "jobs/customer/job.html"
FIELDS_TEMPLATE = "jobs/customer/_phase_fields.html"
PREVIEW = "_preview"
FILE_TYPES = frozenset({FieldType.FILE, FieldType.DOCUMENT_SAVE})

# What the page says on top after a POST went through (the redirect's `?done=`).
DONE_MESSAGES = {
    "saved": gettext_lazy("Ihre Angaben sind gespeichert."),
    "registered": gettext_lazy("Ihr Zugang ist eingerichtet. Sie sind jetzt angemeldet."),
    "parked": gettext_lazy("Vielen Dank! Ihre Anfrage ist geparkt. Wir melden uns bei Ihnen."),
}


# --- the way in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Door:
    """How the customer came to the job: through its link (`token`) or logged in."""

    job: Job
    contact: Contact | None
    # The login of the job's customer in this browser (None: not logged in as them).
    account: CustomerAccount | None
    language: str
    token: str = ""

    @property
    def tenant(self) -> Tenant:
        return self.job.tenant

    @property
    def logged_in(self) -> bool:
        return self.account is not None

    def who(self) -> Who:
        return Who.customer(self.contact, self.account)

    def url(self, name: str, *args: Any) -> str:
        """A page of this job through the same door (`page`, `file`, `document`, `pay`)."""
        if self.token:
            return reverse(f"job_pages:{name}", args=[self.token, *args])
        name = "job" if name == "page" else name
        return reverse(f"parking:{name}", args=[self.tenant.slug, self.job.pk, *args])

    def page_url(self, done: str = "") -> str:
        url = self.url("page")
        return f"{url}?done={done}" if done else url

    def pay_url(self, payment: Payment) -> str:
        """Where the pay button posts to ("" where no payment provider is wired)."""
        try:
            return self.url("pay", payment.pk)
        except NoReverseMatch:
            return ""


def login_of(request: HttpRequest, job: Job) -> CustomerAccount | None:
    """The logged-in customer account if it is the job's customer's."""
    from theke.accounts.customer_auth import account_of

    account = account_of(request, job.tenant)
    if account is None or account.customer_id != job.customer_id:
        return None
    return account


# --- what the customer may see and download -------------------------------------------------


@dataclass(frozen=True)
class Visit:
    phase: PhaseDef
    at: datetime.datetime


@dataclass
class Reach:
    """The phases the job went through (the current one last) and the entries of their
    customer views the customer sees now: what the page lists and the downloads allow."""

    visits: list[Visit]
    entries: dict[str, list[Shown]]

    def keys(self, types: Iterable[str]) -> set[str]:
        wanted = set(types)
        return {
            s.field.key for shown in self.entries.values() for s in shown if s.field.type in wanted
        }

    def document(self, key: str, code: str) -> Shown | None:
        for shown in self.entries.values():
            for s in shown:
                if (
                    s.field.key == key
                    and s.field.type == FieldType.DOCUMENT_SHOW
                    and code in s.field.documents
                ):
                    return s
        return None


def _visits(job: Job, made: Compiled) -> list[Visit]:
    """Each phase the job was activated in, at its latest activation, in order; the current
    phase last."""
    latest: dict[str, datetime.datetime] = {}
    rows = JobChange.objects.filter(job=job, field_key="phase").order_by("at", "pk")
    for key, at in rows.values_list("phase_key", "at"):
        latest.pop(key, None)
        latest[key] = at
    latest.pop(job.phase_key, None)
    latest[job.phase_key] = job.phase_activated_at
    visits = []
    for key, at in latest.items():
        phase = made.definition.phase(key)
        if phase is not None:
            visits.append(Visit(phase, at))
    return visits


def reach(job: Job, logged_in: bool) -> Reach:
    made = job_services.compiled_of(job)
    values = job_services.values_for_rules(job, logged_in=logged_in)
    visits = _visits(job, made)
    entries = {
        v.phase.key: [s for s in made.shown(v.phase, View.CUSTOMER, values, sent=True) if s.visible]
        for v in visits
    }
    return Reach(visits, entries)


@dataclass(frozen=True)
class Download:
    file: JobFile
    url: str
    newest: bool


def _downloads(door: Door, files: Iterable[JobFile]) -> list[Download]:
    ordered = sorted(files, key=lambda f: (f.created_at, f.pk), reverse=True)
    return [Download(f, door.url("file", f.pk), index == 0) for index, f in enumerate(ordered)]


def file_response(door: Door, file_id: int) -> FileResponse:
    """A file of the job (an upload or a stored document) its customer may see, inline (only
    photos as JPEG and PDFs are stored: their type was checked when they came in)."""
    with tenant_scope(door.tenant):
        allowed = reach(door.job, door.logged_in).keys(FILE_TYPES)
        stored = JobFile.objects.filter(job=door.job, pk=file_id, field_key__in=allowed).first()
        if stored is None:
            raise Http404
        response = FileResponse(
            stored.file.open("rb"), content_type=stored.content_type, filename=stored.name
        )
    response["X-Content-Type-Options"] = "nosniff"
    return token_pages.protect(response, door.language)


def document_response(door: Door, key: str, code: str) -> HttpResponse:
    """A "create and show" document, made now on the letterhead (nothing stored)."""
    with tenant_scope(door.tenant), translation.override(door.language):
        shown = reach(door.job, door.logged_in).document(key, code)
        if shown is None or code not in documents.DOCUMENTS:
            raise Http404
        content = documents.render(door.job, code)
    label = str(shown.label or documents.DOCUMENTS[code].label)
    filename = f"{door.job.number}-{_slug(label)}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return token_pages.protect(response, door.language)


def _slug(text: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in text.encode("ascii", "ignore").decode())
    return "-".join(part for part in safe.split("-") if part)[:40] or "dokument"


# --- the page -------------------------------------------------------------------------------


@dataclass
class CustomerRow(RowView):
    """A visible entry of the current customer view as the page shows it."""

    downloads: list[Download] = field(default_factory=list)
    # "Create and show" documents: (label, url).
    documents: list[tuple[str, str]] = field(default_factory=list)
    payment: Payment | None = None
    pay_url: str = ""
    # A file was chosen but the form was refused: it has to be chosen again.
    choose_again: bool = False

    @property
    def shown(self) -> Shown:
        return self.row.shown

    @property
    def has_input(self) -> bool:
        return self.row.field is not None


@dataclass(frozen=True)
class PastPhase:
    name: str
    at: datetime.datetime
    current: bool
    downloads: list[tuple[str, list[Download]]]


def _customer_rows(door: Door, rows: list[Row], choose_again: set[str]) -> list[CustomerRow]:
    result = []
    for row in rows:
        item = CustomerRow(row, choose_again=row.key in choose_again)
        if row.type in FILE_TYPES:
            item.downloads = _downloads(door, row.files)
        elif row.type == FieldType.DOCUMENT_SHOW:
            item.documents = [
                (
                    str(documents.DOCUMENTS[code].label),
                    door.url("document", row.key, code),
                )
                for code in row.shown.field.documents
                if code in documents.DOCUMENTS
            ]
        elif row.type == FieldType.PAYMENT and row.payments:
            item.payment = max(row.payments, key=lambda p: (p.created_at, p.pk))
            item.pay_url = door.pay_url(item.payment)
        result.append(item)
    return result


def _overview(door: Door, found: Reach, current_keys: set[str]) -> list[PastPhase]:
    """The phases the job went through; each field's files under the last earlier phase that
    shows it (and not at all when the current phase shows it)."""
    files_by_key: dict[str, list[JobFile]] = {}
    keys = found.keys(FILE_TYPES) - current_keys
    for stored in JobFile.objects.filter(job=door.job, field_key__in=keys):
        files_by_key.setdefault(stored.field_key, []).append(stored)
    placed: set[str] = set()
    result: list[PastPhase] = []
    for visit in reversed(found.visits):
        current = visit.phase.key == door.job.phase_key
        downloads = []
        for s in found.entries.get(visit.phase.key, []):
            key = s.field.key
            if current or key in placed or key not in files_by_key:
                continue
            placed.add(key)
            downloads.append((s.label, _downloads(door, files_by_key[key])))
        result.append(PastPhase(visit.phase.name, visit.at, current, downloads))
    result.reverse()
    return result


def _trigger_keys(form: PhaseForm) -> set[str]:
    """The editable fields of the view that a condition of the view reads."""
    names: set[str] = set()
    definition = form.compiled.definition
    for entry in form.phase.entries(form.view):
        for text in (entry.condition, definition.fields[entry.field].condition):
            rule = form.compiled.rule(text)
            if rule is not None:
                names |= set(rule.names)
    return names & set(form.fields)


def _prepare_widgets(form: PhaseForm, door: Door) -> None:
    """htmx on the fields that change what the view shows (Django ties help and error texts
    to their input: `aria-describedby` with `<id>_helptext` and `<id>_error`)."""
    files = [key for key, f in form.fields.items() if isinstance(f, UploadField)]
    for key in files:
        # The hint on types and size belongs to the input too (so Django's own
        # aria-describedby is written here in full).
        bound = form[key]
        described = [f"{bound.auto_id}_helptext"] if bound.help_text else []
        described.append(f"{bound.auto_id}_types")
        if form.is_bound and form.errors.get(key):
            described.append(f"{bound.auto_id}_error")
        form.fields[key].widget.attrs["aria-describedby"] = " ".join(described)
    for key in _trigger_keys(form):
        form.fields[key].widget.attrs.update(
            {
                "hx-post": door.url("page"),
                "hx-trigger": "change",
                "hx-target": "#phase-fields",
                "hx-swap": "outerHTML",
                "hx-vals": json.dumps({PREVIEW: "1"}),
                "hx-params": f"not {','.join(files)}" if files else "*",
            }
        )


def _quiet(form: PhaseForm) -> None:
    """A form re-drawn while the customer is still typing shows no errors yet."""
    # The values stay, the messages go.
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    for f in form.fields.values():
        classes = f.widget.attrs.get("class", "").split()
        f.widget.attrs["class"] = " ".join(c for c in classes if c != "is-invalid")


def _error_summary(form: PhaseForm) -> list[tuple[str, str]]:
    """(message, anchor of its input) of every error, in the order of the form's fields."""
    summary = []
    keys = [k for k in form.fields if k in form.errors]
    keys += [k for k in form.errors if k not in form.fields]
    for key in keys:
        for error in form.errors[key]:
            text = str(error)
            if key in form.fields:
                bound = form[key]
                label = str(bound.label)
                if label not in text:  # the services' messages name the field already
                    text = f"{label}{' ' if label.endswith(('?', ':')) else ': '}{text}"
                summary.append((text, f"#{bound.auto_id}"))
            else:
                summary.append((text, ""))
    return summary


def _login_matters(job: Job, rows: list[Row]) -> bool:
    """Whether a login would show more of the current view (a condition asks for it)."""
    shown = {row.key for row in rows}
    more = PhaseForm(job, View.CUSTOMER, logged_in=True).rows()
    return any(row.key not in shown for row in more)


def _access(door: Door) -> dict[str, Any]:
    """What the page offers about the customer login: log in, or make one."""
    job, contact = door.job, door.contact
    email = contact.email if contact is not None else ""
    accounts = CustomerAccount.objects.filter(tenant=job.tenant)
    has_account = accounts.filter(customer_id=job.customer_id, is_active=True).exists()
    email_taken = bool(email) and accounts.filter(email__iexact=email).exists()
    login = reverse("customer_accounts:login", args=[job.tenant.slug])
    return {
        "login_url": f"{login}?next={quote(door.page_url())}",
        "can_log_in": has_account or email_taken,
        "can_register": bool(door.token) and bool(email) and not email_taken and not has_account,
        "register_url": reverse("job_pages:register", args=[door.token]) if door.token else "",
    }


def context(
    request: HttpRequest,
    door: Door,
    form: PhaseForm | None = None,
    *,
    error: str = "",
    choose_again: Iterable[str] = (),
    preview: bool = False,
) -> dict[str, Any]:
    """The page's context (call inside the tenant's scope and the page's language)."""
    job = (
        Job.objects.select_related("tenant", "customer", "contact", "vehicle", "version", "branch")
        .filter(pk=door.job.pk)
        .get()
    )
    door = Door(job, door.contact, door.account, door.language, door.token)
    form = form or PhaseForm(job, View.CUSTOMER, logged_in=door.logged_in)
    rows = form.rows()
    if preview:
        _quiet(form)
    _prepare_widgets(form, door)
    archived = job.is_archived
    save_label = "" if archived else form.save_label()
    found = reach(job, door.logged_in)
    current_keys = {row.key for row in rows}
    done = request.GET.get("done", "")
    return {
        "tenant": job.tenant,
        "door": door,
        "job": job,
        "vehicle": vehicle_label(job.vehicle) if job.vehicle else "",
        "phase": form.phase,
        "form": form,
        "rows": _customer_rows(door, rows, set(choose_again)),
        "present": [row.key for row in rows if row.field is not None and not archived],
        "save_label": save_label,
        "archived": archived,
        "error": error,
        "errors": [] if preview or not form.is_bound else _error_summary(form),
        "done_message": DONE_MESSAGES.get(done, "") if not error else "",
        "past": _overview(door, found, current_keys),
        "login_matters": not door.logged_in and _login_matters(job, rows),
        "max_upload": settings.API_MAX_UPLOAD_BYTES,
        "multipart": any(isinstance(f, UploadField) for f in form.fields.values()),
        **_access(door),
    }


def respond(
    request: HttpRequest,
    door: Door,
    template: str,
    page: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    if door.token:
        return token_pages.render_token_page(
            request, template, page, language=door.language, status=status
        )
    with translation.override(door.language):
        response = render(request, template, page, status=status)
    return token_pages.protect(response, door.language)


def _page(request: HttpRequest, door: Door, status: int = 200, **kwargs: Any) -> HttpResponse:
    with tenant_scope(door.tenant), translation.override(door.language):
        page = context(request, door, **kwargs)
    return respond(request, door, TEMPLATE, page, status)


def show(request: HttpRequest, door: Door) -> HttpResponse:
    """GET: the page (reads only)."""
    return _page(request, door)


def save(request: HttpRequest, door: Door) -> HttpResponse:
    """POST: save the customer view (or, `_preview`, draw its fields again for the values
    typed so far). Refused input comes back next to its field with everything typed kept;
    a phase that moved meanwhile shows the job as it is now."""
    job = door.job
    with tenant_scope(door.tenant), translation.override(door.language):
        if request.POST.get(PREVIEW):
            form = PhaseForm(job, View.CUSTOMER, logged_in=door.logged_in, data=request.POST)
            page = context(request, door, form, preview=True)
            return respond(request, door, FIELDS_TEMPLATE, page)
        form = PhaseForm(
            job, View.CUSTOMER, logged_in=door.logged_in, data=request.POST, files=request.FILES
        )
        chosen = {key for key in request.FILES if key in form.fields}
        if not form.is_valid():
            page = context(request, door, form, choose_again=chosen)
            return respond(request, door, TEMPLATE, page, status=400)
        try:
            job_services.save_view(
                job,
                view=View.CUSTOMER,
                expected_phase=request.POST.get("phase", ""),
                submitted=form.submitted(),
                who=door.who(),
                logged_in=door.logged_in,
            )
        except FieldErrors as refused:
            form.add_field_errors(refused.errors)
            page = context(request, door, form, choose_again=chosen)
            return respond(request, door, TEMPLATE, page, status=400)
        except ServiceError as refused:
            message = " ".join(str(m) for m in refused.messages)
            page = context(request, door, error=message)
            return respond(request, door, TEMPLATE, page, status=409)
    return token_pages.protect(redirect(door.page_url("saved")), door.language)


def waiting_jobs(jobs: Iterable[Job]) -> tuple[list[Job], list[Job]]:
    """Running jobs (waiting for the customer first) and archived ones (latest first)."""
    running = [job for job in jobs if not job.is_archived]
    archived = [job for job in jobs if job.is_archived]
    running.sort(key=lambda j: (j.waiting_for != "customer", -j.updated_at.timestamp()))
    archived.sort(key=lambda j: j.closed_at or j.updated_at, reverse=True)
    return running, archived


def customer_jobs(account: CustomerAccount) -> list[Job]:
    """The jobs of the account's customer (test jobs of the workflow editor left out)."""
    return list(
        Job.objects.filter(
            tenant=account.tenant, customer_id=account.customer_id, is_test=False
        ).select_related("vehicle")
    )
