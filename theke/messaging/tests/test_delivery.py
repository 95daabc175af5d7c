"""Outbox delivery against a real SMTP peer: content, retries, permanent errors, resend."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, Actor
from theke.customers import services as customers
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.outbox import Attachment, queue_message
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Theke//DE\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def customer(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Kunde")
        customers.add_contact(
            customer,
            SYSTEM,
            first_name="Klara",
            last_name="Kunde",
            email="klara@kunde.test",
            consent_email=True,
        )
        return customer


@pytest.fixture
def contact(customer: Any) -> Any:
    with tenant_scope(customer.tenant):
        return customer.contacts.get()


def queue(tenant: Any, recipient: str = "klara@kunde.test", **values: Any) -> OutboundMessage:
    values.setdefault("dedupe_key", f"test:{recipient}:{values.get('subject', '')}")
    values.setdefault("subject", "Ihr Kostenvoranschlag")
    values.setdefault("text", "Guten Tag,\nhier ist Ihr Kostenvoranschlag.")
    values.setdefault("purpose", "estimate_link")
    with tenant_scope(tenant):
        return queue_message(tenant, channel=Channel.EMAIL, recipient=recipient, **values)


def fresh(message: OutboundMessage) -> OutboundMessage:
    with scopes_disabled():
        return OutboundMessage.objects.get(pk=message.pk)


def failure_events(tenant: Any) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action="message.failed"))


# --- delivery with content ------------------------------------------------------------------


def test_email_arrives_with_text_html_reply_to_headers_and_attachments(
    smtp_peer, tenant_a, customer, contact, media_root
):
    tenant_a.email_sender_name = "Autohaus Alpha, Service"
    tenant_a.save()
    message = queue(
        tenant_a,
        recipient_name="Klara Kunde",
        contact=contact,
        related=customer,
        html="<p>Guten Tag,</p><p>hier ist Ihr <b>Kostenvoranschlag</b>.</p>",
        reply_to="reply+abc123@reply.theke.localhost",
        headers={"In-Reply-To": "<earlier@alpha.test>", "References": ["<first@alpha.test>"]},
        attachments=[
            Attachment("Kostenvoranschlag 4711.pdf", PDF, "application/pdf"),
            Attachment("termin.ics", ICS, "text/calendar"),
        ],
    )

    assert delivery.deliver_due() == 1

    message = fresh(message)
    assert message.status == OutboundStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.last_error == ""
    [envelope] = smtp_peer.recorder.envelopes
    assert envelope.mail_from == "theke@localhost"
    assert envelope.rcpt_tos == ["klara@kunde.test"]
    [received] = smtp_peer.messages
    assert received["Subject"] == "Ihr Kostenvoranschlag"
    assert received["From"].addresses[0].display_name == "Autohaus Alpha, Service"
    assert received["From"].addresses[0].addr_spec == "theke@localhost"
    assert received["To"].addresses[0].display_name == "Klara Kunde"
    assert str(received["Reply-To"]) == "reply+abc123@reply.theke.localhost"
    assert received["In-Reply-To"] == "<earlier@alpha.test>"
    assert received["References"] == "<first@alpha.test>"
    assert received["Message-ID"] == message.provider_id
    assert message.provider_id.startswith(f"<theke.{message.pk}.")
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text.get_content().replace("\r\n", "\n").rstrip() == (
        "Guten Tag,\nhier ist Ihr Kostenvoranschlag."
    )
    assert "<b>Kostenvoranschlag</b>" in html.get_content()
    attachments = {part.get_filename(): part for part in received.iter_attachments()}
    assert set(attachments) == {"Kostenvoranschlag 4711.pdf", "termin.ics"}
    assert attachments["Kostenvoranschlag 4711.pdf"].get_content_type() == "application/pdf"
    assert attachments["Kostenvoranschlag 4711.pdf"].get_content() == PDF
    assert attachments["termin.ics"].get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in attachments["termin.ics"].get_content()
    # Success writes no audit event; only failures do.
    assert failure_events(tenant_a) == []


def test_reply_to_falls_back_to_the_tenants_reply_address(smtp_peer, tenant_a):
    tenant_a.email_reply_to = "service@alpha.test"
    tenant_a.save()
    queue(tenant_a)
    delivery.deliver_due()
    [received] = smtp_peer.messages
    assert str(received["Reply-To"]) == "service@alpha.test"
    assert received["From"].addresses[0].display_name == "Autohaus Alpha"


def test_message_is_sent_by_the_worker_task_after_commit(
    smtp_peer, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(tenant_a)
        assert smtp_peer.messages == []  # nothing is sent inside the transaction
    assert fresh(message).status == OutboundStatus.SENT
    assert len(smtp_peer.messages) == 1


def test_a_batch_goes_over_one_smtp_connection(smtp_peer, tenant_a):
    for number in range(5):
        queue(tenant_a, f"kunde{number}@kunde.test")
    assert delivery.deliver_due() == 5
    assert len(smtp_peer.messages) == 5
    assert len(set(smtp_peer.recorder.peers)) == 1


def test_the_locmem_mailer_receives_the_same_email(tenant_a):
    """Tests elsewhere read mail.outbox: the delivery works with Django's test mailer too."""
    message = queue(tenant_a, html="<p>HTML</p>")
    assert delivery.deliver_one(message.pk) is True
    [sent] = mail.outbox
    assert isinstance(sent, EmailMultiAlternatives)
    assert sent.subject == "Ihr Kostenvoranschlag"
    assert sent.alternatives[0][1] == "text/html"
    assert sent.extra_headers["Message-ID"] == fresh(message).provider_id


