"""Quote requests ("Angebot anfordern") and their conversations with the tenant's sales.

The conversation runs the other way round than messaging's usual one: the e-mail side is
the tenant's sales (they answer from their mail program, to the reply address), the portal
side is the customer. `QuoteThreadHandler` (registered in apps.py) takes inbound mail on a
quote request's conversation as the business's answer and tells the requesting user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.customers.models import Contact, Location
from theke.messaging.models import (
    AuthorType,
    Channel,
    ConversationMessage,
    ConversationReadState,
    Via,
)
from theke.messaging.models import Conversation as ConversationModel
from theke.messaging.services import conversations
from theke.messaging.services import templates as message_templates
from theke.messaging.services.inbound import last_written_to
from theke.messaging.services.outbox import Attachment, queue_message
from theke.messaging.threads import InboundReply
from theke.portal.access import locations_of, quote_requests_of
from theke.portal.models import PortalSettings, PortalUser, QuoteRequest, QuoteRequestStatus
from theke.tenants.models import Tenant

REQUEST_PURPOSE = "portal_quote_request"
ANSWER_PURPOSE = "portal_quote_answer"
NUMBER_PREFIX = "AF"
MAX_SUBJECT = 200
MAX_DESCRIPTION = 10_000
NEW_LOCATION_FIELDS = ("name", "street", "postal_code", "city", "access_notes")


# --- addresses and links ---


def sales_address(tenant: Tenant) -> str:
    """Where quote requests go: the portal's sales address, else the notification address."""
    found = PortalSettings.objects.filter(tenant=tenant).values_list("sales_email", flat=True)
    return (found.first() or "").strip() or tenant.notification_address


def request_url(request: QuoteRequest) -> str:
    """The request's page in the portal (absolute, for e-mails)."""
    path = reverse("portal:quote_request", args=[request.tenant.slug, request.pk])
    return settings.BASE_URL + path


def _staff_url(conversation: ConversationModel) -> str:
    return settings.BASE_URL + conversations.conversation_url(conversation)


# --- numbers and checks ---


def _next_number(tenant: Tenant) -> str:
    """AF-<year>-<five digits>, counting per tenant and year (the caller holds the lock)."""
    prefix = f"{NUMBER_PREFIX}-{timezone.localdate().year}-"
    numbers = QuoteRequest.objects.filter(tenant=tenant, number__startswith=prefix).values_list(
        "number", flat=True
    )
    highest = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{highest + 1:05d}"


def _require_orderer(user: PortalUser) -> None:
    if not user.may_order:
        raise ServiceError(
            _("Ihr Zugang darf nur lesen. Bitte wenden Sie sich an den Administrator Ihrer Firma."),
            None,
            code="read_only",
        )


def _clean_text(value: str, field: str, limit: int, missing: str) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ServiceError(missing, field, code="required")
    if len(text) > limit:
        raise ServiceError(
            _("Bitte fassen Sie sich kürzer (höchstens %(max)d Zeichen).") % {"max": limit},
            field,
            code="too_long",
        )
    return text


def _sales_or_refuse(tenant: Tenant) -> str:
    address = sales_address(tenant)
    if not address:
        raise ServiceError(
            _(
                "Angebotsanfragen sind im Moment nicht möglich. Bitte rufen Sie uns an oder "
                "schreiben Sie uns eine E-Mail."
            ),
            None,
            code="no_sales_address",
        )
    return address


def _new_location(user: PortalUser, values: Mapping[str, str]) -> Location:
    """A delivery location the customer named; it waits for staff to confirm it."""
    fields = {k: str(values.get(k) or "").strip() for k in NEW_LOCATION_FIELDS}
    access_notes = fields.pop("access_notes")
    location = customers.add_location(user.customer, _actor(user), **fields)
    Location.objects.filter(pk=location.pk).update(
        needs_confirmation=True, access_notes=access_notes[:2000]
    )
    location.needs_confirmation = True
    location.access_notes = access_notes[:2000]
    return location


def _actor(user: PortalUser) -> Actor:
    if user.contact is not None:
        return Actor.contact(user.contact)
    return Actor(ActorType.CONTACT, id=str(user.pk), label=str(user))


def _contact_or_none(user: PortalUser) -> Contact | None:
    contact = user.contact
    if contact is not None and contact.customer_id == user.customer_id:
        return contact
    return None


# --- the e-mails to sales ---


def _location_text(location: Location | None) -> tuple[str, str]:
    if location is None:
        return "—", "—"
    address = ", ".join(
        part
        for part in (location.name, location.street, f"{location.postal_code} {location.city}")
        if part and part.strip()
    )
    if location.needs_confirmation:
        address += " " + _("(neuer Lieferort, noch nicht bestätigt)")
    return address, location.access_notes.strip() or "—"


