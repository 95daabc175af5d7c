"""Templates (Textbausteine): tenant texts, rendering in the recipient's language, sending.

A tenant keeps named texts (MessageTemplate) per purpose, channel and language; one of them
is the default, which replaces the shipped text. `get_template` falls back to the shipped
text. `send_templated` renders a message in the recipient's language with the default (or
takes the text staff edited just before sending) and writes it to the outbox inside the
caller's transaction.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.customers.models import Contact, Customer
from theke.messaging import email_layout
from theke.messaging.models import Channel, MessageTemplate, OutboundMessage
from theke.messaging.purposes import (
    EMAIL,
    LANGUAGES,
    SMS,
    DefaultText,
    Purpose,
    get_purpose,
)
from theke.messaging.services import outbox
from theke.messaging.textformat import (
    allowed_list,
    parse,
    placeholders_in,
    render_string,
)
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

logger = logging.getLogger(__name__)

# --- texts of a tenant ----------------------------------------------------------------------

# The name of the text a tenant gets when it first replaces a shipped text (and of the texts
# stored before several named texts were possible, see migration 0002).
DEFAULT_NAME = "Standard"
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class TemplateText:
    """The text used for one purpose, channel and language: a tenant's own or the shipped one."""

    subject: str
    text: str
    html: str
    is_custom: bool
    template: MessageTemplate | None = None

    @property
    def is_default(self) -> bool:
        """True for the text sending uses: the tenant's default, or the shipped one."""
        return self.template is None or self.template.is_default


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str


def _check(purpose: str, channel: str, language: str | None = None) -> Purpose:
    try:
        found = get_purpose(purpose)
    except LookupError:
        raise ServiceError(
            _("Unbekannter Zweck „%(purpose)s“."), "purpose", params={"purpose": purpose}
        ) from None
    if channel not in found.channels:
        raise ServiceError(
            _("„%(purpose)s“ kann nicht per %(channel)s gesendet werden."),
            "channel",
            params={"purpose": found.label, "channel": Channel(channel).label}
            if channel in Channel.values
            else {"purpose": found.label, "channel": channel},
        )
    if language is not None and language not in LANGUAGES:
        raise ServiceError(
            _("Unbekannte Sprache „%(language)s“."), "language", params={"language": language}
        )
    return found


def resolve_language(tenant: Tenant, language: str | None) -> str:
    """The language to write in: the one asked for, else the tenant's default, else German."""
    for candidate in (language, tenant.default_language, "de"):
        if candidate in LANGUAGES:
            return str(candidate)
    return "de"


def _rows(
    tenant: Tenant, purpose: str, channel: str, language: str
) -> models.QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(
        tenant=tenant, purpose=purpose, channel=channel, language=language
    )


def named_templates(
    tenant: Tenant, purpose: str, channel: str, language: str
) -> list[MessageTemplate]:
    """The tenant's named texts of one purpose, channel and language, the default first."""
    with tenant_scope(tenant):
        rows = _rows(tenant, purpose, channel, language).select_related("updated_by")
        return list(rows.order_by("-is_default", "name", "pk"))


def named_template_id(
    tenant: Tenant, purpose: str, channel: str, language: str, name: str
) -> int | None:
    """The id of the tenant's text called `name` in this language; None when there is none
    (sending then uses the default text, so a renamed text never stops a message)."""
    with tenant_scope(tenant):
        found = _rows(tenant, purpose, channel, language).filter(name=name)
        return found.values_list("pk", flat=True).first()


def _not_found() -> ServiceError:
    return ServiceError(_("Diesen Textbaustein gibt es nicht mehr."), "template", code="gone")


