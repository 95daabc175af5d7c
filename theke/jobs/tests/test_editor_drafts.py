"""Editing a workflow's draft: phases and the fields of their views, each edit an audited
service call that bumps the draft revision; conditions checked against the draft's fields;
the built-in workflow refused; the workflow's own settings; the test mode."""

from __future__ import annotations

import pytest
from django.core import mail

from theke.audit.models import AuditEvent, FeedEvent
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.jobs.models import Job, Phase, PhaseEntry, VersionKind, WorkflowVersion
from theke.jobs.services import drafts, fields, setup
from theke.jobs.services.drafts import EntryData, PhaseData
from theke.jobs.services.fields import ConditionError, FieldData
from theke.jobs.services.workflows import publish, running_jobs
from theke.jobs.tests.editor_helpers import builtin, small_flow
from theke.jobs.tests.world import JobWorld
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


def _revision(workflow) -> int:
    workflow.refresh_from_db()
    return workflow.draft_revision


def _keys(workflow) -> list[str]:
    with tenant_scope(workflow.tenant):
        return list(workflow.phases.order_by("position").values_list("key", flat=True))


def test_every_edit_bumps_the_revision_and_is_audited(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    workflow = drafts.create_workflow(world.tenant, actor, "Werkstatt")
    revisions = [_revision(workflow)]
    phase = drafts.add_phase(workflow, actor, "Annahme")
    revisions.append(_revision(workflow))
    entry = drafts.add_entry(phase, actor, "staff", builtin(world, "jobstatus"))
    revisions.append(_revision(workflow))
    drafts.update_entry(entry, actor, EntryData(label="Status", required=True))
    revisions.append(_revision(workflow))
    drafts.move_entry(entry, actor, up=False)
    revisions.append(_revision(workflow))
    drafts.update_phase(phase, actor, PhaseData(name="Annahme", key="annahme"))
    revisions.append(_revision(workflow))
    drafts.remove_entry(entry, actor)
    revisions.append(_revision(workflow))
    drafts.delete_phase(phase, actor)
    revisions.append(_revision(workflow))
    assert revisions == list(range(revisions[0], revisions[0] + 8))
    with tenant_scope(world.tenant):
        lines = list(
            AuditEvent.objects.filter(action="workflow.draft_changed")
            .order_by("pk")
            .values_list("data__label", flat=True)
        )
    assert lines[0] == "Phase „Annahme“ hinzugefügt"
    assert lines[1] == "Feld „Jobstatus“ in „Annahme“ (Mitarbeiteransicht) eingefügt"
    assert lines[-1] == "Phase „Annahme“ entfernt"


def test_the_built_in_workflow_is_refused(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    with tenant_scope(world.tenant):
        phase = world.standard.phases.first()
        entry = PhaseEntry.objects.filter(phase=phase).first()
    assert phase is not None and entry is not None
    for call in (
        lambda: drafts.add_phase(world.standard, actor, "Neu"),
        lambda: drafts.update_phase(phase, actor, PhaseData(name="X", key="x")),
        lambda: drafts.move_phase(phase, actor, up=False),
        lambda: drafts.delete_phase(phase, actor),
        lambda: drafts.add_entry(phase, actor, "staff", builtin(world, "standort")),
        lambda: drafts.update_entry(entry, actor, EntryData()),
        lambda: drafts.remove_entry(entry, actor),
        lambda: drafts.update_workflow(world.standard, actor, "Anders", ""),
    ):
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code == "builtin"
    assert "Kopieren Sie ihn" in refused.value.messages[0]


def test_phase_keys_come_from_names_and_stay_unique(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    workflow = drafts.create_workflow(world.tenant, actor, "Werkstatt")
    drafts.add_phase(workflow, actor, "Übergabe")
    drafts.add_phase(workflow, actor, "Übergabe")
    drafts.add_phase(workflow, actor, "Ende", key="schluss")
    assert _keys(workflow) == ["uebergabe", "uebergabe_2", "schluss"]
    with pytest.raises(ServiceError) as refused:
        drafts.add_phase(workflow, actor, "Nochmal", key="schluss")
    assert refused.value.field == "key"
    with pytest.raises(ServiceError) as refused:
        drafts.add_phase(workflow, actor, "Schlecht", key="Mit Leerzeichen")
    assert refused.value.field == "key"


def test_phases_move_up_and_down(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    actor = Actor.staff(owner)
    drafts.move_phase(flow.abschluss, actor, up=True)
    assert _keys(flow.workflow) == ["anfrage", "abschluss", "probefahrt"]
    drafts.move_phase(flow.anfrage, actor, up=True)  # already first: nothing happens
    assert _keys(flow.workflow) == ["anfrage", "abschluss", "probefahrt"]
    drafts.move_phase(flow.anfrage, actor, up=False)
    assert _keys(flow.workflow) == ["abschluss", "anfrage", "probefahrt"]


def test_a_phase_condition_is_checked_against_the_drafts_fields(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    actor = Actor.staff(owner)
    # "auslieferung_gewuenscht" is in the library but not in this draft
    with pytest.raises(ConditionError) as refused:
        drafts.update_phase(
            flow.abschluss,
            actor,
            PhaseData(name="Abschluss", key="abschluss", condition="auslieferung_gewuenscht"),
        )
    assert refused.value.field == "condition"
    assert refused.value.messages[0].startswith("Unbekannter Name „auslieferung_gewuenscht“")
    with pytest.raises(ConditionError) as refused:
        drafts.update_phase(
            flow.abschluss,
            actor,
            PhaseData(name="Abschluss", key="abschluss", condition="jobstatus = offen und"),
        )
    assert refused.value.position == 21
    drafts.update_phase(
        flow.abschluss,
        actor,
        PhaseData(
            name="Abschluss",
            key="abschluss",
            condition="jobstatus = offen oder kunde_angemeldet",
            message="Zahlung eingegangen",
            message_sms=True,
        ),
    )
    flow.abschluss.refresh_from_db()
    assert flow.abschluss.message == "Zahlung eingegangen" and flow.abschluss.message_sms


def test_a_phase_message_must_be_a_text_of_the_tenant(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    with pytest.raises(ServiceError) as refused:
        drafts.update_phase(
            flow.abschluss,
            Actor.staff(owner),
            PhaseData(name="Abschluss", key="abschluss", message="Gibt es nicht"),
        )
    assert refused.value.field == "message"
    assert "Angebot bereitgestellt" in drafts.message_names(world.tenant)


def test_entries_are_placed_once_per_view_and_checked(world: JobWorld, owner, tenant_b) -> None:
    flow = small_flow(world, owner)
    actor = Actor.staff(owner)
    with pytest.raises(ServiceError) as refused:
        drafts.add_entry(flow.anfrage, actor, "staff", flow.wunsch)
    assert refused.value.code == "twice"
    # the same field may stand in the other view
    drafts.add_entry(flow.anfrage, actor, "customer", flow.wunsch)
    setup.enable_job_manager(tenant_b, actor)
    with tenant_scope(tenant_b):
        foreign = fields.create_field(tenant_b, actor, FieldData(label="Fremd"))
    with pytest.raises(ServiceError) as refused:
        drafts.add_entry(flow.anfrage, actor, "staff", foreign)
    assert refused.value.code == "field"
    with tenant_scope(world.tenant):
        entry = PhaseEntry.objects.get(phase=flow.anfrage, view="staff", field=flow.wunsch)
    with pytest.raises(ServiceError) as refused:
        drafts.update_entry(entry, actor, EntryData(required=True, read_only=True))
    assert refused.value.field == "required"
    with pytest.raises(ConditionError) as refused:
        drafts.update_entry(entry, actor, EntryData(condition="wunschtermin enthält"))
    assert refused.value.messages[0] == (
        "Die Bedingung ist unvollständig: Es fehlt ein Wert (bei Zeichen 21)."
    )
    drafts.update_entry(
        entry, actor, EntryData(label="Probefahrt?", condition="wunschtermin ist leer")
    )
    entry.refresh_from_db()
    assert (entry.label, entry.condition) == ("Probefahrt?", "wunschtermin ist leer")


def test_entries_move_and_are_renumbered_on_removal(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    actor = Actor.staff(owner)

    def order() -> list[str]:
        with tenant_scope(world.tenant):
            return list(
                PhaseEntry.objects.filter(phase=flow.anfrage, view="customer")
                .order_by("position")
                .values_list("field__key", flat=True)
            )

    drafts.add_entry(flow.anfrage, actor, "customer", builtin(world, "kundenmitteilung"))
    assert order() == ["wunschtermin", "absenden", "kundenmitteilung"]
    with tenant_scope(world.tenant):
        last = PhaseEntry.objects.get(phase=flow.anfrage, view="customer", position=2)
        first = PhaseEntry.objects.get(phase=flow.anfrage, view="customer", position=0)
    drafts.move_entry(last, actor, up=True)
    assert order() == ["wunschtermin", "kundenmitteilung", "absenden"]
    drafts.remove_entry(first, actor)
    assert order() == ["kundenmitteilung", "absenden"]
    with tenant_scope(world.tenant):
        positions = list(
            PhaseEntry.objects.filter(phase=flow.anfrage, view="customer")
            .order_by("position")
            .values_list("position", flat=True)
        )
    assert positions == [0, 1]


def test_deleting_a_phase_with_running_jobs_keeps_them_on_their_version(
    world: JobWorld, owner
) -> None:
    flow = small_flow(world, owner)
    actor = Actor.staff(owner)
    version = publish(flow.workflow, actor, revision=_revision(flow.workflow))
    flow.workflow.refresh_from_db()
    job = world.start(workflow=flow.workflow)
    assert job.phase_key == "anfrage"
    assert drafts.running_in_phase(flow.anfrage)[0].jobs == 1
    drafts.delete_phase(flow.anfrage, actor)
    job.refresh_from_db()
    assert (job.version_id, job.phase_key) == (version.pk, "anfrage")
    with tenant_scope(world.tenant):
        assert not Phase.objects.filter(pk=flow.anfrage.pk).exists()


def test_workflow_names_are_unique_and_settings_guarded(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    flow = small_flow(world, owner)
    with pytest.raises(ServiceError) as refused:
        drafts.create_workflow(world.tenant, actor, "probefahrt")
    assert refused.value.field == "name"
    # never published: neither default nor active
    with pytest.raises(ServiceError) as refused:
        drafts.set_default(flow.workflow, actor)
    assert refused.value.code == "unpublished"
    with pytest.raises(ServiceError):
        drafts.set_active(flow.workflow, actor, True)
    publish(flow.workflow, actor, revision=_revision(flow.workflow))
    drafts.set_default(flow.workflow, actor)
    flow.workflow.refresh_from_db()
    world.standard.refresh_from_db()
    assert flow.workflow.is_default and flow.workflow.is_active
    assert not world.standard.is_default
    with pytest.raises(ServiceError) as refused:
        drafts.set_active(flow.workflow, actor, False)
    assert refused.value.code == "default"
    drafts.set_active(world.standard, actor, False)
    world.standard.refresh_from_db()
    assert not world.standard.is_active


def test_copying_the_standard_gives_an_editable_draft(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    copy = setup.copy_workflow(world.standard, actor, "Mein Verkauf")
    assert not copy.is_builtin and copy.published is None
    drafts.add_phase(copy, actor, "Nachfassen")
    assert _keys(copy)[-1] == "nachfassen"


# --- the test mode --------------------------------------------------------------------------


def _sent(job: Job) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(object_id=str(job.pk)).order_by("pk"))


def test_a_test_job_runs_on_the_draft_and_writes_only_to_the_tester(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    actor = Actor.staff(owner)
    # the first phase sends a message: the tester gets it, nobody else
    drafts.update_phase(
        flow.anfrage,
        actor,
        PhaseData(name="Anfrage", key="anfrage", message="Rückrufwunsch erhalten"),
    )
    job = drafts.start_test(flow.workflow, owner)
    assert job.is_test and job.test_owner == owner
    assert job.version.kind == VersionKind.TEST
    assert job.phase_key == "anfrage"
    with tenant_scope(world.tenant):
        assert job.customer.last_name == "Testkunde"
        assert not job.customer.contacts.exists()
    [message] = _sent(job)
    assert message.recipient == "owner@alpha.test"
    assert all(m.to == ["owner@alpha.test"] for m in mail.outbox)
    with scopes_disabled():
        assert not FeedEvent.objects.filter(type__startswith="job.").exists()
        # the test customer is not pushed to the back office
        assert not FeedEvent.objects.filter(
            type="customer.created", payload__number=drafts.TEST_CUSTOMER_NUMBER
        ).exists()
    with tenant_scope(world.tenant):
        assert not running_jobs(flow.workflow).exists()  # never in lists or counts


def test_a_new_test_deletes_the_testers_earlier_ones(world: JobWorld, owner, colleague) -> None:
    flow = small_flow(world, owner)
    first = drafts.start_test(flow.workflow, owner)
    theirs = drafts.start_test(flow.workflow, colleague)
    second = drafts.start_test(flow.workflow, owner)
    with tenant_scope(world.tenant):
        left = set(Job.objects.filter(is_test=True).values_list("pk", flat=True))
        versions = WorkflowVersion.objects.filter(kind=VersionKind.TEST).count()
        customers = _test_customers(world)
    assert left == {theirs.pk, second.pk}
    assert first.pk not in left
    assert versions == 2  # the first test's version went with its job
    assert customers == 1  # one test customer, reused


def _test_customers(world: JobWorld) -> int:
    from theke.customers.models import Customer

    return Customer.objects.filter(tenant=world.tenant, number=drafts.TEST_CUSTOMER_NUMBER).count()


def test_an_empty_draft_cannot_be_tested(world: JobWorld, owner) -> None:
    workflow = drafts.create_workflow(world.tenant, Actor.staff(owner), "Leer")
    with pytest.raises(ServiceError) as refused:
        drafts.start_test(workflow, owner)
    assert refused.value.code == "empty"
