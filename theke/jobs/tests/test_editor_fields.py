"""The field library's services: own fields created, changed and deleted; built-in ones
refused; keys made from labels and unique; conditions checked with the rule language's
message; a change lists and bumps the drafts that use the field."""

from __future__ import annotations

import pytest

from theke.audit.models import AuditEvent
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.jobs.models import Field, Workflow
from theke.jobs.services import fields
from theke.jobs.services.fields import ConditionError, FieldData, key_from_label
from theke.jobs.services.workflows import publish, workflows_using
from theke.jobs.tests.editor_helpers import builtin, small_flow
from theke.jobs.tests.world import JobWorld
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_a_key_is_made_from_the_label() -> None:
    assert key_from_label("Auslieferung gewünscht") == "auslieferung_gewuenscht"
    assert key_from_label("Größe (cm)") == "groesse_cm"
    assert key_from_label("2. Termin") == "feld_2_termin"
    assert key_from_label("!!!") == "feld"


def test_a_new_field_gets_a_unique_key_from_its_label(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    first = fields.create_field(world.tenant, actor, FieldData(label="Wunschtermin"))
    second = fields.create_field(world.tenant, actor, FieldData(label="Wunschtermin"))
    assert (first.key, second.key) == ("wunschtermin", "wunschtermin_2")
    # a built-in key is taken as well
    third = fields.create_field(world.tenant, actor, FieldData(label="Jobstatus", type="text"))
    assert third.key == "jobstatus_2"
    with tenant_scope(world.tenant):
        event = AuditEvent.objects.filter(action="job_field.created").order_by("pk").last()
    assert event is not None and event.data["values"]["key"] == "jobstatus_2"


def test_a_given_key_must_be_free_and_readable_in_rules(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    fields.create_field(world.tenant, actor, FieldData(label="Farbe", key="farbe"))
    for key, words in (
        ("farbe", "hat schon ein anderes Feld"),
        ("Farbe", "hat schon ein anderes Feld"),  # keys are lower case
        ("oder", "Wort der Bedingungen"),
        ("kunde_angemeldet", "fester Name"),
        ("2farbe", "Kleinbuchstaben"),
        ("far-be", "Kleinbuchstaben"),
    ):
        with pytest.raises(ServiceError) as refused:
            fields.create_field(world.tenant, actor, FieldData(label="X", key=key))
        assert refused.value.field == "key"
        assert words in refused.value.messages[0], key


def test_built_in_fields_cannot_be_changed_or_deleted(world: JobWorld, owner) -> None:
    status = builtin(world, "jobstatus")
    actor = Actor.staff(owner)
    with pytest.raises(ServiceError) as refused:
        fields.update_field(status, actor, FieldData(label="Status", type="text"))
    assert refused.value.code == "builtin"
    with pytest.raises(ServiceError) as refused:
        fields.delete_field(status, actor)
    assert refused.value.code == "builtin"


def test_functional_types_exist_only_as_built_in_fields(world: JobWorld, owner) -> None:
    with pytest.raises(ServiceError) as refused:
        fields.create_field(
            world.tenant, Actor.staff(owner), FieldData(label="Status 2", type="job_status")
        )
    assert refused.value.field == "type"
    assert "nur als Theke-Feld" in refused.value.messages[0]


def test_inputs_are_checked_for_their_type(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    cases = [
        (FieldData(label="Wahl", type="select"), "options"),
        (FieldData(label="Wahl", type="select", options=["a", "b"], default="c"), "default"),
        (FieldData(label="Doc", type="document_save"), "documents"),
        (FieldData(label="Doc", type="document_save", documents=["nope"]), "documents"),
        (FieldData(label="Datei", type="file", default="x"), "default"),
        (FieldData(label="Box", type="checkbox", default="vielleicht"), "default"),
        (FieldData(label="  "), "label"),
    ]
    for data, where in cases:
        with pytest.raises(ServiceError) as refused:
            fields.create_field(world.tenant, actor, data)
        assert refused.value.field == where, data
    made = fields.create_field(
        world.tenant,
        actor,
        FieldData(
            label="Farbe", type="select", options=["rot", " blau ", "", "Rot"], default="rot"
        ),
    )
    assert made.options == ["rot", "blau"]  # blank lines and repeats dropped
    box = fields.create_field(
        world.tenant, actor, FieldData(label="Box", type="checkbox", default="Ja")
    )
    assert box.default == "ja"


def test_a_condition_is_checked_against_the_library_with_message_and_position(
    world: JobWorld, owner
) -> None:
    actor = Actor.staff(owner)
    with pytest.raises(ConditionError) as refused:
        fields.create_field(
            world.tenant,
            actor,
            FieldData(label="Lieferhinweis", condition="auslieferung_gewunscht = ja"),
        )
    error = refused.value
    assert error.field == "condition"
    assert error.position == 0
    assert error.messages[0] == (
        "Unbekannter Name „auslieferung_gewunscht“ (bei Zeichen 1). "
        "Meinten Sie „auslieferung_gewuenscht“?"
    )
    with pytest.raises(ConditionError) as refused:
        fields.create_field(
            world.tenant,
            actor,
            FieldData(label="Lieferhinweis", condition="auslieferung_gewuenscht = vielleicht"),
        )
    assert refused.value.position == 26
    made = fields.create_field(
        world.tenant,
        actor,
        FieldData(
            label="Lieferhinweis", condition="auslieferung_gewuenscht = ja und kunde_angemeldet"
        ),
    )
    assert made.condition == "auslieferung_gewuenscht = ja und kunde_angemeldet"


def test_a_change_that_breaks_another_fields_condition_is_refused(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    farbe = fields.create_field(
        world.tenant, actor, FieldData(label="Farbe", type="select", options=["rot", "blau"])
    )
    fields.create_field(world.tenant, actor, FieldData(label="Lack", condition="farbe = blau"))
    with pytest.raises(ServiceError) as refused:
        fields.update_field(
            farbe, actor, FieldData(label="Farbe", type="select", options=["rot", "grün"])
        )
    assert "Die Bedingung des Feldes „Lack“" in refused.value.messages[0]


def test_a_change_goes_into_the_drafts_that_use_the_field(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    other = small_flow(world, owner, name="Zweiter")  # uses new fields of its own
    actor = Actor.staff(owner)
    assert workflows_using(flow.termin) == [flow.workflow]
    publish(flow.workflow, actor, revision=flow.workflow.draft_revision)
    before = {w.pk: w.draft_revision for w in (flow.workflow, other.workflow)}
    drafts_touched = fields.update_field(
        flow.termin, actor, FieldData(label="Wunschtermin", help_text="z. B. Samstag vormittag")
    )
    assert drafts_touched == [flow.workflow]
    with tenant_scope(world.tenant):
        after = {w.pk: w.draft_revision for w in Workflow.objects.filter(pk__in=before)}
        event = AuditEvent.objects.filter(action="job_field.updated").get()
    assert after[flow.workflow.pk] == before[flow.workflow.pk] + 1
    assert after[other.workflow.pk] == before[other.workflow.pk]
    assert event.data["changes"]["help_text"] == ["", "z. B. Samstag vormittag"]
    assert event.data["drafts"] == ["Probefahrt"]
    # the published version still has the old field definition
    flow.workflow.refresh_from_db()
    published = flow.workflow.published
    assert published is not None
    [termin] = [f for f in published.definition["fields"] if f["key"] == "wunschtermin"]
    assert termin["help_text"] == ""


def test_an_unchanged_save_touches_nothing(world: JobWorld, owner) -> None:
    flow = small_flow(world, owner)
    revision = flow.workflow.draft_revision
    assert (
        fields.update_field(flow.termin, Actor.staff(owner), FieldData(label="Wunschtermin")) == []
    )
    flow.workflow.refresh_from_db()
    assert flow.workflow.draft_revision == revision


def test_the_key_is_fixed_once_the_field_is_used(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    loose = fields.create_field(world.tenant, actor, FieldData(label="Notiz"))
    fields.update_field(loose, actor, FieldData(label="Notiz", key="notiz_neu"))
    assert loose.key == "notiz_neu"
    flow = small_flow(world, owner)
    with pytest.raises(ServiceError) as refused:
        fields.update_field(flow.termin, actor, FieldData(label="Wunschtermin", key="termin"))
    assert refused.value.code == "key_fixed"


def test_a_field_in_use_is_not_deleted(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    flow = small_flow(world, owner)
    with pytest.raises(ServiceError) as refused:
        fields.delete_field(flow.termin, actor)
    assert refused.value.messages[0] == (
        "Das Feld wird noch verwendet: im Entwurf von „Probefahrt“. Entfernen Sie es dort zuerst."
    )
    # removed from the draft but published before: still refused
    publish(flow.workflow, actor, revision=flow.workflow.draft_revision)
    from theke.jobs.models import PhaseEntry
    from theke.jobs.services import drafts

    with tenant_scope(world.tenant):
        for entry in PhaseEntry.objects.filter(field=flow.termin):
            drafts.remove_entry(entry, actor)
    with pytest.raises(ServiceError) as refused:
        fields.delete_field(flow.termin, actor)
    assert "in veröffentlichten Versionen (Probefahrt v1)" in refused.value.messages[0]
    # named by another field's condition: refused
    lonely = fields.create_field(world.tenant, actor, FieldData(label="Einsam", type="checkbox"))
    fields.create_field(world.tenant, actor, FieldData(label="Folge", condition="einsam"))
    with pytest.raises(ServiceError) as refused:
        fields.delete_field(lonely, actor)
    assert "in der Bedingung von „Folge“" in refused.value.messages[0]


def test_an_unused_own_field_is_deleted_with_an_audit_event(world: JobWorld, owner) -> None:
    actor = Actor.staff(owner)
    row = fields.create_field(world.tenant, actor, FieldData(label="Weg damit"))
    fields.delete_field(row, actor)
    with tenant_scope(world.tenant):
        assert not Field.objects.filter(pk=row.pk).exists()
        event = AuditEvent.objects.filter(action="job_field.deleted").get()
    assert event.data["values"]["label"] == "Weg damit"
