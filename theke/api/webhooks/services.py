"""State changes of webhook endpoints, the event listener that queues deliveries, and the
bookkeeping after each delivery attempt (failure streak, automatic disabling).

Retry schedule (Standard Webhooks' suggestion): the first attempt at once, then after
5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h — 8 attempts over about 27 hours (each wait
plus up to 10 % jitter). Every non-2xx answer, timeout and connection error is retried
(a receiver that answers 400 because of a broken deploy recovers once it is fixed); 410
Gone stops at once and disables the endpoint.

An endpoint is disabled automatically when an event's last attempt fails and no delivery
to the endpoint has succeeded since that event was queued — the endpoint has then been
failing for more than a day. A single event the receiver keeps refusing while others
get through does not disable it.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.accounts.models import Role
from theke.api.events import event_id
from theke.api.models import DisableReason, WebhookAttempt, WebhookEndpoint
from theke.api.webhooks.targets import check_target
from theke.audit.models import FeedEvent
from theke.audit.services import SYSTEM, Actor, record
from theke.core.errors import ServiceError
from theke.core.timestamps import TimestampJSONEncoder, format_timestamp
from theke.messaging.models import Channel, OutboundMessage, OutboundStatus
from theke.messaging.services import delivery
from theke.messaging.services.inbox import notify_role
from theke.messaging.services.outbox import queue_message
from theke.tenants.models import Tenant

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 24
ROTATION_OVERLAP = timedelta(hours=24)
PERMISSION = "api.manage_keys"

EVENT_PURPOSE = "webhook_event"
TEST_PURPOSE = "webhook_test"
TEST_EVENT_TYPE = "webhook.test"
NOTICE_PURPOSE = "webhook_disabled"

EVENT_TYPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$")
MAX_EVENT_TYPES = 50


# --- secrets ---------------------------------------------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    """The secrets that sign a delivery now: the current one, then those still overlapping."""
    now = now or timezone.now()
    found = [endpoint.secret]
    for retired in endpoint.retired_secrets or []:
        expires = parse_datetime(str(retired.get("expires_at", "")))
        if expires is not None and expires > now and retired.get("secret"):
            found.append(str(retired["secret"]))
    return found


def secret_overlap_until(endpoint: WebhookEndpoint, now: datetime | None = None) -> datetime | None:
    """Until when a previous secret still signs, or None when only the current one does."""
    now = now or timezone.now()
    ends = [
        parse_datetime(str(retired.get("expires_at", "")))
        for retired in endpoint.retired_secrets or []
    ]
    live = [end for end in ends if end is not None and end > now]
    return max(live) if live else None


# --- input ------------------------------------------------------------------------------------


def clean_event_types(raw: str | Iterable[str]) -> list[str]:
    """Event types from a comma- or line-separated text (or a list); empty means all."""
    items = re.split(r"[\s,;]+", raw) if isinstance(raw, str) else list(raw)
    found: list[str] = []
    for item in items:
        item = str(item).strip().lower()
        if not item:
            continue
        if item in ("*", "all"):
            return []
        if len(item) > 100 or not EVENT_TYPE.match(item):
            raise ServiceError(
                gettext_lazy(
                    "„%(type)s“ ist kein gültiger Ereignistyp. Beispiele: "
                    "estimate.accepted oder estimate.*"
                ),
                "event_types",
                code="event_type",
                params={"type": item[:100]},
            )
        if item not in found:
            found.append(item)
    if len(found) > MAX_EVENT_TYPES:
        raise ServiceError(
            gettext_lazy("Bitte geben Sie höchstens %(max)d Ereignistypen an."),
            "event_types",
            code="too_many",
            params={"max": MAX_EVENT_TYPES},
        )
    return found


def _checked_url(tenant: Tenant, url: str) -> str:
    url = url.strip()
    check_target(url, allow_private=tenant.webhooks_allow_private_targets)
    return url


# --- endpoints --------------------------------------------------------------------------------


def create_endpoint(
    tenant: Tenant,
    actor: Actor,
    *,
    url: str,
    description: str = "",
    event_types: str | Iterable[str] = (),
) -> WebhookEndpoint:
    """Create an endpoint with a new secret; the URL must pass the target check."""
    url = _checked_url(tenant, url)
    types = clean_event_types(event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            tenant=tenant,
            url=url,
            description=description.strip()[:200],
            event_types=types,
            secret=new_secret(),
            created_by_id=actor.user_id,
        )
        record(
            tenant,
            actor,
            "webhook.created",
            endpoint,
            {"label": url, "url": url, "event_types": types},
        )
    return endpoint


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().select_related("tenant").get(pk=endpoint.pk)


def update_endpoint(
    endpoint: WebhookEndpoint,
    actor: Actor,
    *,
    url: str,
    description: str,
    event_types: str | Iterable[str],
) -> WebhookEndpoint:
    """Change URL, description and event types (the URL is checked again)."""
    url = _checked_url(endpoint.tenant, url)
    values: dict[str, Any] = {
        "url": url,
        "description": description.strip()[:200],
        "event_types": clean_event_types(event_types),
    }
    with transaction.atomic():
        locked = _lock(endpoint)
        changes = {
            name: [getattr(locked, name), value]
            for name, value in values.items()
            if getattr(locked, name) != value
        }
        if changes:
            for name, value in values.items():
                setattr(locked, name, value)
            locked.save(update_fields=list(values))
            record(locked.tenant, actor, "webhook.updated", locked, {"changes": changes})
    return locked


def rotate_secret(endpoint: WebhookEndpoint, actor: Actor) -> WebhookEndpoint:
    """A new secret signs from now on; the old one keeps signing for ROTATION_OVERLAP too."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(endpoint)
        kept = [
            retired
            for retired in locked.retired_secrets or []
            if (end := parse_datetime(str(retired.get("expires_at", "")))) and end > now
        ]
        kept.append({"secret": locked.secret, "expires_at": (now + ROTATION_OVERLAP).isoformat()})
        locked.retired_secrets = kept
        locked.secret = new_secret()
        locked.save(update_fields=["secret", "retired_secrets"])
        record(
            locked.tenant,
            actor,
            "webhook.secret_rotated",
            locked,
            {"label": locked.url, "old_secret_expires_at": kept[-1]["expires_at"]},
        )
    return locked


