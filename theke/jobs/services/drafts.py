"""Editing a workflow's draft (phases and the fields placed in their views), the workflow's
own settings (name, default for new jobs, active), and the test mode.

Every draft edit locks the workflow, refuses the built-in one, bumps the draft revision
(`touch_drafts`: a publish preview made before no longer publishes) and writes an audit
event. Conditions are checked against the draft's fields and the context names when saved,
so a bad rule is refused at the field with the rule language's message and position.
Nothing here touches what jobs run on: that changes only by publishing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers import services as customer_services
from theke.customers.models import Customer, CustomerKind
from theke.jobs.models import (
    ARCHIVED_STATUSES,
    Field,
    FileKind,
    Job,
    JobFile,
    Origin,
    Phase,
    PhaseEntry,
    VersionKind,
    View,
    Workflow,
    WorkflowVersion,
)
from theke.jobs.rules import Name
from theke.jobs.services.fields import check_condition, key_from_label
from theke.jobs.services.jobs import NewJob, Who, start_job
from theke.jobs.services.workflows import (
    draft_definition,
    refuse_builtin,
    test_version,
    touch_drafts,
)
from theke.messaging.services.templates import named_templates
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

PHASE_PURPOSE = "job_phase"
_PHASE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
KEY_LENGTH = 60
# The test customer of a tenant (one, reused by every test): no contact, so nothing reaches
# a real person; test jobs send their messages to the testing staff member only.
TEST_CUSTOMER_NUMBER = "JOBS-TEST"


def _gone() -> ServiceError:
    return ServiceError(
        _("Dieser Teil des Entwurfs wurde inzwischen entfernt. Bitte laden Sie die Seite neu."),
        None,
        code="gone",
    )


def _edit[T](workflow: Workflow, actor: Actor, change: Callable[[Workflow], tuple[T, str]]) -> T:
    """Run one draft edit: lock, refuse the built-in workflow, change, bump, audit.

    `change` gets the locked workflow and returns its result and the audit line.
    """
    with tenant_scope(workflow.tenant), transaction.atomic():
        locked = Workflow.objects.select_for_update().get(pk=workflow.pk, tenant=workflow.tenant)
        refuse_builtin(locked)
        result, line = change(locked)
        touch_drafts([locked])
        record(locked.tenant, actor, "workflow.draft_changed", locked, {"label": line})
    return result


def draft_names(workflow: Workflow) -> dict[str, Name]:
    """The names a condition of this draft may use: its fields and the context."""
    return draft_definition(workflow).names()


# --- the workflow itself --------------------------------------------------------------------


def _check_name(tenant: Tenant, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ServiceError(_("Bitte geben Sie einen Namen an."), "name", code="required")
    others = Workflow.objects.filter(tenant=tenant, name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ServiceError(
            _("Einen Workflow „%(name)s“ gibt es schon.") % {"name": name}, "name", code="taken"
        )
    return name[:200]


def create_workflow(tenant: Tenant, actor: Actor, name: str, description: str = "") -> Workflow:
    """A new, empty workflow of the tenant (inactive until it is published)."""
    with tenant_scope(tenant), transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        workflow = Workflow.objects.create(
            tenant=tenant,
            name=_check_name(tenant, name),
            description=description.strip(),
            is_active=False,
        )
        record(tenant, actor, "workflow.created", workflow)
    return workflow


def update_workflow(workflow: Workflow, actor: Actor, name: str, description: str) -> None:
    """Rename the workflow or change its description (part of the draft: jobs show the name
    of their version)."""

    def change(locked: Workflow) -> tuple[None, str]:
        before = locked.name
        locked.name = _check_name(locked.tenant, name, exclude=locked.pk)
        locked.description = description.strip()
        locked.save(update_fields=["name", "description", "updated_at"])
        if before != locked.name:
            return None, _("Umbenannt: „%(old)s“ → „%(new)s“") % {"old": before, "new": locked.name}
        return None, _("Beschreibung geändert")

    _edit(workflow, actor, change)


def set_default(workflow: Workflow, actor: Actor) -> None:
    """New jobs from callback requests, the Parkplatz and the API start on this workflow."""
    with tenant_scope(workflow.tenant), transaction.atomic():
        rows = list(
            Workflow.objects.select_for_update()
            .filter(tenant=workflow.tenant)
            .filter(Q(pk=workflow.pk) | Q(is_default=True))
        )
        locked = next((w for w in rows if w.pk == workflow.pk), None)
        if locked is None:
            raise _gone()
        if locked.is_default:
            return
        if locked.published_id is None:
            raise ServiceError(
                _("Veröffentlichen Sie den Workflow zuerst: neue Jobs brauchen eine Version."),
                None,
                code="unpublished",
            )
        for other in rows:
            if other.is_default:
                other.is_default = False
                other.save(update_fields=["is_default", "updated_at"])
        locked.is_default = True
        locked.is_active = True
        locked.save(update_fields=["is_default", "is_active", "updated_at"])
        record(locked.tenant, actor, "workflow.made_default", locked)


def set_active(workflow: Workflow, actor: Actor, active: bool) -> None:
    """Whether staff may start new jobs with this workflow (running jobs go on either way)."""
    with tenant_scope(workflow.tenant), transaction.atomic():
        locked = Workflow.objects.select_for_update().get(pk=workflow.pk, tenant=workflow.tenant)
        if locked.is_active == active:
            return
        if not active and locked.is_default:
            raise ServiceError(
                _(
                    "Der Standard-Workflow für neue Jobs bleibt aktiv. Machen Sie zuerst einen "
                    "anderen Workflow zum Standard."
                ),
                None,
                code="default",
            )
        if active and locked.published_id is None:
            raise ServiceError(
                _("Veröffentlichen Sie den Workflow zuerst: neue Jobs brauchen eine Version."),
                None,
                code="unpublished",
            )
        locked.is_active = active
        locked.save(update_fields=["is_active", "updated_at"])
        record(
            locked.tenant, actor, "workflow.activated" if active else "workflow.deactivated", locked
        )


# --- phases ---------------------------------------------------------------------------------


def _check_phase_key(workflow: Workflow, key: str, exclude: int | None = None) -> str:
    key = key.strip().lower()
    if not _PHASE_KEY.match(key) or len(key) > KEY_LENGTH:
        raise ServiceError(
            _(
                "Das Kürzel darf nur Kleinbuchstaben (a–z), Ziffern und Unterstriche enthalten "
                "und muss mit einem Buchstaben beginnen."
            ),
            "key",
            code="key",
        )
    others = Phase.objects.filter(workflow=workflow, key=key)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ServiceError(
            _("Eine Phase mit dem Kürzel „%(key)s“ gibt es in diesem Workflow schon.")
            % {"key": key},
            "key",
            code="key_taken",
        )
    return key


def _phase_key_for(workflow: Workflow, name: str) -> str:
    base = key_from_label(name)
    taken = set(Phase.objects.filter(workflow=workflow).values_list("key", flat=True))
    key, number = base, 2
    while key in taken:
        suffix = f"_{number}"
        key = base[: KEY_LENGTH - len(suffix)] + suffix
        number += 1
    return key


def _phase_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ServiceError(_("Bitte geben Sie einen Namen an."), "name", code="required")
    return name[:200]


def add_phase(workflow: Workflow, actor: Actor, name: str, key: str = "") -> Phase:
    """A new phase at the end of the draft (its key made from the name when left blank)."""

    def change(locked: Workflow) -> tuple[Phase, str]:
        clean = _phase_name(name)
        phase_key = _check_phase_key(locked, key) if key.strip() else _phase_key_for(locked, clean)
        last = locked.phases.order_by("-position").values_list("position", flat=True).first()
        phase = Phase.objects.create(
            tenant=locked.tenant,
            workflow=locked,
            key=phase_key,
            name=clean,
            position=(last + 1) if last is not None else 0,
        )
        return phase, _("Phase „%(name)s“ hinzugefügt") % {"name": clean}

    return _edit(workflow, actor, change)


@dataclass
class PhaseData:
    name: str
    key: str
    condition: str = ""
    message: str = ""
    message_sms: bool = False


def message_names(tenant: Tenant) -> list[str]:
    """The names of the tenant's texts a phase may send (template editor, purpose job_phase)."""
    from theke.messaging.purposes import EMAIL

    names: dict[str, None] = {}
    for language in dict.fromkeys([tenant.default_language, "de", "en"]):
        for row in named_templates(tenant, PHASE_PURPOSE, EMAIL, language):
            if row.name:
                names[row.name] = None
    return list(names)


