"""The workflow editor (/staff/jobs/workflows/…): the list of workflows, a workflow's draft
with its phases, a phase with its staff and customer views, the explanation of a condition,
and the test mode.

Every page works without JavaScript (forms post and redirect back); with htmx the edits of a
phase's views replace only that part of the page (`hx-select`). Services do the changes;
refusals are shown at the input they name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from theke.audit.presentation import timeline_for
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.jobs.definition import Definition
from theke.jobs.editor_forms import (
    CopyForm,
    EntryAddForm,
    EntryForm,
    ExplainForm,
    PhaseAddForm,
    PhaseSettingsForm,
    WorkflowForm,
)
from theke.jobs.models import (
    ARCHIVED_STATUSES,
    Field,
    Job,
    Phase,
    PhaseEntry,
    View,
    Workflow,
)
from theke.jobs.rules import Name, RuleError, compile_rule
from theke.jobs.services import drafts, setup
from theke.jobs.services.links import job_link_url
from theke.jobs.services.workflows import check_definition, draft_definition
from theke.jobs.staff_views.common import (
    editor_view,
    entry_or_404,
    is_htmx,
    phase_or_404,
    tenant_of,
    workflow_or_404,
)

# --- the status of a workflow ---------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    label: str
    css: str  # Bootstrap text-bg-… colour
    changed: bool = False


def status_of(workflow: Workflow) -> Status:
    """ "veröffentlicht v2", "veröffentlicht v2 · Entwurf geändert" or "nie veröffentlicht"."""
    published = workflow.published
    if published is None:
        return Status(_("nie veröffentlicht"), "secondary", changed=True)
    label = _("veröffentlicht v%(number)s") % {"number": published.number}
    if published.draft_revision != workflow.draft_revision:
        return Status(f"{label} · {_('Entwurf geändert')}", "warning", changed=True)
    return Status(label, "success")


def _running_filter() -> Q:
    return Q(jobs__is_test=False) & ~Q(jobs__status__in=ARCHIVED_STATUSES)


# --- the list -------------------------------------------------------------------------------


@editor_view
@require_GET
def workflow_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    workflows = list(
        Workflow.objects.filter(tenant=tenant)
        .select_related("published")
        .annotate(running=Count("jobs", filter=_running_filter()))
        .order_by("-is_builtin", "-is_default", "name", "pk")
    )
    rows = [{"workflow": w, "status": status_of(w)} for w in workflows]
    return render(
        request,
        "jobs/staff/editor/workflow_list.html",
        {
            "builtin": [r for w, r in zip(workflows, rows, strict=True) if w.is_builtin],
            "own": [r for w, r in zip(workflows, rows, strict=True) if not w.is_builtin],
        },
    )


@editor_view
@require_http_methods(["GET", "POST"])
def workflow_new(request: HttpRequest) -> HttpResponse:
    form = WorkflowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow = drafts.create_workflow(
                tenant_of(request),
                Actor.staff(request.user),
                form.cleaned_data["name"],
                form.cleaned_data["description"],
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _("Der Workflow „%(name)s“ wurde angelegt. Fügen Sie jetzt Phasen hinzu.")
                % {"name": workflow.name},
            )
            return redirect("jobs:workflow", pk=workflow.pk)
    return render(request, "jobs/staff/editor/workflow_new.html", {"form": form})


@editor_view
@require_http_methods(["GET", "POST"])
def workflow_copy(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    suggested = _("Kopie von %(name)s") % {"name": workflow.name}
    form = CopyForm(request.POST or None, initial={"name": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            copy = setup.copy_workflow(
                workflow, Actor.staff(request.user), form.cleaned_data["name"]
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _(
                    "„%(name)s“ ist eine Kopie von „%(source)s“. Passen Sie den Entwurf an, "
                    "testen und veröffentlichen Sie ihn."
                )
                % {"name": copy.name, "source": workflow.name},
            )
            return redirect("jobs:workflow", pk=copy.pk)
    return render(
        request, "jobs/staff/editor/workflow_copy.html", {"workflow": workflow, "form": form}
    )


@editor_view
@require_POST
def workflow_default(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    try:
        drafts.set_default(workflow, Actor.staff(request.user))
    except ServiceError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Neue Jobs starten jetzt mit „%(name)s“.") % {"name": workflow.name},
        )
    return redirect(_back(request, reverse("jobs:workflows")))


@editor_view
@require_POST
def workflow_active(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    active = request.POST.get("active") == "1"
    try:
        drafts.set_active(workflow, Actor.staff(request.user), active)
    except ServiceError as error:
        messages.error(request, error.messages[0])
    else:
        text = (
            _("„%(name)s“ ist aktiv: neue Jobs können damit starten.")
            if active
            else _("„%(name)s“ ist nicht mehr aktiv; laufende Jobs gehen weiter.")
        )
        messages.success(request, text % {"name": workflow.name})
    return redirect(_back(request, reverse("jobs:workflows")))


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a small action returns to: its `next` when that is one of our pages."""
    target = request.POST.get("next", "")
    return target if target.startswith("/staff/jobs/") else fallback


