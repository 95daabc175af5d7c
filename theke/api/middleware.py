"""Authenticate API keys for /api/ requests and run the whole request in the key's tenant scope.

Doing this in a middleware (instead of inside ninja's auth callable) keeps the scope active
for the view, ninja's response serialization (lazy querysets) and the exception handlers.
ninja's `ApiKeyAuth` then only reads `request.api_key`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from theke.api.services import authenticate
from theke.tenants.scoping import tenant_scope

API_PREFIX = "/api/"


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class ApiKeyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_key = None  # type: ignore[attr-defined]
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        token = bearer_token(request)
        key = authenticate(token) if token else None
        if key is None:
            return self.get_response(request)
        request.api_key = key  # type: ignore[attr-defined]
        with tenant_scope(key.tenant):
            return self.get_response(request)
