"""Inbound e-mail: the parser finds the thread, strips quotes, keeps attachments, and
quarantines whatever does not fit — never drops it."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from django.db import OperationalError
from django_scopes import scopes_disabled

from theke.audit.models import AuditEvent
from theke.messaging.models import (
    ConversationMessage,
    InboundEmail,
    InboundStatus,
    InternalMessage,
    Via,
)
from theke.messaging.services import conversations, inbound
from theke.messaging.services.inbound import receive_email, receive_message
from theke.messaging.tests.mailtools import (
    PDF,
    PHOTO,
    PNG,
    QUOTED_REPLY_DE,
    QUOTED_REPLY_EN,
    Thread,
    mail,
    make_thread,
)
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(tenant_a: Any, media_root: Any) -> Thread:
    return make_thread(tenant_a)


def posted(tenant: Any) -> list[ConversationMessage]:
    with tenant_scope(tenant):
        return list(ConversationMessage.objects.prefetch_related("attachments"))


def test_a_reply_with_quoted_history_and_an_attachment_lands_in_its_thread(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    reply = mail(
        to=f"Autohaus Alpha <{address}>",
        text=QUOTED_REPLY_DE.format(reply=address),
        attachments=(("Schaden vorne.png", "image/png", PHOTO),),
    )
    row = receive_message(reply)
    assert row.status == InboundStatus.PROCESSED
    assert row.tenant == tenant_a
    assert row.conversation == thread.conversation
    assert row.raw.read() == reply.as_bytes(policy=inbound.policy.SMTP)  # stored as received
    [message] = posted(tenant_a)
    assert message.body == (
        "Guten Tag,\n\nanbei das Foto vom Schaden. Dienstag um 9 Uhr passt mir."
    )
    assert "schrieb" not in message.body
    assert "wann dürfen wir" not in message.body
    assert message.via == Via.EMAIL
    assert message.author_contact == thread.contact
    assert message.inbound_email == row
    [attachment] = message.attachments.all()
    assert attachment.filename == "Schaden vorne.png"
    assert attachment.content_type == "image/png"
    assert attachment.file.read() == PHOTO


def test_an_english_reply_is_stripped_too(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    receive_message(mail(to=address, text=QUOTED_REPLY_EN.format(reply=address)))
    [message] = posted(tenant_a)
    assert message.body == "Tuesday works for me."


def test_the_token_is_found_in_cc_and_delivered_to_and_regardless_of_case(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    first = mail(to="info@alpha.test", headers={"Cc": address.upper()})
    second = mail(to="info@alpha.test", headers={"Delivered-To": address})
    assert receive_message(first).status == InboundStatus.PROCESSED
    assert receive_message(second).status == InboundStatus.PROCESSED
    assert len(posted(tenant_a)) == 2


def test_a_reply_that_strips_to_nothing_keeps_the_whole_text(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    receive_message(mail(to=address, text="> nur ein Zitat\n> sonst nichts"))
    [message] = posted(tenant_a)
    assert message.body == "> nur ein Zitat\n> sonst nichts"


def test_an_html_only_mail_becomes_text_without_the_quoted_part(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Hallo,<br>ja, <b>Dienstag</b> passt.</p>"
        '<div class="gmail_quote"><blockquote>Wann passt es Ihnen?</blockquote></div>'
        "</body></html>"
    )
    receive_message(mail(to=address, text="", html=html))
    [message] = posted(tenant_a)
    assert message.body == "Hallo,\nja, Dienstag passt."


def test_small_inline_images_of_signatures_are_skipped(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    reply = mail(to=address, text="Danke!", html="<p>Danke!</p><img src='cid:logo'>")
    html_part = reply.get_body(("html",))
    assert html_part is not None
    html_part.add_related(PNG, maintype="image", subtype="png", cid="<logo>")
    receive_message(reply)
    [message] = posted(tenant_a)
    assert message.body == "Danke!"
    assert list(message.attachments.all()) == []


def test_a_forbidden_attachment_is_left_out_with_a_note(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    reply = mail(
        to=address,
        text="Siehe Anhänge",
        attachments=(
            ("tool.exe", "application/octet-stream", b"MZ" * 10),
            ("plan.pdf", "application/pdf", PDF),
        ),
    )
    row = receive_message(reply)
    assert row.status == InboundStatus.PROCESSED
    assert "tool.exe" in row.reason
    [message] = posted(tenant_a)
    assert [a.filename for a in message.attachments.all()] == ["plan.pdf"]


def test_matching_by_in_reply_to_when_the_token_address_is_gone(tenant_a, owner, thread):
    with tenant_scope(tenant_a):
        conversations.post_staff_message(thread.conversation, owner, "Frage")
        sent_id = thread.conversation.outbound_messages.get().headers["Message-ID"]
    # The customer's mail program answered the From address, not the Reply-To.
    row = receive_message(mail(to="info@alpha.test", in_reply_to=sent_id, text="Antwort"))
    assert row.status == InboundStatus.PROCESSED
    assert row.conversation == thread.conversation
    assert [m.body for m in posted(tenant_a)] == ["Frage", "Antwort"]


def test_matching_by_references_to_the_customers_own_earlier_mail(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    receive_message(mail(to=address, message_id="<erste@example.com>", text="Erste"))
    follow_up = mail(to="info@alpha.test", in_reply_to="<erste@example.com>", text="Nachtrag")
    assert receive_message(follow_up).conversation == thread.conversation


def test_an_unknown_token_is_quarantined(thread):
    row = receive_message(mail(to="reply+unbekannt0000000000000000000@reply.theke.localhost"))
    assert row.status == InboundStatus.QUARANTINED
    assert row.tenant is None
    assert "Unbekannte Antwortadresse" in row.reason
    assert row.raw.read()  # kept
    assert posted(thread.conversation.tenant) == []


def test_a_mail_without_any_reference_is_quarantined_for_the_platform(thread):
    row = receive_message(mail(to="irgendwer@example.net"))
    assert row.status == InboundStatus.QUARANTINED
    assert row.tenant is None
    assert "Keiner Unterhaltung zuzuordnen" in row.reason


def test_a_mail_to_a_tenants_inbound_domain_lands_in_that_tenants_quarantine(tenant_a, thread):
    tenant_a.inbound_email_domain = "antwort.alpha.test"
    tenant_a.save()
    row = receive_message(mail(to="service@antwort.alpha.test"))
    assert row.status == InboundStatus.QUARANTINED
    assert row.tenant == tenant_a


def test_a_foreign_sender_is_quarantined_with_the_reason(tenant_a, owner, thread):
    address = conversations.reply_address(thread.conversation)
    row = receive_message(mail(sender="Mallory <mallory@evil.example>", to=address))
    assert row.status == InboundStatus.QUARANTINED
    assert row.tenant == tenant_a
    assert row.conversation == thread.conversation  # the suggestion for staff
    assert "mallory@evil.example ist kein Ansprechpartner" in row.reason
    assert posted(tenant_a) == []
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="inbound.quarantined").count() == 1
        notes = list(InternalMessage.objects.select_related("recipient_role"))
    # Everyone who may handle the quarantine hears of it: Admin and Serviceberater.
    assert {str(n.recipient_role) for n in notes} == {"Admin", "Serviceberater"}
    assert all(n.subject.startswith("E-Mail in Quarantäne") for n in notes)


def test_the_address_we_last_wrote_to_may_answer(tenant_a, owner, thread):
    with tenant_scope(tenant_a):
        conversations.post_staff_message(thread.conversation, owner, "Frage")
        thread.contact.email = "neu@example.com"  # changed in the ERP since
        thread.contact.save()
    address = conversations.reply_address(thread.conversation)
    row = receive_message(mail(sender="hans.mueller@example.com", to=address))
    assert row.status == InboundStatus.PROCESSED


def test_an_auto_reply_is_quarantined_quietly(tenant_a, thread):
    address = conversations.reply_address(thread.conversation)
    auto = mail(to=address, text="Ich bin im Urlaub.", headers={"Auto-Submitted": "auto-replied"})
    row = receive_message(auto)
    assert row.status == InboundStatus.QUARANTINED
    assert "Automatische Antwort" in row.reason
    with tenant_scope(tenant_a):
        assert not InternalMessage.objects.exists()


def test_garbage_bytes_are_quarantined_not_dropped(db, media_root):
    garbage = bytes(range(256)) * 4 + b"\r\n\r\n\x00\xff"
    row = receive_email(garbage, "test")
    assert row.status == InboundStatus.QUARANTINED
    with row.raw.open("rb") as handle:
        assert handle.read() == garbage


def test_an_empty_message_is_quarantined(db, media_root):
    assert receive_email(b"", "test").status == InboundStatus.QUARANTINED


def test_a_parser_crash_leaves_the_mail_quarantined_with_the_error(
    thread, monkeypatch: pytest.MonkeyPatch
):
    def broken(raw: bytes) -> Any:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(inbound, "parse", broken)
    row = receive_message(mail(to=conversations.reply_address(thread.conversation)))
    assert row.status == InboundStatus.QUARANTINED
    assert "RuntimeError: kaputt" in row.reason
    with scopes_disabled():
        assert InboundEmail.objects.get().status == InboundStatus.QUARANTINED


def test_the_same_mail_twice_is_stored_twice_but_posted_once(tenant_a, thread):
    reply = mail(to=conversations.reply_address(thread.conversation), message_id="<m1@x.de>")
    first = receive_message(reply)
    second = receive_message(reply)
    assert first.status == InboundStatus.PROCESSED
    assert second.status == InboundStatus.DISCARDED
    assert "Doppelt empfangen" in second.reason
    assert len(posted(tenant_a)) == 1
    with scopes_disabled():
        assert InboundEmail.objects.count() == 2


def test_a_quarantined_mail_arriving_again_is_not_quarantined_twice(thread):
    stray = mail(to="irgendwer@example.net", message_id="<m2@x.de>")
    receive_message(stray)
    again = receive_message(stray)
    assert again.status == InboundStatus.DISCARDED
    with scopes_disabled():
        assert InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).count() == 1


def test_the_raw_message_is_stored_before_parsing(thread, monkeypatch: pytest.MonkeyPatch):
    seen: list[str] = []

    def spy(row: InboundEmail, raw: bytes) -> InboundEmail:
        with scopes_disabled():
            stored = InboundEmail.objects.get(pk=row.pk)
        seen.append(stored.status)
        raise OperationalError("database gone")

    monkeypatch.setattr(inbound, "_process", spy)
    row = receive_message(mail(to=conversations.reply_address(thread.conversation)))
    assert seen == [InboundStatus.RECEIVED]
    assert row.status == InboundStatus.QUARANTINED


def test_parse_reads_addresses_and_references():
    message = EmailMessage()
    message["From"] = '"Müller, Hans" <Hans.Mueller@Example.COM>'
    message["To"] = "a@x.de, Reply <reply+abc@r.de>"
    message["References"] = "<a@x> <b@x>"
    message["In-Reply-To"] = "<b@x>"
    message["Subject"] = "=?utf-8?q?R=C3=BCckfrage?="
    message.set_content("Hallo")
    parsed = inbound.parse(message.as_bytes())
    assert parsed.from_address == "hans.mueller@example.com"
    assert parsed.from_name == "Müller, Hans"
    assert parsed.recipients == ["a@x.de", "reply+abc@r.de"]
    assert parsed.references == ["<b@x>", "<a@x>"]
    assert parsed.subject == "Rückfrage"
