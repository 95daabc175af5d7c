"""Jobs on the standard workflow: starting, activating phases (and their messages), saving
views (required and hidden fields), the history of every change, and the feed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from theke.audit.models import FeedEvent
from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.jobs.models import Job, JobChange, JobStatus, Waiting
from theke.jobs.services import setup
from theke.jobs.services.jobs import (
    FieldErrors,
    Who,
    activate_phase,
    save_view,
)
from theke.jobs.services.workflows import check_definition, draft_definition
from theke.jobs.tests.world import JobWorld
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


def _messages(job: Job) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(
            OutboundMessage.objects.filter(object_id=str(job.pk), purpose="job_phase").order_by(
                "pk"
            )
        )


def _events(type: str) -> list[FeedEvent]:
    with scopes_disabled():
        return list(FeedEvent.objects.filter(type=type).order_by("pk"))


def test_the_standard_workflow_is_published_and_has_no_problems(world: JobWorld) -> None:
    assert world.standard.published is not None
    assert world.standard.published.number == 1
    assert check_definition(draft_definition(world.standard), automatic=True) == []


def test_installing_again_adds_nothing_twice(world: JobWorld) -> None:
    again = setup.install_standard(world.tenant, SYSTEM)
    assert again.pk == world.standard.pk
    with tenant_scope(world.tenant):
        assert again.versions.count() == 1


def test_a_new_job_starts_in_the_first_phase_with_its_message(world: JobWorld) -> None:
    job = world.start(customer_message="Ist der Golf noch da?", callback_phone="+4930123456")
    assert job.number == f"J-{timezone.localdate().year}-00001"
    assert job.phase_key == "rueckruf"
    assert job.branch_id == world.branch.pk  # taken from the vehicle
    assert job.values["kundenmitteilung"] == "Ist der Golf noch da?"
    assert job.callback_phone == "+4930123456"
    assert job.waiting_for == Waiting.STAFF
    [message] = _messages(job)
    assert message.recipient == "petra.neumann@example.org"
    assert message.subject.startswith("Ihr Rückrufwunsch bei")  # the named text of the phase
    assert "/p/" in message.body_text
    [event] = _events("job.created")
    assert event.payload["number"] == job.number
    assert event.payload["phase"] == "rueckruf"
    assert world.start().number.endswith("00002")


def test_activating_a_phase_sends_its_message_and_waits_for_the_customer(
    world: JobWorld, owner
) -> None:
    job = world.start()
    activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")
    job.refresh_from_db()
    assert job.phase_key == "angebot"
    assert job.waiting_for == Waiting.CUSTOMER  # its customer view has a save button
    subjects = [m.subject for m in _messages(job)]
    assert subjects[-1].startswith("Ihr Angebot")
    assert _events("job.phase_activated")[-1].payload["phase"] == "angebot"
    with tenant_scope(world.tenant):
        change = JobChange.objects.filter(job=job, field_key="phase").first()
    assert change is not None and change.old == "Rückruf angefordert"
    assert change.new == "Angebot bereitgestellt" and change.actor_name == "Olga Owner"


def test_no_message_when_messages_are_suppressed(world: JobWorld, owner) -> None:
    job = world.start()
    save_view(
        job,
        view="staff",
        expected_phase="rueckruf",
        submitted={"nachrichten_unterdruecken": True},
        who=Who.staff(owner),
    )
    activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")
    assert len(_messages(job)) == 1  # only the first phase's, sent before


def test_a_closed_job_sends_nothing_and_cannot_move(world: JobWorld, owner) -> None:
    job = world.start()
    save_view(
        job,
        view="staff",
        expected_phase="rueckruf",
        submitted={"jobstatus": JobStatus.CLOSED},
        who=Who.staff(owner),
    )
    job.refresh_from_db()
    assert job.status == JobStatus.CLOSED and job.closed_at is not None
    assert _events("job.status_changed")[-1].payload["previous_status"] == "open"
    with pytest.raises(ServiceError) as refused:
        activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")
    assert "Archiv" in str(refused.value.messages[0])
    assert len(_messages(job)) == 1


def test_a_second_tab_cannot_activate_from_an_old_phase(world: JobWorld, owner) -> None:
    job = world.start()
    activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")
    with pytest.raises(ServiceError) as refused:
        activate_phase(job, "angenommen", Who.staff(owner), expected_phase="rueckruf")
    assert refused.value.code == "moved"
    assert "Angebot bereitgestellt" in refused.value.messages[0]


def test_an_obsolete_phase_is_refused_with_its_reason(world: JobWorld, owner) -> None:
    job = world.start()
    with pytest.raises(ServiceError) as refused:
        activate_phase(job, "auslieferung", Who.staff(owner), expected_phase="rueckruf")
    assert refused.value.code == "obsolete"
    assert "Auslieferung gewünscht = nein" in refused.value.messages[0]


def _to_accepted(world: JobWorld, owner) -> Job:
    job = world.start()
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(phase_key="angenommen")
    job.refresh_from_db()
    return job


def test_a_hidden_required_field_does_not_block_saving(world: JobWorld, owner) -> None:
    job = _to_accepted(world, owner)
    saved = save_view(
        job,
        view="customer",
        expected_phase="angenommen",
        submitted={"auslieferung_gewuenscht": False},
        who=Who.customer(world.contact),
    )
    assert saved.job.waiting_for == Waiting.STAFF
    assert "angenommen:customer" in saved.job.saved


def test_a_required_field_shown_by_the_same_form_blocks_saving(world: JobWorld, owner) -> None:
    job = _to_accepted(world, owner)
    with pytest.raises(FieldErrors) as refused:
        save_view(
            job,
            view="customer",
            expected_phase="angenommen",
            submitted={"auslieferung_gewuenscht": True, "lieferadresse": ""},
            who=Who.customer(world.contact),
        )
    assert refused.value.errors == {"lieferadresse": "Bitte füllen Sie „Lieferadresse“ aus."}
    job.refresh_from_db()
    assert "auslieferung_gewuenscht" not in job.values  # nothing stored


def test_a_required_document_asks_to_be_created(world: JobWorld, owner) -> None:
    job = world.start()
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(phase_key="bestellung")
    job.refresh_from_db()
    with pytest.raises(FieldErrors) as refused:
        save_view(
            job, view="staff", expected_phase="bestellung", submitted={}, who=Who.staff(owner)
        )
    assert refused.value.errors["auftragsbestaetigung"] == (
        "Bitte erstellen Sie zuerst das Dokument „Auftragsbestätigung“."
    )


def test_every_changed_field_is_in_the_history(world: JobWorld, owner) -> None:
    job = _to_accepted(world, owner)
    save_view(
        job,
        view="customer",
        expected_phase="angenommen",
        submitted={"auslieferung_gewuenscht": True, "lieferadresse": "Parkweg 3, 14469 Potsdam"},
        who=Who.customer(world.contact),
    )
    with tenant_scope(world.tenant):
        changes = {c.field_key: c for c in JobChange.objects.filter(job=job)}
    delivery = changes["auslieferung_gewuenscht"]
    assert (delivery.field_label, delivery.old, delivery.new) == (
        "Auslieferung gewünscht",
        "nein",
        "ja",
    )
    assert delivery.actor_kind == "customer" and delivery.actor_name == "Petra Neumann"
    assert delivery.phase_name == "Angebot angenommen"
    assert changes["lieferadresse"].new == "Parkweg 3, 14469 Potsdam"
    [event] = _events("job.customer_saved")
    assert event.payload["fields"]["auslieferung_gewuenscht"] == "ja"
    # Staff hear of it: the notice goes to the company address (no assignee).
    with scopes_disabled():
        notice = OutboundMessage.objects.get(purpose="job_customer_saved")
    assert "Lieferadresse: Parkweg 3, 14469 Potsdam" in notice.body_text


def test_the_customer_cannot_save_a_view_without_a_save_button(world: JobWorld) -> None:
    job = world.start()
    with pytest.raises(ServiceError) as refused:
        save_view(
            job,
            view="customer",
            expected_phase="rueckruf",
            submitted={},
            who=Who.customer(world.contact),
        )
    assert refused.value.code == "no_save"


def test_read_only_and_unknown_fields_are_not_written(world: JobWorld, owner) -> None:
    job = world.start(customer_message="Original")
    save_view(
        job,
        view="staff",
        expected_phase="rueckruf",
        submitted={"kundenmitteilung": "Geändert", "angebot_angenommen": True},
        who=Who.staff(owner),
    )
    job.refresh_from_db()
    assert job.values["kundenmitteilung"] == "Original"
    assert "angebot_angenommen" not in job.values