def _deliveries_q(endpoint: WebhookEndpoint) -> models.Q:
    return models.Q(
        channel=Channel.WEBHOOK,
        content_type=ContentType.objects.get_for_model(WebhookEndpoint),
        object_id=str(endpoint.pk),
    )


def deliveries_of(endpoint: WebhookEndpoint) -> models.QuerySet[OutboundMessage]:
    """The outbox messages of an endpoint (its delivery log), newest first."""
    return OutboundMessage.objects.filter(_deliveries_q(endpoint)).order_by("-created_at", "-id")


def disable_endpoint(
    endpoint: WebhookEndpoint,
    actor: Actor,
    reason: str = DisableReason.MANUAL,
    detail: str = "",
) -> bool:
    """Switch an endpoint off and cancel its waiting deliveries; False if it was off already.

    Automatic disabling (any reason but "manual") also notifies the staff with the right to
    manage webhooks and the tenant's notification address.
    """
    now = timezone.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason, disabled_detail=detail[:500]
        )
        if not changed:
            return False
        endpoint.refresh_from_db()
        cancelled = (
            OutboundMessage.objects.filter(_deliveries_q(endpoint), status=OutboundStatus.QUEUED)
            .exclude(purpose=TEST_PURPOSE)
            .update(
                status=OutboundStatus.CANCELLED,
                last_error="Endpoint disabled before this delivery was sent.",
            )
        )
        record(
            endpoint.tenant,
            actor,
            "webhook.disabled",
            endpoint,
            {
                "label": f"{endpoint.url} · {DisableReason(reason).label}",
                "reason": reason,
                "detail": detail[:500],
                "cancelled": cancelled,
            },
        )
        if reason != DisableReason.MANUAL:
            _notify_disabled(endpoint, cancelled)
    return True


def enable_endpoint(endpoint: WebhookEndpoint, actor: Actor) -> bool:
    """Switch a disabled endpoint on again, with a fresh failure count."""
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=False).update(
            is_active=True,
            disabled_at=None,
            disabled_reason="",
            disabled_detail="",
            failure_count=0,
            failing_since=None,
        )
        if changed:
            record(endpoint.tenant, actor, "webhook.enabled", endpoint, {"label": endpoint.url})
    endpoint.refresh_from_db()
    return bool(changed)


