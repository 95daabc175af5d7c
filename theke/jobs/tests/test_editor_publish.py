"""Publishing a draft while jobs run: a stale preview is refused, running jobs keep their
version while new ones start on the new one, the impact preview counts what a move would do,
and move_jobs moves chosen jobs with history, audit and (only on a phase change) messages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.jobs.definition import Definition
from theke.jobs.diff import definition_diff
from theke.jobs.models import Job, JobChange, JobStatus, PhaseEntry, WorkflowVersion
from theke.jobs.services import drafts
from theke.jobs.services.drafts import PhaseData
from theke.jobs.services.jobs import Who, activate_phase
from theke.jobs.services.workflows import (
    default_mapping,
    draft_definition,
    impact,
    move_jobs,
    publish,
    running_jobs,
)
from theke.jobs.tests.editor_helpers import SmallFlow, small_flow
from theke.jobs.tests.world import JobWorld
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


@dataclass
class Running:
    flow: SmallFlow
    v1: WorkflowVersion
    plain: Job  # Anfrage, no values
    dated: Job  # Anfrage with a Wunschtermin
    driving: Job  # Probefahrt with a Wunschtermin


def _publish(flow: SmallFlow, user) -> WorkflowVersion:
    flow.workflow.refresh_from_db()
    version = publish(flow.workflow, Actor.staff(user), revision=flow.workflow.draft_revision)
    flow.workflow.refresh_from_db()
    return version


def _running(world: JobWorld, owner) -> Running:
    flow = small_flow(world, owner)
    v1 = _publish(flow, owner)
    plain = world.start(workflow=flow.workflow)
    dated = world.start(workflow=flow.workflow, values={"wunschtermin": "Samstag"})
    driving = world.start(
        workflow=flow.workflow, values={"wunschtermin": "Montag", flow.wunsch.key: True}
    )
    activate_phase(driving, "probefahrt", Who.staff(owner), expected_phase="anfrage")
    return Running(flow, v1, plain, dated, driving)


def _draft_v2(run: Running, owner) -> None:
    """v2: the Probefahrt phase gives way to "Termin vereinbart" (with a message), and the
    Wunschtermin field leaves every view."""
    actor = Actor.staff(owner)
    drafts.delete_phase(run.flow.probefahrt, actor)
    with tenant_scope(run.flow.workflow.tenant):
        for entry in PhaseEntry.objects.filter(field=run.flow.termin):
            drafts.remove_entry(entry, actor)
    termin = drafts.add_phase(run.flow.workflow, actor, "Termin vereinbart")
    drafts.update_phase(
        termin,
        actor,
        PhaseData(
            name="Termin vereinbart", key="termin_vereinbart", message="Angebot bereitgestellt"
        ),
    )
    drafts.add_entry(termin, actor, "staff", builtin_status(run))


def builtin_status(run: Running):
    from theke.jobs.models import Field

    with tenant_scope(run.flow.workflow.tenant):
        return Field.objects.get(tenant=run.flow.workflow.tenant, key="jobstatus")


def _phase_messages(job: Job) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(
            OutboundMessage.objects.filter(object_id=str(job.pk), purpose="job_phase").order_by(
                "pk"
            )
        )


def test_a_stale_revision_is_refused(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    previewed = flow.workflow.draft_revision
    drafts.add_phase(flow.workflow, Actor.staff(owner), "Nachzügler")
    with pytest.raises(ServiceError) as refused:
        publish(flow.workflow, Actor.staff(owner), revision=previewed)
    assert refused.value.code == "stale"
    assert refused.value.messages[0].startswith("Der Entwurf wurde inzwischen geändert.")
    flow.workflow.refresh_from_db()
    assert flow.workflow.published is None


def test_a_draft_with_problems_is_not_published(world: JobWorld, owner) -> None:
    workflow = drafts.create_workflow(world.tenant, Actor.staff(owner), "Leer")
    with pytest.raises(ServiceError) as refused:
        publish(workflow, Actor.staff(owner), revision=workflow.draft_revision)
    assert refused.value.code == "problems"
    assert "noch keine Phase" in refused.value.messages[0]


def test_running_jobs_keep_their_version_and_new_jobs_get_the_new_one(
    world: JobWorld, owner
) -> None:
    run = _running(world, owner)
    _draft_v2(run, owner)
    v2 = _publish(run.flow, owner)
    assert v2.number == 2
    for job in (run.plain, run.dated, run.driving):
        job.refresh_from_db()
        assert job.version_id == run.v1.pk
    assert run.driving.phase_key == "probefahrt"  # gone from v2, still fine on v1
    fresh = world.start(workflow=run.flow.workflow)
    assert fresh.version_id == v2.pk


def test_the_impact_preview_counts_jobs_lost_values_and_messages(world: JobWorld, owner) -> None:
    run = _running(world, owner)
    _draft_v2(run, owner)
    target = draft_definition(run.flow.workflow)
    old = Definition.from_json(run.v1.definition)
    assert default_mapping(old, target) == {
        "anfrage": "anfrage",
        "probefahrt": "anfrage",  # gone: the first phase
        "abschluss": "abschluss",
    }
    with tenant_scope(world.tenant):
        jobs = list(running_jobs(run.flow.workflow).select_related("version"))
    mapping = {run.v1.pk: {"anfrage": "anfrage", "probefahrt": "termin_vereinbart"}}
    result = impact(jobs, target, mapping)
    rows = {row.old_phase: row for row in result.phases}
    assert result.jobs == 3 and result.unmapped == []
    assert (rows["anfrage"].jobs, rows["anfrage"].new_phase) == (2, "anfrage")
    assert dict(rows["anfrage"].lost) == {"Wunschtermin": 1}
    assert rows["anfrage"].message == ""  # same phase: no message
    assert (rows["probefahrt"].jobs, rows["probefahrt"].new_name) == (1, "Termin vereinbart")
    assert dict(rows["probefahrt"].lost) == {"Wunschtermin": 1}
    assert rows["probefahrt"].message == "Angebot bereitgestellt"


def test_the_diff_names_what_the_draft_changes(world: JobWorld, owner) -> None:
    run = _running(world, owner)
    _draft_v2(run, owner)
    diff = definition_diff(
        Definition.from_json(run.v1.definition), draft_definition(run.flow.workflow)
    )
    phases = {(c.kind, c.label): c.details for c in diff.phases}
    assert ("added", "Termin vereinbart") in phases
    assert ("removed", "Probefahrt") in phases
    assert phases[("changed", "Anfrage")] == ["Kundenansicht: − Wunschtermin"]
    assert [(c.kind, c.label) for c in diff.fields] == [("removed", "Wunschtermin")]


def test_move_jobs_moves_with_history_audit_and_messages_on_a_phase_change(
    world: JobWorld, owner
) -> None:
    run = _running(world, owner)
    _draft_v2(run, owner)
    v2 = _publish(run.flow, owner)
    before = {job.pk: len(_phase_messages(job)) for job in (run.plain, run.dated, run.driving)}
    mapping = {run.v1.pk: {"anfrage": "anfrage", "probefahrt": "termin_vereinbart"}}
    moved = move_jobs([run.plain, run.dated, run.driving], v2, mapping, Who.staff(owner))
    assert {job.pk for job in moved} == {run.plain.pk, run.dated.pk, run.driving.pk}
    for job in (run.plain, run.dated, run.driving):
        job.refresh_from_db()
        assert job.version_id == v2.pk
    assert run.driving.phase_key == "termin_vereinbart"
    assert run.plain.phase_key == "anfrage"
    # the value is kept (the history and a later version may show it again)
    assert run.dated.values["wunschtermin"] == "Samstag"
    with tenant_scope(world.tenant):
        lines = list(
            JobChange.objects.filter(job=run.driving)
            .order_by("pk")
            .values_list("field_label", "old", "new")
        )
        audit = AuditEvent.objects.filter(action="job.moved", object_id=str(run.driving.pk)).get()
    assert ("Workflow-Version", "v1", "v2") in lines
    assert ("Phase", "Probefahrt", "Termin vereinbart") in lines
    assert audit.data == {"label": "v1 → v2", "phase": "termin_vereinbart"}
    # a message only where the phase changed
    assert len(_phase_messages(run.driving)) == before[run.driving.pk] + 1
    assert _phase_messages(run.driving)[-1].subject.startswith("Ihr Angebot")
    assert len(_phase_messages(run.plain)) == before[run.plain.pk]
    # moving again does nothing: they are on v2 already
    assert move_jobs([run.plain], v2, mapping, Who.staff(owner)) == []


def test_move_jobs_skips_archived_jobs_and_respects_suppressed_messages(
    world: JobWorld, owner
) -> None:
    run = _running(world, owner)
    _draft_v2(run, owner)
    v2 = _publish(run.flow, owner)
    with tenant_scope(world.tenant):
        Job.objects.filter(pk=run.plain.pk).update(status=JobStatus.CLOSED)
        Job.objects.filter(pk=run.driving.pk).update(suppress_messages=True)
    count = len(_phase_messages(run.driving))
    mapping = {run.v1.pk: {"anfrage": "anfrage", "probefahrt": "termin_vereinbart"}}
    moved = move_jobs([run.plain, run.driving], v2, mapping, Who.staff(owner))
    assert [job.pk for job in moved] == [run.driving.pk]
    run.plain.refresh_from_db()
    assert run.plain.version_id == run.v1.pk
    assert len(_phase_messages(run.driving)) == count  # suppressed


def test_move_jobs_without_a_target_phase_moves_nothing(world: JobWorld, owner) -> None:
    run = _running(world, owner)
    _draft_v2(run, owner)
    v2 = _publish(run.flow, owner)
    with pytest.raises(ServiceError) as refused:
        move_jobs(
            [run.plain, run.driving],
            v2,
            {run.v1.pk: {"anfrage": "anfrage"}},
            Who.staff(owner),
        )
    assert "Für die Phase „Probefahrt“ (v1) fehlt die neue Phase" in refused.value.messages[0]
    run.plain.refresh_from_db()
    assert run.plain.version_id == run.v1.pk  # one transaction: nothing moved


def test_move_jobs_only_onto_a_published_version(world: JobWorld, owner) -> None:
    run = _running(world, owner)
    test_job = drafts.start_test(run.flow.workflow, owner)
    with pytest.raises(ServiceError) as refused:
        move_jobs([run.plain], test_job.version, {}, Who.staff(owner))
    assert refused.value.code == "unpublished"


def test_the_test_version_is_not_a_published_one(world: JobWorld, owner) -> None:
    run = _running(world, owner)
    drafts.start_test(run.flow.workflow, owner)
    run.flow.workflow.refresh_from_db()
    assert run.flow.workflow.published_id == run.v1.pk