def _locked_phase(locked: Workflow, phase: Phase) -> Phase:
    found = Phase.objects.select_for_update().filter(pk=phase.pk, workflow=locked).first()
    if found is None:
        raise _gone()
    return found


def update_phase(phase: Phase, actor: Actor, data: PhaseData) -> None:
    """Change a phase's name, key, condition or message (the condition is checked against the
    draft's fields and the context)."""

    def change(locked: Workflow) -> tuple[None, str]:
        row = _locked_phase(locked, phase)
        row.name = _phase_name(data.name)
        row.key = _check_phase_key(locked, data.key or row.key, exclude=row.pk)
        row.condition = check_condition(data.condition, draft_names(locked))
        message = data.message.strip()
        if message and message not in message_names(locked.tenant):
            raise ServiceError(
                _("Diesen Text gibt es nicht (mehr). Bitte wählen Sie einen anderen."),
                "message",
                code="message",
            )
        row.message = message
        row.message_sms = bool(data.message_sms and message)
        row.save()
        return None, _("Phase „%(name)s“ geändert") % {"name": row.name}

    _edit(phase.workflow, actor, change)


def _reorder[M: (Phase, PhaseEntry)](rows: list[M], row_pk: int, up: bool) -> bool:
    """Move one row a place up or down, numbering all 0..n-1; False when it is at the end."""
    index = next((i for i, r in enumerate(rows) if r.pk == row_pk), -1)
    other = index - 1 if up else index + 1
    if index < 0 or other < 0 or other >= len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        row.position = position
    type(rows[0]).objects.bulk_update(rows, ["position"])
    return True


