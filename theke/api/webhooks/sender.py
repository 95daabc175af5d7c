"""The worker's sender for channel "webhook": sign, POST to the checked address, classify.

Each request is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
`webhook-signature` with one `v1,<base64>` per live secret, space-separated) and goes to
the address that the target check has just resolved and allowed: the connection is made
to that IP, while the Host header, TLS SNI and certificate check use the host name.
Redirects are not followed (a 3xx is a failure), nothing is read from the environment
(no proxies), and a request may take at most TIMEOUT seconds.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import urllib3
from django.utils import timezone
from standardwebhooks import Webhook
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from theke.api.models import DisableReason, WebhookEndpoint
from theke.api.webhooks import services
from theke.api.webhooks.targets import TargetRefused, TargetUnresolved, check_target
from theke.messaging.models import OutboundMessage
from theke.messaging.services.delivery import Batch, Failed, Outcome, Senders, Sent
from theke.tenants.scoping import tenant_scope

logger = logging.getLogger(__name__)

USER_AGENT = "Theke-Webhooks/1"
CONNECT_TIMEOUT = 5.0
TIMEOUT = 10.0
RESPONSE_EXCERPT = 2000


# --- a connection to one checked address ------------------------------------------------------


def _connect(conn: HTTPConnection, address: str) -> socket.socket:
    try:
        return urllib3_connection.create_connection(
            (address, conn.port),
            conn.timeout,
            source_address=conn.source_address,
            socket_options=conn.socket_options,
        )
    except TimeoutError as exc:
        raise ConnectTimeoutError(conn, f"Connection to {conn.host} ({address}) timed out") from exc
    except OSError as exc:
        raise NewConnectionError(
            conn, f"Failed to connect to {conn.host} ({address}): {exc}"
        ) from exc


class _PinnedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, pinned_address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pinned_address = pinned_address

    def _new_conn(self) -> socket.socket:
        return _connect(self, self.pinned_address)


class _PinnedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, pinned_address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pinned_address = pinned_address

    def _new_conn(self) -> socket.socket:
        return _connect(self, self.pinned_address)


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


# --- one attempt ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    """What one request gave: an HTTP status, or an error before any answer."""

    status: int | None = None
    body: str = ""
    error: str = ""
    duration_ms: int = 0
    url: str = ""
    # The receiver could not be reached (connect error, timeout): the rest of this run's
    # deliveries to the same endpoint are not tried.
    unreachable: bool = False
    disable_reason: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def outcome(self, webhook_id: str) -> Outcome:
        if self.succeeded:
            return Sent(webhook_id)
        return Failed(self.error or f"HTTP {self.status}", permanent=bool(self.disable_reason))


def signature_header(secrets: Sequence[str], webhook_id: str, moment: datetime, body: str) -> str:
    """`webhook-signature`: one `v1,<base64 HMAC-SHA256>` per secret, space-separated."""
    return " ".join(Webhook(secret).sign(webhook_id, moment, body) for secret in secrets)


def webhook_id_of(message: OutboundMessage) -> str:
    headers = message.headers if isinstance(message.headers, dict) else {}
    return str(headers.get("webhook-id") or f"msg_{message.pk}")


def post(endpoint: WebhookEndpoint, message: OutboundMessage) -> AttemptResult:
    """Check the endpoint's address, then POST the message's body, signed, to it."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    url = endpoint.url
    try:
        target = check_target(url, allow_private=endpoint.tenant.webhooks_allow_private_targets)
    except TargetRefused as refused:
        text = refused.messages[0]
        reason = DisableReason.PRIVATE_ADDRESS if refused.code == "private_address" else ""
        return AttemptResult(
            error=f"Refused target: {text}", duration_ms=took(), url=url, disable_reason=reason
        )
    except TargetUnresolved as unresolved:
        return AttemptResult(error=unresolved.messages[0], duration_ms=took(), url=url)

    webhook_id = webhook_id_of(message)
    moment = datetime.fromtimestamp(int(timezone.now().timestamp()), tz=UTC)
    body = message.body_text
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature_header(
            services.signing_secrets(endpoint), webhook_id, moment, body
        ),
    }
    pool_class = _PinnedHTTPSPool if target.scheme == "https" else _PinnedHTTPPool
    pool = pool_class(
        target.host,
        target.port,
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=TIMEOUT, total=TIMEOUT),
        retries=False,
        maxsize=1,
        pinned_address=target.addresses[0],
    )
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body.encode(),
            headers=headers,
            retries=False,
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
        except (urllib3.exceptions.HTTPError, OSError):
            excerpt = ""
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        return AttemptResult(error=error, duration_ms=took(), url=url, unreachable=True)
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        return AttemptResult(error=error, duration_ms=took(), url=url, unreachable=True)
    finally:
        pool.close()
    status = response.status
    result = AttemptResult(status=status, body=excerpt, duration_ms=took(), url=url)
    if result.succeeded:
        return result
    error = f"HTTP {status}"
    if 300 <= status < 400:
        error += f" (redirect to {response.headers.get('location', '?')[:300]} not followed)"
    elif excerpt.strip():
        error += f": {excerpt.strip()[:300]}"
    reason = DisableReason.GONE if status == 410 else ""
    return AttemptResult(
        status=status, body=excerpt, error=error, duration_ms=took(), url=url, disable_reason=reason
    )


# --- the sender registered in delivery.SENDERS ------------------------------------------------


def send_webhooks(batch: Batch, messages: Sequence[OutboundMessage], senders: Senders) -> None:
    """Deliver claimed webhook messages; record each attempt and the endpoint's streak."""
    endpoints: dict[str, WebhookEndpoint | None] = {}  # by the message's object id
    unreachable: dict[int, str] = {}
    for message in messages:
        if not batch.still_ours(message):
            continue
        with tenant_scope(message.tenant):
            if message.object_id not in endpoints:
                endpoints[message.object_id] = services.endpoint_of(message)
            endpoint = endpoints[message.object_id]
            if endpoint is None or (
                not endpoint.is_active and message.purpose != services.TEST_PURPOSE
            ):
                batch.record(
                    message, Failed("The webhook endpoint is disabled or deleted.", permanent=True)
                )
                continue
            attempted_at = timezone.now()
            if endpoint.pk in unreachable:
                result = AttemptResult(
                    error=f"Not attempted, receiver unreachable: {unreachable[endpoint.pk]}",
                    url=endpoint.url,
                    unreachable=True,
                )
            else:
                result = post(endpoint, message)
            if result.unreachable:
                unreachable.setdefault(endpoint.pk, result.error[:300])
            services.record_attempt(
                endpoint,
                message,
                url=result.url,
                attempted_at=attempted_at,
                duration_ms=result.duration_ms,
                response_status=result.status,
                response_body=result.body,
                error="" if result.succeeded else result.error,
            )
            batch.record(message, result.outcome(webhook_id_of(message)))
            try:
                if services.after_attempt(
                    endpoint,
                    message,
                    succeeded=result.succeeded,
                    error=result.error,
                    disable_reason=result.disable_reason,
                ):
                    endpoint.is_active = False
            except Exception:  # the delivery's own outcome is stored; bookkeeping may retry
                logger.exception("webhooks: bookkeeping after message %s failed", message.pk)
