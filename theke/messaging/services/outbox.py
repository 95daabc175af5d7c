"""The outbox: messages are rows written in the business transaction, sent by the worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction

from theke.customers.models import Contact
from theke.messaging import email_layout, retries
from theke.messaging.models import Channel, OutboundAttachment, OutboundMessage
from theke.tenants.models import Tenant


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str


# A one-time secret (a password link) must never lie in the outbox: the delivery log shows
# bodies to staff, and a link there would let them take over the recipient's account. Such a
# message stores SECRET_LINK in its body; the function registered for its purpose makes the
# link when the worker builds the e-mail, or answers None when the message is no longer
# wanted (e.g. the invitation was accepted meanwhile): the row is then cancelled, not sent.
SECRET_LINK = "{secret_link}"  # noqa: S105 (a placeholder, not a secret)
SecretLink = Callable[[OutboundMessage], str | None]
SECRET_LINKS: dict[str, SecretLink] = {}


def register_secret_link(purpose: str, make_link: SecretLink) -> None:
    """Let messages of `purpose` carry a link made at send time (see SECRET_LINK)."""
    SECRET_LINKS[purpose] = make_link


def sms_allowed(tenant: Tenant, contact: Contact | None) -> bool:
    """SMS needs the tenant's feature switch, a mobile number and the contact's consent."""
    return bool(
        tenant.sms_enabled and contact is not None and contact.mobile_phone and contact.consent_sms
    )


def queue_message(
    tenant: Tenant,
    *,
    channel: str,
    purpose: str,
    recipient: str,
    dedupe_key: str,
    subject: str = "",
    text: str = "",
    html: str = "",
    recipient_name: str = "",
    contact: Contact | None = None,
    related: models.Model | None = None,
    reply_to: str = "",
    headers: dict[str, Any] | None = None,
    attachments: Sequence[Attachment] = (),
    conversation: Any = None,
    sender_name: str | None = None,
    language: str = "",
) -> OutboundMessage:
    """Write one outbound message inside the caller's transaction; the worker sends it.

    The dedupe key names the business event (e.g. "estimate:17:link:v2"); the recipient and
    channel are added, so the same event queues a message to the same address only once.
    Returns the existing row when the key was used before. Its attempts follow the one
    retry schedule of every channel (theke.messaging.retries).
    The e-mail's sender name is the tenant's unless `sender_name` is given. An e-mail
    given as text only gets its HTML part built from the text in the tenant's layout, in
    `language` (else the tenant's): no e-mail goes out without the tenant's design.
    """
    key = f"{dedupe_key}|{channel}|{recipient}"[:255]
    existing = OutboundMessage.objects.filter(tenant=tenant, dedupe_key=key).first()
    if existing is not None:
        return existing
    if channel == Channel.EMAIL and text.strip() and not html.strip():
        html = email_layout.branded_html(
            tenant, language or tenant.default_language or "de", text, subject=subject
        )
    message = OutboundMessage(
        tenant=tenant,
        channel=channel,
        purpose=purpose,
        recipient=recipient,
        recipient_name=recipient_name,
        contact=contact,
        subject=subject,
        body_text=text,
        body_html=html,
        reply_to=reply_to,
        sender_name=_sender_name(tenant, channel, sender_name),
        headers=headers or {},
        conversation=conversation,
        dedupe_key=key,
        max_attempts=retries.MAX_ATTEMPTS,
    )
    message.relate_to(related)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another transaction queued the same event first: keep theirs.
        return OutboundMessage.objects.get(tenant=tenant, dedupe_key=key)
    for attachment in attachments:
        stored = OutboundAttachment(
            tenant=tenant,
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )
        stored.file.save(attachment.filename, ContentFile(attachment.content), save=False)
        stored.save()
    transaction.on_commit(lambda: _kick_worker(message.pk), robust=True)
    return message


def _sender_name(tenant: Tenant, channel: str, given: str | None) -> str:
    if channel != Channel.EMAIL:
        return ""
    if given is not None:
        return given
    return tenant.email_sender_name or tenant.name


def _kick_worker(message_id: int) -> None:
    """Ask the worker to send now; if the queue entry is lost, the sweeper finds the row."""
    from theke.messaging.tasks import deliver_message

    deliver_message.enqueue(message_id)