# --- SMTP down, retries, exactly once -------------------------------------------------------


def test_smtp_down_keeps_the_message_waiting_then_it_arrives_exactly_once(
    smtp_down, tenant_a, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(tenant_a)

    message = fresh(message)
    assert message.status == OutboundStatus.QUEUED
    assert message.attempts == 1
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error
    assert before + timedelta(seconds=4) < message.next_attempt_at
    assert message.next_attempt_at <= timezone.now() + timedelta(seconds=31)
    assert message.claimed_until is None

    smtp_down.start()  # the server is back, but the message waits for its time
    assert delivery.deliver_due() == 0
    assert smtp_down.messages == []

    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert delivery.deliver_due() == 1
        assert delivery.deliver_due() == 0
        assert delivery.deliver_one(message.pk) is False

    assert len(smtp_down.messages) == 1
    message = fresh(message)
    assert message.status == OutboundStatus.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    with scopes_disabled():
        assert OutboundMessage.objects.count() == 1


def test_server_going_away_mid_batch_leaves_the_rest_waiting(smtp_down, tenant_a):
    first = queue(tenant_a, "eins@kunde.test")
    second = queue(tenant_a, "zwei@kunde.test")
    assert delivery.deliver_due() == 0
    assert {fresh(first).status, fresh(second).status} == {OutboundStatus.QUEUED}
    assert fresh(second).attempts == 1
    assert fresh(second).last_error


def test_temporary_rejection_of_the_recipient_retries(smtp_peer, tenant_a):
    message = queue(tenant_a, "later@kunde.test")
    assert delivery.deliver_due() == 0
    message = fresh(message)
    assert message.status == OutboundStatus.QUEUED
    assert "450" in message.last_error
    assert failure_events(tenant_a) == []


def test_gives_up_after_the_maximum_number_of_attempts(smtp_down, tenant_a, customer):
    message = queue(tenant_a, related=customer)
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk).update(max_attempts=3)
    delivery.deliver_due()
    for _attempt in range(2):
        with time_machine.travel(fresh(message).next_attempt_at + timedelta(seconds=1)):
            delivery.deliver_due()
    message = fresh(message)
    assert message.status == OutboundStatus.FAILED
    assert message.attempts == 3
    assert message.last_error
    [event] = failure_events(tenant_a)
    assert event.object_id == str(customer.pk)
    assert event.data["attempts"] == 3
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert delivery.deliver_due() == 0


# --- permanent errors -----------------------------------------------------------------------


def test_refused_recipient_fails_at_once_and_the_batch_goes_on(smtp_peer, tenant_a, customer):
    refused = queue(tenant_a, "reject@kunde.test", related=customer)
    good = queue(tenant_a, "klara@kunde.test")

    assert delivery.deliver_due() == 1

    refused = fresh(refused)
    assert refused.status == OutboundStatus.FAILED
    assert refused.attempts == 1
    assert "550" in refused.last_error
    assert fresh(good).status == OutboundStatus.SENT
    assert len(smtp_peer.messages) == 1
    [event] = failure_events(tenant_a)
    assert event.object_id == str(customer.pk)
    assert event.data["recipient"] == "reject@kunde.test"


