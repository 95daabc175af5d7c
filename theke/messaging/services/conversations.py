"""Conversations: one thread per business object, written by staff and by the customer.

Staff messages go out by e-mail to the customer's contact with a reply address that
carries the thread's token (reply+<token>@<inbound domain>), so the answer finds its way
back here (see services/inbound.py). Read state is kept per participant: per staff user
and per customer contact.
"""

from __future__ import annotations

import datetime
import re
import secrets
import string
import unicodedata
from collections.abc import Iterable, Sequence
from email.utils import make_msgid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.accounts.models import Membership, Role
from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import SYSTEM, Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import Contact, Customer
from theke.messaging.models import (
    AuthorType,
    Channel,
    Conversation,
    ConversationAttachment,
    ConversationMessage,
    ConversationReadState,
    InboundEmail,
    InboundStatus,
    OutboundMessage,
    Via,
)
from theke.messaging.services import inbox
from theke.messaging.services.outbox import Attachment, queue_message
from theke.messaging.threads import handler_for
from theke.tenants.models import Tenant

PURPOSE = "conversation_message"
TOKEN_ALPHABET = string.ascii_lowercase + string.digits
# 32 characters of 36 letters and digits: 165 bits. Lower case only, because some mail
# servers fold the case of local parts.
TOKEN_LENGTH = 32
MAX_ATTACHMENTS = 10
MAX_BODY = 50_000

# Extension -> content type of what customers and staff may exchange. The extension decides
# (browsers and mail programs often declare application/octet-stream); SVG and HTML are
# left out on purpose, they can carry scripts.
ALLOWED_TYPES: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".rtf": "application/rtf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
}
EXTENSION_OF_TYPE: dict[str, str] = {}
for _extension, _type in ALLOWED_TYPES.items():
    EXTENSION_OF_TYPE.setdefault(_type, _extension)
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


# --- tokens and addresses ------------------------------------------------------------------


def new_reply_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def inbound_domain(tenant: Tenant) -> str:
    return tenant.inbound_email_domain or settings.INBOUND_EMAIL_DOMAIN


def reply_address(conversation: Conversation) -> str:
    """reply+<token>@<the tenant's inbound domain, else the platform's>."""
    return f"reply+{conversation.reply_token}@{inbound_domain(conversation.tenant)}"


# "[#AB12CD34]": the first eight characters of the reply token, upper case. It goes into the
# subject of every conversation e-mail, so a forward to the general address, or a reply whose
# mail program dropped both the reply address and the References, still finds its thread.
SUBJECT_TAG = re.compile(r"\[#([A-Za-z0-9]{8})\]")
SUBJECT_TAG_LENGTH = 8


def subject_tag(conversation: Conversation) -> str:
    return f"[#{conversation.reply_token[:SUBJECT_TAG_LENGTH].upper()}]"


def tagged_subject(subject: str, conversation: Conversation) -> str:
    """The subject with the conversation's tag at its end (once)."""
    tag = subject_tag(conversation)
    subject = " ".join(str(subject).split())
    if tag in subject:
        return subject
    return f"{subject} {tag}".strip()


def conversation_url(conversation: Conversation) -> str:
    return reverse("messaging:conversation_detail", args=[conversation.pk])


def conversation_for(
    obj: models.Model | None,
    *,
    tenant: Tenant,
    customer: Customer | None = None,
    subject: str,
    actor: Actor = SYSTEM,
) -> Conversation:
    """The thread of a business object, created on first use (one per object).

    Without an object every call starts a new thread.
    """
    if obj is not None:
        content_type = ContentType.objects.get_for_model(obj)
        found = Conversation.objects.filter(
            tenant=tenant, content_type=content_type, object_id=str(obj.pk)
        ).first()
        if found is not None:
            if customer is not None and found.customer_id is None:
                Conversation.objects.filter(pk=found.pk).update(customer=customer)
                found.customer = customer
            return found
    conversation = Conversation(
        tenant=tenant,
        subject=str(subject)[:300] or _("Unterhaltung"),
        customer=customer,
        reply_token=new_reply_token(),
    )
    conversation.relate_to(obj)
    try:
        with transaction.atomic():
            conversation.save()
            record(
                tenant,
                actor,
                "conversation.started",
                obj or conversation,
                {"label": conversation.subject, "conversation": conversation.pk},
            )
    except IntegrityError:
        if obj is None:
            raise
        # Someone else opened the object's thread at the same moment: use theirs.
        return Conversation.objects.get(
            tenant=tenant, content_type=conversation.content_type, object_id=str(obj.pk)
        )
    return conversation