def get_template(
    tenant: Tenant, purpose: str, channel: str, language: str, template_id: int | None = None
) -> TemplateText:
    """A named text of the tenant (`template_id`), else its default, else the shipped one."""
    found = _check(purpose, channel)
    language = resolve_language(tenant, language)
    with tenant_scope(tenant):
        rows = _rows(tenant, purpose, channel, language).select_related("updated_by")
        if template_id is not None:
            row = rows.filter(pk=template_id).first()
            if row is None:
                raise _not_found()
        else:
            row = rows.filter(is_default=True).first()
    if row is not None:
        return TemplateText(row.subject, row.text, row.html, is_custom=True, template=row)
    default: DefaultText = found.default(channel, language)
    return TemplateText(default.subject, default.text, default.html, is_custom=False)


class TemplateCache:
    """The texts `get_template` found, kept for one batch of messages (e.g. one sweep of
    the appointment reminders): a batch writing the same purpose in the same language to
    many customers reads the tenant's text once instead of once per message. Never kept
    longer than the batch: a text staff edit must count from the next batch on."""

    def __init__(self) -> None:
        self._texts: dict[tuple[int, str, str, str, int | None], TemplateText] = {}

    def get(
        self,
        tenant: Tenant,
        purpose: str,
        channel: str,
        language: str,
        template_id: int | None = None,
    ) -> TemplateText:
        """`get_template`, read once per tenant, purpose, channel, language and text."""
        key = (tenant.pk, purpose, channel, resolve_language(tenant, language), template_id)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = get_template(tenant, purpose, channel, language, template_id)
        return found


def custom_keys(tenant: Tenant) -> dict[tuple[str, str, str], int]:
    """(purpose, channel, language) -> how many named texts the tenant keeps for it."""
    with tenant_scope(tenant):
        rows = MessageTemplate.objects.filter(tenant=tenant).values_list(
            "purpose", "channel", "language"
        )
        counts: dict[tuple[str, str, str], int] = {}
        for key in rows:
            counts[key] = counts.get(key, 0) + 1
        return counts


def html_is_derived(purpose: str, language: str, text: str, html: str) -> bool:
    """True when an HTML part is just the one built from the text (edit the text instead)."""
    return not html.strip() or html.strip() == get_purpose(purpose).html_for(text, language).strip()


def validate_template(purpose: str, channel: str, subject: str, text: str, html: str) -> None:
    """Refuse unknown placeholders, bad syntax and missing parts, naming the field at fault."""
    found = _check(purpose, channel)
    allowed = list(found.placeholders)
    if channel == EMAIL:
        if not subject.strip():
            raise ServiceError(_("Bitte geben Sie einen Betreff an."), "subject", code="required")
        if "\n" in subject or "\r" in subject:
            raise ServiceError(_("Der Betreff muss in einer Zeile stehen."), "subject")
        parse(subject, allowed, "subject")
    if not text.strip():
        raise ServiceError(_("Bitte geben Sie einen Text an."), "text", code="required")
    parse(text, allowed, "text")
    if channel == EMAIL and html.strip():
        parse(html, allowed, "html")


def _label(found: Purpose, channel: str, language: str, name: str = "") -> str:
    label = f"{found.label} · {Channel(channel).label} · {language.upper()}"
    return f"{label} · {name}" if name else label


def _audit(tenant: Tenant, actor: Actor, action: str, row: MessageTemplate, **data: Any) -> None:
    """Record a change of a named text (the object is gone after a delete)."""
    found = get_purpose(row.purpose)
    record(
        tenant,
        actor,
        action,
        row if row.pk is not None else None,
        {
            "label": _label(found, row.channel, row.language, row.name),
            "purpose": row.purpose,
            "channel": row.channel,
            "language": row.language,
            "name": row.name,
            **data,
        },
    )


