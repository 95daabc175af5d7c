"""Inbound e-mail: every way in (mailgate, fetch_mail, tests) ends in `receive_email`.

The raw message is stored first, in its own transaction, so nothing that reached us is ever
lost. Then the parser looks for the thread (the reply+<token>@ address, else In-Reply-To /
References, else the conversation's tag "[#AB12CD34]" in the subject), checks the sender
against the customer's contacts (or asks the thread's handler, see messaging/threads.py),
strips the quoted history and posts the reply. Whatever does not fit — no thread, an
unknown token, a foreign sender, a parser error — is quarantined for staff, never dropped.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mailparser_reply import EmailReplyParser

from theke.accounts.models import Role
from theke.audit.services import SYSTEM, Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import Contact
from theke.messaging.models import (
    Channel,
    Conversation,
    ConversationMessage,
    InboundEmail,
    InboundStatus,
    OutboundMessage,
    Via,
)
from theke.messaging.services import inbox
from theke.messaging.services.conversations import (
    SUBJECT_TAG,
    SUBJECT_TAG_LENGTH,
    check_attachment,
    post_customer_message,
)
from theke.messaging.services.outbox import Attachment
from theke.messaging.threads import InboundReply, ThreadHandler, handler_for
from theke.tenants.models import Tenant
from theke.tenants.scoping import scopes_disabled, tenant_scope

logger = logging.getLogger(__name__)

TOKEN_ADDRESS = re.compile(r"^reply\+([a-z0-9]{1,64})@", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]{1,490}>")
ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
# Logos and icons in signatures come as small inline images; real photos are larger.
INLINE_IMAGE_MIN_BYTES = 10 * 1024
# The reply parser's expressions are not meant for novels: quote detection looks this far.
MAX_TEXT_FOR_PARSER = 200_000
QUOTE_LINE = re.compile(r"^\s*>")


# --- parsing -------------------------------------------------------------------------------


@dataclass
class ParsedMail:
    message_id: str = ""
    from_address: str = ""
    from_name: str = ""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    references: list[str] = field(default_factory=list)
    full_text: str = ""
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    auto_reply: bool = False

    @property
    def author_label(self) -> str:
        if self.from_name and self.from_address:
            return f"{self.from_name} <{self.from_address}>"
        return self.from_address or self.from_name


class _TextFromHtml(HTMLParser):
    """HTML to plain text: blocks become lines, <blockquote> becomes "> " lines."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre"}
    )
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote = 0
        self.skip = 0

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "blockquote":
            self._newline()
            self.quote += 1
        elif tag in self.BLOCKS:
            if tag == "br":
                self.lines.append("")
            else:
                self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self._newline()
            self.quote = max(0, self.quote - 1)
        elif tag in self.BLOCKS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.quote:
            self.lines[-1] = "> " * self.quote
        self.lines[-1] += text

    def text(self) -> str:
        lines = [line.strip() for line in self.lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    return parser.text()


def strip_reply(text: str) -> str:
    """The new part of a reply: quoted history and signature removed (de and en).

    Falls back to the whole text when stripping would leave nothing.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    try:
        parsed = EmailReplyParser(languages=["de", "en"]).read(text[:MAX_TEXT_FOR_PARSER])
        latest = parsed.replies[0].body if parsed.replies else text
    except Exception:  # a parser bug must not cost us the mail
        logger.exception("mail-parser-reply failed")
        latest = text
    lines = (latest or "").split("\n")
    while lines and (not lines[-1].strip() or QUOTE_LINE.match(lines[-1])):
        lines.pop()
    stripped = "\n".join(lines).strip()
    return stripped or text


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        return re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""
    except Exception:  # a malformed header must not stop the parser
        return ""


def _all_headers(message: Message, name: str) -> list[str]:
    try:
        return [str(value) for value in message.get_all(name) or []]
    except Exception:
        return []


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except Exception:
        logger.info("undecodable text part, decoding leniently", exc_info=True)
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            return payload.decode("utf-8", errors="replace")
    return ""


def _leaves(part: Message) -> list[Message]:
    """The non-multipart parts, without descending into attached (forwarded) e-mails."""
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        children = payload if isinstance(payload, list) else []
        return [leaf for child in children if isinstance(child, Message) for leaf in _leaves(child)]
    return [part]


def _collect_attachments(message: Message, body: Message | None, mail: ParsedMail) -> None:
    number = 0
    for part in _leaves(message):
        if part is body:
            continue
        kind = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename() or ""
        if disposition != "attachment" and not filename and part.get_content_maintype() == "text":
            continue  # the other alternative of the body, or a calendar part
        if part.get_content_maintype() == "message" or part.is_multipart():
            mail.skipped.append(_("Weitergeleitete E-Mail nicht übernommen."))
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        inline = disposition != "attachment" and (
            disposition == "inline" or bool(part.get("Content-ID")) or not filename
        )
        is_image = part.get_content_maintype() == "image"
        if inline and is_image and len(content) < INLINE_IMAGE_MIN_BYTES:
            continue  # a logo in the signature
        number += 1
        try:
            name, checked_kind = check_attachment(
                filename or f"{_('Anhang')}-{number}", kind, len(content)
            )
        except ServiceError as error:
            mail.skipped.append(str(error.messages[0]))
            continue
        mail.attachments.append(Attachment(name, content, checked_kind))


def parse(raw: bytes) -> ParsedMail:
    """Read an RFC 822 message: addresses, thread references, reply text and attachments."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    mail = ParsedMail()
    found_id = MESSAGE_ID.search(_header(message, "Message-ID"))
    mail.message_id = found_id.group(0) if found_id else _header(message, "Message-ID")[:500]
    name, address = parseaddr(_header(message, "From"))
    mail.from_name = name.strip()[:150]
    mail.from_address = address.strip().lower() if "@" in address else ""
    headers = [value for header in ADDRESS_HEADERS for value in _all_headers(message, header)]
    mail.recipients = [addr.strip() for _name, addr in getaddresses(headers) if "@" in addr]
    mail.subject = _header(message, "Subject")[:500]
    references = MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    references += reversed(MESSAGE_ID.findall(_header(message, "References")))
    mail.references = list(dict.fromkeys(references))[:50]
    auto = _header(message, "Auto-Submitted").lower()
    mail.auto_reply = bool(auto and auto != "no") or bool(_header(message, "X-Autoreply"))
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        text = _part_text(body)
        if body.get_content_type() == "text/html":
            text = html_to_text(text)
        mail.full_text = text.replace("\r\n", "\n").strip()
        mail.text = strip_reply(mail.full_text)
    _collect_attachments(message, body, mail)
    return mail


# --- finding the thread --------------------------------------------------------------------


@dataclass
class Match:
    conversation: Conversation | None = None
    tenant: Tenant | None = None
    reason: str = ""


def _by_token(mail: ParsedMail) -> Match | None:
    tokens = [m.group(1).lower() for a in mail.recipients if (m := TOKEN_ADDRESS.match(a))]
    if not tokens:
        return None
    conversation = (
        Conversation.objects.filter(reply_token__in=tokens).select_related("tenant").first()
    )
    if conversation is None:
        return Match(
            tenant=_tenant_by_domain(mail),
            reason=_("Unbekannte Antwortadresse (kein Vorgang mit diesem Schlüssel)."),
        )
    return Match(conversation=conversation, tenant=conversation.tenant)


def _by_references(mail: ParsedMail) -> Conversation | None:
    if not mail.references:
        return None
    bare = [reference.strip("<>") for reference in mail.references]
    ids = mail.references + bare
    outbound = (
        OutboundMessage.objects.filter(conversation__isnull=False)
        .filter(Q(provider_id__in=ids) | Q(**{"headers__Message-ID__in": mail.references}))
        .select_related("conversation__tenant")
        .order_by("-created_at", "-id")
        .first()
    )
    if outbound is not None:
        return outbound.conversation
    earlier = (
        InboundEmail.objects.filter(message_id__in=mail.references, conversation__isnull=False)
        .exclude(status=InboundStatus.DISCARDED)
        .select_related("conversation__tenant")
        .order_by("-received_at", "-id")
        .first()
    )
    return earlier.conversation if earlier is not None else None


def _tenant_by_domain(mail: ParsedMail) -> Tenant | None:
    domains = {address.rsplit("@", 1)[-1].lower() for address in mail.recipients}
    if not domains:
        return None
    matches = [
        t
        for t in Tenant.objects.exclude(inbound_email_domain="")
        if t.inbound_email_domain.lower() in domains
    ]
    return matches[0] if len(matches) == 1 else None


def _by_subject_tag(mail: ParsedMail) -> Conversation | None:
    """The conversation whose tag is in the subject (never the body: quoted history carries
    the tags of other threads). With a tenant known from the recipients' domain, only that
    tenant's threads; a tag that matches more than one thread matches none."""
    tags = list(dict.fromkeys(tag.lower() for tag in SUBJECT_TAG.findall(mail.subject)))
    if not tags:
        return None
    tenant = _tenant_by_domain(mail)
    for tag in reversed(tags):  # the newest tag is the last one added
        found = Conversation.objects.filter(reply_token__startswith=tag).select_related("tenant")
        if tenant is not None:
            found = found.filter(tenant=tenant)
        candidates = list(found[:2])
        if len(candidates) == 1 and len(tag) == SUBJECT_TAG_LENGTH:
            return candidates[0]
    return None


def find_thread(mail: ParsedMail) -> Match:
    """The conversation a mail answers (token first, then references, then the subject's
    tag). Needs no scope."""
    with scopes_disabled():
        by_token = _by_token(mail)
        if by_token is not None:
            return by_token
        conversation = _by_references(mail) or _by_subject_tag(mail)
        if conversation is not None:
            return Match(conversation=conversation, tenant=conversation.tenant)
        return Match(
            tenant=_tenant_by_domain(mail),
            reason=_("Keiner Unterhaltung zuzuordnen (keine Antwortadresse, kein Bezug)."),
        )


def last_written_to(conversation: Conversation, address: str) -> tuple[bool, Contact | None]:
    """Whether the thread's last e-mail went to this address (and to which contact)."""
    last = (
        OutboundMessage.objects.filter(conversation=conversation, channel=Channel.EMAIL)
        .select_related("contact")
        .order_by("-created_at", "-id")
        .first()
    )
    if address and last is not None and last.recipient.strip().lower() == address.lower():
        return True, last.contact
    return False, None


def sender_contact(conversation: Conversation, address: str) -> tuple[bool, Contact | None]:
    """(allowed, contact): a contact of the thread's customer, or the address we last wrote to."""
    if not address:
        return False, None
    if conversation.customer_id is not None:
        contact = Contact.objects.filter(
            customer_id=conversation.customer_id, email__iexact=address
        ).first()
        if contact is not None:
            return True, contact
    written, contact = last_written_to(conversation, address)
    if written:
        if contact is not None and contact.customer_id != conversation.customer_id:
            contact = None
        return True, contact
    return False, None


# --- receiving -----------------------------------------------------------------------------


def _store(raw: bytes, source: str) -> InboundEmail:
    connection.ensure_connection()  # no database, no stored file: the MTA tries again
    row = InboundEmail(source=source[:20], status=InboundStatus.RECEIVED)
    row.raw.save(f"{secrets.token_hex(16)}.eml", ContentFile(raw), save=False)
    with transaction.atomic():
        row.save()
    return row


def _quarantine_notice(row: InboundEmail, tenant: Tenant) -> None:
    """Tell the people who may handle the quarantine that a mail waits there."""
    roles = [
        role
        for role in Role.objects.filter(tenant=tenant)
        if role.is_admin or "messaging.manage_quarantine" in (role.permissions or [])
    ]
    with translation.override(tenant.default_language):
        subject = _("E-Mail in Quarantäne: %(subject)s") % {
            "subject": row.subject or _("(ohne Betreff)")
        }
        body = _("Von %(sender)s. Grund: %(reason)s") % {
            "sender": row.from_address or "?",
            "reason": row.reason,
        }
    url = reverse("messaging:quarantine_detail", args=[row.pk])
    for role in roles:
        inbox.notify_role(tenant, role, subject, body, related=row, url=url)


def _set(row: InboundEmail, status: str, reason: str = "", **fields: Any) -> InboundEmail:
    row.status = status
    row.reason = str(reason)[:300]
    row.processed_at = timezone.now()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def _quarantine(
    row: InboundEmail,
    reason: str,
    tenant: Tenant | None = None,
    conversation: Conversation | None = None,
    notify: bool = True,
) -> InboundEmail:
    with transaction.atomic():
        _set(row, InboundStatus.QUARANTINED, reason, tenant=tenant, conversation=conversation)
        if tenant is not None:
            with tenant_scope(tenant):
                record(
                    tenant,
                    SYSTEM,
                    "inbound.quarantined",
                    row,
                    {"label": row.reason, "from": row.from_address},
                )
                if notify:
                    _quarantine_notice(row, tenant)
    return row


def _skipped_note(mail: ParsedMail) -> str:
    return " ".join(mail.skipped)


def _process(row: InboundEmail, raw: bytes) -> InboundEmail:
    mail = parse(raw)
    row.message_id = mail.message_id[:500]
    row.from_address = mail.from_address[:320]
    row.to_addresses = "\n".join(mail.recipients)[:5000]
    row.subject = mail.subject[:500]
    row.save(update_fields=["message_id", "from_address", "to_addresses", "subject"])
    if mail.message_id:
        with scopes_disabled():
            earlier = (
                InboundEmail.objects.filter(message_id=mail.message_id)
                .exclude(pk=row.pk)
                .filter(status__in=[InboundStatus.PROCESSED, InboundStatus.QUARANTINED])
                .order_by("id")
                .first()
            )
        if earlier is not None:
            return _set(
                row,
                InboundStatus.DISCARDED,
                _("Doppelt empfangen: dieselbe E-Mail wie Nr. %(id)s.") % {"id": earlier.pk},
                tenant=earlier.tenant,
                conversation=earlier.conversation,
            )
    match = find_thread(mail)
    if match.conversation is None:
        return _quarantine(row, match.reason, tenant=match.tenant)
    conversation = match.conversation
    tenant = conversation.tenant
    if not mail.from_address:
        return _quarantine(row, _("Die E-Mail hat keinen Absender."), tenant, conversation)
    if mail.auto_reply:
        return _quarantine(
            row, _("Automatische Antwort (z. B. Abwesenheitsnotiz)."), tenant, conversation, False
        )
    with tenant_scope(tenant):
        handler = handler_for(conversation)
        if handler is not None:
            allowed, contact = handler.accepts_sender(conversation, mail.from_address), None
        else:
            allowed, contact = sender_contact(conversation, mail.from_address)
        if not allowed:
            return _quarantine(
                row,
                _(
                    "Der Absender %(sender)s ist kein Ansprechpartner des Kunden dieser "
                    "Unterhaltung."
                )
                % {"sender": mail.from_address},
                tenant,
                conversation,
            )
        try:
            with transaction.atomic():
                locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
                if (
                    mail.message_id
                    and ConversationMessage.objects.filter(
                        conversation=locked, inbound_email__message_id=mail.message_id
                    ).exists()
                ):
                    return _set(
                        row,
                        InboundStatus.DISCARDED,
                        _("Doppelt empfangen: bereits in der Unterhaltung."),
                        tenant=tenant,
                        conversation=locked,
                    )
                _post(handler, locked, contact, mail, row)
                return _set(
                    row,
                    InboundStatus.PROCESSED,
                    _skipped_note(mail),
                    tenant=tenant,
                    conversation=locked,
                )
        except ServiceError as error:
            return _quarantine(row, str(error.messages[0]), tenant, conversation)


def _post(
    handler: ThreadHandler | None,
    conversation: Conversation,
    contact: Contact | None,
    mail: ParsedMail,
    row: InboundEmail,
    text: str | None = None,
) -> ConversationMessage:
    """Post the mail: through the thread's handler, else as the customer's reply."""
    if handler is not None:
        return handler.receive(
            InboundReply(
                conversation=conversation,
                text=mail.text if text is None else text,
                attachments=mail.attachments,
                from_address=mail.from_address,
                from_name=mail.from_name,
                inbound_email=row,
            )
        )
    return post_customer_message(
        conversation,
        contact,
        mail.text if text is None else text,
        mail.attachments,
        via=Via.EMAIL,
        inbound_email=row,
        author_label=""
        if contact is not None
        else (mail.author_label or row.from_address or _("Unbekannter Absender")),
    )


def receive_email(raw: bytes, source: str) -> InboundEmail:
    """Store one raw RFC 822 message, then file it into its thread or the quarantine.

    Raises only when the raw message could not be stored (database or disk unavailable):
    then the sender (MTA, IMAP poller) must keep it and try again.
    """
    row = _store(raw, source)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return _process(row, raw)
        except Exception as error:
            logger.exception("inbound e-mail %s could not be processed", row.pk)
            reason = _("Fehler beim Verarbeiten: %(error)s") % {
                "error": f"{type(error).__name__}: {error}"
            }
            with scopes_disabled():
                InboundEmail.objects.filter(pk=row.pk).update(
                    status=InboundStatus.QUARANTINED,
                    reason=reason[:300],
                    processed_at=timezone.now(),
                )
                row.refresh_from_db()
            return row


def receive_message(message: EmailMessage | bytes, source: str = "test") -> InboundEmail:
    """The test (and shell) entry point: the same parser as mailgate and fetch_mail."""
    raw = message if isinstance(message, bytes) else message.as_bytes(policy=policy.SMTP)
    return receive_email(raw, source)


# --- the quarantine ------------------------------------------------------------------------


def read_raw(row: InboundEmail) -> bytes:
    with row.raw.open("rb") as handle:
        return handle.read()


def preview(row: InboundEmail) -> tuple[ParsedMail | None, str]:
    """The parsed mail for the quarantine page, or None and the parser's error."""
    try:
        return parse(read_raw(row)), ""
    except Exception as error:
        logger.info("quarantined mail %s does not parse", row.pk, exc_info=True)
        return None, f"{type(error).__name__}: {error}"


def _lock_quarantined(row: InboundEmail) -> InboundEmail:
    locked = InboundEmail.objects.select_for_update().filter(pk=row.pk).first()
    if locked is None or locked.status != InboundStatus.QUARANTINED:
        raise ServiceError(
            _("Diese E-Mail ist nicht mehr in der Quarantäne."), None, code="not_quarantined"
        )
    return locked


@transaction.atomic
def assign_to_conversation(
    row: InboundEmail, conversation: Conversation, actor: Actor
) -> ConversationMessage:
    """Post a quarantined mail into a thread picked by staff, as the customer's message."""
    locked = _lock_quarantined(row)
    if conversation.tenant_id != locked.tenant_id:
        raise ServiceError(_("Bitte wählen Sie eine Unterhaltung aus."), "conversation")
    try:
        mail = parse(read_raw(locked))
    except Exception as error:
        raise ServiceError(
            _("Die E-Mail lässt sich nicht lesen: %(error)s") % {"error": error}, None
        ) from error
    contact = None
    if conversation.customer_id is not None and mail.from_address:
        contact = Contact.objects.filter(
            customer_id=conversation.customer_id, email__iexact=mail.from_address
        ).first()
    message = _post(
        handler_for(conversation), conversation, contact, mail, locked, mail.text or mail.full_text
    )
    reason = locked.reason
    _set(locked, InboundStatus.PROCESSED, _skipped_note(mail), conversation=conversation)
    record(
        locked.tenant,  # type: ignore[arg-type]
        actor,
        "inbound.assigned",
        locked,
        {"label": conversation.subject, "conversation": conversation.pk, "reason": reason},
    )
    return message


@transaction.atomic
def discard(row: InboundEmail, actor: Actor) -> InboundEmail:
    """Drop a quarantined mail from the list; its raw message stays stored."""
    locked = _lock_quarantined(row)
    _set(locked, InboundStatus.DISCARDED, locked.reason)
    record(
        locked.tenant,  # type: ignore[arg-type]
        actor,
        "inbound.discarded",
        locked,
        {"label": locked.subject, "from": locked.from_address},
    )
    return locked


# Audit action code -> label, registered by MessagingConfig.ready().
ACTION_LABELS: dict[str, Promise] = {
    "inbound.quarantined": gettext_lazy("E-Mail in Quarantäne genommen"),
    "inbound.assigned": gettext_lazy("E-Mail einer Unterhaltung zugeordnet"),
    "inbound.discarded": gettext_lazy("E-Mail verworfen"),
}
