"""OutboxEmail: Django's EmailMultiAlternatives with a fast MIME rendering for the worker.

Django's `EmailMessage.message()` builds on the `email` package's modern API, which parses
every header it sets; that costs ~3 ms per message, ten times the SMTP round trips. The
worker renders its (simple) messages with the classic `email.mime` classes instead: text
and HTML as quoted-printable UTF-8, attachments as base64, headers RFC 2047-encoded when
not ASCII, CRLF line ends (`render()`). Everything else about the object stays Django's:
`message()` parses those bytes into the usual modern email object, backends send it with
`send_messages()`, and the test mailer keeps it in `mail.outbox` as usual.

Inline images (the tenant's logo, named by `cid:` in the HTML) go with the HTML part into a
multipart/related: multipart/mixed > multipart/alternative > (text/plain, multipart/related >
(text/html, image/png)).
"""

from __future__ import annotations

import email.message
import email.policy
import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32, Policy
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.utils.encoding import punycode


class _Policy(Compat32):
    """compat32 with CRLF, and short ASCII headers written as they are (no Header round
    trip: folding them would change nothing, and it is the slowest part of rendering)."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= (self.max_line_length or 78)
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)  # type: ignore[misc]


POLICY = _Policy(linesep="\r\n")
ADDRESS_HEADERS = {"from", "to", "cc", "reply-to"}

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def _no_line_breaks(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"header value contains a line break: {value!r}")
    return value


def header_value(value: Any) -> Any:
    """The value as is when ASCII, else a Header that encodes it (RFC 2047)."""
    text = _no_line_breaks(str(value))
    return text if text.isascii() else Header(text, "utf-8")


@functools.lru_cache(maxsize=1024)
def split_address(address: str) -> tuple[str, str]:
    """(display name, addr-spec with an IDNA domain); ValueError when it is no address.

    Cached: the sender is the same for many messages, and a recipient is needed twice."""
    name, addr_spec = parseaddr(_no_line_breaks(address))
    local, at, domain = addr_spec.rpartition("@")
    if not at or not local or not domain or " " in addr_spec or "," in addr_spec:
        raise ValueError(f"invalid address {address!r}")
    if not local.isascii():
        raise ValueError(f"invalid address {address!r}: non-ASCII local part")
    if not domain.isascii():
        domain = punycode(domain)
    return name, f"{local}@{domain}"


def format_address(address: str) -> str:
    """'Name <local@domain>' for a header: the name RFC 2047-encoded, the domain IDNA."""
    return formataddr(split_address(str(address)), charset="utf-8")


def _boundary() -> str:
    # Random, so it cannot occur in the (encoded) parts; the generator then skips its scan.
    return f"==theke-{secrets.token_hex(12)}=="


def _text_part(content: str, subtype: str) -> MIMEText:
    return MIMEText(content, subtype, _UTF8_QP, policy=POLICY)  # type: ignore[arg-type]


def _attachment_part(filename: str, content: Any, mimetype: str) -> MIMEBase:
    maintype, _, subtype = (mimetype or "application/octet-stream").partition("/")
    params = {}
    if isinstance(content, str):
        content = content.encode()
        params["charset"] = "utf-8"
    part = MIMEBase(maintype, subtype or "octet-stream", policy=POLICY, **params)
    part.set_payload(bytes(content))
    encoders.encode_base64(part)
    name = _no_line_breaks(filename or "attachment")
    part.add_header(
        "Content-Disposition",
        "attachment",
        filename=name if name.isascii() else ("utf-8", "", name),
    )
    return part


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML part shows by `cid:<content_id>` (sent inside the e-mail)."""

    content_id: str
    content: bytes
    mimetype: str
    filename: str


def _inline_part(image: InlineImage) -> MIMEBase:
    maintype, _, subtype = image.mimetype.partition("/")
    part = MIMEBase(maintype, subtype, policy=POLICY)
    part.set_payload(image.content)
    encoders.encode_base64(part)
    part["Content-ID"] = f"<{_no_line_breaks(image.content_id)}>"
    part.add_header("Content-Disposition", "inline", filename=_no_line_breaks(image.filename))
    return part


class OutboxEmail(EmailMultiAlternatives):
    """An EmailMultiAlternatives whose MIME message is rendered with email.mime (fast)."""

    def __init__(
        self, *args: Any, inline_images: Sequence[InlineImage] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)

    def envelope_sender(self) -> str:
        return split_address(str(self.from_email))[1]

    def envelope_recipients(self) -> list[str]:
        recipients = [split_address(str(address))[1] for address in self.recipients()]
        if not recipients:
            raise ValueError("the message has no recipient")
        return recipients

    def render(self) -> bytes:
        """The message as SMTP-ready bytes (CRLF), the fast way."""
        return self.mime().as_bytes()

    def message(self, *, policy: Policy | None = None) -> email.message.EmailMessage:
        """Django's API: the rendered bytes parsed into the modern email object (slower;
        for the console and test mailers and for tests that inspect the message)."""
        parsed = email.message_from_bytes(self.render(), policy=policy or email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed

    def mime(self) -> Message:
        """The MIME tree, built with the classic email.mime classes."""
        parts: list[Message] = []
        if self.body or not self.alternatives:
            parts.append(_text_part(str(self.body or ""), self.content_subtype))
        for content, mimetype in self.alternatives:
            maintype, _, subtype = mimetype.partition("/")
            if maintype == "text":
                text = content.decode() if isinstance(content, bytes) else str(content)
                part: Message = _text_part(text, subtype)
                if subtype == "html" and self.inline_images:
                    part = MIMEMultipart(
                        "related",
                        _boundary(),
                        [part, *(_inline_part(image) for image in self.inline_images)],
                        policy=POLICY,
                        type="text/html",
                    )
                parts.append(part)
            else:
                parts.append(_attachment_part("", content, mimetype))
        body: Message = (
            parts[0]
            if len(parts) == 1
            else MIMEMultipart("alternative", _boundary(), parts, policy=POLICY)
        )
        if self.attachments:
            root: Message = MIMEMultipart("mixed", _boundary(), policy=POLICY)
            root.attach(body)
            for attachment in self.attachments:
                if isinstance(attachment, Message):
                    root.attach(attachment)
                else:
                    root.attach(_attachment_part(*attachment))
        else:
            root = body

        extra = {name.lower(): (name, value) for name, value in self.extra_headers.items()}
        if "bcc" in extra:
            raise ValueError("Bcc is not a valid email header.")
        root["Subject"] = header_value(self.subject)
        root["From"] = format_address(extra.get("from", ("", self.from_email))[1])
        for header, values in (("To", self.to), ("Cc", self.cc), ("Reply-To", self.reply_to)):
            if header.lower() in extra:
                values = [extra[header.lower()][1]]
            if values:
                root[header] = ", ".join(format_address(value) for value in values)
        if "date" not in extra:
            root["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        if "message-id" not in extra:
            root["Message-ID"] = make_msgid(domain=DNS_NAME.get_fqdn())
        for lowered, (name, value) in extra.items():
            if lowered not in ADDRESS_HEADERS:
                root[_no_line_breaks(name)] = header_value(value)
        return root
