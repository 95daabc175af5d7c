"""Publishing a workflow's draft (/staff/jobs/workflows/<pk>/veroeffentlichen/).

The page shows what keeps the draft from being published (blocking), what it changes against
the published version, and what moving the running jobs would do: per old version and phase
how many jobs, to which new phase (a mapping per old phase, by default the phase of the same
key), which values they would no longer show and which message would go out. Publishing
posts the draft revision that was previewed: a draft changed since is refused and the preview
shown again. Moving jobs is optional (one box per old version and phase, off by default).

When the draft equals the published version, the same page moves running jobs of older
versions onto the published one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.jobs.definition import Definition
from theke.jobs.diff import definition_diff
from theke.jobs.models import Job, Workflow, WorkflowVersion
from theke.jobs.services.jobs import Who, messages_allowed
from theke.jobs.services.workflows import (
    check_definition,
    default_mapping,
    draft_definition,
    impact,
    move_jobs,
    publish,
    running_jobs,
    version_label,
)
from theke.jobs.staff_views.common import editor_view, workflow_or_404
from theke.jobs.staff_views.editor import status_of


@dataclass
class GroupRow:
    """One old phase of one old version: its jobs and what moving them would do."""

    version_id: int
    old_key: str
    old_name: str
    jobs: int
    new_key: str
    new_name: str
    lost: list[tuple[str, int]]
    message: str
    message_jobs: int
    move: bool

    @property
    def name(self) -> str:
        return f"{self.version_id}-{self.old_key}"


@dataclass
class VersionGroup:
    version: WorkflowVersion
    rows: list[GroupRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return version_label(self.version)

    @property
    def jobs(self) -> int:
        return sum(r.jobs for r in self.rows)


def _groups(
    workflow: Workflow, target: Definition, data: Any, *, exclude: WorkflowVersion | None
) -> tuple[list[VersionGroup], dict[int, dict[str, str]], dict[int, list[Job]]]:
    """The running jobs per old version and phase with the impact of the chosen mapping."""
    jobs = list(running_jobs(workflow, exclude=exclude).select_related("version").order_by("pk"))
    by_version: dict[int, list[Job]] = defaultdict(list)
    versions: dict[int, WorkflowVersion] = {}
    for job in jobs:
        by_version[job.version_id].append(job)
        versions[job.version_id] = job.version
    new_keys = {p.key for p in target.phases}
    groups = []
    mappings: dict[int, dict[str, str]] = {}
    ordered = sorted(versions.values(), key=lambda v: (v.number or 0, v.pk))
    for version in ordered:
        old = Definition.from_json(version.definition)
        defaults = default_mapping(old, target)
        mapping: dict[str, str] = {}
        for key in {j.phase_key for j in by_version[version.pk]}:
            chosen = (data or {}).get(f"map-{version.pk}-{key}", "")
            mapping[key] = chosen if chosen in new_keys else defaults.get(key, "")
        mappings[version.pk] = mapping
        result = impact(by_version[version.pk], target, {version.pk: mapping})
        group = VersionGroup(version)
        for row in result.phases:
            members = [j for j in by_version[version.pk] if j.phase_key == row.old_phase]
            group.rows.append(
                GroupRow(
                    version_id=version.pk,
                    old_key=row.old_phase,
                    old_name=row.old_name,
                    jobs=row.jobs,
                    new_key=row.new_phase,
                    new_name=row.new_name,
                    lost=sorted(row.lost.items()),
                    message=row.message,
                    message_jobs=sum(1 for j in members if messages_allowed(j))
                    if row.message
                    else 0,
                    move=bool(data) and data.get(f"move-{version.pk}-{row.old_phase}") == "1",
                )
            )
        group.rows.sort(key=lambda r: old.index(r.old_key))
        groups.append(group)
    return groups, mappings, dict(by_version)


def _page(
    request: HttpRequest,
    workflow: Workflow,
    data: Any = None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    draft = draft_definition(workflow)
    published = workflow.published
    state = status_of(workflow)
    only_move = not state.changed
    problems = [] if only_move else check_definition(draft, automatic=workflow.is_default)
    old = Definition.from_json(published.definition) if published else None
    groups, _mappings, _jobs = _groups(
        workflow, draft, data, exclude=published if only_move else None
    )
    context = {
        "workflow": workflow,
        "status": state,
        "only_move": only_move,
        "revision": workflow.draft_revision,
        "problems": problems,
        "diff": definition_diff(old, draft) if not only_move else None,
        "groups": groups,
        "running": sum(g.jobs for g in groups),
        "phases": draft.phases,
        "error": error,
        "next_number": (published.number or 0) + 1 if published else 1,
    }
    return render(request, "jobs/staff/editor/publish.html", context, status=status)


@editor_view
@require_http_methods(["GET", "POST"])
def publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_or_404(request, pk)
    if workflow.is_builtin:
        messages.error(
            request,
            _(
                "Der Standard-Workflow von Theke lässt sich nicht ändern. Kopieren Sie ihn und "
                "passen Sie die Kopie an."
            ),
        )
        return redirect("jobs:workflow", pk=workflow.pk)
    if request.method != "POST" or request.POST.get("action") != "publish":
        return _page(request, workflow, request.POST or None)
    posted = request.POST.get("revision", "")
    revision = int(posted) if posted.isdigit() else -1
    actor = Actor.staff(request.user)
    only_move = not status_of(workflow).changed
    if only_move and revision != workflow.draft_revision:
        return _stale(request, workflow)
    if only_move:
        version = workflow.published
        assert version is not None  # not changed means published
    else:
        try:
            version = publish(workflow, actor, revision=revision)
        except ServiceError as error:
            if error.code == "stale":
                return _stale(request, workflow)
            return _page(request, workflow, request.POST, error=error.messages[0], status=409)
    workflow.refresh_from_db()
    moved = _move_chosen(request, workflow, version)
    if not only_move:
        messages.success(
            request,
            _("„%(name)s“ ist als %(version)s veröffentlicht: neue Jobs starten damit.")
            % {"name": workflow.name, "version": version_label(version)},
        )
    if moved is not None:
        messages.success(
            request,
            ngettext(
                "%(count)s laufender Job ist jetzt auf %(version)s.",
                "%(count)s laufende Jobs sind jetzt auf %(version)s.",
                moved,
            )
            % {"count": moved, "version": version_label(version)},
        )
    return redirect("jobs:workflow", pk=workflow.pk)


def _stale(request: HttpRequest, workflow: Workflow) -> HttpResponse:
    text = _(
        "Der Entwurf wurde inzwischen geändert. Bitte prüfen Sie die Vorschau erneut und "
        "veröffentlichen Sie dann."
    )
    workflow.refresh_from_db()
    return _page(request, workflow, request.POST, error=text, status=409)


def _move_chosen(request: HttpRequest, workflow: Workflow, version: WorkflowVersion) -> int | None:
    """Move the jobs of the chosen old phases (None: none chosen)."""
    target = Definition.from_json(version.definition)
    groups, mappings, jobs = _groups(workflow, target, request.POST, exclude=version)
    chosen = [
        job
        for group in groups
        for row in group.rows
        if row.move
        for job in jobs[group.version.pk]
        if job.phase_key == row.old_key
    ]
    if not chosen:
        return None
    try:
        moved = move_jobs(chosen, version, mappings, Who.staff(request.user))  # type: ignore[arg-type]
    except ServiceError as error:
        messages.error(
            request,
            _("Die Jobs wurden nicht verschoben: %(error)s") % {"error": error.messages[0]},
        )
        return None
    return len(moved)