def _lock(tenant: Tenant) -> None:
    """Serialise the template changes of one tenant (also where no row exists yet)."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


def _shipped_texts(found: Purpose, channel: str, language: str) -> dict[str, str]:
    """The shipped text as stored: an HTML part built from the text is stored empty."""
    default = found.default(channel, language)
    html = "" if default.html == found.html_for(default.text, language) else default.html
    return {"subject": default.subject, "text": default.text, "html": html}


def _locked_row(tenant: Tenant, template_id: int) -> MessageTemplate:
    row = MessageTemplate.objects.select_for_update().filter(tenant=tenant, pk=template_id).first()
    if row is None:
        raise _not_found()
    _check(row.purpose, row.channel, row.language)
    return row


def _name_taken(name: str) -> ServiceError:
    return ServiceError(
        _("Es gibt bereits einen Text mit dem Namen „%(name)s“."),
        "name",
        code="duplicate",
        params={"name": name},
    )


def _clean_name(
    name: str, rows: models.QuerySet[MessageTemplate], exclude_pk: int | None = None
) -> str:
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_("Bitte geben Sie einen Namen an."), "name", code="required")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(
            _("Der Name darf höchstens %(max)s Zeichen haben."),
            "name",
            params={"max": NAME_MAX_LENGTH},
        )
    taken = rows.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _name_taken(name)
    return name


@transaction.atomic
def save_template(
    tenant: Tenant,
    actor: Actor,
    purpose: str,
    channel: str,
    language: str,
    subject: str,
    text: str,
    html: str,
    *,
    template_id: int | None = None,
) -> MessageTemplate:
    """Store the texts of a named text (`template_id`), else of the tenant's default text.

    Without any own text yet, the default is created, named "Standard".
    """
    found = _check(purpose, channel, language)
    subject = subject.strip() if channel == EMAIL else ""
    html = html.strip() if channel == EMAIL else ""
    text = text.replace("\r\n", "\n").strip("\n")
    html = html.replace("\r\n", "\n")
    validate_template(purpose, channel, subject, text, html)
    if html.strip() == found.html_for(text, language).strip():
        html = ""  # built from the text when sending, so it follows later edits of the text
    with tenant_scope(tenant):
        _lock(tenant)
        rows = _rows(tenant, purpose, channel, language)
        if template_id is not None:
            row = rows.select_for_update().filter(pk=template_id).first()
            if row is None:
                raise _not_found()
        else:
            row = rows.select_for_update().filter(is_default=True).first()
        if row is None:
            # The tenant's first own text of this purpose, channel and language.
            before = _shipped_texts(found, channel, language)
            row = MessageTemplate(
                tenant=tenant,
                purpose=purpose,
                channel=channel,
                language=language,
                name=DEFAULT_NAME,
                is_default=True,
            )
        else:
            before = {"subject": row.subject, "text": row.text, "html": row.html}
        after = {"subject": subject, "text": text, "html": html}
        changed = [name for name in after if before[name] != after[name]]
        if row.pk is not None and not changed:
            return row
        row.subject, row.text, row.html = subject, text, html
        row.updated_by_id = actor.user_id
        row.save()
        _audit(tenant, actor, "message_template.saved", row, fields=changed)
    return row


@transaction.atomic
def create_template(
    tenant: Tenant, actor: Actor, purpose: str, channel: str, language: str, name: str
) -> MessageTemplate:
    """Add another named text, starting as a copy of the default; it is not the default.

    A tenant without own texts first gets the shipped text as its default ("Standard"), so
    that sending keeps using it.
    """
    found = _check(purpose, channel, language)
    with tenant_scope(tenant):
        _lock(tenant)
        rows = _rows(tenant, purpose, channel, language)
        name = _clean_name(name, rows)
        default = rows.select_for_update().filter(is_default=True).first()
        if default is None:
            if name.lower() == DEFAULT_NAME.lower():
                raise _name_taken(name)  # the name of the default made just now
            default = MessageTemplate.objects.create(
                tenant=tenant,
                purpose=purpose,
                channel=channel,
                language=language,
                name=DEFAULT_NAME,
                is_default=True,
                updated_by_id=actor.user_id,
                **_shipped_texts(found, channel, language),
            )
            _audit(tenant, actor, "message_template.created", default, default=True)
        row = MessageTemplate.objects.create(
            tenant=tenant,
            purpose=purpose,
            channel=channel,
            language=language,
            name=name,
            is_default=False,
            subject=default.subject,
            text=default.text,
            html=default.html,
            updated_by_id=actor.user_id,
        )
        _audit(
            tenant, actor, "message_template.created", row, default=False, copied_from=default.name
        )
    return row


@transaction.atomic
def rename_template(tenant: Tenant, actor: Actor, template_id: int, name: str) -> MessageTemplate:
    """Give a named text another name (unique per purpose, channel and language)."""
    with tenant_scope(tenant):
        _lock(tenant)
        row = _locked_row(tenant, template_id)
        rows = _rows(tenant, row.purpose, row.channel, row.language)
        name = _clean_name(name, rows, exclude_pk=row.pk)
        if name == row.name:
            return row
        before = row.name
        row.name = name
        row.updated_by_id = actor.user_id
        row.save(update_fields=["name", "updated_by", "updated_at"])
        _audit(tenant, actor, "message_template.renamed", row, before=before)
    return row


@transaction.atomic
def make_default(tenant: Tenant, actor: Actor, template_id: int) -> MessageTemplate:
    """Make a named text the one sending uses; the former default stays as a named text."""
    with tenant_scope(tenant):
        _lock(tenant)
        row = _locked_row(tenant, template_id)
        if row.is_default:
            return row
        rows = _rows(tenant, row.purpose, row.channel, row.language).select_for_update()
        former = rows.filter(is_default=True).first()
        # Un-default first: the database allows one default per purpose, channel and language.
        rows.filter(is_default=True).update(is_default=False)
        row.is_default = True
        row.updated_by_id = actor.user_id
        row.save(update_fields=["is_default", "updated_by", "updated_at"])
        _audit(
            tenant,
            actor,
            "message_template.made_default",
            row,
            before=former.name if former is not None else "",
        )
    return row


@transaction.atomic
def delete_template(tenant: Tenant, actor: Actor, template_id: int) -> None:
    """Delete a named text. The default goes only as the last one (then the shipped text
    is used again); while others exist, another one must become the default first."""
    with tenant_scope(tenant):
        _lock(tenant)
        row = _locked_row(tenant, template_id)
        others = _rows(tenant, row.purpose, row.channel, row.language).exclude(pk=row.pk)
        if row.is_default and others.exists():
            raise ServiceError(
                _(
                    "Der Standardtext kann nicht gelöscht werden, solange es weitere Texte "
                    "gibt. Machen Sie zuerst einen anderen Text zum Standard."
                ),
                "template",
                code="default",
            )
        row.delete()
        _audit(tenant, actor, "message_template.deleted", row)


@transaction.atomic
def reset_template(tenant: Tenant, actor: Actor, purpose: str, channel: str, language: str) -> bool:
    """Go back to the shipped text for the default; False when it was that already.

    The only own text is deleted (the shipped text is used again); with other named texts,
    the default keeps its name and takes the shipped texts.
    """
    found = _check(purpose, channel, language)
    with tenant_scope(tenant):
        _lock(tenant)
        rows = _rows(tenant, purpose, channel, language).select_for_update()
        row = rows.filter(is_default=True).first()
        if row is None:
            return False
        shipped = _shipped_texts(found, channel, language)
        if rows.exclude(pk=row.pk).exists():
            if all(getattr(row, name) == value for name, value in shipped.items()):
                return False
            row.subject, row.text, row.html = shipped["subject"], shipped["text"], shipped["html"]
            row.updated_by_id = actor.user_id
            row.save()
        else:
            row.delete()
        _audit(tenant, actor, "message_template.reset", row)
    return True


# --- context --------------------------------------------------------------------------------

_SALUTATIONS_EN = {"herr": "Mr", "frau": "Ms", "herrn": "Mr"}
_NO_SALUTATION = {"", "firma", "company"}


def greeting(contact: Contact | None, language: str, name: str = "") -> str:
    """'Guten Tag Herr Müller' / 'Dear Mr Müller', without a name 'Guten Tag' / 'Hello'."""
    salutation = (contact.salutation if contact else "").strip()
    last_name = (contact.last_name if contact else "").strip()
    full_name = str(contact).strip() if contact else name.strip()
    if salutation.lower() in _NO_SALUTATION or not last_name:
        person = full_name
    elif language == "en":
        first, _sep, rest = salutation.partition(" ")
        english = _SALUTATIONS_EN.get(first.lower(), first)
        person = " ".join(p for p in (english, rest, last_name) if p)
    else:
        person = f"{salutation} {last_name}"
    if language == "en":
        return f"Dear {person}" if person else "Hello"
    return f"Guten Tag {person}" if person else "Guten Tag"


def base_context(
    tenant: Tenant,
    *,
    contact: Contact | None = None,
    customer: Customer | None = None,
    language: str = "de",
    name: str = "",
) -> dict[str, str]:
    """Values every customer-facing purpose has: the recipient's name and greeting, the company."""
    if not name:
        if contact is not None:
            name = str(contact)
        elif customer is not None:
            name = customer.display_name
    return {
        "greeting": greeting(contact, language, name),
        "customer_name": name,
        "company_name": tenant.name,
        "company_phone": tenant.phone,
        "company_email": tenant.email,
    }