def move_phase(phase: Phase, actor: Actor, *, up: bool) -> None:
    def change(locked: Workflow) -> tuple[None, str]:
        row = _locked_phase(locked, phase)
        rows = list(locked.phases.order_by("position", "pk"))
        _reorder(rows, row.pk, up)
        line = (
            _("Phase „%(name)s“ nach oben verschoben")
            if up
            else _("Phase „%(name)s“ nach unten verschoben")
        )
        return None, line % {"name": row.name}

    _edit(phase.workflow, actor, change)


@dataclass(frozen=True)
class RunningInPhase:
    """Running jobs that stand in a phase of this key, per version (the delete warning)."""

    version: str
    jobs: int


def running_in_phase(phase: Phase) -> list[RunningInPhase]:
    with tenant_scope(phase.tenant):
        rows = (
            Job.objects.filter(workflow_id=phase.workflow_id, phase_key=phase.key, is_test=False)
            .exclude(status__in=ARCHIVED_STATUSES)
            .values("version__number")
            .annotate(count=Count("pk"))
            .order_by("version__number")
        )
        return [RunningInPhase(f"v{r['version__number']}", r["count"]) for r in rows]


def delete_phase(phase: Phase, actor: Actor) -> None:
    """Remove a phase from the draft. Running jobs in a phase of this key stay on their
    version; publishing asks where to move them, if at all."""

    def change(locked: Workflow) -> tuple[None, str]:
        row = _locked_phase(locked, phase)
        name = row.name
        row.delete()
        rows = list(locked.phases.order_by("position", "pk"))
        for position, other in enumerate(rows):
            other.position = position
        Phase.objects.bulk_update(rows, ["position"])
        return None, _("Phase „%(name)s“ entfernt") % {"name": name}

    _edit(phase.workflow, actor, change)