# --- a workflow's draft ---------------------------------------------------------------------


@dataclass
class PhaseRow:
    phase: Phase
    staff: list[PhaseEntry] = field(default_factory=list)
    customer: list[PhaseEntry] = field(default_factory=list)
    running: int = 0


def _phase_rows(workflow: Workflow) -> list[PhaseRow]:
    phases = list(workflow.phases.order_by("position", "pk"))
    rows = {p.pk: PhaseRow(p) for p in phases}
    entries = (
        PhaseEntry.objects.filter(phase__workflow=workflow)
        .select_related("field")
        .order_by("position", "pk")
    )
    for entry in entries:
        row = rows[entry.phase_id]
        (row.staff if entry.view == View.STAFF else row.customer).append(entry)
    counts = dict(
        Job.objects.filter(workflow=workflow, is_test=False)
        .exclude(status__in=ARCHIVED_STATUSES)
        .values_list("phase_key")
        .annotate(count=Count("pk"))
        .values_list("phase_key", "count")
    )
    for row in rows.values():
        row.running = counts.get(row.phase.key, 0)
    return list(rows.values())


def _workflow_page(
    request: HttpRequest,
    workflow: Workflow,
    *,
    settings_form: WorkflowForm | None = None,
    add_form: PhaseAddForm | None = None,
) -> HttpResponse:
    definition = draft_definition(workflow)
    problems = check_definition(definition, automatic=workflow.is_default)
    running = (
        Job.objects.filter(workflow=workflow, is_test=False)
        .exclude(status__in=ARCHIVED_STATUSES)
        .count()
    )
    context = {
        "workflow": workflow,
        "editable": not workflow.is_builtin,
        "status": status_of(workflow),
        "phases": _phase_rows(workflow),
        "problems": problems,
        "running": running,
        "settings_form": settings_form
        or WorkflowForm(initial={"name": workflow.name, "description": workflow.description}),
        "add_form": add_form or PhaseAddForm(),
        "test_jobs": [
            (job, _phase_name(job))
            for job in drafts.test_jobs(workflow, request.user)  # type: ignore[arg-type]
        ],
        "timeline": timeline_for(request, workflow),
    }
    return render(request, "jobs/staff/editor/workflow.html", context)


def _phase_name(job: Job) -> str:
    phase = Definition.from_json(job.version.definition).phase(job.phase_key)
    return phase.name if phase else job.phase_key