def _user_text(user: PortalUser) -> str:
    account = user.account
    parts = [str(account), account.email]
    phone = account.phone or (user.contact.phone if user.contact is not None else "")
    if phone:
        parts.append(str(phone))
    return ", ".join(p for p in parts if p)


def _queue_request_mail(
    request: QuoteRequest, user: PortalUser, files: Sequence[Attachment], address: str
) -> None:
    tenant = request.tenant
    conversation = request.conversation
    assert conversation is not None
    language = tenant.default_language
    with translation.override(language):
        location, access_notes = _location_text(request.location)
        customer = request.customer
        context = {
            **message_templates.base_context(tenant, language=language),
            "number": request.number,
            "subject": request.subject,
            "description": request.description,
            "customer": (
                f"{customer.display_name} ({_('Kundennummer')} {customer.number})"
                if customer.number
                else customer.display_name
            ),
            "requested_by": _user_text(user),
            "location": location,
            "access_notes": access_notes,
            "attachments": ", ".join(f.filename for f in files) or "—",
            "link": _staff_url(conversation),
        }
    rendered = message_templates.render_message(
        tenant, REQUEST_PURPOSE, Channel.EMAIL, language, context
    )
    queue_message(
        tenant,
        channel=Channel.EMAIL,
        purpose=REQUEST_PURPOSE,
        recipient=address,
        dedupe_key=f"quote_request:{request.pk}:request",
        subject=conversations.tagged_subject(rendered.subject, conversation),
        text=rendered.text,
        html=rendered.html,
        related=request,
        reply_to=conversations.reply_address(conversation),
        headers=conversations.thread_headers(conversation),
        attachments=files,
        conversation=conversation,
    )


def _queue_reply_mail(
    request: QuoteRequest, message: ConversationMessage, files: Sequence[Attachment], address: str
) -> None:
    """The customer's answer in the portal, to sales, with the reply address."""
    tenant = request.tenant
    conversation = request.conversation
    assert conversation is not None
    with translation.override(tenant.default_language):
        subject = _("Re: Angebotsanfrage %(number)s: %(subject)s") % {
            "number": request.number,
            "subject": request.subject,
        }
        intro = _("%(name)s (%(customer)s) schreibt zur Angebotsanfrage %(number)s:") % {
            "name": message.author_label,
            "customer": request.customer.display_name,
            "number": request.number,
        }
        footer = _("Antworten Sie einfach auf diese E-Mail. Die Unterhaltung in Theke: %(url)s")
        footer %= {"url": _staff_url(conversation)}
    text = f"{intro}\n\n{message.body}\n\n-- \n{footer}"
    queue_message(
        tenant,
        channel=Channel.EMAIL,
        purpose=conversations.PURPOSE,
        recipient=address,
        dedupe_key=f"quote_request:{request.pk}:message:{message.pk}",
        subject=conversations.tagged_subject(subject, conversation),
        text=text,
        related=request,
        reply_to=conversations.reply_address(conversation),
        headers=conversations.thread_headers(conversation),
        attachments=files,
        conversation=conversation,
    )


# --- the customer's side ---