# --- the fields of a phase's views ----------------------------------------------------------


def _locked_entry(locked: Workflow, entry: PhaseEntry) -> PhaseEntry:
    found = (
        PhaseEntry.objects.select_for_update(of=("self",))
        .select_related("phase", "field")
        .filter(pk=entry.pk, phase__workflow=locked)
        .first()
    )
    if found is None:
        raise _gone()
    return found


def _view_label(view: str) -> str:
    return str(View(view).label)


def _entry_line(template: str, row: PhaseEntry) -> str:
    """An audit line about an entry: `template` names %(field)s, %(phase)s and %(view)s."""
    return template % {
        "field": row.label or row.field.label,
        "phase": row.phase.name,
        "view": _view_label(row.view),
    }


def add_entry(phase: Phase, actor: Actor, view: str, field_row: Field) -> PhaseEntry:
    """Place a library field at the end of a phase's staff or customer view."""
    if view not in View.values:
        raise ServiceError(_("Diese Ansicht gibt es nicht."), "view", code="view")

    def change(locked: Workflow) -> tuple[PhaseEntry, str]:
        row = _locked_phase(locked, phase)
        if field_row.tenant_id != locked.tenant_id:
            raise ServiceError(_("Dieses Feld gibt es nicht."), "field", code="field")
        entries = PhaseEntry.objects.filter(phase=row, view=view)
        if entries.filter(field=field_row).exists():
            raise ServiceError(
                _("Das Feld „%(label)s“ steht schon in dieser Ansicht.")
                % {"label": field_row.label},
                "field",
                code="twice",
            )
        last = entries.order_by("-position").values_list("position", flat=True).first()
        entry = PhaseEntry.objects.create(
            tenant=locked.tenant,
            phase=row,
            view=view,
            field=field_row,
            position=(last + 1) if last is not None else 0,
        )
        line = _("Feld „%(field)s“ in „%(phase)s“ (%(view)s) eingefügt") % {
            "field": field_row.label,
            "phase": row.name,
            "view": _view_label(view),
        }
        return entry, line

    return _edit(phase.workflow, actor, change)


@dataclass
class EntryData:
    label: str = ""
    required: bool = False
    read_only: bool = False
    hide_label: bool = False
    after_send: bool = False
    condition: str = ""


def update_entry(entry: PhaseEntry, actor: Actor, data: EntryData) -> None:
    """Change the attributes of a field in a view (the condition is checked against the
    draft's fields and the context)."""

    def change(locked: Workflow) -> tuple[None, str]:
        row = _locked_entry(locked, entry)
        if data.required and data.read_only:
            raise ServiceError(
                _("Ein Feld kann nicht zugleich Pflichtfeld und nur lesbar sein."),
                "required",
                code="required_read_only",
            )
        row.label = data.label.strip()[:200]
        row.required = data.required
        row.read_only = data.read_only
        row.hide_label = data.hide_label
        row.after_send = data.after_send
        row.condition = check_condition(data.condition, draft_names(locked))
        row.save()
        return None, _entry_line(_("Feld „%(field)s“ in „%(phase)s“ (%(view)s) geändert"), row)

    _edit(entry.phase.workflow, actor, change)


def move_entry(entry: PhaseEntry, actor: Actor, *, up: bool) -> None:
    def change(locked: Workflow) -> tuple[None, str]:
        row = _locked_entry(locked, entry)
        rows = list(
            PhaseEntry.objects.filter(phase=row.phase, view=row.view).order_by("position", "pk")
        )
        _reorder(rows, row.pk, up)
        return None, _entry_line(_("Feld „%(field)s“ in „%(phase)s“ (%(view)s) verschoben"), row)

    _edit(entry.phase.workflow, actor, change)