def sample_context(tenant: Tenant, purpose: str, language: str) -> dict[str, str]:
    """Sample values for the preview, with the tenant's own name, phone and e-mail."""
    values = get_purpose(purpose).sample_context(language)
    for name, value in (
        ("company_name", tenant.name),
        ("company_phone", tenant.phone),
        ("company_email", tenant.email),
    ):
        if name in values and value:
            values[name] = value
    return values


# --- rendering ------------------------------------------------------------------------------


def text_to_html(
    text: str,
    tenant: Tenant | None = None,
    *,
    language: str = "de",
    subject: str = "",
    link: str = "",
    link_label: str = "",
) -> str:
    """The HTML for a finished plain text: escaped, links clickable, line breaks kept; a
    paragraph that is only `link` as a button. With a tenant, the whole e-mail in its layout."""
    if tenant is None:
        return email_layout.html_from_plain(
            text, link=link, link_label=link_label, button=_plain_link
        )
    return email_layout.branded_html(
        tenant, language, text, subject=subject, link=link, link_label=link_label
    )


def _plain_link(link: str, label: str) -> str:
    return f'<p><a href="{escape(link)}"><strong>{escape(label)}</strong></a></p>'


def _one_line(value: str) -> str:
    return " ".join(value.split())


def render_text(
    tenant: Tenant,
    purpose: str,
    channel: str,
    language: str,
    *,
    subject: str,
    text: str,
    html: str,
    context: Mapping[str, Any],
    keep_missing: bool = False,
    preview: bool = False,
) -> Rendered:
    """Render given texts of a purpose (the preview uses this on unsaved input).

    The HTML part is the e-mail layout around the text (or the tenant's own HTML); with
    `preview` its logo is embedded as a data: URL instead of naming the inline image.
    """
    found = _check(purpose, channel)
    allowed = list(found.placeholders)
    text_out = render_string(text, context, allowed, keep_missing=keep_missing, field="text")
    if channel == SMS:
        return Rendered("", text_out, "")
    subject_out = _one_line(
        render_string(subject, context, allowed, keep_missing=keep_missing, field="subject")
    )
    design = email_layout.design_for(tenant, language, preview=preview)
    if html_is_derived(purpose, language, text, html):
        html = found.html_for(text, language, design.link_button)
    html_out = render_string(
        html, context, allowed, as_html=True, keep_missing=keep_missing, field="html"
    )
    return Rendered(subject_out, text_out, design.page(html_out, subject_out))


