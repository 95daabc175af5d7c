"""Conversations: threads per object, staff replies by e-mail, read state, attachments."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import forget_setup_events, make_staff
from theke.audit.models import AuditEvent
from theke.core.errors import ServiceError
from theke.messaging.models import (
    AuthorType,
    Conversation,
    ConversationAttachment,
    ConversationMessage,
    InternalMessage,
    OutboundMessage,
)
from theke.messaging.services import conversations, inbox
from theke.messaging.services.delivery import build_email
from theke.messaging.services.inbound import receive_message
from theke.messaging.services.outbox import Attachment
from theke.messaging.tests.mailtools import PDF, PHOTO, Thread, mail, make_thread
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(tenant_a: Any, media_root: Any) -> Thread:
    made = make_thread(tenant_a)
    forget_setup_events()
    return made


# --- threads and addresses -----------------------------------------------------------------


def test_one_conversation_per_object(tenant_a, thread):
    with tenant_scope(tenant_a):
        again = conversations.conversation_for(
            thread.customer, tenant=tenant_a, customer=thread.customer, subject="Anderer Betreff"
        )
        assert again.pk == thread.conversation.pk
        assert Conversation.objects.count() == 1
        assert AuditEvent.objects.filter(action="conversation.started").count() == 1


def test_the_reply_token_is_long_random_and_fits_a_mail_local_part(tenant_a, thread):
    token = thread.conversation.reply_token
    assert re.fullmatch(r"[a-z0-9]{32}", token)
    other = make_thread(tenant_a, email="zweiter@example.com").conversation
    assert other.reply_token != token


def test_reply_address_uses_the_tenants_inbound_domain_else_the_platforms(
    tenant_a, thread, settings
):
    settings.INBOUND_EMAIL_DOMAIN = "reply.theke.test"
    token = thread.conversation.reply_token
    assert conversations.reply_address(thread.conversation) == f"reply+{token}@reply.theke.test"
    tenant_a.inbound_email_domain = "antwort.alpha.test"
    tenant_a.save()
    thread.conversation.tenant.refresh_from_db()
    assert conversations.reply_address(thread.conversation) == f"reply+{token}@antwort.alpha.test"


# --- staff messages ------------------------------------------------------------------------


def test_a_staff_reply_queues_an_email_with_reply_address_and_message_id(
    tenant_a, owner, thread, settings
):
    settings.INBOUND_EMAIL_DOMAIN = "reply.theke.test"
    with tenant_scope(tenant_a):
        message = conversations.post_staff_message(
            thread.conversation, owner, "Guten Tag Herr Müller,\nwann passt es Ihnen?"
        )
        outbound = OutboundMessage.objects.get(conversation=thread.conversation)
        assert message.author_type == AuthorType.STAFF
        assert message.author_label == "Olga Owner"
        assert outbound.recipient == "hans.mueller@example.com"
        assert outbound.contact == thread.contact
        assert outbound.reply_to == conversations.reply_address(thread.conversation)
        tag = conversations.subject_tag(thread.conversation)
        assert outbound.subject == f"Reparatur Sprinter B-AB 123 {tag}"
        assert "wann passt es Ihnen?" in outbound.body_text
        assert "Sie können direkt auf diese E-Mail antworten." in outbound.body_text
        assert re.fullmatch(r"<[^<>@]+@reply\.theke\.test>", outbound.headers["Message-ID"])
        assert "In-Reply-To" not in outbound.headers
        email = build_email(outbound)
    assert email.reply_to == [f"reply+{thread.conversation.reply_token}@reply.theke.test"]
    assert email.extra_headers["Message-ID"] == outbound.headers["Message-ID"]


def test_a_staff_reply_after_a_customer_mail_refers_to_it(tenant_a, owner, thread):
    reply = mail(
        to=conversations.reply_address(thread.conversation),
        message_id="<kunde-1@example.com>",
    )
    assert receive_message(reply).status == "processed"
    with tenant_scope(tenant_a):
        conversations.post_staff_message(thread.conversation, owner, "Danke!")
        outbound = OutboundMessage.objects.get(conversation=thread.conversation)
    assert outbound.headers["In-Reply-To"] == "<kunde-1@example.com>"
    assert outbound.headers["References"] == "<kunde-1@example.com>"


def test_a_customer_without_email_gets_no_mail_but_the_message_is_kept(tenant_a, owner):
    thread = make_thread(tenant_a, email="")
    with tenant_scope(tenant_a):
        conversations.post_staff_message(thread.conversation, owner, "Nur im Portal")
        assert ConversationMessage.objects.count() == 1
        assert not OutboundMessage.objects.exists()


def test_staff_attachments_are_stored_and_sent_along(tenant_a, owner, thread):
    with tenant_scope(tenant_a):
        message = conversations.post_staff_message(
            thread.conversation,
            owner,
            "Anbei der Kostenvoranschlag.",
            [Attachment("KVA 4711.pdf", PDF, "application/octet-stream")],
        )
        stored = ConversationAttachment.objects.get(message=message)
        outbound = OutboundMessage.objects.get(conversation=thread.conversation)
        sent = list(outbound.attachments.all())
    assert stored.filename == "KVA 4711.pdf"
    assert stored.content_type == "application/pdf"  # the extension decides
    assert stored.size == len(PDF)
    assert "KVA" not in str(stored.file.name)  # stored under a random name
    assert [a.filename for a in sent] == ["KVA 4711.pdf"]


def test_an_empty_staff_message_is_refused(tenant_a, owner, thread):
    with tenant_scope(tenant_a), pytest.raises(ServiceError) as refused:
        conversations.post_staff_message(thread.conversation, owner, "   ")
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    ("name", "content_type", "size", "message"),
    [
        ("setup.exe", "application/octet-stream", 10, "nicht erlaubten Dateityp"),
        ("bild.svg", "image/svg+xml", 10, "nicht erlaubten Dateityp"),
        ("seite.html", "text/html", 10, "nicht erlaubten Dateityp"),
        ("riesig.pdf", "application/pdf", 2049, "zu groß"),
        ("leer.pdf", "application/pdf", 0, "ist leer"),
    ],
)
def test_attachments_outside_the_limits_are_refused(
    tenant_a, owner, thread, settings, name, content_type, size, message
):
    settings.INBOUND_MAX_ATTACHMENT_BYTES = 2048
    with tenant_scope(tenant_a), pytest.raises(ServiceError) as refused:
        conversations.post_staff_message(
            thread.conversation, owner, "Hallo", [Attachment(name, b"x" * size, content_type)]
        )
    assert message in refused.value.messages[0]
    assert refused.value.field == "attachments"
    with tenant_scope(tenant_a):
        assert not ConversationMessage.objects.exists()  # nothing half-stored


def test_a_file_without_extension_takes_it_from_its_type():
    name, kind = conversations.check_attachment("scan", "image/jpeg; name=scan", 100)
    assert (name, kind) == ("scan.jpg", "image/jpeg")


def test_too_many_attachments_are_refused(tenant_a, owner, thread):
    files = [Attachment(f"{n}.txt", b"x", "text/plain") for n in range(11)]
    with tenant_scope(tenant_a), pytest.raises(ServiceError, match="höchstens 10 Dateien"):
        conversations.post_staff_message(thread.conversation, owner, "Hallo", files)


# --- customer messages, notifications and read state ---------------------------------------


def test_a_customer_message_notifies_the_staff_who_took_part(tenant_a, owner, colleague, thread):
    with tenant_scope(tenant_a):
        conversations.post_staff_message(thread.conversation, colleague, "Wann passt es?")
        conversations.post_customer_message(thread.conversation, thread.contact, "Dienstag")
        assert inbox.unread_count(colleague, tenant_a) == 1
        assert inbox.unread_count(owner, tenant_a) == 0
        note = InternalMessage.objects.get()
    assert note.subject == "Neue Nachricht von Hans Müller: Reparatur Sprinter B-AB 123"
    assert note.body == "Dienstag"
    assert note.url == reverse("messaging:conversation_detail", args=[thread.conversation.pk])


def test_a_customer_message_is_an_api_event_for_the_back_office(tenant_a, thread):
    from theke.audit.models import FeedEvent

    with tenant_scope(tenant_a):
        conversations.post_customer_message(
            thread.conversation,
            thread.contact,
            "Dienstag",
            [Attachment("foto.pdf", PDF, "application/pdf")],
        )
        event = FeedEvent.objects.get()
    assert event.type == "message.received"
    assert event.payload["text"] == "Dienstag"
    assert event.payload["via"] == "web"
    assert event.payload["attachments"] == ["foto.pdf"]
    assert event.payload["conversation"] == thread.conversation.pk


def test_without_staff_in_the_thread_the_admins_are_told(tenant_a, owner, colleague, thread):
    with tenant_scope(tenant_a):
        conversations.post_customer_message(thread.conversation, thread.contact, "Hallo?")
        assert inbox.unread_count(owner, tenant_a) == 1  # Admin
        assert inbox.unread_count(colleague, tenant_a) == 0


def test_a_contact_of_another_customer_cannot_write_into_the_thread(tenant_a, thread):
    stranger = make_thread(tenant_a, email="fremd@example.com").contact
    with tenant_scope(tenant_a), pytest.raises(ServiceError):
        conversations.post_customer_message(thread.conversation, stranger, "Hallo")


def test_read_state_and_unread_badges_per_participant(tenant_a, owner, colleague, thread):
    conversation = thread.conversation
    with tenant_scope(tenant_a):
        conversations.post_staff_message(conversation, owner, "Frage")
        # The author has read their own message; the customer has not.
        assert conversations.unread_for_user(conversation, owner) == 0
        assert conversations.unread_for_user(conversation, colleague) == 1
        assert conversations.unread_for_contact(conversation, thread.contact) == 1
        conversations.post_customer_message(conversation, thread.contact, "Antwort")
        assert conversations.unread_for_contact(conversation, thread.contact) == 0
        assert conversations.unread_for_user(conversation, owner) == 1
        assert conversations.unread_for_user(conversation, colleague) == 2
        conversations.mark_conversation_read(conversation, user=owner)
        assert conversations.unread_for_user(conversation, owner) == 0
        assert conversations.unread_for_user(conversation, colleague) == 2
        threads = conversations.with_unread(Conversation.objects.all(), colleague)
        annotated = {c.pk: getattr(c, "unread") for c in threads}  # noqa: B009 (annotation)
    assert annotated == {conversation.pk: 2}


# --- staff views ---------------------------------------------------------------------------


def test_the_list_shows_the_tenants_threads_with_unread_badges(
    owner_client, tenant_a, tenant_b, owner, thread, media_root
):
    make_thread(tenant_b, email="beta@example.com")
    with tenant_scope(tenant_a):
        conversations.post_customer_message(thread.conversation, thread.contact, "Eins")
        conversations.post_customer_message(thread.conversation, thread.contact, "Zwei")
    response = owner_client.get(reverse("messaging:conversation_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Reparatur Sprinter B-AB 123") == 1  # tenant B's thread is not listed
    assert re.search(r'unread-badge">2<span class="visually-hidden"> ungelesen', html)
    owner_client.get(reverse("messaging:conversation_detail", args=[thread.conversation.pk]))
    html = owner_client.get(reverse("messaging:conversation_list")).content.decode()
    assert "unread-badge" not in html


def test_unread_conversations_wait_on_the_start_page(owner_client, tenant_a, owner, thread):
    unread_url = f"{reverse('messaging:conversation_list')}?unread=1"

    def tile_count() -> str:
        html = owner_client.get(reverse("core:dashboard")).content.decode()
        tile = html.split(f'href="{unread_url}"', 1)[1].split("</a>", 1)[0]
        assert "Ungelesene Unterhaltungen" in tile
        return re.search(r'todo-count" aria-hidden="true">(\d+)<', tile).group(1)  # type: ignore[union-attr]

    owner_client.get(reverse("messaging:conversation_detail", args=[thread.conversation.pk]))
    assert tile_count() == "0"
    with tenant_scope(tenant_a):
        conversations.post_customer_message(thread.conversation, thread.contact, "Eins")
    assert tile_count() == "1"
    assert "Reparatur Sprinter" in owner_client.get(unread_url).content.decode()
    owner_client.get(reverse("messaging:conversation_detail", args=[thread.conversation.pk]))
    assert tile_count() == "0"


def test_the_thread_page_shows_messages_and_marks_them_read(owner_client, tenant_a, owner, thread):
    with tenant_scope(tenant_a):
        conversations.post_customer_message(
            thread.conversation,
            thread.contact,
            "Foto anbei",
            [Attachment("schaden.png", PHOTO, "image/png")],
        )
    url = reverse("messaging:conversation_detail", args=[thread.conversation.pk])
    html = owner_client.get(url).content.decode()
    assert "Foto anbei" in html
    assert "schaden.png" in html
    assert "Hans Müller" in html
    assert "im Web" in html
    assert "Geht per E-Mail an Hans Müller (hans.mueller@example.com)." in html
    with tenant_scope(tenant_a):
        assert conversations.unread_for_user(thread.conversation, owner) == 0


def test_staff_reply_with_an_upload(owner_client, tenant_a, thread):
    url = reverse("messaging:conversation_detail", args=[thread.conversation.pk])
    upload = SimpleUploadedFile("Rechnung.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(url, {"body": "Anbei die Rechnung.", "attachments": [upload]})
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        message = ConversationMessage.objects.get()
        assert message.body == "Anbei die Rechnung."
        assert [a.filename for a in message.attachments.all()] == ["Rechnung.pdf"]
        assert OutboundMessage.objects.get().attachments.count() == 1
    assert response["Location"].endswith(f"#message-{message.pk}")


def test_a_refused_upload_is_explained_and_nothing_is_stored(owner_client, tenant_a, thread):
    url = reverse("messaging:conversation_detail", args=[thread.conversation.pk])
    upload = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    response = owner_client.post(url, {"body": "Hier", "attachments": [upload]})
    assert response.status_code == 200
    assert "nicht erlaubten Dateityp" in response.content.decode()
    with tenant_scope(tenant_a):
        assert not ConversationMessage.objects.exists()


def test_an_empty_reply_is_refused_in_the_form(owner_client, tenant_a, thread):
    url = reverse("messaging:conversation_detail", args=[thread.conversation.pk])
    response = owner_client.post(url, {"body": " "})
    assert response.status_code == 200
    assert "Bitte schreiben Sie eine Nachricht." in response.content.decode()


def test_the_reply_returns_to_an_embedding_page_but_never_elsewhere(owner_client, thread):
    url = reverse("messaging:conversation_detail", args=[thread.conversation.pk])
    response = owner_client.post(url, {"body": "Eins", "next": "/staff/customers/"})
    assert response["Location"] == "/staff/customers/"
    response = owner_client.post(url, {"body": "Zwei", "next": "https://evil.example/"})
    assert response["Location"].startswith(url)


def test_attachments_download_for_staff_of_the_tenant_only(
    owner_client, tenant_a, thread, client, outsider
):
    with tenant_scope(tenant_a):
        message = conversations.post_customer_message(
            thread.conversation, thread.contact, "", [Attachment("plan.pdf", PDF, "")]
        )
        attachment = message.attachments.get()
    url = reverse("messaging:conversation_attachment", args=[thread.conversation.pk, attachment.pk])
    response = owner_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="plan.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login


def test_outsider_gets_404_for_the_thread_of_tenant_a(outsider_client, thread):
    url = reverse("messaging:conversation_detail", args=[thread.conversation.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"body": "Hallo"}).status_code == 404
    with scopes_disabled():
        assert not ConversationMessage.objects.exists()


def test_staff_without_the_right_see_no_conversations(client, tenant_a, thread):
    from theke.accounts.models import Role

    with tenant_scope(tenant_a):
        Role.objects.filter(tenant=tenant_a, name="Techniker").update(
            permissions=["customers.view"]
        )
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tina", "Techniker"))
    assert client.get(reverse("messaging:conversation_list")).status_code == 403


def test_the_partial_embeds_a_thread_in_another_page(rf, tenant_a, owner, thread):
    from django.template.loader import render_to_string

    from theke.messaging.staff_views.conversations import thread_context

    request = rf.get("/staff/customers/")
    request.user = owner
    with tenant_scope(tenant_a):
        conversations.post_staff_message(thread.conversation, owner, "Eingebettet")
        context = thread_context(request, thread.conversation, next_url="/staff/customers/")
        html = render_to_string("messaging/_conversation.html", context, request=request)
    assert "Eingebettet" in html
    assert 'value="/staff/customers/"' in html
    assert reverse("messaging:conversation_detail", args=[thread.conversation.pk]) in html
