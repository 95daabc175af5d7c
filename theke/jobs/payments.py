"""Payment providers of the job manager's payment fields ("Bezahl.de" in seed 004), pluggable.

A provider makes a checkout for an amount and a purpose (its reference and the address where
the customer pays), sends the customer there (`checkout_url`, with the address to come back
to) and tells Theke the outcome in a signed notification, which `read_notification` checks
and reads. Theke trusts a verified notification only: the customer's browser coming back
proves nothing. `THEKE_PAYMENT_PROVIDER` chooses the provider of new payments; a payment keeps
the provider it was made with (Payment.provider).

Shipped: the test provider ("test"). Its checkout page is ours (/bezahlen/test/<reference>/,
theke.jobs.customer_views.payments) and no money moves; it signs its notifications with a key
derived from SECRET_KEY, the way a real provider signs with the secret it shares with us.
The states a notification reports are PaymentStatus values: paid, failed, canceled.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What a notification may report (PaymentStatus values; "open" is never reported).
OUTCOMES = frozenset({"paid", "failed", "canceled"})


@dataclass(frozen=True)
class Checkout:
    """A checkout made at the provider: its reference (unique) and where the customer pays."""

    reference: str
    url: str


@dataclass(frozen=True)
class Notification:
    """What a verified notification says: the checkout and its outcome."""

    reference: str
    status: str


class NotificationRefused(Exception):
    """A notification that is not the provider's (403) or not readable (400)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class ProviderError(Exception):
    """The provider could not make the checkout (unreachable, refused)."""


class PaymentProvider(Protocol):
    code: str
    label: str | Promise

    def create_checkout(self, *, amount: Decimal, purpose: str, tenant_name: str) -> Checkout:
        """Make a checkout; raise ProviderError when the provider refuses or is unreachable."""
        ...

    def checkout_url(self, reference: str, *, return_url: str) -> str:
        """Where to send the customer to pay now; the provider sends them to `return_url`."""
        ...

    def read_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """The verified content of a notification; raise NotificationRefused otherwise."""
        ...


_PROVIDERS: dict[str, PaymentProvider] = {}


def register_provider[P: PaymentProvider](provider: P) -> P:
    """Make a provider known (once, at import)."""
    _PROVIDERS[provider.code] = provider
    return provider


def get_provider(code: str) -> PaymentProvider | None:
    return _PROVIDERS.get(code)


def current_provider() -> PaymentProvider:
    """The provider of new payments (THEKE_PAYMENT_PROVIDER)."""
    code = settings.PAYMENT_PROVIDER
    provider = _PROVIDERS.get(code)
    if provider is None:
        raise ImproperlyConfigured(
            f"THEKE_PAYMENT_PROVIDER={code!r} is not a payment provider; known: "
            f"{', '.join(sorted(_PROVIDERS))}"
        )
    return provider


# --- the test provider -----------------------------------------------------------------------


class TestProvider:
    """A provider of our own for trying payments out: a fake checkout page, no money moves.

    Its notification is a JSON body {"id", "reference", "status", "created"} with the header
    `Theke-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; one older than
    TOLERANCE seconds is refused (a replay within it is harmless: settling is idempotent).
    """

    __test__ = False  # not a test class, despite its name

    code = "test"
    label: str | Promise = _("Testzahlung (kein echtes Geld)")
    SIGNATURE_HEADER = "Theke-Signature"
    TOLERANCE = 300
    _SALT = "theke.jobs.payments.test-provider"

    # --- checkout ---

    def create_checkout(self, *, amount: Decimal, purpose: str, tenant_name: str) -> Checkout:
        reference = f"test_{secrets.token_urlsafe(18)}"
        return Checkout(reference, self._page(reference))

    def _page(self, reference: str) -> str:
        return settings.BASE_URL + reverse("payments:test_checkout", args=[reference])

    def checkout_url(self, reference: str, *, return_url: str) -> str:
        # The return address rides along signed: the page is no open redirect.
        back = signing.dumps(return_url, salt=self._SALT + ".return", compress=True)
        return f"{self._page(reference)}?{urlencode({'zurueck': back})}"

    def return_url(self, signed: str) -> str | None:
        """The return address of a checkout URL (None when missing or not ours)."""
        if not signed:
            return None
        try:
            value = signing.loads(signed, salt=self._SALT + ".return", max_age=86400)
        except signing.BadSignature:
            return None
        return value if isinstance(value, str) and value.startswith(settings.BASE_URL) else None

    # --- notifications ---

    def _signature(self, timestamp: str, body: bytes) -> str:
        message = timestamp.encode() + b"." + body
        return salted_hmac(self._SALT, message, algorithm="sha256").hexdigest()

    def notification(
        self, reference: str, status: str, now: float | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The signed notification the provider sends about a checkout (body, headers)."""
        created = int(now if now is not None else time.time())
        body = json.dumps(
            {
                "id": f"evt_{secrets.token_urlsafe(12)}",
                "reference": reference,
                "status": status,
                "created": created,
            },
            separators=(",", ":"),
        ).encode()
        signature = self._signature(str(created), body)
        return body, {self.SIGNATURE_HEADER: f"t={created},v1={signature}"}

    def read_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        parts = dict(
            part.strip().split("=", 1)
            for part in str(headers.get(self.SIGNATURE_HEADER, "")).split(",")
            if "=" in part
        )
        timestamp, signature = parts.get("t", ""), parts.get("v1", "")
        if not timestamp.isdigit() or not signature:
            raise NotificationRefused(403, "The notification carries no valid signature.")
        if not hmac.compare_digest(self._signature(timestamp, body), signature):
            raise NotificationRefused(403, "The signature does not match the notification.")
        if abs(time.time() - int(timestamp)) > self.TOLERANCE:
            raise NotificationRefused(400, "The notification is too old.")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise NotificationRefused(400, "The body must be a JSON object.") from None
        if not isinstance(data, dict):
            raise NotificationRefused(400, "The body must be a JSON object.")
        reference, status = data.get("reference"), data.get("status")
        if not isinstance(reference, str) or not reference or status not in OUTCOMES:
            raise NotificationRefused(400, 'Expected {"reference": "…", "status": "paid|…"}.')
        return Notification(reference, str(status))


TEST_PROVIDER = register_provider(TestProvider())
