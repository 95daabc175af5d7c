"""The staff job page: the staff view saved with its errors next to the fields (and nothing
typed lost), a second tab's move shown as a message, phases activated from the page,
documents created and shown, the Parkplatz link, the assignee, the conversation, and the
timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from theke.accounts.models import User
from theke.jobs.models import FileKind, Job, JobChange, JobFile, JobStatus, Waiting
from theke.jobs.services.jobs import Who, activate_phase
from theke.jobs.tests.world import JobWorld, set_status
from theke.messaging.models import Conversation, OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = pytest.mark.django_db


def _job_url(job: Job) -> str:
    return reverse("jobs:job", args=[job.pk])


def _in_offer_phase(world: JobWorld, owner: User) -> Job:
    job = world.start()
    return activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")


def _save(client: Any, job: Job, phase: str, **values: Any) -> Any:
    """Post the staff view as the page does: the fields it showed, marked present."""
    return client.post(_job_url(job), {"expected_phase": phase, "_present": list(values), **values})


def _outbox(job: Job, purpose: str) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(
            OutboundMessage.objects.filter(object_id=str(job.pk), purpose=purpose).order_by("pk")
        )


def _files(job: Job) -> list[JobFile]:
    with scopes_disabled():
        return list(JobFile.objects.filter(job=job).order_by("pk"))


def test_the_page_shows_the_job_its_staff_view_phases_and_the_customer_view(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = world.start(customer_message="Ist der Golf noch da?", assignee=owner)
    response = owner_client.get(_job_url(job))
    assert response.status_code == 200
    page = response.content.decode()
    assert job.number in page
    assert "Petra Neumann" in page and reverse("customers:detail", args=[world.customer.pk]) in page
    assert "B-TH 412" in page
    assert "Standard-Workflow Fahrzeugverkauf v1" in page
    assert "Mitarbeiteransicht: Rückruf angefordert" in page
    assert "Ist der Golf noch da?" in page  # read-only value
    assert '<input type="hidden" name="_present" value="interne_notiz">' in page
    assert '<input type="hidden" name="_present" value="kundenmitteilung">' not in page  # read-only
    assert "So sieht es der Kunde" in page
    assert "Wir rufen Sie so bald wie möglich zurück." in page  # the customer's view
    # The phases: the next ones due or obsolete with the reason, with what activation sends.
    assert "fällig" in page
    assert "sendet „Angebot bereitgestellt“ per E-Mail" in page
    assert "weil Auslieferung gewünscht = nein" in page
    assert 'id="activate-next"' in page
    assert "Olga Owner" in page


def test_saving_the_staff_view_records_the_change(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = world.start()
    response = _save(
        owner_client, job, "rueckruf", interne_notiz="Kunde ruft morgen zurück", jobstatus="sold"
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.values["interne_notiz"] == "Kunde ruft morgen zurück"
    assert job.status == JobStatus.SOLD
    with tenant_scope(world.tenant):
        labels = set(JobChange.objects.filter(job=job).values_list("field_label", flat=True))
    assert {"Interne Notiz", "Jobstatus"} <= labels
    page = owner_client.get(_job_url(job)).content.decode()
    assert "Kunde ruft morgen zurück" in page  # in the form and the timeline
    assert "offen</span> → verkauft" in page


def test_a_required_field_left_empty_is_shown_next_to_it_and_nothing_typed_is_lost(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = _in_offer_phase(world, owner)
    job = activate_phase(job, "angenommen", Who.staff(owner), expected_phase="angebot")
    job = activate_phase(job, "bestellung", Who.staff(owner), expected_phase="angenommen")
    response = _save(owner_client, job, "bestellung", jobstatus="sold")
    assert response.status_code == 200
    page = response.content.decode()
    message = "Bitte erstellen Sie zuerst das Dokument „Auftragsbestätigung“."
    # Next to the field, and in the summary on top linking to it.
    row = page[page.index('id="row-auftragsbestaetigung"') :]
    assert message in row[: row.index('id="row-rechnung"')]
    assert 'href="#row-auftragsbestaetigung"' in page
    assert 'id="error-summary"' in page
    assert '<option value="sold" selected>' in page  # the choice made is still in the form
    job.refresh_from_db()
    assert job.status == "open"  # nothing saved


def test_an_invalid_input_is_shown_next_to_its_field(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    response = _save(
        owner_client, job, "rueckruf", rueckruf="keine nummer", interne_notiz="Bitte zurückrufen"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_rueckruf"' in page
    assert "Bitte zurückrufen" in page
    assert "aria-invalid" in page or "is-invalid" in page


def test_a_phase_moved_in_another_tab_shows_a_message_and_keeps_the_input(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = world.start()
    owner_client.get(_job_url(job))  # tab 1 and tab 2 show "Rückruf angefordert"
    activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")  # tab 1
    # tab 2 saves what it shows
    response = _save(owner_client, job, "rueckruf", interne_notiz="Notiz aus dem zweiten Tab")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Der Job ist inzwischen in der Phase „Angebot bereitgestellt“" in page
    assert "Notiz aus dem zweiten Tab" in page
    assert 'id="moved-warning"' in page
    job.refresh_from_db()
    assert "interne_notiz" not in job.values


def test_a_preview_renders_the_form_from_the_input_without_saving(
    world: JobWorld, owner_client: Any
) -> None:
    job = world.start()
    response = owner_client.post(
        _job_url(job),
        {
            "_preview": "1",
            "expected_phase": "rueckruf",
            "_present": ["interne_notiz", "nachrichten_unterdruecken"],
            "interne_notiz": "Nur eine Vorschau",
            "nachrichten_unterdruecken": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<section")
    assert "Nur eine Vorschau" in body
    job.refresh_from_db()
    assert job.values.get("interne_notiz") is None
    assert job.suppress_messages is False


def test_activating_the_next_phase_from_the_page_sends_its_message(
    world: JobWorld, owner_client: Any
) -> None:
    job = world.start()
    before = len(_outbox(job, "job_phase"))
    response = owner_client.post(
        reverse("jobs:activate", args=[job.pk]),
        {"phase": "angebot", "expected_phase": "rueckruf"},
        follow=True,
    )
    assert "Die Phase „Angebot bereitgestellt“ ist jetzt aktiv." in response.content.decode()
    job.refresh_from_db()
    assert job.phase_key == "angebot"
    assert job.waiting_for == Waiting.CUSTOMER
    sent = _outbox(job, "job_phase")
    assert len(sent) == before + 1
    assert sent[-1].recipient == "petra.neumann@example.org"
    page = response.content.decode()
    assert "Mitarbeiteransicht: Angebot bereitgestellt" in page
    assert "Zahlungsaufforderung" not in page


def test_an_obsolete_phase_is_refused_with_the_reason(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    response = owner_client.post(
        reverse("jobs:activate", args=[job.pk]),
        {"phase": "auslieferung", "expected_phase": "rueckruf"},
        follow=True,
    )
    page = response.content.decode()
    assert (
        "Die Phase „Auslieferung“ entfällt für diesen Job, weil Auslieferung gewünscht = nein"
        in page
    )
    job.refresh_from_db()
    assert job.phase_key == "rueckruf"


def test_activating_from_a_stale_page_is_refused(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = world.start()
    activate_phase(job, "angebot", Who.staff(owner), expected_phase="rueckruf")
    response = owner_client.post(
        reverse("jobs:activate", args=[job.pk]),
        {"phase": "angebot", "expected_phase": "rueckruf"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Der Job ist inzwischen in der Phase" in response.content.decode()


def test_hidden_entries_are_listed_with_their_reason(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = _in_offer_phase(world, owner)
    activate_phase(job, "angenommen", Who.staff(owner), expected_phase="angebot")
    page = owner_client.get(_job_url(job)).content.decode()
    assert "1 ausgeblendetes Feld" in page
    assert (
        "<strong>Lieferadresse</strong>: ausgeblendet, weil Auslieferung gewünscht = nein" in page
    )


def test_the_phases_page_lists_every_phase(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    page = owner_client.get(reverse("jobs:activate", args=[job.pk])).content.decode()
    for name in ("Rückruf angefordert", "Angebot bereitgestellt", "Auslieferung", "Abholung"):
        assert name in page
    assert 'aria-current="step"' in page


def test_creating_a_document_stores_a_new_file_and_keeps_the_old_one(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = _in_offer_phase(world, owner)
    url = reverse("jobs:document_create", args=[job.pk, "angebot"])
    first = owner_client.post(url, {"document": "offer", "expected_phase": "angebot"})
    assert first.status_code == 302
    second = owner_client.post(url, {"document": "offer", "expected_phase": "angebot"})
    assert second.status_code == 302
    files = _files(job)
    assert len(files) == 2
    assert all(f.kind == FileKind.DOCUMENT and f.document == "offer" for f in files)
    assert files[0].name == f"angebot-{job.number}.pdf"
    job.refresh_from_db()
    assert job.values["angebot"]["id"] == files[1].pk  # the newest is the value
    with tenant_scope(world.tenant):
        change = JobChange.objects.filter(job=job, field_key="angebot").first()
    assert change is not None
    assert f"{change.field_label}: {change.new}" == f"Angebot erstellt: angebot-{job.number}.pdf"
    page = owner_client.get(_job_url(job)).content.decode()
    assert "1 ältere Fassung" in page
    assert reverse("jobs:file", args=[job.pk, files[0].pk]) in page
    old = owner_client.get(reverse("jobs:file", args=[job.pk, files[0].pk]))
    assert old.status_code == 200
    assert old["Content-Type"] == "application/pdf"
    assert b"".join(old.streaming_content).startswith(b"%PDF")
    # Now the required document is there: the staff view saves.
    saved = _save(owner_client, job, "angebot", interne_notiz="")
    assert saved.status_code == 302


def test_a_document_of_another_phase_or_an_archived_job_is_refused(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = world.start()  # "Rückruf angefordert" has no document field
    response = owner_client.post(
        reverse("jobs:document_create", args=[job.pk, "angebot"]),
        {"document": "offer"},
        follow=True,
    )
    assert "Dieses Feld gibt es in der aktuellen Phase nicht" in response.content.decode()
    offered = _in_offer_phase(world, owner)
    wrong_code = owner_client.post(
        reverse("jobs:document_create", args=[offered.pk, "angebot"]),
        {"document": "invoice"},
        follow=True,
    )
    assert "Dieses Dokument gehört nicht zu diesem Feld." in wrong_code.content.decode()
    set_status(offered, JobStatus.CANCELED)
    archived = owner_client.post(
        reverse("jobs:document_create", args=[offered.pk, "angebot"]),
        {"document": "offer"},
        follow=True,
    )
    assert "im Archiv" in archived.content.decode()
    assert _files(job) == [] and _files(offered) == []


def test_showing_a_document_renders_a_pdf_without_storing_it(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = _in_offer_phase(world, owner)
    response = owner_client.get(reverse("jobs:document_show", args=[job.pk, "angebot", "offer"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    assert _files(job) == []
    assert (
        owner_client.get(
            reverse("jobs:document_show", args=[job.pk, "angebot", "invoice"])
        ).status_code
        == 404
    )


def test_the_archive_prints_a_job_as_pdf(world: JobWorld, owner_client: Any) -> None:
    job = set_status(world.start(), JobStatus.CLOSED)
    archive = owner_client.get(reverse("jobs:archive")).content.decode()
    assert reverse("jobs:print", args=[job.pk]) in archive
    response = owner_client.get(reverse("jobs:print", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'inline; filename="jobuebersicht-{job.number}.pdf"' == response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    page = owner_client.get(_job_url(job)).content.decode()
    assert 'id="archived-note"' in page
    assert 'id="save-staff-view"' not in page
    assert 'id="activate-next"' not in page


def test_assigning_the_job(
    world: JobWorld, owner: User, colleague: User, owner_client: Any
) -> None:
    job = world.start()
    response = owner_client.post(
        reverse("jobs:assign", args=[job.pk]), {"assignee": str(colleague.pk)}, follow=True
    )
    assert "Der Job ist jetzt Carl Colleague zugewiesen." in response.content.decode()
    job.refresh_from_db()
    assert job.assignee_id == colleague.pk
    owner_client.post(reverse("jobs:assign", args=[job.pk]), {"assignee": ""})
    job.refresh_from_db()
    assert job.assignee_id is None
    refused = owner_client.post(
        reverse("jobs:assign", args=[job.pk]), {"assignee": "999999"}, follow=True
    )
    assert "Diesen Mitarbeiter gibt es nicht." in refused.content.decode()


def test_sending_and_copying_the_parking_link(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    response = owner_client.post(
        reverse("jobs:send_link", args=[job.pk]), {"action": "email"}, follow=True
    )
    assert "petra.neumann@example.org" in response.content.decode()
    [message] = _outbox(job, "job_link")
    assert message.recipient == "petra.neumann@example.org"
    assert "/p/" in message.body_text
    copied = owner_client.post(reverse("jobs:send_link", args=[job.pk]), {"action": "copy"})
    assert copied.status_code == 200
    assert 'id="copied-link"' in copied.content.decode()
    assert "/p/" in copied.context["copied_link"]
    # The timeline shows the message about the job.
    page = owner_client.get(_job_url(job)).content.decode()
    assert "Ihr Parkplatz zu Ihrer Anfrage" in page


def test_a_conversation_on_the_job(world: JobWorld, owner_client: Any) -> None:
    job = world.start()
    page = owner_client.get(_job_url(job)).content.decode()
    assert reverse("jobs:message", args=[job.pk]) in page
    response = owner_client.post(
        reverse("jobs:message", args=[job.pk]), {"body": "Das Angebot kommt morgen."}
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        conversation = Conversation.objects.get(object_id=str(job.pk))
        assert conversation.customer_id == world.customer.pk
    page = owner_client.get(_job_url(job)).content.decode()
    assert "Das Angebot kommt morgen." in page
    assert 'id="reply-form"' in page
    assert reverse("messaging:conversation_detail", args=[conversation.pk]) in page
    [sent] = _outbox(job, "conversation_message")
    assert sent.recipient == "petra.neumann@example.org"
    empty = owner_client.post(reverse("jobs:message", args=[job.pk]), {"body": " "})
    assert empty.status_code == 200
    assert "Bitte schreiben Sie eine Nachricht." in empty.content.decode()
    assert mail.outbox == [] or all("Angebot" in m.body for m in mail.outbox)


def test_a_payment_link_is_made_from_the_payment_field(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    job = _in_offer_phase(world, owner)
    owner_client.post(
        reverse("jobs:document_create", args=[job.pk, "angebot"]), {"document": "offer"}
    )
    activate_phase(job, "bestellung", Who.staff(owner), expected_phase="angebot")
    page = owner_client.get(_job_url(job)).content.decode()
    pay_url = reverse("jobs:payment_create", args=[job.pk, "bezahlung"])
    assert f'action="{pay_url}" id="pay-bezahlung"' in page
    assert 'name="payment-amount"' in page and 'form="pay-bezahlung"' in page
    response = owner_client.post(
        pay_url, {"payment-amount": "1250,00", "payment-purpose": "Anzahlung Golf"}
    )
    assert response.status_code == 302
    page = owner_client.get(_job_url(job)).content.decode()
    assert "Anzahlung Golf" in page
    assert "1.250,00" in page