@transaction.atomic
def request_quote(
    user: PortalUser,
    *,
    subject: str,
    description: str,
    location: Location | None = None,
    new_location_values: Mapping[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
) -> QuoteRequest:
    """A new quote request: its number, its conversation with the customer's first message,
    and the e-mail with every detail to the sales address (Reply-To: the conversation)."""
    _require_orderer(user)
    tenant = Tenant.objects.select_for_update().get(pk=user.tenant_id)
    address = _sales_or_refuse(tenant)
    title = _clean_text(subject, "subject", MAX_SUBJECT, _("Bitte geben Sie einen Betreff an."))
    text = _clean_text(
        description,
        "description",
        MAX_DESCRIPTION,
        _("Bitte beschreiben Sie, wofür Sie ein Angebot wünschen."),
    )
    files = conversations.check_attachments(attachments)
    if new_location_values is not None:
        location = _new_location(user, new_location_values)
    elif location is not None and not locations_of(user).filter(pk=location.pk).exists():
        raise ServiceError(_("Bitte wählen Sie einen Standort aus."), "location")
    request = QuoteRequest.objects.create(
        tenant=tenant,
        number=_next_number(tenant),
        customer=user.customer,
        requested_by=user,
        location=location,
        subject=title,
        description=text,
    )
    with translation.override(tenant.default_language):
        thread_subject = _("Angebotsanfrage %(number)s: %(subject)s") % {
            "number": request.number,
            "subject": title,
        }
    conversation = conversations.conversation_for(
        request, tenant=tenant, customer=user.customer, subject=thread_subject
    )
    QuoteRequest.objects.filter(pk=request.pk).update(conversation=conversation)
    request.conversation = conversation
    contact = _contact_or_none(user)
    conversations.post_customer_message(
        conversation,
        contact,
        text,
        files,
        via=Via.WEB,
        author_label="" if contact is not None else str(user),
    )
    _queue_request_mail(request, user, files, address)
    record(
        tenant,
        _actor(user),
        "quote_request.created",
        request,
        {
            "label": str(request),
            "location": request.location_id,
            "attachments": [f.filename for f in files],
            "sent_to": address,
        },
    )
    _emit(request, "portal.quote_request.created", description=text)
    return request


def _emit(request: QuoteRequest, type: str, **payload: Any) -> None:
    """Tell the back office (event feed, webhooks) about the request."""
    emit_event(
        request.tenant,
        type,
        subject_type="quote_request",
        external_id=request.number,
        payload={
            "number": request.number,
            "subject": request.subject,
            "customer_external_id": request.customer.external_id,
            "location_external_id": request.location.external_id if request.location else "",
            **payload,
        },
    )


def _lock_request(request: QuoteRequest) -> QuoteRequest:
    return (
        QuoteRequest.objects.select_for_update(of=("self",))
        .select_related("conversation")
        .get(pk=request.pk)
    )


@transaction.atomic
def post_customer_reply(
    user: PortalUser,
    request: QuoteRequest,
    body: str,
    attachments: Sequence[Attachment] = (),
) -> ConversationMessage:
    """The customer answers in the portal: the conversation goes on by e-mail to sales."""
    _require_orderer(user)
    if request.customer_id != user.customer_id:
        raise ServiceError(_("Diese Anfrage gibt es nicht."), None, code="foreign")
    address = _sales_or_refuse(request.tenant)
    request = _lock_request(request)
    conversation = request.conversation
    if conversation is None:
        raise ServiceError(_("Diese Anfrage hat keine Unterhaltung."), None, code="no_thread")
    contact = _contact_or_none(user)
    files = conversations.check_attachments(attachments)
    message = conversations.post_customer_message(
        conversation,
        contact,
        body,
        files,
        via=Via.WEB,
        author_label="" if contact is not None else str(user),
    )
    # Waiting for sales again: the staff list shows it among the unanswered.
    QuoteRequest.objects.filter(pk=request.pk).update(status=QuoteRequestStatus.OPEN)
    _queue_reply_mail(request, message, files, address)
    return message


# --- the business's answer (inbound mail) ---


def _answer_mail(request: QuoteRequest, message: ConversationMessage) -> None:
    """Tell the requesting user that sales answered, with the link into the portal."""
    user = request.requested_by
    if user is None or not user.account.is_active:
        return
    contact = _contact_or_none(user)
    message_templates.send_templated(
        request.tenant,
        purpose=ANSWER_PURPOSE,
        channel=Channel.EMAIL,
        contact=contact,
        context={
            "number": request.number,
            "subject": request.subject,
            "link": request_url(request),
        },
        related=request,
        dedupe_key=f"quote_request:{request.pk}:answer:{message.pk}",
        recipient=user.account.email,
        recipient_name=str(user),
        language=contact.language if contact is not None else None,
    )


def receive_answer(reply: InboundReply) -> ConversationMessage:
    """Sales answered by e-mail: store it as the business's message, mark the request
    answered and tell the requesting user."""
    request = QuoteRequest.objects.select_for_update().get(conversation=reply.conversation)
    with translation.override(request.tenant.default_language):
        label = reply.from_name or _("Vertrieb")
    message = conversations.post_business_message(
        reply.conversation,
        reply.text,
        reply.attachments,
        author_label=label,
        via=Via.EMAIL,
        inbound_email=reply.inbound_email,
    )
    now = timezone.now()
    QuoteRequest.objects.filter(pk=request.pk).update(
        status=QuoteRequestStatus.ANSWERED, answered_at=now
    )
    record(
        request.tenant,
        Actor(ActorType.STAFF, label=label),
        "quote_request.answered",
        request,
        {"label": str(request), "message": message.pk, "from": reply.from_address},
    )
    _emit(request, "portal.quote_request.answered", answered_at=now, text=message.body[:2000])
    _answer_mail(request, message)
    return message


def staff_answered(message: ConversationMessage) -> None:
    """A staff user answered on the conversation's page in Theke: the same as an answer by
    e-mail (status, the requesting user told with a link into the portal)."""
    request = QuoteRequest.objects.select_for_update().get(conversation_id=message.conversation_id)
    QuoteRequest.objects.filter(pk=request.pk).update(
        status=QuoteRequestStatus.ANSWERED, answered_at=message.created_at
    )
    record(
        request.tenant,
        Actor(ActorType.STAFF, user_id=message.author_user_id, label=message.author_label),
        "quote_request.answered",
        request,
        {"label": str(request), "message": message.pk},
    )
    _emit(
        request,
        "portal.quote_request.answered",
        answered_at=message.created_at,
        text=message.body[:2000],
    )
    _answer_mail(request, message)


def _customer_reply_by_mail(reply: InboundReply, contact: Contact) -> ConversationMessage:
    """A contact of the customer wrote to the reply address (e.g. answering a staff message
    sent from Theke): their reply, passed on to sales like one from the portal."""
    request = QuoteRequest.objects.select_for_update().get(conversation=reply.conversation)
    message = conversations.post_customer_message(
        reply.conversation,
        contact,
        reply.text,
        reply.attachments,
        via=Via.EMAIL,
        inbound_email=reply.inbound_email,
    )
    QuoteRequest.objects.filter(pk=request.pk).update(status=QuoteRequestStatus.OPEN)
    address = sales_address(request.tenant)
    if address:
        _queue_reply_mail(request, message, reply.attachments, address)
    return message


def _customer_contact(conversation: ConversationModel, address: str) -> Contact | None:
    if conversation.customer_id is None or not address:
        return None
    return Contact.objects.filter(
        customer_id=conversation.customer_id, email__iexact=address
    ).first()


class QuoteThreadHandler:
    """Inbound mail on a quote request's conversation: the sales side answers."""

    def accepts_sender(self, conversation: ConversationModel, address: str) -> bool:
        """The sales address, the address the conversation last wrote to, or a contact of
        the customer; others go to the quarantine."""
        if not address:
            return False
        sales = sales_address(conversation.tenant).strip().lower()
        if sales and sales == address.strip().lower():
            return True
        if last_written_to(conversation, address)[0]:
            return True
        return _customer_contact(conversation, address) is not None

    def receive(self, reply: InboundReply) -> ConversationMessage:
        sales = sales_address(reply.conversation.tenant).strip().lower()
        contact = _customer_contact(reply.conversation, reply.from_address)
        if contact is not None and reply.from_address.lower() != sales:
            return _customer_reply_by_mail(reply, contact)
        return receive_answer(reply)

    def staff_message(self, message: ConversationMessage) -> bool:
        staff_answered(message)
        return True


THREAD_HANDLER = QuoteThreadHandler()


# --- read state ---


def _last_read(user: PortalUser) -> Subquery:
    return Subquery(
        ConversationReadState.objects.filter(
            conversation=OuterRef("conversation"), contact_id=user.contact_id or 0
        ).values("last_read_at")[:1]
    )


def _unread_messages(user: PortalUser) -> QuerySet[ConversationMessage]:
    """Answers (not the customer's own messages) after the contact's last reading."""
    return (
        ConversationMessage.objects.filter(
            conversation__quote_request__in=quote_requests_of(user).values("pk")
        )
        .exclude(author_type=AuthorType.CUSTOMER)
        .annotate(seen=Coalesce(_last_read(user), Value(conversations.EPOCH)))
        .filter(created_at__gt=F("seen"))
    )


def unread_count(user: PortalUser) -> int:
    """Answers of the tenant the user has not read yet (the red number at "Angebote")."""
    if user.contact_id is None:
        return 0
    return _unread_messages(user).count()


def with_unread(user: PortalUser, rows: QuerySet[QuoteRequest]) -> QuerySet[QuoteRequest]:
    """Annotate `unread`: the request's answers the user has not read yet."""
    if user.contact_id is None:
        return rows.annotate(unread=Value(0))
    counts = (
        _unread_messages(user)
        .filter(conversation=OuterRef("conversation"))
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return rows.annotate(unread=Coalesce(Subquery(counts), Value(0)))


def unread_requests(user: PortalUser) -> QuerySet[QuoteRequest]:
    """The user's requests with unread answers."""
    if user.contact_id is None:
        return QuoteRequest.objects.none()
    unread = _unread_messages(user).filter(conversation=OuterRef("conversation"))
    return quote_requests_of(user).filter(Exists(unread))


def mark_read(user: PortalUser, request: QuoteRequest) -> None:
    """The user opened the request: its answers so far count as read for their contact."""
    if request.conversation is not None and user.contact is not None:
        conversations.mark_conversation_read(request.conversation, contact=user.contact)


def unanswered(tenant: Tenant) -> QuerySet[QuoteRequest]:
    """Requests waiting for sales (staff list and start-page tile)."""
    return QuoteRequest.objects.filter(tenant=tenant, status=QuoteRequestStatus.OPEN)
