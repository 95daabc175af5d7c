"""The third way a mail finds its thread: the conversation's tag "[#AB12CD34]" in the
subject, after the reply address and the References. Only in the subject, only for a tag
that exists, and within the tenant the recipients' domain names."""

from __future__ import annotations

from typing import Any

import pytest

from theke.messaging.models import ConversationMessage, InboundStatus, OutboundMessage
from theke.messaging.services import conversations
from theke.messaging.services.inbound import receive_message
from theke.messaging.tests.mailtools import PDF, Thread, mail, make_thread
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(tenant_a: Any, media_root: Any) -> Thread:
    tenant_a.inbound_email_domain = "mail.alpha.test"
    tenant_a.save(update_fields=["inbound_email_domain"])
    return make_thread(tenant_a)


def test_the_tag_is_derived_from_the_reply_token(thread):
    tag = conversations.subject_tag(thread.conversation)
    assert tag == f"[#{thread.conversation.reply_token[:8].upper()}]"
    assert conversations.tagged_subject("Re: Ihr Auftrag", thread.conversation).endswith(tag)
    once = conversations.tagged_subject(f"AW: Ihr Auftrag {tag}", thread.conversation)
    assert once.count(tag) == 1


def test_staff_mails_carry_the_tag_in_the_subject(tenant_a, thread, owner):
    with tenant_scope(tenant_a):
        conversations.post_staff_message(thread.conversation, owner, "Wann passt es?")
        outbound = OutboundMessage.objects.get(conversation=thread.conversation)
    assert outbound.subject.endswith(conversations.subject_tag(thread.conversation))


def test_a_forward_to_the_general_address_with_the_tag_lands_in_its_thread(tenant_a, thread):
    tag = conversations.subject_tag(thread.conversation)
    forwarded = mail(
        to="Service <service@mail.alpha.test>",
        subject=f"WG: Reparatur Sprinter B-AB 123 {tag}",
        text="Bitte an Sie weitergeleitet: der Kostenvoranschlag anbei.",
        attachments=(("KVA.pdf", "application/pdf", PDF),),
    )
    row = receive_message(forwarded)
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.conversation == thread.conversation
    with tenant_scope(tenant_a):
        [message] = ConversationMessage.objects.filter(conversation=thread.conversation)
        assert [a.filename for a in message.attachments.all()] == ["KVA.pdf"]


def test_the_tag_is_matched_case_insensitively_and_without_a_known_domain(tenant_a, thread):
    tag = conversations.subject_tag(thread.conversation).lower()
    row = receive_message(mail(to="someone@elsewhere.test", subject=f"AW: {tag} Frage"))
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert row.conversation == thread.conversation


def test_a_tag_only_in_the_quoted_text_is_ignored(tenant_a, thread):
    tag = conversations.subject_tag(thread.conversation)
    row = receive_message(
        mail(
            to="service@mail.alpha.test",
            subject="Neue Frage",
            text=f"Hallo,\n\neine neue Frage.\n\n> Betreff: Reparatur {tag}\n> alter Text",
        )
    )
    assert row.status == InboundStatus.QUARANTINED
    assert row.conversation is None


def test_an_unknown_tag_is_quarantined(tenant_a, thread):
    row = receive_message(mail(to="service@mail.alpha.test", subject="AW: Anfrage [#ZZZZ9999]"))
    assert row.status == InboundStatus.QUARANTINED
    assert row.tenant == tenant_a


def test_a_tag_sent_to_another_tenants_domain_does_not_cross_tenants(tenant_a, tenant_b, thread):
    tenant_b.inbound_email_domain = "mail.beta.test"
    tenant_b.save(update_fields=["inbound_email_domain"])
    tag = conversations.subject_tag(thread.conversation)
    row = receive_message(mail(to="info@mail.beta.test", subject=f"AW: Reparatur {tag}"))
    assert row.status == InboundStatus.QUARANTINED
    assert row.conversation is None


def test_the_reply_address_wins_over_a_tag_of_another_thread(tenant_a, thread):
    with tenant_scope(tenant_a):
        other = conversations.conversation_for(
            None, tenant=tenant_a, customer=thread.customer, subject="Andere Sache"
        )
    row = receive_message(
        mail(
            to=conversations.reply_address(thread.conversation),
            subject=f"AW: Andere Sache {conversations.subject_tag(other)}",
        )
    )
    assert row.conversation == thread.conversation