def test_invalid_address_fails_at_once(smtp_peer, tenant_a):
    message = queue(tenant_a, "kein gültiger empfänger")
    assert delivery.deliver_due() == 0
    message = fresh(message)
    assert message.status == OutboundStatus.FAILED
    assert message.attempts == 1
    assert message.last_error
    # Recorded on the message itself, as it has no business object.
    [event] = failure_events(tenant_a)
    assert event.object_id == str(message.pk)


# --- claims ---------------------------------------------------------------------------------


def test_a_live_lease_is_respected_and_an_expired_one_is_taken_over(smtp_peer, tenant_a):
    message = queue(tenant_a)
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundStatus.SENDING,
            claimed_by="other-worker",
            claimed_until=timezone.now() + timedelta(seconds=60),
            attempts=1,
        )
    assert delivery.deliver_one(message.pk) is False
    assert delivery.deliver_due() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert delivery.deliver_due() == 1
    message = fresh(message)
    assert message.status == OutboundStatus.SENT
    assert message.attempts == 2
    assert message.claimed_by != "other-worker"
    assert len(smtp_peer.messages) == 1


def test_a_sent_message_is_not_sent_again(smtp_peer, tenant_a):
    message = queue(tenant_a)
    assert delivery.deliver_one(message.pk) is True
    assert delivery.deliver_one(message.pk) is False
    assert delivery.deliver_due() == 0
    assert len(smtp_peer.messages) == 1


def test_each_message_is_marked_sent_before_the_next_one_goes_out(smtp_peer, tenant_a, monkeypatch):
    """A worker killed mid-batch then repeats at most the message it was sending."""
    messages = [queue(tenant_a, f"kunde{number}@kunde.test") for number in range(5)]
    unmarked_at_send: list[int] = []
    send = delivery.Mailer.send

    def send_and_look(mailer: delivery.Mailer, email: Any) -> None:
        with scopes_disabled():
            accepted = len(smtp_peer.messages)
            marked = OutboundMessage.objects.filter(status=OutboundStatus.SENT).count()
        unmarked_at_send.append(accepted - marked)
        send(mailer, email)

    monkeypatch.setattr(delivery.Mailer, "send", send_and_look)
    assert delivery.deliver_due() == 5
    assert unmarked_at_send == [0, 0, 0, 0, 0]
    assert {fresh(message).status for message in messages} == {OutboundStatus.SENT}


def test_a_worker_that_lost_its_claim_cannot_mark_the_message(tenant_a):
    message = queue(tenant_a)
    [claimed], token = delivery.claim_batch(10)
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk).update(claimed_by="somebody-else")
    batch = delivery.Batch([claimed], token)
    batch.record(claimed, delivery.Sent("<x@y>"))
    batch.record(claimed, delivery.Failed("boom", permanent=True))
    assert batch.sent == 0
    assert fresh(message).status == OutboundStatus.SENDING


def test_deliver_due_respects_its_limit(smtp_peer, tenant_a, settings):
    settings.OUTBOX_BATCH_SIZE = 2
    for number in range(5):
        queue(tenant_a, f"kunde{number}@kunde.test")
    assert delivery.deliver_due(limit=3) == 3
    assert delivery.deliver_due() == 2


def test_rows_of_a_channel_without_a_sender_are_left_alone(tenant_a, monkeypatch):
    # The webhook sender is registered by the API app; without it the rows stay queued.
    monkeypatch.delitem(delivery.SENDERS, Channel.WEBHOOK)
    with tenant_scope(tenant_a):
        message = queue_message(
            tenant_a,
            channel=Channel.WEBHOOK,
            purpose="webhook",
            recipient="https://erp.example/hook",
            dedupe_key="event:1",
        )
    assert delivery.deliver_due() == 0
    assert fresh(message).status == OutboundStatus.QUEUED


# --- resend ---------------------------------------------------------------------------------


