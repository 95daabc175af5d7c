"""Helpers of the workflow editor's tests: a small own workflow built through the services."""

from __future__ import annotations

from dataclasses import dataclass

from theke.accounts.models import User
from theke.audit.services import Actor
from theke.jobs.models import Field, Phase, Workflow
from theke.jobs.services import drafts, fields
from theke.jobs.services.fields import FieldData
from theke.jobs.tests.world import JobWorld
from theke.tenants.scoping import tenant_scope


@dataclass
class SmallFlow:
    workflow: Workflow
    anfrage: Phase
    probefahrt: Phase
    abschluss: Phase
    wunsch: Field  # checkbox probefahrt_gewuenscht
    termin: Field  # text wunschtermin


def builtin(world: JobWorld, key: str) -> Field:
    with tenant_scope(world.tenant):
        return Field.objects.get(tenant=world.tenant, key=key)


def small_flow(world: JobWorld, user: User, name: str = "Probefahrt") -> SmallFlow:
    """Anfrage (staff: Jobstatus, Probefahrt gewünscht; customer: Wunschtermin, Absenden) ->
    Probefahrt (only if wished; message "Angebot bereitgestellt") -> Abschluss."""
    actor = Actor.staff(user)
    tenant = world.tenant
    with tenant_scope(tenant):
        wunsch = fields.create_field(
            tenant, actor, FieldData(label="Probefahrt gewünscht", type="checkbox")
        )
        termin = fields.create_field(tenant, actor, FieldData(label="Wunschtermin", type="text"))
        workflow = drafts.create_workflow(tenant, actor, name)
        anfrage = drafts.add_phase(workflow, actor, "Anfrage")
        probefahrt = drafts.add_phase(workflow, actor, "Probefahrt")
        abschluss = drafts.add_phase(workflow, actor, "Abschluss")
        drafts.add_entry(anfrage, actor, "staff", builtin(world, "jobstatus"))
        drafts.add_entry(anfrage, actor, "staff", wunsch)
        drafts.add_entry(anfrage, actor, "customer", termin)
        drafts.add_entry(anfrage, actor, "customer", builtin(world, "absenden"))
        drafts.add_entry(probefahrt, actor, "staff", termin)
        drafts.update_phase(
            probefahrt,
            actor,
            drafts.PhaseData(
                name="Probefahrt",
                key="probefahrt",
                condition=f"{wunsch.key} = ja",
                message="Angebot bereitgestellt",
            ),
        )
        drafts.add_entry(abschluss, actor, "staff", builtin(world, "jobstatus"))
        workflow.refresh_from_db()
        for phase in (anfrage, probefahrt, abschluss):
            phase.refresh_from_db()
    return SmallFlow(workflow, anfrage, probefahrt, abschluss, wunsch, termin)