def remove_entry(entry: PhaseEntry, actor: Actor) -> None:
    """Take a field out of a view (the field stays in the library)."""

    def change(locked: Workflow) -> tuple[None, str]:
        row = _locked_entry(locked, entry)
        line = _entry_line(_("Feld „%(field)s“ aus „%(phase)s“ (%(view)s) entfernt"), row)
        phase, view = row.phase, row.view
        row.delete()
        rows = list(PhaseEntry.objects.filter(phase=phase, view=view).order_by("position", "pk"))
        for position, other in enumerate(rows):
            other.position = position
        PhaseEntry.objects.bulk_update(rows, ["position"])
        return None, line

    _edit(entry.phase.workflow, actor, change)


# --- the test mode --------------------------------------------------------------------------


def test_customer(tenant: Tenant, actor: Actor) -> Customer:
    """The tenant's test customer "Testkunde" (made on first use): no contact, no address."""
    with tenant_scope(tenant):
        found = Customer.objects.filter(tenant=tenant, number=TEST_CUSTOMER_NUMBER).first()
        if found is not None:
            return found
        # Made without its "customer.created" feed event: the back office must not import
        # a customer that exists only for trying out workflows.
        return customer_services._create_customer(
            tenant,
            actor,
            {
                "kind": CustomerKind.PERSON,
                "last_name": str(_("Testkunde")),
                "number": TEST_CUSTOMER_NUMBER,
                "notes": str(
                    _(
                        "Kunde für den Testmodus des Jobmanagers. Er hat keinen Kontakt: "
                        "Nachrichten von Testjobs gehen nur an den testenden Mitarbeiter."
                    )
                ),
            },
        )


def delete_test_jobs(jobs: Sequence[Job]) -> int:
    """Delete test jobs (never real ones) with their files, and test versions left unused."""
    test_jobs = [j for j in jobs if j.is_test]
    if not test_jobs:
        return 0
    tenant = test_jobs[0].tenant
    with tenant_scope(tenant), transaction.atomic():
        ids = [j.pk for j in test_jobs]
        files = [
            (f.file.storage, f.file.name)
            for f in JobFile.objects.filter(job_id__in=ids, kind__in=FileKind.values)
            if f.file
        ]
        workflow_ids = {j.workflow_id for j in test_jobs}
        count, _detail = Job.objects.filter(pk__in=ids, is_test=True).delete()
        WorkflowVersion.objects.filter(
            workflow_id__in=workflow_ids, kind=VersionKind.TEST, jobs__isnull=True
        ).delete()
        if files:
            transaction.on_commit(lambda: _delete_files(files))
    return count


def _delete_files(files: Sequence[tuple[Storage, str | None]]) -> None:
    for storage, name in files:
        if name:
            storage.delete(name)


def start_test(workflow: Workflow, user: User) -> Job:
    """Compile the draft as a test version and start a test job on it for the test customer.

    The tester's earlier test jobs of this workflow are deleted first (test jobs never show
    in lists; this keeps them from piling up). Messages go to the tester only.
    """
    actor = Actor.staff(user)
    tenant = workflow.tenant
    with tenant_scope(tenant), transaction.atomic():
        earlier = list(Job.objects.filter(workflow=workflow, is_test=True, test_owner=user))
        delete_test_jobs(earlier)
        version = test_version(workflow, actor)
        customer = test_customer(tenant, actor)
        job = start_job(
            workflow,
            NewJob(
                customer=customer,
                origin=Origin.TEST,
                title=_("Test: %(name)s") % {"name": workflow.name},
            ),
            Who.staff(user),
            version=version,
            test_owner=user,
        )
        record(tenant, actor, "workflow.tested", workflow, {"label": job.number})
    return job


def test_jobs(workflow: Workflow, user: User) -> list[Job]:
    """The tester's test jobs of this workflow (the newest first)."""
    with tenant_scope(workflow.tenant):
        return list(
            Job.objects.filter(workflow=workflow, is_test=True, test_owner=user)
            .select_related("version")
            .order_by("-pk")
        )