def render_message(
    tenant: Tenant,
    purpose: str,
    channel: str,
    language: str | None,
    context: Mapping[str, Any],
    *,
    keep_missing: bool = False,
    template_id: int | None = None,
    texts: TemplateCache | None = None,
) -> Rendered:
    """Render a purpose's text in a language (with fallback): the named text `template_id`,
    else the tenant's default, else the shipped one. `texts`: the batch's cache of texts
    (without one, the text is read for this message alone)."""
    language = resolve_language(tenant, language)
    template = (texts or TemplateCache()).get(tenant, purpose, channel, language, template_id)
    return render_text(
        tenant,
        purpose,
        channel,
        language,
        subject=template.subject,
        text=template.text,
        html=template.html,
        context=context,
        keep_missing=keep_missing,
    )


# --- sending --------------------------------------------------------------------------------


def _sms_refusal(tenant: Tenant, contact: Contact | None) -> ServiceError:
    if not tenant.sms_enabled:
        return ServiceError(_("SMS ist für Ihr Unternehmen nicht freigeschaltet."), "channel")
    if contact is None or not contact.mobile_phone:
        return ServiceError(
            _("Für %(name)s ist keine Mobilnummer hinterlegt."),
            "channel",
            params={"name": str(contact or "—")},
        )
    return ServiceError(
        _("%(name)s hat dem Empfang von SMS nicht zugestimmt."),
        "channel",
        params={"name": str(contact)},
    )


