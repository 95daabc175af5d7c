"""OutboxEmail renders what Django's own EmailMultiAlternatives would, only faster."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from theke.messaging.mime import OutboxEmail


def body(message: email.message.EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def parsed(outbox_email: OutboxEmail) -> email.message.EmailMessage:
    message = email.message_from_bytes(outbox_email.render(), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_umlauts_in_subject_names_body_and_filename_survive_the_round_trip():
    mail = OutboxEmail(
        subject="Ihr Kostenvoranschlag für Größe XL – bitte prüfen",
        body="Grüße aus Köln\n" + "lange Zeile " * 40,
        from_email='"Autohaus Müller, Köln" <service@autohaus.example>',
        to=["Jürgen Öztürk <juergen@kunde.example>"],
        reply_to=["Büro <buero@autohaus.example>"],
        headers={"Message-ID": "<x.1@autohaus.example>"},
    )
    mail.attach_alternative("<p>Grüße</p>", "text/html")
    mail.attach("Angebot Größe.pdf", b"%PDF-1.4 \x00\xff", "application/pdf")

    raw = mail.render()
    assert raw.isascii()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    message = parsed(mail)
    assert message["Subject"] == "Ihr Kostenvoranschlag für Größe XL – bitte prüfen"
    assert message["From"].addresses[0].display_name == "Autohaus Müller, Köln"
    assert message["To"].addresses[0].display_name == "Jürgen Öztürk"
    assert message["Reply-To"].addresses[0].addr_spec == "buero@autohaus.example"
    assert message["Message-ID"] == "<x.1@autohaus.example>"
    assert message["Date"]
    assert body(message, "plain") == "Grüße aus Köln\n" + "lange Zeile " * 40
    assert body(message, "html").strip() == "<p>Grüße</p>"
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "Angebot Größe.pdf"
    assert attachment.get_content() == b"%PDF-1.4 \x00\xff"


def test_international_domains_are_idna_encoded():
    mail = OutboxEmail("Hallo", "Text", "a@theke.example", ["Kunde <kunde@müller.example>"])
    assert mail.envelope_recipients() == ["kunde@xn--mller-kva.example"]
    assert parsed(mail)["To"].addresses[0].domain == "xn--mller-kva.example"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hallo\r\nBcc: opfer@example.com"),
        ("to", ["kunde@example.com\nBcc: opfer@example.com"]),
        ("to", ["kein gültiger empfänger"]),
        ("to", ["jürgen@example.com"]),  # non-ASCII local part needs SMTPUTF8
    ],
)
def test_header_injection_and_invalid_addresses_are_refused(field, value):
    values: dict[str, Any] = {"subject": "Hallo", "to": ["kunde@example.com"]}
    values[field] = value
    mail = OutboxEmail(body="Text", from_email="a@theke.example", **values)
    with pytest.raises(ValueError):
        mail.render()
        mail.envelope_recipients()


def test_message_gives_djangos_modern_email_object():
    mail = OutboxEmail("Hallo", "Text", "a@theke.example", ["kunde@example.com"])
    mail.attach("termin.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    message = mail.message()
    assert body(message, "plain").strip() == "Text"
    [ics] = message.iter_attachments()
    assert ics.get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in ics.get_content()
