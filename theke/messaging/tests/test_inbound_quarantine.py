"""The quarantine: staff see their tenant's held mails, assign them to a thread or discard
them; mails of no tenant are for the platform operators in the Django admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.audit.models import AuditEvent
from theke.messaging.models import ConversationMessage, InboundEmail, InboundStatus, Via
from theke.messaging.services import conversations
from theke.messaging.services.inbound import receive_message
from theke.messaging.tests.mailtools import PDF, Thread, mail, make_thread
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(tenant_a: Any, media_root: Any) -> Thread:
    return make_thread(tenant_a)


@pytest.fixture
def held(thread: Thread) -> InboundEmail:
    """A reply from the customer's private address, which Theke does not know."""
    message = mail(
        sender="Hans Privat <hans@privat.example>",
        to=conversations.reply_address(thread.conversation),
        subject="Re: Reparatur",
        text="Das bin ich, Hans. Dienstag passt.\n\nAm Montag schrieb Alpha:\n> Wann?",
        attachments=(("Vollmacht.pdf", "application/pdf", PDF),),
    )
    row = receive_message(message)
    assert row.status == InboundStatus.QUARANTINED
    return row


def test_the_list_shows_the_tenants_quarantine_only(owner_client, held, tenant_b):
    receive_message(mail(to="irgendwer@example.net", subject="Ohne Mandant"))
    make_thread(tenant_b, email="b@example.com")
    response = owner_client.get(reverse("messaging:quarantine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Re: Reparatur" in html
    assert "hans@privat.example" in html
    assert "ist kein Ansprechpartner" in html
    assert "Ohne Mandant" not in html


def test_the_conversation_list_links_to_the_quarantine_with_its_count(owner_client, held):
    html = owner_client.get(reverse("messaging:conversation_list")).content.decode()
    assert 'id="quarantine-link">Quarantäne <span class="badge text-bg-danger">1</span>' in html


def test_the_detail_shows_the_parsed_text_and_attachments(owner_client, held):
    response = owner_client.get(reverse("messaging:quarantine_detail", args=[held.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Das bin ich, Hans. Dienstag passt." in html
    assert "Vollmacht.pdf" in html
    assert 'id="quarantine-reason"' in html
    # The thread the token named is suggested.
    assert f'<option value="{held.conversation_id}" selected>' in html


def test_assigning_posts_the_mail_as_the_customers_message(owner_client, tenant_a, held, thread):
    url = reverse("messaging:quarantine_assign", args=[held.pk])
    response = owner_client.post(url, {"conversation": thread.conversation.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "messaging:conversation_detail", args=[thread.conversation.pk]
    )
    with tenant_scope(tenant_a):
        message = ConversationMessage.objects.get()
        held.refresh_from_db()
        event = AuditEvent.objects.get(action="inbound.assigned")
        files = [a.filename for a in message.attachments.all()]
    assert message.body == "Das bin ich, Hans. Dienstag passt."
    assert message.via == Via.EMAIL
    assert message.author_label == "Hans Privat <hans@privat.example>"
    assert files == ["Vollmacht.pdf"]
    assert held.status == InboundStatus.PROCESSED
    assert event.actor_label == "Olga Owner"
    # A second click does not post it again.
    response = owner_client.post(url, {"conversation": thread.conversation.pk})
    assert "nicht mehr in der Quarantäne" in response.content.decode()
    with tenant_scope(tenant_a):
        assert ConversationMessage.objects.count() == 1


def test_assigning_needs_a_conversation_of_the_tenant(owner_client, held, tenant_b):
    foreign = make_thread(tenant_b, email="b@example.com").conversation
    url = reverse("messaging:quarantine_assign", args=[held.pk])
    response = owner_client.post(url, {"conversation": foreign.pk})
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen." in response.content.decode()
    with scopes_disabled():
        assert not ConversationMessage.objects.exists()


def test_discarding_keeps_the_raw_message(owner_client, tenant_a, held):
    response = owner_client.post(reverse("messaging:quarantine_discard", args=[held.pk]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == InboundStatus.DISCARDED
    assert held.raw.read()
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="inbound.discarded").count() == 1
    html = owner_client.get(reverse("messaging:quarantine")).content.decode()
    assert "Keine E-Mails in der Quarantäne." in html
    response = owner_client.post(
        reverse("messaging:quarantine_discard", args=[held.pk]), follow=True
    )
    assert "nicht mehr in der Quarantäne" in response.content.decode()


def test_the_original_can_be_downloaded(owner_client, held):
    response = owner_client.get(reverse("messaging:quarantine_raw", args=[held.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert b"hans@privat.example" in b"".join(response.streaming_content)


def test_outsider_gets_404_on_the_quarantine_of_tenant_a(outsider_client, held, thread):
    for name in ["quarantine_detail", "quarantine_raw"]:
        assert outsider_client.get(reverse(f"messaging:{name}", args=[held.pk])).status_code == 404
    for name in ["quarantine_assign", "quarantine_discard"]:
        url = reverse(f"messaging:{name}", args=[held.pk])
        data = {"conversation": thread.conversation.pk}
        assert outsider_client.post(url, data).status_code == 404
    assert (
        "Re: Reparatur" not in outsider_client.get(reverse("messaging:quarantine")).content.decode()
    )
    held.refresh_from_db()
    assert held.status == InboundStatus.QUARANTINED


def test_staff_without_the_right_cannot_open_the_quarantine(client, tenant_a, held):
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tina", "Techniker"))
    assert client.get(reverse("messaging:quarantine")).status_code == 403
    assert client.get(reverse("messaging:quarantine_detail", args=[held.pk])).status_code == 403


@pytest.fixture
def root_client(client: Any, django_user_model: Any) -> Any:
    root = django_user_model.objects.create_superuser("root@theke.test", "pw", full_name="Root")
    client.force_login(root)
    return client


def test_mail_of_no_tenant_is_visible_to_superusers_in_the_admin(root_client, media_root):
    row = receive_message(mail(to="irgendwer@example.net", subject="Niemandes Post"))
    assert row.tenant is None
    response = root_client.get(reverse("admin:messaging_inboundemail_changelist"))
    assert response.status_code == 200
    assert "Niemandes Post" in response.content.decode()
    detail = root_client.get(reverse("admin:messaging_inboundemail_change", args=[row.pk]))
    assert detail.status_code == 200
    assert root_client.get(reverse("admin:messaging_inboundemail_add")).status_code == 403


def test_the_thread_links_an_emailed_message_to_its_original(owner_client, tenant_a, thread):
    reply = mail(to=conversations.reply_address(thread.conversation), text="Per E-Mail")
    row = receive_message(reply)
    url = reverse("messaging:conversation_detail", args=[thread.conversation.pk])
    html = owner_client.get(url).content.decode()
    assert reverse("messaging:quarantine_raw", args=[row.pk]) in html
    assert owner_client.get(reverse("messaging:quarantine_raw", args=[row.pk])).status_code == 200