# --- attachments ---------------------------------------------------------------------------


def _clean_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 150:
        suffix = PurePosixPath(name).suffix[:15]
        name = name[: 150 - len(suffix)] + suffix
    return name


def check_attachment(filename: str, content_type: str, size: int) -> tuple[str, str]:
    """A clean file name and the content type to store, or a ServiceError saying why not."""
    name = _clean_filename(filename) or _("Anhang")
    extension = PurePosixPath(name).suffix.lower()
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if extension in ALLOWED_TYPES:
        kind = ALLOWED_TYPES[extension]
    elif not extension and declared in EXTENSION_OF_TYPE:
        kind = declared
        name += EXTENSION_OF_TYPE[declared]
    else:
        raise ServiceError(
            _(
                "Die Datei „%(name)s“ hat einen nicht erlaubten Dateityp. Erlaubt sind Bilder, "
                "PDF-, Text- und Office-Dateien."
            )
            % {"name": name},
            "attachments",
            code="attachment_type",
        )
    limit = settings.INBOUND_MAX_ATTACHMENT_BYTES
    if size > limit:
        raise ServiceError(
            _("Die Datei „%(name)s“ ist zu groß (%(size)s, erlaubt sind höchstens %(max)s).")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(limit)},
            "attachments",
            code="attachment_size",
        )
    if size == 0:
        raise ServiceError(
            _("Die Datei „%(name)s“ ist leer.") % {"name": name},
            "attachments",
            code="attachment_empty",
        )
    return name, kind