def _detail_url(endpoint: WebhookEndpoint) -> str:
    return reverse("api:webhook_detail", args=[endpoint.pk])


def _notify_disabled(endpoint: WebhookEndpoint, cancelled: int) -> None:
    """Inbox note to every role with the webhook right, e-mail to the company address."""
    tenant = endpoint.tenant
    with translation.override(tenant.default_language):
        subject = _("Webhook deaktiviert: %(url)s") % {"url": endpoint.url}
        body = _(
            "Theke hat den Webhook-Endpunkt %(url)s deaktiviert. Grund: %(reason)s\n"
            "%(detail)s\n\n"
            "Ereignisse werden nicht mehr an diese Adresse gesendet (wartende Zustellungen "
            "abgebrochen: %(cancelled)d). Prüfen Sie den Empfänger, senden Sie ein "
            "Testereignis und aktivieren Sie den Endpunkt danach wieder. Verpasste Ereignisse "
            "kann Ihr System über GET /api/v1/events nachlesen."
        ) % {
            "url": endpoint.url,
            "reason": endpoint.get_disabled_reason_display(),
            "detail": endpoint.disabled_detail,
            "cancelled": cancelled,
        }
        for role in Role.objects.filter(tenant=tenant):
            if PERMISSION in (role.permissions or []):
                notify_role(
                    tenant,
                    role,
                    subject,
                    body,
                    related=endpoint,
                    url=_detail_url(endpoint),
                    sender="Theke",
                )
        if tenant.notification_address:
            stamp = endpoint.disabled_at.isoformat() if endpoint.disabled_at else ""
            queue_message(
                tenant,
                channel=Channel.EMAIL,
                purpose=NOTICE_PURPOSE,
                recipient=tenant.notification_address,
                dedupe_key=f"webhook-disabled:{endpoint.pk}:{stamp}",
                subject=subject,
                text=f"{body}\n\n{settings.BASE_URL}{_detail_url(endpoint)}\n",
                related=endpoint,
            )


# --- deliveries -------------------------------------------------------------------------------


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=TimestampJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def event_body(event: FeedEvent) -> str:
    """The JSON a webhook carries: type, timestamp and the event as GET /events shows it."""
    return _json(
        {
            "type": event.type,
            "timestamp": format_timestamp(event.created_at),
            "data": {
                "id": event_id(event),
                "type": event.type,
                "subject_type": event.subject_type,
                "external_id": event.external_id,
                "payload": event.payload,
                "created_at": format_timestamp(event.created_at),
            },
        }
    )


def new_webhook_id() -> str:
    """The `webhook-id` of one delivery: random, kept by every retry and redelivery."""
    return "msg_" + secrets.token_urlsafe(16)


def _queue(
    endpoint: WebhookEndpoint, *, purpose: str, event_type: str, body: str, dedupe_key: str
) -> OutboundMessage:
    return queue_message(
        endpoint.tenant,
        channel=Channel.WEBHOOK,
        purpose=purpose,
        recipient=endpoint.url,
        recipient_name=endpoint.description,
        dedupe_key=dedupe_key,
        subject=event_type,
        text=body,
        related=endpoint,
        headers={"webhook-id": new_webhook_id()},
    )


def queue_event_deliveries(event: FeedEvent) -> None:
    """EVENT_LISTENERS entry: one delivery per active endpoint that wants this event type.

    Runs inside the transaction that wrote the event, so both commit or neither does."""
    deliveries_for_event(event)


def deliveries_for_event(event: FeedEvent) -> list[OutboundMessage]:
    """Queue the event's deliveries (see queue_event_deliveries); returns the messages."""
    endpoints = WebhookEndpoint.objects.filter(tenant_id=event.tenant_id, is_active=True)
    wanted = [endpoint for endpoint in endpoints if endpoint.accepts(event.type)]
    if not wanted:
        return []
    body = event_body(event)
    queued = []
    for endpoint in wanted:
        endpoint.tenant = event.tenant
        queued.append(
            _queue(
                endpoint,
                purpose=EVENT_PURPOSE,
                event_type=event.type,
                body=body,
                dedupe_key=f"webhook:{event.pk}:{endpoint.pk}",
            )
        )
    return queued