def test_resend_queues_a_failed_message_again_and_it_arrives(
    smtp_peer, tenant_a, owner, customer, django_capture_on_commit_callbacks
):
    message = queue(tenant_a, "reject@kunde.test", related=customer)
    delivery.deliver_due()
    assert fresh(message).status == OutboundStatus.FAILED
    with scopes_disabled():
        # The address was corrected in the meantime (here: the server now accepts it).
        OutboundMessage.objects.filter(pk=message.pk).update(recipient="klara@kunde.test")

    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True):
        delivery.resend(fresh(message), Actor.staff(owner))

    message = fresh(message)
    assert message.status == OutboundStatus.SENT
    assert message.attempts == 1
    assert len(smtp_peer.messages) == 1
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="message.resent")
    assert event.actor_user_id == owner.pk
    assert event.object_id == str(customer.pk)


def test_resend_of_a_sent_message_uses_a_new_message_id(smtp_peer, tenant_a, owner):
    message = queue(tenant_a)
    delivery.deliver_due()
    first_id = fresh(message).provider_id
    with tenant_scope(tenant_a):
        delivery.resend(fresh(message), Actor.staff(owner))
    delivery.deliver_due()
    ids = [received["Message-ID"] for received in smtp_peer.messages]
    assert len(ids) == 2
    assert ids[0] == first_id
    assert ids[1] != first_id
    assert fresh(message).provider_id == ids[1]


def test_resend_refuses_a_message_that_is_still_waiting(tenant_a, owner):
    message = queue(tenant_a)
    with tenant_scope(tenant_a), pytest.raises(delivery.DeliveryError):
        delivery.resend(message, Actor.staff(owner))
    with tenant_scope(tenant_a):
        assert not AuditEvent.objects.filter(action="message.resent").exists()


# --- the object's delivery log --------------------------------------------------------------


def test_deliveries_for_a_customer_include_messages_to_its_contacts(tenant_a, customer, contact):
    to_contact = queue(tenant_a, contact=contact)
    about_customer = queue(tenant_a, "other@kunde.test", related=customer)
    queue(tenant_a, "unrelated@kunde.test")
    with tenant_scope(tenant_a):
        found = set(delivery.deliveries_for(customer).values_list("pk", flat=True))
    assert found == {to_contact.pk, about_customer.pk}


# --- secret links and senders ----------------------------------------------------------------


@pytest.fixture
def secret_purpose(monkeypatch: pytest.MonkeyPatch) -> dict[str, str | None]:
    """A purpose whose link is made at send time; set ["link"] to None to withdraw it."""
    from theke.messaging.services import outbox

    state: dict[str, str | None] = {"link": "https://theke.test/secret/abc"}
    monkeypatch.setitem(outbox.SECRET_LINKS, "test_secret", lambda message: state["link"])
    return state


def test_a_secret_link_is_made_when_sending_and_never_stored(smtp_peer, tenant_a, secret_purpose):
    from theke.messaging.services.outbox import SECRET_LINK

    message = queue(tenant_a, purpose="test_secret", text=f"Ihr Link:\n{SECRET_LINK}\n")
    assert "https://theke.test/secret/abc" not in fresh(message).body_text

    assert delivery.deliver_due() == 1

    body = smtp_peer.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "https://theke.test/secret/abc" in body
    assert SECRET_LINK not in body
    assert fresh(message).body_text == f"Ihr Link:\n{SECRET_LINK}\n"


def test_a_message_no_longer_wanted_is_cancelled_not_failed(smtp_peer, tenant_a, secret_purpose):
    from theke.messaging.services.outbox import SECRET_LINK

    message = queue(tenant_a, purpose="test_secret", text=SECRET_LINK)
    secret_purpose["link"] = None

    assert delivery.deliver_due() == 0

    assert smtp_peer.messages == []
    stored = fresh(message)
    assert stored.status == OutboundStatus.CANCELLED
    assert stored.claimed_until is None
    assert "no longer wanted" in stored.last_error
    assert failure_events(tenant_a) == []
    assert delivery.deliver_due() == 0  # not due again


def test_sender_name_may_differ_from_the_tenants(smtp_peer, tenant_a):
    queue(tenant_a, sender_name="Theke")
    delivery.deliver_due()
    assert smtp_peer.messages[0]["From"] == "Theke <theke@localhost>"
