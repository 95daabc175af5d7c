"""Switching the job manager on for a tenant, and copying a workflow to adapt it.

Switching on installs what Theke ships (theke.jobs.standard): the built-in fields, the
standard workflow, published and ready, and the named texts its phases send. Installing
again adds only what is missing, so a later release can ship more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.jobs.models import Field, Phase, PhaseEntry, VersionKind, Workflow, WorkflowVersion
from theke.jobs.services.workflows import check_definition, draft_definition
from theke.jobs.standard import STANDARD_NAME, FieldSpec, PhaseSpec, Standard
from theke.messaging.models import MessageTemplate
from theke.messaging.purposes import EMAIL
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

PHASE_PURPOSE = "job_phase"


def _install_fields(tenant: Tenant, standard: Standard) -> dict[str, Field]:
    return install_fields(tenant, standard.fields, builtin=True)


def install_fields(
    tenant: Tenant, specs: Sequence[FieldSpec], *, builtin: bool = False
) -> dict[str, Field]:
    """Add the library fields of `specs` that are missing; returns every field by key."""
    existing = {f.key: f for f in Field.objects.filter(tenant=tenant)}
    missing = [
        Field(
            tenant=tenant,
            key=spec.key,
            label=spec.label,
            type=spec.type,
            default=spec.default,
            options=list(spec.options),
            documents=list(spec.documents),
            help_text=spec.help_text,
            is_builtin=builtin,
        )
        for spec in specs
        if spec.key not in existing
    ]
    Field.objects.bulk_create(missing)
    return {f.key: f for f in Field.objects.filter(tenant=tenant)}


def _install_texts(tenant: Tenant, standard: Standard) -> None:
    names = set(
        MessageTemplate.objects.filter(
            tenant=tenant, purpose=PHASE_PURPOSE, channel=EMAIL
        ).values_list("language", "name")
    )
    rows = []
    for text in standard.texts:
        for language, subject, body in (
            ("de", text.subject_de, text.body_de),
            ("en", text.subject_en, text.body_en),
        ):
            if (language, text.name) not in names:
                rows.append(
                    MessageTemplate(
                        tenant=tenant,
                        purpose=PHASE_PURPOSE,
                        channel=EMAIL,
                        language=language,
                        name=text.name,
                        is_default=False,
                        subject=subject,
                        text=body,
                    )
                )
    MessageTemplate.objects.bulk_create(rows)


def build_workflow(
    tenant: Tenant,
    name: str,
    phases: Sequence[PhaseSpec],
    fields: Mapping[str, Field],
    *,
    description: str = "",
    is_builtin: bool = False,
) -> Workflow:
    """A workflow whose draft holds `phases` (specs naming library fields by key)."""
    workflow = Workflow.objects.create(
        tenant=tenant,
        name=name,
        description=description,
        is_builtin=is_builtin,
        is_default=not Workflow.objects.filter(tenant=tenant, is_default=True).exists(),
    )
    entries = []
    for position, spec in enumerate(phases):
        phase = Phase.objects.create(
            tenant=tenant,
            workflow=workflow,
            key=spec.key,
            name=spec.name,
            position=position,
            condition=spec.condition,
            message=spec.message,
            message_sms=spec.message_sms,
        )
        for view, specs in (("staff", spec.staff), ("customer", spec.customer)):
            for index, entry in enumerate(specs):
                entries.append(
                    PhaseEntry(
                        tenant=tenant,
                        phase=phase,
                        view=view,
                        field=fields[entry.field],
                        position=index,
                        label=entry.label,
                        required=entry.required,
                        read_only=entry.read_only,
                        hide_label=entry.hide_label,
                        after_send=entry.after_send,
                        condition=entry.condition,
                    )
                )
    PhaseEntry.objects.bulk_create(entries)
    return workflow


def _publish_shipped(workflow: Workflow, actor: Actor) -> WorkflowVersion:
    definition = draft_definition(workflow)
    problems = check_definition(definition, automatic=True)
    if problems:  # a defect of what Theke ships, caught by the tests
        raise ServiceError(" ".join(problems), None, code="standard")
    version = WorkflowVersion.objects.create(
        tenant=workflow.tenant,
        workflow=workflow,
        kind=VersionKind.PUBLISHED,
        number=1,
        definition=definition.as_json(),
        draft_revision=workflow.draft_revision,
        created_by_id=actor.user_id,
    )
    workflow.published = version
    workflow.save(update_fields=["published", "updated_at"])
    return version


def install_standard(tenant: Tenant, actor: Actor, standard: Standard | None = None) -> Workflow:
    """Install the built-in fields, the standard workflow (published) and its texts; what
    exists already stays as it is."""
    standard = standard or Standard()
    with tenant_scope(tenant), transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        fields = _install_fields(tenant, standard)
        _install_texts(tenant, standard)
        workflow = Workflow.objects.filter(tenant=tenant, is_builtin=True).first()
        if workflow is None:
            workflow = build_workflow(
                tenant,
                STANDARD_NAME,
                standard.phases,
                fields,
                description=_(
                    "Vom Rückrufwunsch über Angebot, Auftragsbestätigung, Rechnung und Zahlung "
                    "bis zur Übergabe (Auslieferung oder Abholung) und „Ihre Meinung“."
                ),
                is_builtin=True,
            )
            _publish_shipped(workflow, actor)
            record(tenant, actor, "workflow.installed", workflow)
    return workflow


def enable_job_manager(tenant: Tenant, actor: Actor) -> Workflow:
    """Switch the job manager on ("nach seiner Aktivierung"), with what it ships."""
    workflow = install_standard(tenant, actor)
    with transaction.atomic():
        changed = Tenant.objects.filter(pk=tenant.pk, jobs_enabled=False).update(jobs_enabled=True)
        tenant.jobs_enabled = True
        if changed:
            with tenant_scope(tenant):
                record(tenant, actor, "jobs.enabled", tenant)
    return workflow


def disable_job_manager(tenant: Tenant, actor: Actor) -> bool:
    """Switch the job manager off: its pages answer 404, nothing is deleted (switching it on
    again shows every job as it was). False when it was off already."""
    with transaction.atomic():
        changed = Tenant.objects.filter(pk=tenant.pk, jobs_enabled=True).update(jobs_enabled=False)
        tenant.jobs_enabled = False
        if changed:
            with tenant_scope(tenant):
                record(tenant, actor, "jobs.disabled", tenant)
    return bool(changed)


def copy_workflow(workflow: Workflow, actor: Actor, name: str) -> Workflow:
    """A new workflow of the tenant with a draft equal to `workflow`'s (not published yet)."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Bitte geben Sie einen Namen an."), "name", code="required")
    tenant = workflow.tenant
    with tenant_scope(tenant), transaction.atomic():
        if Workflow.objects.filter(tenant=tenant, name__iexact=name).exists():
            raise ServiceError(
                _("Einen Workflow „%(name)s“ gibt es schon.") % {"name": name}, "name", code="taken"
            )
        copy = Workflow.objects.create(
            tenant=tenant, name=name, description=workflow.description, is_active=False
        )
        phases = list(workflow.phases.order_by("position", "pk").prefetch_related("entries"))
        entries = []
        for phase in phases:
            new_phase = Phase.objects.create(
                tenant=tenant,
                workflow=copy,
                key=phase.key,
                name=phase.name,
                position=phase.position,
                condition=phase.condition,
                message=phase.message,
                message_sms=phase.message_sms,
            )
            for entry in phase.entries.all():
                entry.pk = None
                entry.phase = new_phase
                entries.append(entry)
        PhaseEntry.objects.bulk_create(entries)
        record(tenant, actor, "workflow.copied", copy, {"from": workflow.name})
    return copy
