"""Workflows: the draft, its checks, publishing, the test mode, and moving running jobs.

Editing never touches what jobs run on. Staff edit the draft (phases, their entries, the
library fields they place); `publish` compiles the draft into a new immutable version. The
draft's revision is named by the publish form, so a draft changed after the preview is never
published unseen (n8n #35558), and running jobs keep their version until staff move chosen
ones with a mapping of phases (`move_jobs`), after seeing what the move does (`impact`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.audit.feed import emit_event
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.jobs.definition import (
    Compiled,
    Definition,
    EntryDef,
    FieldDef,
    PhaseDef,
    compile_definition,
    compiled,
)
from theke.jobs.models import (
    Field,
    FieldType,
    Job,
    JobChange,
    JobStatus,
    PhaseEntry,
    VersionKind,
    View,
    Workflow,
    WorkflowVersion,
)
from theke.jobs.values import display, is_empty, rule_values, stored
from theke.tenants.scoping import tenant_scope

# Fields the system fills or reads (seed 004: "funktionale Felder"): a workflow that starts
# jobs automatically (callback requests, the API) must place them, or those jobs lose data.
AUTOMATIC_JOB_FIELDS = (FieldType.CALLBACK_PHONE, FieldType.CUSTOMER_MESSAGE)


# --- the draft as a definition ---------------------------------------------------------------


def _field_def(row: Field) -> FieldDef:
    return FieldDef(
        key=row.key,
        label=row.label,
        type=row.type,
        default=row.default,
        options=tuple(str(o) for o in row.options),
        documents=tuple(str(d) for d in row.documents),
        help_text=row.help_text,
        condition=row.condition,
    )


def _entry_def(row: PhaseEntry) -> EntryDef:
    return EntryDef(
        field=row.field.key,
        label=row.label,
        required=row.required,
        read_only=row.read_only,
        hide_label=row.hide_label,
        after_send=row.after_send,
        condition=row.condition,
    )


def draft_definition(workflow: Workflow) -> Definition:
    """The workflow's draft with its library fields as they are now (3 queries)."""
    with tenant_scope(workflow.tenant):
        phases = list(workflow.phases.order_by("position", "pk"))
        entries = list(
            PhaseEntry.objects.filter(phase__workflow=workflow)
            .select_related("field")
            .order_by("position", "pk")
        )
    by_phase: dict[int, list[PhaseEntry]] = {}
    fields: dict[str, FieldDef] = {}
    for entry in entries:
        by_phase.setdefault(entry.phase_id, []).append(entry)
        fields.setdefault(entry.field.key, _field_def(entry.field))
    return Definition(
        workflow.name,
        fields,
        tuple(
            PhaseDef(
                key=phase.key,
                name=phase.name,
                condition=phase.condition,
                message=phase.message,
                message_sms=phase.message_sms,
                staff=tuple(
                    _entry_def(e) for e in by_phase.get(phase.pk, []) if e.view == View.STAFF
                ),
                customer=tuple(
                    _entry_def(e) for e in by_phase.get(phase.pk, []) if e.view == View.CUSTOMER
                ),
            )
            for phase in phases
        ),
    )


def check_definition(definition: Definition, *, automatic: bool) -> list[str]:
    """What keeps a draft from being published, in words (empty: it may be published)."""
    problems: list[str] = []
    if not definition.phases:
        problems.append(_("Der Workflow hat noch keine Phase."))
    made = compile_definition(definition)
    problems += [str(p) for p in made.problems]
    types = {f.type for f in definition.used_fields()}
    if FieldType.JOB_STATUS not in types:
        problems.append(
            _("Das Feld „Jobstatus“ fehlt: ohne es lässt sich ein Job nicht abschließen.")
        )
    if automatic:
        for needed in AUTOMATIC_JOB_FIELDS:
            if needed not in types:
                problems.append(
                    _(
                        "Das Feld „%(label)s“ fehlt: Rückrufwünsche und Jobs über die "
                        "Schnittstelle brauchen es (Standard-Workflow)."
                    )
                    % {"label": FieldType(needed).label}
                )
    return problems


def version_compiled(version: WorkflowVersion) -> Compiled:
    return compiled(version.pk, version.definition)


# --- editing the draft ----------------------------------------------------------------------


def touch_drafts(workflows: QuerySet[Workflow] | Iterable[Workflow]) -> None:
    """A draft changed: bump its revision (a preview made before no longer publishes)."""
    ids = [w.pk for w in workflows]
    Workflow.objects.filter(pk__in=ids).update(
        draft_revision=F("draft_revision") + 1, updated_at=timezone.now()
    )


def refuse_builtin(workflow: Workflow) -> None:
    if workflow.is_builtin:
        raise ServiceError(
            _(
                "Der Standard-Workflow von Theke lässt sich nicht ändern. "
                "Kopieren Sie ihn und passen Sie die Kopie an."
            ),
            None,
            code="builtin",
        )