def recipient_address(tenant: Tenant, contact: Contact | None, channel: str) -> str:
    """The contact's e-mail address or mobile number (E.164); refuses what cannot be sent."""
    if channel == SMS:
        if not outbox.sms_allowed(tenant, contact):
            raise _sms_refusal(tenant, contact)
        assert contact is not None
        return str(contact.mobile_phone.as_e164)
    if contact is None or not contact.email:
        raise ServiceError(
            _("Für %(name)s ist keine E-Mail-Adresse hinterlegt."),
            "channel",
            params={"name": str(contact or "—")},
        )
    return contact.email


def available_channels(tenant: Tenant, contact: Contact | None) -> list[str]:
    """The channels this contact can be written to at all (e-mail first)."""
    found = []
    if contact is not None and contact.email:
        found.append(EMAIL)
    if outbox.sms_allowed(tenant, contact):
        found.append(SMS)
    return found


def _from_overrides(
    tenant: Tenant,
    found: Purpose,
    channel: str,
    language: str,
    overrides: Mapping[str, str],
    link: str = "",
) -> Rendered:
    """The final text staff edited before sending; placeholders left in it are refused."""
    allowed = list(found.placeholders)
    text = str(overrides.get("text", "")).replace("\r\n", "\n").strip()
    subject = _one_line(str(overrides.get("subject", ""))) if channel == EMAIL else ""
    if not text:
        raise ServiceError(_("Bitte geben Sie einen Text an."), "text", code="required")
    if channel == EMAIL and not subject:
        raise ServiceError(_("Bitte geben Sie einen Betreff an."), "subject", code="required")
    for field, value in (("subject", subject), ("text", text)):
        left = placeholders_in(value, allowed)
        if left:
            raise ServiceError(
                _("Bitte ersetzen Sie diese Platzhalter durch den gewünschten Text: %(names)s"),
                field,
                code="placeholder_left",
                params={"names": allowed_list(left)},
            )
    if channel == SMS:
        return Rendered("", text, "")
    own_html = str(overrides.get("html", "")).strip()
    if own_html:
        html = email_layout.design_for(tenant, language).page(own_html, subject)
    else:
        default = found.defaults.get((EMAIL, language))
        label = default.link_label if default else ""
        html = text_to_html(
            text, tenant, language=language, subject=subject, link=link, link_label=label
        )
    return Rendered(subject, text, html)