def send_test(endpoint: WebhookEndpoint, actor: Actor) -> OutboundMessage:
    """Queue a `webhook.test` event to this endpoint only (also while it is disabled)."""
    token = secrets.token_hex(8)
    now = timezone.now()
    body = _json(
        {
            "type": TEST_EVENT_TYPE,
            "timestamp": format_timestamp(now),
            "data": {
                "id": f"evt_test_{token}",
                "type": TEST_EVENT_TYPE,
                "subject_type": "webhook_endpoint",
                "external_id": "",
                "payload": {"message": "Test event from Theke"},
                "created_at": format_timestamp(now),
            },
        }
    )
    with transaction.atomic():
        message = _queue(
            endpoint,
            purpose=TEST_PURPOSE,
            event_type=TEST_EVENT_TYPE,
            body=body,
            dedupe_key=f"webhook-test:{endpoint.pk}:{token}",
        )
        record(endpoint.tenant, actor, "webhook.test_sent", endpoint, {"label": endpoint.url})
    return message


def endpoint_of(message: OutboundMessage) -> WebhookEndpoint | None:
    """The endpoint a webhook message is for (None when it was deleted)."""
    if message.content_type_id != ContentType.objects.get_for_model(WebhookEndpoint).pk:
        return None
    if not message.object_id.isdigit():
        return None
    return (
        WebhookEndpoint.objects.select_related("tenant")
        .filter(pk=int(message.object_id), tenant_id=message.tenant_id)
        .first()
    )


def redeliver(message: OutboundMessage, actor: Actor) -> OutboundMessage:
    """Send a delivery again (same row, same webhook-id, fresh attempts)."""
    endpoint = endpoint_of(message)
    if endpoint is None or message.channel != Channel.WEBHOOK:
        raise ServiceError(_("Diese Zustellung gehört zu keinem Webhook-Endpunkt mehr."))
    if not endpoint.is_active and message.purpose != TEST_PURPOSE:
        raise ServiceError(
            _("Der Endpunkt ist deaktiviert. Aktivieren Sie ihn, bevor Sie erneut senden.")
        )
    try:
        return delivery.resend(message, actor)
    except delivery.DeliveryError as error:
        raise ServiceError(str(error)) from error


def record_attempt(
    endpoint: WebhookEndpoint,
    message: OutboundMessage,
    *,
    url: str,
    attempted_at: datetime,
    duration_ms: int,
    response_status: int | None,
    response_body: str,
    error: str,
) -> WebhookAttempt:
    return WebhookAttempt.objects.create(
        tenant_id=message.tenant_id,
        message=message,
        endpoint=endpoint,
        url=url[:2000],
        attempted_at=attempted_at,
        duration_ms=max(0, duration_ms),
        response_status=response_status,
        response_body=response_body,
        error=error[:2000],
    )


def after_attempt(
    endpoint: WebhookEndpoint,
    message: OutboundMessage,
    *,
    succeeded: bool,
    error: str = "",
    disable_reason: str = "",
) -> bool:
    """Keep the endpoint's failure streak and disable it when it must; True if disabled."""
    now = timezone.now()
    rows = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if succeeded:
        rows.update(failure_count=0, failing_since=None, last_success_at=now)
        return False
    rows.update(
        failure_count=F("failure_count") + 1,
        failing_since=Coalesce(F("failing_since"), Value(now, output_field=models.DateTimeField())),
        last_failure_at=now,
    )
    if disable_reason:
        return disable_endpoint(endpoint, SYSTEM, disable_reason, error)
    if message.attempts < message.max_attempts:
        return False
    last_success = rows.values_list("last_success_at", flat=True).first()
    if last_success is None or last_success < message.created_at:
        return disable_endpoint(endpoint, SYSTEM, DisableReason.FAILING, error)
    return False


# Audit action code -> label, registered by ApiConfig.ready().
ACTION_LABELS: dict[str, Promise] = {
    "webhook.created": gettext_lazy("Webhook-Endpunkt angelegt"),
    "webhook.updated": gettext_lazy("Webhook-Endpunkt geändert"),
    "webhook.secret_rotated": gettext_lazy("Signaturschlüssel des Webhooks erneuert"),
    "webhook.disabled": gettext_lazy("Webhook-Endpunkt deaktiviert"),
    "webhook.enabled": gettext_lazy("Webhook-Endpunkt aktiviert"),
    "webhook.test_sent": gettext_lazy("Testereignis an Webhook gesendet"),
}