@editor_view
@require_http_methods(["GET", "POST"])
def workflow_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft of a workflow: its phases in order (the built-in one read-only)."""
    workflow = workflow_or_404(request, pk)
    if request.method != "POST":
        return _workflow_page(request, workflow)
    form = WorkflowForm(request.POST)
    if form.is_valid():
        try:
            drafts.update_workflow(
                workflow,
                Actor.staff(request.user),
                form.cleaned_data["name"],
                form.cleaned_data["description"],
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Gespeichert (im Entwurf)."))
            return redirect("jobs:workflow", pk=workflow.pk)
    return _workflow_page(request, workflow, settings_form=form)


@editor_view
@require_POST
def phase_add(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    form = PhaseAddForm(request.POST)
    if form.is_valid():
        try:
            phase = drafts.add_phase(
                workflow,
                Actor.staff(request.user),
                form.cleaned_data["name"],
                form.cleaned_data["key"],
            )
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _("Die Phase „%(name)s“ wurde angelegt. Legen Sie jetzt ihre Felder fest.")
                % {"name": phase.name},
            )
            return redirect("jobs:phase", pk=workflow.pk, phase_id=phase.pk)
    return _workflow_page(request, workflow, add_form=form)


@editor_view
@require_POST
def phase_move(request: HttpRequest, pk: int, phase_id: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    phase = phase_or_404(request, workflow, phase_id)
    try:
        drafts.move_phase(phase, Actor.staff(request.user), up=request.POST.get("up") == "1")
    except ServiceError as error:
        messages.error(request, error.messages[0])
    return redirect(reverse("jobs:workflow", args=[workflow.pk]) + f"#phase-{phase.pk}")


@editor_view
@require_http_methods(["GET", "POST"])
def phase_delete(request: HttpRequest, pk: int, phase_id: int) -> HttpResponse:
    """Remove a phase from the draft, after a warning when running jobs stand in it."""
    workflow = workflow_or_404(request, pk)
    phase = phase_or_404(request, workflow, phase_id)
    if request.method == "POST":
        try:
            drafts.delete_phase(phase, Actor.staff(request.user))
        except ServiceError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("Die Phase „%(name)s“ wurde aus dem Entwurf entfernt.") % {"name": phase.name},
            )
        return redirect("jobs:workflow", pk=workflow.pk)
    running = drafts.running_in_phase(phase)
    return render(
        request,
        "jobs/staff/editor/phase_delete.html",
        {
            "workflow": workflow,
            "phase": phase,
            "running": running,
            "running_total": sum(r.jobs for r in running),
        },
    )


# --- a phase and its views ------------------------------------------------------------------


@dataclass
class EntryRow:
    entry: PhaseEntry
    form: EntryForm | None
    open: bool  # its form was posted with errors: shown unfolded
    explain: dict[str, Any]
    # The library field's own condition (it holds in every workflow that uses the field).
    field_explain: dict[str, Any]


@dataclass
class ViewBlock:
    view: str
    label: str
    entries: list[EntryRow]
    add_form: EntryAddForm | None


def _entry_form(entry: PhaseEntry, data: Any = None) -> EntryForm:
    return EntryForm(
        data,
        prefix=f"e{entry.pk}",
        initial={
            "label": entry.label,
            "required": entry.required,
            "read_only": entry.read_only,
            "hide_label": entry.hide_label,
            "after_send": entry.after_send,
            "condition": entry.condition,
        },
    )


def _library(request: HttpRequest) -> list[Field]:
    return list(Field.objects.filter(tenant=tenant_of(request)).order_by("label", "pk"))


def _message_editor_url(request: HttpRequest) -> str:
    if not request.user.has_perm("messaging.manage_templates"):
        return ""
    language = tenant_of(request).default_language or "de"
    return reverse("messaging:template_edit", args=["job_phase", "email", language])


def _phase_page(
    request: HttpRequest,
    workflow: Workflow,
    phase: Phase,
    *,
    settings_form: PhaseSettingsForm | None = None,
    entry_forms: dict[int, EntryForm] | None = None,
    add_forms: dict[str, EntryAddForm] | None = None,
) -> HttpResponse:
    tenant = tenant_of(request)
    editable = not workflow.is_builtin
    entry_forms = entry_forms or {}
    add_forms = add_forms or {}
    library = _library(request) if editable else []
    entries = list(phase.entries.select_related("field").order_by("view", "position", "pk"))
    names = drafts.draft_names(workflow)
    blocks = []
    for view, label in View.choices:
        rows = []
        for entry in entries:
            if entry.view != view:
                continue
            form = entry_forms.get(entry.pk) or (_entry_form(entry) if editable else None)
            box = _explain_context(workflow, "entry", entry.pk, entry.condition, names=names)
            own = _explain_context(workflow, FIELD_OF, entry.pk, entry.field.condition, names=names)
            rows.append(EntryRow(entry, form, entry.pk in entry_forms, box, own))
        add = add_forms.get(view) or (
            EntryAddForm(prefix=f"add-{view}", fields=library) if editable else None
        )
        blocks.append(ViewBlock(view, str(label), rows, add))
    settings = settings_form or PhaseSettingsForm(
        initial={
            "name": phase.name,
            "key": phase.key,
            "condition": phase.condition,
            "message": phase.message,
            "message_sms": phase.message_sms,
        },
        message_names=drafts.message_names(tenant),
    )
    phases = list(workflow.phases.order_by("position", "pk"))
    index = next((i for i, p in enumerate(phases) if p.pk == phase.pk), 0)
    context = {
        "workflow": workflow,
        "phase": phase,
        "editable": editable,
        "form": settings,
        "blocks": blocks,
        "message_editor_url": _message_editor_url(request),
        "explain": _explain_context(workflow, "phase", phase.pk, phase.condition, names=names),
        "previous_phase": phases[index - 1] if index > 0 else None,
        "next_phase": phases[index + 1] if index + 1 < len(phases) else None,
        "names": sorted(names.values(), key=lambda n: n.key),
    }
    return render(request, "jobs/staff/editor/phase.html", context)


@editor_view
@require_http_methods(["GET", "POST"])
def phase_page(request: HttpRequest, pk: int, phase_id: int) -> HttpResponse:
    """A phase: its name, key, condition and message, and the fields of its two views."""
    workflow = workflow_or_404(request, pk)
    phase = phase_or_404(request, workflow, phase_id)
    if request.method != "POST":
        return _phase_page(request, workflow, phase)
    form = PhaseSettingsForm(
        request.POST,
        initial={"message": phase.message},
        message_names=drafts.message_names(tenant_of(request)),
    )
    if form.is_valid():
        try:
            drafts.update_phase(phase, Actor.staff(request.user), form.phase_data())
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Die Phase wurde gespeichert (im Entwurf)."))
            return redirect("jobs:phase", pk=workflow.pk, phase_id=phase.pk)
    return _phase_page(request, workflow, phase, settings_form=form)


def _to_phase(workflow: Workflow, phase: Phase, anchor: str = "") -> HttpResponse:
    url = reverse("jobs:phase", args=[workflow.pk, phase.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@editor_view
@require_POST
def entry_add(request: HttpRequest, pk: int, phase_id: int, view: str) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    phase = phase_or_404(request, workflow, phase_id)
    if view not in View.values:
        return _to_phase(workflow, phase)
    form = EntryAddForm(request.POST, prefix=f"add-{view}", fields=_library(request))
    if form.is_valid():
        field_row = get_object_or_404(
            Field, pk=form.cleaned_data["field"], tenant=tenant_of(request)
        )
        try:
            entry = drafts.add_entry(phase, Actor.staff(request.user), view, field_row)
        except ServiceError as error:
            form.add_refusal(error)
        else:
            return _to_phase(workflow, phase, f"entry-{entry.pk}")
    return _phase_page(request, workflow, phase, add_forms={view: form})


@editor_view
@require_POST
def entry_update(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    entry = entry_or_404(request, workflow, entry_id)
    form = _entry_form(entry, request.POST)
    if form.is_valid():
        try:
            drafts.update_entry(entry, Actor.staff(request.user), form.entry_data())
        except ServiceError as error:
            form.add_refusal(error)
        else:
            return _to_phase(workflow, entry.phase, f"entry-{entry.pk}")
    return _phase_page(request, workflow, entry.phase, entry_forms={entry.pk: form})


@editor_view
@require_POST
def entry_move(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    entry = entry_or_404(request, workflow, entry_id)
    try:
        drafts.move_entry(entry, Actor.staff(request.user), up=request.POST.get("up") == "1")
    except ServiceError as error:
        messages.error(request, error.messages[0])
    return _to_phase(workflow, entry.phase, f"entry-{entry.pk}")


@editor_view
@require_POST
def entry_remove(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    entry = entry_or_404(request, workflow, entry_id)
    try:
        drafts.remove_entry(entry, Actor.staff(request.user))
    except ServiceError as error:
        messages.error(request, error.messages[0])
    return _to_phase(workflow, entry.phase, f"view-{entry.view}")


# --- "Erklären": a condition evaluated on example values ------------------------------------


def _used_names(text: str, names: dict[str, Name]) -> tuple[list[Name], str]:
    """The names a condition uses, in the order they appear, or its compile error."""
    try:
        rule = compile_rule(text, names)
    except RuleError as error:
        return [], str(error)
    lowered = text.lower()

    def first(key: str) -> int:
        found = lowered.find(key.lower())
        return found if found >= 0 else len(text)

    return [names[key] for key in sorted(rule.names, key=first)], ""


# The explain box of an entry's library field's own condition (target "feld-<entry id>").
FIELD_OF = "feld"


def _explain_context(
    workflow: Workflow,
    target: str,
    target_id: int,
    text: str,
    data: Any = None,
    names: dict[str, Name] | None = None,
) -> dict[str, Any]:
    """The explain box of one condition: inputs per name and, when asked, the result."""
    text = text.strip()
    context: dict[str, Any] = {"target": f"{target}-{target_id}", "text": text, "kind": target}
    if not text:
        return context
    names = names if names is not None else drafts.draft_names(workflow)
    used, error = _used_names(text, names)
    if error:
        context["error"] = error
        return context
    form = ExplainForm(data, names=used, prefix=f"x-{target}-{target_id}")
    context["form"] = form
    if data is not None:
        rule = compile_rule(text, names)
        values = form.values()
        holds = rule.evaluate(values)
        why = rule.explain(values)
        context["holds"] = holds
        context["sentence"] = _sentence(target, holds, why)
    return context


def _sentence(target: str, holds: bool, why: str) -> str:
    if target == "phase":
        text = (
            _("Die Phase gilt, weil %(why)s.") if holds else _("Die Phase entfällt, weil %(why)s.")
        )
    else:
        text = (
            _("Das Feld wird angezeigt, weil %(why)s.")
            if holds
            else _("Das Feld ist ausgeblendet, weil %(why)s.")
        )
    return text % {"why": why}


@editor_view
@require_GET
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    """Evaluate a saved condition (of a phase or a field entry) on example values."""
    workflow = workflow_or_404(request, pk)
    target, _sep, raw_id = request.GET.get("ziel", "").partition("-")
    if not raw_id.isdigit() or target not in {"phase", "entry", FIELD_OF}:
        return redirect("jobs:workflow", pk=workflow.pk)
    target_id = int(raw_id)
    if target == "phase":
        phase = phase_or_404(request, workflow, target_id)
        text, back = phase.condition, reverse("jobs:phase", args=[workflow.pk, phase.pk])
    else:
        entry = entry_or_404(request, workflow, target_id)
        text = entry.field.condition if target == FIELD_OF else entry.condition
        back = reverse("jobs:phase", args=[workflow.pk, entry.phase_id]) + f"#entry-{entry.pk}"
    context = _explain_context(workflow, target, target_id, text, request.GET)
    context.update({"workflow": workflow, "back": back})
    template = (
        "jobs/staff/editor/_explain_result.html"
        if is_htmx(request)
        else "jobs/staff/editor/explain.html"
    )
    return render(request, template, {"explain": context, **context})


# --- the test mode --------------------------------------------------------------------------


@editor_view
@require_POST
def test_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a test job on the draft (messages go to the tester only)."""
    workflow = workflow_or_404(request, pk)
    try:
        job = drafts.start_test(workflow, request.user)  # type: ignore[arg-type]
    except ServiceError as error:
        messages.error(request, error.messages[0])
        return redirect("jobs:workflow", pk=workflow.pk)
    messages.success(
        request,
        _(
            "Testjob %(number)s gestartet (Kunde „Testkunde“). Nachrichten gehen nur an Sie, "
            "an %(email)s."
        )
        % {"number": job.number, "email": request.user.email},  # type: ignore[union-attr]
    )
    return redirect(reverse("jobs:workflow", args=[workflow.pk]) + "#test")


@editor_view
@require_POST
def test_customer(request: HttpRequest, pk: int, job_id: int) -> HttpResponse:
    """ "Kunde spielen": a fresh link to the test job's Parkplatz page, opened right away."""
    workflow = workflow_or_404(request, pk)
    job = get_object_or_404(
        Job,
        pk=job_id,
        workflow=workflow,
        is_test=True,
        test_owner=request.user,
        tenant=tenant_of(request),
    )
    return redirect(job_link_url(job))