def send_templated(
    tenant: Tenant,
    *,
    purpose: str,
    channel: str,
    contact: Contact | None,
    context: Mapping[str, Any],
    related: models.Model | None,
    dedupe_key: str,
    overrides: Mapping[str, str] | None = None,
    language: str | None = None,
    recipient: str = "",
    recipient_name: str = "",
    reply_to: str = "",
    headers: dict[str, Any] | None = None,
    attachments: Sequence[outbox.Attachment] = (),
    conversation: Any = None,
    template_name: str = "",
) -> OutboundMessage:
    """Render a purpose's text for a contact and queue it in the caller's transaction.

    The language is `language`, else the contact's, else the tenant's default. `overrides`
    (subject, text, html) is a text staff edited just before sending, used as it is.
    `recipient` sends to another address than the contact's (e.g. the company's own).
    `template_name` picks one of the tenant's named texts (see `named_template_id`).
    Refuses SMS without the tenant's switch or the contact's consent, e-mail without address.
    """
    found = _check(purpose, channel)
    if channel == SMS and not outbox.sms_allowed(tenant, contact):
        raise _sms_refusal(tenant, contact)
    address = recipient or recipient_address(tenant, contact, channel)
    language = resolve_language(tenant, language or (contact.language if contact else None))
    values = {**base_context(tenant, contact=contact, language=language), **context}
    if overrides is not None:
        link = str(values.get("link") or "")
        rendered = _from_overrides(tenant, found, channel, language, overrides, link)
    else:
        template_id = None
        if template_name:
            template_id = named_template_id(tenant, purpose, channel, language, template_name)
        rendered = render_message(
            tenant, purpose, channel, language, values, template_id=template_id
        )
    with tenant_scope(tenant):
        return outbox.queue_message(
            tenant,
            channel=channel,
            purpose=purpose,
            recipient=address,
            dedupe_key=dedupe_key,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            recipient_name=recipient_name or (str(contact) if contact else ""),
            contact=contact,
            related=related,
            reply_to=reply_to or (tenant.email_reply_to if channel == EMAIL else ""),
            headers=headers,
            attachments=attachments,
            conversation=conversation,
        )


def new_compose_token() -> str:
    """A fresh token for one compose form: a double submit queues one message."""
    return uuid.uuid4().hex


@transaction.atomic
def send_composed(
    tenant: Tenant,
    actor: Actor,
    *,
    customer: Customer,
    contact: Contact,
    purpose: str,
    channel: str,
    language: str,
    subject: str,
    text: str,
    token: str,
    context: Mapping[str, Any] | None = None,
    related: models.Model | None = None,
) -> OutboundMessage:
    """Queue a message staff wrote (from a template) to one of the customer's contacts.

    The text is sent as edited. The form's token makes a second submit of the same form
    return the first message instead of queueing another one.
    """
    found = _check(purpose, channel, language)
    with tenant_scope(tenant):
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        own = Contact.objects.filter(pk=contact.pk, customer=locked).first()
        if own is None:
            raise ServiceError(_("Dieser Ansprechpartner gehört nicht zum Kunden."), "contact")
        contact = own
        token = re.sub(r"[^A-Za-z0-9]", "", token)[:40] or new_compose_token()
        key = f"compose:{locked.pk}:{token}"
        earlier = OutboundMessage.objects.filter(
            tenant=tenant, dedupe_key__startswith=f"{key}|"
        ).first()
        if earlier is not None:
            return earlier
        message = send_templated(
            tenant,
            purpose=purpose,
            channel=channel,
            contact=contact,
            context=context or {},
            related=related or locked,
            dedupe_key=key,
            overrides={"subject": subject, "text": text},
            language=language,
        )
        record(
            tenant,
            actor,
            "customer.message_sent",
            locked,
            {
                "label": f"{Channel(channel).label} → {contact} ({message.recipient}): "
                f"{message.subject or found.label}",
                "message_id": message.pk,
                "purpose": purpose,
                "channel": channel,
                "contact": contact.pk,
            },
        )
    return message


# Audit action code -> label, registered by MessagingConfig.ready().
ACTION_LABELS: dict[str, Promise] = {
    "message_template.saved": gettext_lazy("Textbaustein gespeichert"),
    "message_template.reset": gettext_lazy("Textbaustein auf Standard zurückgesetzt"),
    "message_template.created": gettext_lazy("Textbaustein angelegt"),
    "message_template.renamed": gettext_lazy("Textbaustein umbenannt"),
    "message_template.made_default": gettext_lazy("Textbaustein als Standard festgelegt"),
    "message_template.deleted": gettext_lazy("Textbaustein gelöscht"),
    "customer.message_sent": gettext_lazy("Nachricht gesendet"),
}