def workflows_using(field_row: Field) -> list[Workflow]:
    """The workflows whose draft places this field (the field editor lists them)."""
    with tenant_scope(field_row.tenant):
        return list(
            Workflow.objects.filter(phases__entries__field=field_row).distinct().order_by("name")
        )


# --- publishing -----------------------------------------------------------------------------


def _lock_workflow(workflow: Workflow) -> Workflow:
    return Workflow.objects.select_for_update().get(pk=workflow.pk)


def publish(workflow: Workflow, actor: Actor, *, revision: int) -> WorkflowVersion:
    """Publish the draft as the next version; new jobs start on it, running jobs stay.

    `revision` is the draft revision the user previewed: a draft changed since is refused.
    """
    with tenant_scope(workflow.tenant), transaction.atomic():
        locked = _lock_workflow(workflow)
        refuse_builtin(locked)
        if locked.draft_revision != revision:
            raise ServiceError(
                _(
                    "Der Entwurf wurde inzwischen geändert. Bitte prüfen Sie die Vorschau "
                    "erneut und veröffentlichen Sie dann."
                ),
                None,
                code="stale",
            )
        definition = draft_definition(locked)
        problems = check_definition(definition, automatic=locked.is_default)
        if problems:
            raise ServiceError(
                _("Der Entwurf lässt sich noch nicht veröffentlichen: %(problems)s")
                % {"problems": " ".join(problems)},
                None,
                code="problems",
            )
        last = (
            locked.versions.filter(kind=VersionKind.PUBLISHED)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        version = WorkflowVersion.objects.create(
            tenant=locked.tenant,
            workflow=locked,
            kind=VersionKind.PUBLISHED,
            number=(last or 0) + 1,
            definition=definition.as_json(),
            draft_revision=locked.draft_revision,
            created_by_id=actor.user_id,
        )
        locked.published = version
        locked.save(update_fields=["published", "updated_at"])
        record(
            locked.tenant,
            actor,
            "workflow.published",
            locked,
            {"version": version.number},
        )
    return version


def test_version(workflow: Workflow, actor: Actor) -> WorkflowVersion:
    """The draft compiled for the test mode (not published; problems are shown, not fatal)."""
    with tenant_scope(workflow.tenant), transaction.atomic():
        locked = _lock_workflow(workflow)
        definition = draft_definition(locked)
        if not definition.phases:
            raise ServiceError(_("Der Workflow hat noch keine Phase."), None, code="empty")
        return WorkflowVersion.objects.create(
            tenant=locked.tenant,
            workflow=locked,
            kind=VersionKind.TEST,
            number=None,
            definition=definition.as_json(),
            draft_revision=locked.draft_revision,
            created_by_id=actor.user_id,
        )


# --- the impact of moving running jobs ------------------------------------------------------


@dataclass
class PhaseImpact:
    """What moving the running jobs of one old phase would do."""

    old_phase: str
    old_name: str
    new_phase: str
    new_name: str
    jobs: int = 0
    # field label -> how many of these jobs hold a value the new version drops
    lost: Counter[str] = field(default_factory=Counter)
    # the message the new phase sends on activation (when the phase changes), if any
    message: str = ""


@dataclass
class Impact:
    phases: list[PhaseImpact]
    unmapped: list[str]

    @property
    def jobs(self) -> int:
        return sum(p.jobs for p in self.phases)


def default_mapping(old: Definition, new: Definition) -> dict[str, str]:
    """Old phase -> the new phase of the same key, else the new first phase."""
    first = new.phases[0].key if new.phases else ""
    return {p.key: (p.key if new.phase(p.key) else first) for p in old.phases}


def running_jobs(workflow: Workflow, exclude: WorkflowVersion | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(workflow=workflow, is_test=False).exclude(
        status__in=[JobStatus.CLOSED, JobStatus.CANCELED]
    )
    if exclude is not None:
        jobs = jobs.exclude(version=exclude)
    return jobs


def _lost_fields(job: Job, old: Definition, new: Definition) -> list[str]:
    lost = []
    for item in old.used_fields():
        value = stored(job, item)
        if is_empty(item, value):
            continue
        kept = new.fields.get(item.key)
        if kept is None or not any(
            e.field == item.key for p in new.phases for e in (*p.staff, *p.customer)
        ):
            lost.append(item.label)
        elif kept.type == FieldType.SELECT and value not in kept.options:
            lost.append(f"{item.label} ({display(item, value)})")
    return lost


def impact(
    jobs: Sequence[Job], target: Definition, mappings: Mapping[int, Mapping[str, str]]
) -> Impact:
    """What moving `jobs` to `target` would do, per old phase (numbers shown before publishing).

    `mappings`: per old version id, old phase key -> new phase key.
    """
    rows: dict[tuple[int, str], PhaseImpact] = {}
    unmapped: list[str] = []
    for job in jobs:
        old = Definition.from_json(job.version.definition)
        mapping = mappings.get(job.version_id, {})
        new_key = mapping.get(job.phase_key, "")
        new_phase = target.phase(new_key)
        if new_phase is None:
            unmapped.append(job.number)
            continue
        key = (job.version_id, job.phase_key)
        if key not in rows:
            old_phase = old.phase(job.phase_key)
            rows[key] = PhaseImpact(
                old_phase=job.phase_key,
                old_name=old_phase.name if old_phase else job.phase_key,
                new_phase=new_key,
                new_name=new_phase.name,
                message=new_phase.message if new_key != job.phase_key else "",
            )
        row = rows[key]
        row.jobs += 1
        row.lost.update(_lost_fields(job, old, target))
    return Impact(list(rows.values()), unmapped)


def mapping_problems(target: Definition, mapping: Mapping[str, str]) -> list[str]:
    return [
        _("Phase „%(key)s“ gibt es in der neuen Version nicht.") % {"key": new}
        for new in mapping.values()
        if target.phase(new) is None
    ]


# --- moving running jobs to a new version (the workflow editor) ------------------------------

if TYPE_CHECKING:
    from theke.jobs.services.jobs import Who


def version_label(version: WorkflowVersion) -> str:
    return f"v{version.number}" if version.number else str(_("Test"))


def move_jobs(
    jobs: Iterable[Job],
    version: WorkflowVersion,
    mapping: Mapping[int, Mapping[str, str]],
    who: Who,
) -> list[Job]:
    """Move running jobs to a published `version` of their workflow, each into the phase the
    mapping names (per old version id: old phase key -> new phase key). Returns the moved.

    One transaction: every job is locked; archived jobs, test jobs and jobs already on the
    version are skipped; a job whose phase has no valid target refuses the whole call. Each
    move writes a history line ("Workflow-Version: v1 → v2") and an audit event; the new
    phase's message goes out only when the phase key changes and messages are allowed.
    """
    from theke.jobs.services import jobs as job_services
    from theke.jobs.services.sending import send_phase_message

    if version.kind != VersionKind.PUBLISHED:
        raise ServiceError(
            _("Jobs lassen sich nur auf eine veröffentlichte Version verschieben."),
            None,
            code="unpublished",
        )
    made = version_compiled(version)
    target = made.definition
    ids = [job.pk for job in jobs]
    moved: list[Job] = []
    with tenant_scope(version.tenant), transaction.atomic():
        locked = list(
            Job.objects.select_for_update(of=("self",))
            .select_related("version", "workflow", "customer", "contact")
            .filter(pk__in=ids, workflow_id=version.workflow_id)
            .order_by("pk")
        )
        names = job_services.branch_names(version.tenant)
        for job in locked:
            if job.is_archived or job.is_test or job.version_id == version.pk:
                continue
            old_definition = job_services.compiled_of(job).definition
            new_key = mapping.get(job.version_id, {}).get(job.phase_key, "")
            new_phase = target.phase(new_key)
            if new_phase is None:
                old_phase = old_definition.phase(job.phase_key)
                raise ServiceError(
                    _(
                        "Für die Phase „%(phase)s“ (%(version)s) fehlt die neue Phase; "
                        "es wurde kein Job verschoben."
                    )
                    % {
                        "phase": old_phase.name if old_phase else job.phase_key,
                        "version": version_label(job.version),
                    },
                    None,
                    code="mapping",
                )
            now = timezone.now()
            old_version = job.version
            old_phase = old_definition.phase(job.phase_key)
            phase_changed = new_key != job.phase_key
            job.version = version
            job.phase_key = new_key
            if phase_changed:
                job.phase_activated_at = now
            values = rule_values(job, target, logged_in=False, branch_names=names)
            job.waiting_for = job_services._waiting_for(made, new_phase, values)
            job.save(
                update_fields=[
                    "version",
                    "phase_key",
                    "phase_activated_at",
                    "waiting_for",
                    "updated_at",
                ]
            )
            lines = [
                job_services._change(
                    job,
                    who,
                    new_phase,
                    "version",
                    str(_("Workflow-Version")),
                    version_label(old_version),
                    version_label(version),
                )
            ]
            if phase_changed:
                lines.append(
                    job_services._change(
                        job,
                        who,
                        new_phase,
                        "phase",
                        str(_("Phase")),
                        old_phase.name if old_phase else "",
                        new_phase.name,
                    )
                )
            JobChange.objects.bulk_create(lines)
            record(
                job.tenant,
                who.actor,
                "job.moved",
                job,
                {
                    "label": f"{version_label(old_version)} → {version_label(version)}",
                    "phase": new_key,
                },
            )
            if phase_changed:
                emit_event(
                    job.tenant,
                    "job.phase_activated",
                    subject_type="job",
                    external_id=job.external_id,
                    payload=job_services.job_payload(job, new_phase),
                )
                if new_phase.message and job_services.messages_allowed(job):
                    send_phase_message(job, new_phase, now)
            moved.append(job)
    return moved
