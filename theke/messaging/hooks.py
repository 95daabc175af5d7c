"""Endpoints called by providers, not people: no login, a shared secret in the URL."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from theke.messaging.services import delivery

MAX_BODY_BYTES = 64 * 1024


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    """An RFC 9457 problem document."""
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest, secret: str) -> HttpResponse:
    """The SMS gateway reports a delivery status: {"id": "<provider id>", "status": "…"}."""
    expected = settings.SMS_CALLBACK_SECRET
    if not expected or not constant_time_compare(secret, expected):
        raise Http404
    if len(request.body) > MAX_BODY_BYTES:
        return _problem(413, "Payload too large", "The body must be at most 64 KiB.")
    try:
        payload: Any = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _problem(400, "Invalid JSON", "The body must be a JSON object.")
    if not isinstance(payload, dict):
        return _problem(400, "Invalid JSON", "The body must be a JSON object.")
    provider_id, status = payload.get("id"), payload.get("status")
    if not isinstance(provider_id, str | int) or not isinstance(status, str) or not status:
        return _problem(
            400, "Missing fields", 'Expected {"id": "<message id>", "status": "<status>"}.'
        )
    message = delivery.record_delivery_status(str(provider_id), status)
    if message is None:
        return _problem(404, "Unknown message", "No SMS with this id was sent from here.")
    return JsonResponse({"id": message.provider_id, "status": message.delivery_status})