def check_attachments(attachments: Sequence[Attachment]) -> list[Attachment]:
    """All attachments checked and renamed, or a ServiceError for the first bad one."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise ServiceError(
            _("Bitte hängen Sie höchstens %(count)d Dateien an.") % {"count": MAX_ATTACHMENTS},
            "attachments",
            code="attachment_count",
        )
    checked = []
    for attachment in attachments:
        name, kind = check_attachment(
            attachment.filename, attachment.content_type, len(attachment.content)
        )
        checked.append(Attachment(name, attachment.content, kind))
    return checked


def _store_attachments(message: ConversationMessage, attachments: Iterable[Attachment]) -> None:
    for attachment in attachments:
        stored = ConversationAttachment(
            tenant_id=message.tenant_id,
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=len(attachment.content),
        )
        # A random storage name: the file is not reachable by guessing its name.
        extension = PurePosixPath(attachment.filename).suffix.lower()
        stored.file.save(
            f"{secrets.token_hex(16)}{extension}", ContentFile(attachment.content), save=False
        )
        stored.save()


# --- read state ----------------------------------------------------------------------------


def mark_conversation_read(
    conversation: Conversation,
    user: Any = None,
    contact: Contact | None = None,
    at: datetime.datetime | None = None,
) -> None:
    """Remember that a staff user (or a customer contact) has read the thread up to now."""
    if (user is None) == (contact is None):
        raise ValueError("mark_conversation_read needs either a user or a contact")
    at = at or timezone.now()
    who: dict[str, Any] = {"user_id": user.pk} if user is not None else {"contact": contact}
    state, created = ConversationReadState.objects.get_or_create(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        **who,
        defaults={"last_read_at": at},
    )
    if not created:
        ConversationReadState.objects.filter(pk=state.pk, last_read_at__lt=at).update(
            last_read_at=at
        )


def _last_read(conversation: Conversation, **who: Any) -> datetime.datetime:
    state = ConversationReadState.objects.filter(conversation=conversation, **who).first()
    return state.last_read_at if state else EPOCH


def unread_for_user(conversation: Conversation, user: Any) -> int:
    """Messages of the thread the staff user has not read (their own ones never count)."""
    return (
        conversation.messages.filter(created_at__gt=_last_read(conversation, user_id=user.pk))
        .exclude(author_user_id=user.pk)
        .count()
    )


def unread_for_contact(conversation: Conversation, contact: Contact) -> int:
    """Staff messages the customer contact has not read yet."""
    return (
        conversation.messages.filter(created_at__gt=_last_read(conversation, contact=contact))
        .exclude(author_type=AuthorType.CUSTOMER)
        .count()
    )


def with_unread(
    conversations: models.QuerySet[Conversation], user: Any
) -> models.QuerySet[Conversation]:
    """Annotate `unread` (the user's unread messages per thread) as subqueries."""
    last_read = ConversationReadState.objects.filter(
        conversation=OuterRef("pk"), user_id=user.pk
    ).values("last_read_at")[:1]
    unread = (
        ConversationMessage.objects.filter(
            conversation=OuterRef("pk"), created_at__gt=OuterRef("my_last_read")
        )
        .exclude(author_user_id=user.pk)
        .order_by()
        .values("conversation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return conversations.annotate(
        my_last_read=Coalesce(Subquery(last_read), Value(EPOCH))
    ).annotate(unread=Coalesce(Subquery(unread), Value(0)))


# --- posting -------------------------------------------------------------------------------


def _clean_body(body: str, has_attachments: bool) -> str:
    text = str(body or "").replace("\r\n", "\n").strip()
    if not text and not has_attachments:
        raise ServiceError(_("Bitte schreiben Sie eine Nachricht."), "body", code="empty")
    if len(text) > MAX_BODY:
        raise ServiceError(
            _("Die Nachricht ist zu lang (höchstens %(max)d Zeichen).") % {"max": MAX_BODY},
            "body",
            code="too_long",
        )
    return text


def _lock(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def _audit_subject(conversation: Conversation) -> models.Model:
    related = conversation.related if conversation.content_type_id else None
    return related if isinstance(related, models.Model) else conversation


def _new_message(
    conversation: Conversation,
    *,
    body: str,
    attachments: Sequence[Attachment],
    **fields: Any,
) -> ConversationMessage:
    message = ConversationMessage.objects.create(
        tenant_id=conversation.tenant_id, conversation=conversation, body=body, **fields
    )
    _store_attachments(message, attachments)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation.last_message_at = message.created_at
    return message


def customer_contact(conversation: Conversation) -> Contact | None:
    """Whom staff messages go to: the contact who wrote last, else the customer's main
    contact with an e-mail address."""
    if conversation.customer_id is None:
        return None
    last = (
        conversation.messages.filter(
            author_type=AuthorType.CUSTOMER,
            author_contact__customer_id=conversation.customer_id,
        )
        .exclude(author_contact__email="")
        .select_related("author_contact")
        .order_by("-created_at", "-id")
        .first()
    )
    if last is not None and last.author_contact is not None:
        return last.author_contact
    return Contact.objects.filter(customer_id=conversation.customer_id).exclude(email="").first()


def thread_headers(conversation: Conversation) -> dict[str, str]:
    """Headers of a new mail of the thread: its Message-ID, and what it answers."""
    return _thread_headers(conversation)


def _thread_headers(conversation: Conversation) -> dict[str, str]:
    """Message-ID for the new mail; In-Reply-To and References of the customer's last mail."""
    headers = {"Message-ID": make_msgid(domain=inbound_domain(conversation.tenant))}
    last_inbound = (
        InboundEmail.objects.filter(
            tenant=conversation.tenant_id,
            conversation=conversation,
            status=InboundStatus.PROCESSED,
        )
        .exclude(message_id="")
        .order_by("-received_at", "-id")
        .first()
    )
    if last_inbound is not None:
        headers["In-Reply-To"] = last_inbound.message_id
        headers["References"] = last_inbound.message_id
    else:
        previous = (
            OutboundMessage.objects.filter(conversation=conversation)
            .order_by("-created_at", "-id")
            .values_list("headers", flat=True)
            .first()
        )
        earlier_id = (previous or {}).get("Message-ID", "") if isinstance(previous, dict) else ""
        if earlier_id:
            headers["References"] = earlier_id
    return headers


def _email_text(conversation: Conversation, message: ConversationMessage, language: str) -> str:
    tenant = conversation.tenant
    with translation.override(language):
        footer = _("Sie können direkt auf diese E-Mail antworten.")
    parts = [message.body] if message.body else []
    parts.append(f"-- \n{tenant.email_sender_name or tenant.name}\n{footer}")
    return "\n\n".join(parts)


@transaction.atomic
def post_staff_message(
    conversation: Conversation,
    user: Any,
    body: str,
    attachments: Sequence[Attachment] = (),
) -> ConversationMessage:
    """Store a staff message; e-mail it to the customer's contact when there is one."""
    files = check_attachments(attachments)
    text = _clean_body(body, bool(files))
    conversation = _lock(conversation)
    message = _new_message(
        conversation,
        body=text,
        attachments=files,
        author_type=AuthorType.STAFF,
        author_user=user,
        author_label=str(user)[:200],
        via=Via.WEB,
    )
    mark_conversation_read(conversation, user=user, at=message.created_at)
    handler = handler_for(conversation)
    told_by_product = handler is not None and handler.staff_message(message)
    contact = None if told_by_product else customer_contact(conversation)
    emailed_to = ""
    subject_object = _audit_subject(conversation)
    if contact is not None and contact.email:
        queue_message(
            conversation.tenant,
            channel=Channel.EMAIL,
            purpose=PURPOSE,
            recipient=contact.email,
            recipient_name=str(contact),
            contact=contact,
            dedupe_key=f"conversation:{conversation.pk}:message:{message.pk}",
            subject=tagged_subject(conversation.subject, conversation),
            text=_email_text(conversation, message, contact.language),
            language=contact.language,
            related=subject_object,
            reply_to=reply_address(conversation),
            headers=_thread_headers(conversation),
            attachments=files,
            conversation=conversation,
        )
        emailed_to = contact.email
    record(
        conversation.tenant,
        Actor.staff(user),
        "conversation.staff_message",
        subject_object,
        {
            "label": conversation.subject,
            "conversation": conversation.pk,
            "message": message.pk,
            "attachments": [f.filename for f in files],
            "emailed_to": emailed_to,
        },
    )
    return message


@transaction.atomic
def post_business_message(
    conversation: Conversation,
    body: str,
    attachments: Sequence[Attachment] = (),
    *,
    author_label: str,
    via: str = Via.EMAIL,
    inbound_email: InboundEmail | None = None,
) -> ConversationMessage:
    """Store a message of the business that came by e-mail (e.g. sales answering a quote
    request from their mail program): staff side, without a staff user, nothing sent."""
    if via not in Via.values:
        raise ValueError(f"unknown channel {via!r}")
    files = check_attachments(attachments)
    text = _clean_body(body, bool(files))
    conversation = _lock(conversation)
    label = str(author_label or _("Vertrieb"))[:200]
    message = _new_message(
        conversation,
        body=text,
        attachments=files,
        author_type=AuthorType.STAFF,
        author_label=label,
        via=via,
        inbound_email=inbound_email,
    )
    record(
        conversation.tenant,
        Actor(ActorType.STAFF, label=label),
        "conversation.business_message",
        _audit_subject(conversation),
        {
            "label": conversation.subject,
            "conversation": conversation.pk,
            "message": message.pk,
            "via": via,
            "attachments": [f.filename for f in files],
        },
    )
    return message


def _participants(conversation: Conversation) -> list[Any]:
    """Staff users who wrote in the thread and still work for the tenant."""
    authors = (
        conversation.messages.filter(author_type=AuthorType.STAFF, author_user__isnull=False)
        .values_list("author_user_id", flat=True)
        .distinct()
    )
    memberships = Membership.objects.filter(
        tenant_id=conversation.tenant_id, user_id__in=list(authors), is_active=True
    ).select_related("user")
    return [m.user for m in memberships if m.user.is_active]


def _notify_staff(conversation: Conversation, message: ConversationMessage) -> None:
    tenant = conversation.tenant
    url = conversation_url(conversation)
    name = message.author_label or _("Kunde")

    def texts(language: str) -> tuple[str, str]:
        with translation.override(language):
            subject = _("Neue Nachricht von %(name)s: %(subject)s") % {
                "name": name,
                "subject": conversation.subject,
            }
        return subject, message.body[:500]

    users = _participants(conversation)
    for user in users:
        subject, body = texts(user.language)
        inbox.notify_user(tenant, user, subject, body, related=conversation, url=url, sender=name)
    if not users:
        subject, body = texts(tenant.default_language)
        for role in Role.objects.filter(tenant=tenant, is_admin=True):
            inbox.notify_role(
                tenant, role, subject, body, related=conversation, url=url, sender=name
            )


@transaction.atomic
def post_customer_message(
    conversation: Conversation,
    contact: Contact | None,
    body: str,
    attachments: Sequence[Attachment] = (),
    via: str = Via.WEB,
    inbound_email: InboundEmail | None = None,
    author_label: str = "",
) -> ConversationMessage:
    """Store the customer's message (from the web or an e-mail) and tell the staff.

    The staff who took part in the thread get a note in their inbox; if nobody has yet,
    the tenant's administrators do.
    """
    if via not in Via.values:
        raise ValueError(f"unknown channel {via!r}")
    if contact is not None and contact.customer_id != conversation.customer_id:
        raise ServiceError(
            _("Dieser Ansprechpartner gehört nicht zum Kunden dieser Unterhaltung."),
            "contact",
            code="foreign_contact",
        )
    if contact is None and not author_label:
        raise ServiceError(_("Der Absender fehlt."), "contact", code="no_author")
    files = check_attachments(attachments)
    text = _clean_body(body, bool(files))
    conversation = _lock(conversation)
    message = _new_message(
        conversation,
        body=text,
        attachments=files,
        author_type=AuthorType.CUSTOMER,
        author_contact=contact,
        author_label=(author_label or str(contact))[:200],
        via=via,
        inbound_email=inbound_email,
    )
    if contact is not None:
        mark_conversation_read(conversation, contact=contact, at=message.created_at)
    _notify_staff(conversation, message)
    actor = (
        Actor.contact(contact)
        if contact is not None
        else Actor(ActorType.CONTACT, label=message.author_label)
    )
    record(
        conversation.tenant,
        actor,
        "conversation.customer_message",
        _audit_subject(conversation),
        {
            "label": conversation.subject,
            "conversation": conversation.pk,
            "message": message.pk,
            "via": via,
            "attachments": [f.filename for f in files],
        },
    )
    _emit_message_received(conversation, message, files)
    return message


def _emit_message_received(
    conversation: Conversation, message: ConversationMessage, files: Sequence[Attachment]
) -> None:
    """Tell the back office (event feed, webhooks) that a customer wrote."""
    content_type = conversation.content_type
    related = conversation.related if content_type is not None else None
    customer = conversation.customer
    emit_event(
        conversation.tenant,
        "message.received",
        subject_type=content_type.model if content_type is not None else "conversation",
        external_id=str(getattr(related, "external_id", "") or ""),
        payload={
            "conversation": conversation.pk,
            "subject": conversation.subject,
            "customer_external_id": customer.external_id if customer else "",
            "via": message.via,
            "text": message.body[:2000],
            "attachments": [f.filename for f in files],
        },
    )


# Audit action code -> label, registered by MessagingConfig.ready().
ACTION_LABELS: dict[str, Promise] = {
    "conversation.started": gettext_lazy("Unterhaltung begonnen"),
    "conversation.staff_message": gettext_lazy("Nachricht an den Kunden geschrieben"),
    "conversation.customer_message": gettext_lazy("Nachricht vom Kunden erhalten"),
    "conversation.business_message": gettext_lazy("Antwort per E-Mail erhalten"),
}
