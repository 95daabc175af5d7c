"""SMS backends in the style of Django's e-mail backends (settings.SMS_BACKEND).

A backend's `send(message)` returns the provider's id for the message, or raises
`PermanentSmsError` (the provider said no: do not retry) or `TemporarySmsError` (try again
later). Phone numbers are E.164 ("+4917112345678").
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import phonenumbers
import requests
from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """Sending an SMS failed."""


class PermanentSmsError(SmsError):
    """The provider refused the message (bad number, bad request): retrying cannot help."""


class TemporarySmsError(SmsError):
    """The provider was not reachable or asked us to come back later."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    sender: str = ""
    # Our id for the message (the outbox row), passed to providers that echo it back.
    reference: str = ""


def normalise_phone(number: str) -> str:
    """The E.164 form of a phone number; PermanentSmsError when it is not a valid number."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as error:
        raise PermanentSmsError(f"invalid phone number {number!r}: {error}") from error
    if not phonenumbers.is_valid_number(parsed):
        raise PermanentSmsError(f"invalid phone number {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one SMS and return the provider's id for it."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each SMS (the default for `make run`)."""

    def send(self, message: SmsMessage) -> str:
        provider_id = f"console-{uuid4().hex}"
        sys.stdout.write(
            f"SMS from {message.sender or '-'} to {message.to} ({provider_id}):\n"
            f"{message.text}\n{'-' * 79}\n"
        )
        sys.stdout.flush()
        return provider_id


# What LocmemSmsBackend sent, like django.core.mail.outbox; tests read and clear it.
outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps sent messages in `theke.messaging.sms.outbox` (tests)."""

    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"locmem-{len(outbox)}"


class HttpSmsBackend(BaseSmsBackend):
    """POSTs a JSON body to an SMS gateway (settings.SMS_HTTP_*).

    The body is the template settings.SMS_HTTP_BODY with {to}, {text}, {sender} and
    {reference} filled in JSON-escaped; the provider's id is read from the response's
    field settings.SMS_HTTP_ID_FIELD (dots walk into nested objects: "messages.0.id").
    """

    PLACEHOLDERS = ("to", "text", "sender", "reference")

    def __init__(self) -> None:
        self.url: str = settings.SMS_HTTP_URL
        self.body_template: str = settings.SMS_HTTP_BODY
        self.id_field: str = settings.SMS_HTTP_ID_FIELD
        self.timeout: float = settings.SMS_HTTP_TIMEOUT
        self.session = requests.Session()
        if settings.SMS_HTTP_TOKEN:
            self.session.headers["Authorization"] = f"Bearer {settings.SMS_HTTP_TOKEN}"
        elif settings.SMS_HTTP_USERNAME:
            self.session.auth = (settings.SMS_HTTP_USERNAME, settings.SMS_HTTP_PASSWORD or "")

    def body(self, message: SmsMessage) -> bytes:
        body = self.body_template
        for name in self.PLACEHOLDERS:
            # json.dumps gives a quoted, escaped string; the template supplies the quotes.
            body = body.replace("{" + name + "}", json.dumps(getattr(message, name))[1:-1])
        return body.encode()

    def send(self, message: SmsMessage) -> str:
        if not self.url:
            raise TemporarySmsError("SMS_HTTP_URL is not set")
        try:
            response = self.session.post(
                self.url,
                data=self.body(message),
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise TemporarySmsError(f"SMS gateway not reachable: {error}") from error
        status = response.status_code
        if status == 429 or status >= 500:
            raise TemporarySmsError(f"SMS gateway answered {status}: {response.text[:300]}")
        if status >= 400:
            raise PermanentSmsError(
                f"SMS gateway refused the message ({status}): {response.text[:300]}"
            )
        if status >= 300:
            raise TemporarySmsError(f"SMS gateway answered {status}")
        return self._provider_id(response)

    def _provider_id(self, response: requests.Response) -> str:
        # The gateway accepted the message: a missing id must not cause a second send.
        try:
            value: Any = response.json()
        except ValueError:
            return ""
        for part in self.id_field.split("."):
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return ""
        return "" if value is None or isinstance(value, dict | list) else str(value)[:255]


def get_sms_backend() -> BaseSmsBackend:
    """An instance of the configured backend (settings.SMS_BACKEND)."""
    backend_class = import_string(settings.SMS_BACKEND)
    return backend_class()
