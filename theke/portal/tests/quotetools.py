"""Helpers of the quote request tests: a sales address, a request, and sales answering by
e-mail the three ways a mail finds its thread."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from theke.messaging.models import OutboundMessage
from theke.messaging.services import conversations
from theke.messaging.services.outbox import Attachment
from theke.portal.models import PortalSettings, PortalUser, QuoteRequest
from theke.portal.services import quotes
from theke.tenants.scoping import tenant_scope

SALES = "vertrieb@bau-service.test"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CASES = ("reply_address", "forward_with_tag", "changed_subject_with_references")


def set_sales(tenant: Any, address: str = SALES, domain: str = "mail.bau-service.test") -> None:
    tenant.inbound_email_domain = domain
    tenant.save(update_fields=["inbound_email_domain"])
    with tenant_scope(tenant):
        PortalSettings.objects.update_or_create(tenant=tenant, defaults={"sales_email": address})


def new_request(user: PortalUser, **values: Any) -> QuoteRequest:
    defaults: dict[str, Any] = {
        "subject": "Neuer Standort Lager Süd",
        "description": "Wir brauchen ab März zwei 10-m³-Mulden für Bauschutt.",
        "location": None,
        "attachments": [Attachment("Lageplan.pdf", PDF, "application/pdf")],
    }
    defaults.update(values)
    with tenant_scope(user.tenant):
        return quotes.request_quote(user, **defaults)


def request_mail(request: QuoteRequest) -> OutboundMessage:
    with tenant_scope(request.tenant):
        return OutboundMessage.objects.get(
            conversation=request.conversation, purpose=quotes.REQUEST_PURPOSE
        )


def sales_answer(
    request: QuoteRequest,
    case: str,
    *,
    sender: str = f"Vera Vertrieb <{SALES}>",
    text: str = "Guten Tag,\n\nanbei unser Angebot.\n\nViele Grüße\nVera Vertrieb",
    attachment: tuple[str, bytes] | None = ("Angebot 4711.pdf", PDF),
) -> EmailMessage:
    """Sales answering the request mail from their mail program, in one of three ways:
    - reply_address: an Outlook reply to the reply address, without References;
    - forward_with_tag: forwarded to the tenant's general inbound address, subject with tag;
    - changed_subject_with_references: a new subject, not to the reply address, References."""
    conversation = request.conversation
    assert conversation is not None
    sent = request_mail(request)
    message = EmailMessage()
    message["From"] = sender
    message["Message-ID"] = make_msgid(domain="bau-service.test")
    if case == "reply_address":
        message["To"] = conversations.reply_address(conversation)
        message["Subject"] = f"AW: {sent.subject}"
        message["Thread-Index"] = "AdmXyz=="  # Outlook: no References, no In-Reply-To
    elif case == "forward_with_tag":
        message["To"] = "angebote@mail.bau-service.test"
        message["Subject"] = f"WG: {sent.subject}"
    elif case == "changed_subject_with_references":
        message["To"] = "kunden@bau-service.test"
        message["Subject"] = "Ihr Angebot für das Lager"
        message["In-Reply-To"] = sent.headers["Message-ID"]
        message["References"] = sent.headers["Message-ID"]
    else:
        raise ValueError(case)
    message.set_content(text)
    if attachment is not None:
        name, content = attachment
        message.add_attachment(content, maintype="application", subtype="pdf", filename=name)
    return message
