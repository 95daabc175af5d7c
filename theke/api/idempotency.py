"""Idempotency-Key for POST operations, with Stripe's semantics.

A POST that carries `Idempotency-Key: <key>` is run once per tenant and key:

* same key, same method, path and body  -> the stored response, with `Idempotent-Replayed: true`
* same key, other method, path or body  -> 422 problem
* same key while the first is running   -> 409 problem
* a first run that ends in a 5xx or 409 is forgotten, so the client may retry with the same key.

A multipart body (an upload) counts as the same body when its fields and files are the same:
its raw bytes are not compared, because clients pick a new random boundary for every try.

Records are kept for at least `RETENTION` (24 h); `manage.py api_cleanup_idempotency`
deletes older ones. Routers mark every POST operation with the decorator, below the
route decorator::

    from theke.api.idempotency import idempotent

    @router.post("/orders/bulk", response=BulkResult)
    @idempotent
    def bulk_orders(request, payload: OrdersIn): ...

It wraps ninja's whole operation (via `decorate_view`), so the stored response is the final
HTTP response, after serialization. The tenant comes from the API key that
`ApiKeyMiddleware` put on the request; without a key the call passes through to ninja's
authentication (401).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja.decorators import decorate_view

from theke.api.errors import problem, problem_response
from theke.api.models import IdempotencyRecord
from theke.tenants.scoping import scopes_disabled

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255
STORED_HEADERS = ("Content-Type", "Location")


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    if request.content_type == "multipart/form-data":
        digest.update(_multipart_fingerprint(request))
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _multipart_fingerprint(request: HttpRequest) -> bytes:
    """The fields and files of a multipart body. Its raw bytes differ on every retry (clients
    pick a random boundary), and an upload may be larger than what `request.body` holds."""
    parts: list[list[str]] = [
        ["field", name, value]
        for name in sorted(request.POST)
        for value in request.POST.getlist(name)
    ]
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            parts.append(["file", name, upload.name or "", content.hexdigest()])
    return json.dumps(parts).encode()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.response_status or 200)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAY_HEADER] = "true"
    return response


def _with_idempotency(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        api_key = getattr(request, "api_key", None)
        if request.method != "POST" or key is None or api_key is None:
            return run(request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH:
            detail = f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters long."
            return problem_response(problem(400, detail))
        try:
            request_hash = _request_hash(request)
        except (RequestDataTooBig, MultiPartParserError, SuspiciousOperation):
            return run(request, *args, **kwargs)  # ninja answers with a problem
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    tenant=api_key.tenant,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=request_hash,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(key=key)
            if existing.request_hash != request_hash:
                detail = f"This {HEADER} was already used for a different request."
                return problem_response(problem(422, detail))
            if existing.status == IdempotencyRecord.Status.IN_PROGRESS:
                detail = f"A request with this {HEADER} is still being processed."
                return problem_response(problem(409, detail))
            return _replay(existing)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        # 5xx and 409 (a concurrent write won) say "try again": the retry must really run.
        if response.status_code >= 500 or response.status_code == 409:
            record.delete()
            return response
        if getattr(response, "streaming", False):
            record.delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=IdempotencyRecord.Status.DONE,
            response_status=response.status_code,
            response_body=response.content,  # type: ignore[attr-defined]
            response_headers={h: response[h] for h in STORED_HEADERS if h in response},
        )
        return response

    return wrapped


idempotent = decorate_view(_with_idempotency)


def cleanup_idempotency_records(older_than: timedelta = RETENTION) -> int:
    """Delete records older than the retention period (all tenants); returns the count."""
    with scopes_disabled():
        deleted, _ = IdempotencyRecord.objects.filter(
            created_at__lt=timezone.now() - older_than
        ).delete()
    return deleted
