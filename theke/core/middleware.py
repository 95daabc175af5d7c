"""Our 403 and 404 pages also with DEBUG on (`make run`).

With DEBUG, Django answers an unknown URL or a raised Http404 with its English technical page
instead of `handler404`; developers and testers would never see what users see. This
middleware renders theke.core.views.error_page for both, with DEBUG on or off. Developers who
want Django's technical 404 page (which URL patterns were tried) set
THEKE_TECHNICAL_ERROR_PAGES=true. The API (/api/) keeps its problem documents.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from theke.core.views import error_page


def _ours(request: HttpRequest) -> bool:
    return not request.path.startswith("/api/") and not settings.TECHNICAL_ERROR_PAGES


class ErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No URL matched (no resolver_match): with DEBUG the response is the technical page.
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and _ours(request)
        ):
            return error_page(request, 404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view raised Http404 or PermissionDenied: our page, whatever DEBUG says."""
        if not _ours(request):
            return None
        if isinstance(exception, Http404):
            return error_page(request, 404)
        if isinstance(exception, PermissionDenied):
            return error_page(request, 403)
        return None
