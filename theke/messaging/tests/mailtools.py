"""Helpers of the inbox, conversation and inbound tests: a customer thread and real mails."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.utils import timezone

from theke.audit.services import SYSTEM
from theke.customers import services as customers
from theke.customers.models import Contact, Customer
from theke.messaging.models import Conversation
from theke.messaging.services.conversations import conversation_for
from theke.tenants.scoping import tenant_scope

# A 1x1 PNG padded to a realistic photo size (the parser keeps inline images >= 10 KB).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PHOTO = PNG + b"\x00" * 20_000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Thread:
    customer: Customer
    contact: Contact
    conversation: Conversation


def make_thread(tenant: Any, *, email: str = "hans.mueller@example.com") -> Thread:
    """A company customer with a contact that has an e-mail, and the customer's thread."""
    with tenant_scope(tenant):
        customer = customers.create_customer(
            tenant, SYSTEM, kind="company", company_name="Müller Logistik GmbH", last_name="Müller"
        )
        contact = customers.add_contact(
            customer, SYSTEM, first_name="Hans", last_name="Müller", email=email
        )
        conversation = conversation_for(
            customer, tenant=tenant, customer=customer, subject="Reparatur Sprinter B-AB 123"
        )
    return Thread(customer, contact, conversation)


def mail(
    *,
    sender: str = "Hans Müller <hans.mueller@example.com>",
    to: str = "",
    subject: str = "Re: Reparatur Sprinter B-AB 123",
    text: str = "Hallo, passt mir gut.",
    html: str = "",
    in_reply_to: str = "",
    message_id: str = "",
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A realistic reply built with EmailMessage (text and/or HTML, attachments)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    if text:
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
    elif html:
        message.set_content(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


QUOTED_REPLY_DE = """Guten Tag,

anbei das Foto vom Schaden. Dienstag um 9 Uhr passt mir.

Viele Grüße
Hans Müller

Am Mo., 3. März 2025 um 10:15 Uhr schrieb Autohaus Alpha <{reply}>:
> Guten Tag Herr Müller,
>
> wann dürfen wir den Sprinter abholen?
>
> Mit freundlichen Grüßen
> Ihr Autohaus Alpha
"""

QUOTED_REPLY_EN = """Tuesday works for me.

On Mon, Mar 3, 2025 at 10:15 AM Autohaus Alpha <{reply}> wrote:
> Dear Mr Miller,
> when may we collect the van?
"""
