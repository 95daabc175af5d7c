"""Our 403 and 404 pages also with DEBUG on (`make run`); no-store on private pages.

ErrorPageMiddleware: our 403 and 404 pages also with DEBUG on (`make run`).

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
from django.utils.cache import patch_cache_control

from theke.core.token_pages import is_token_path
from theke.core.views import error_page

# Pages only staff see (the admin included): never kept by a browser or a proxy.
STAFF_PATH_PREFIXES = ("/staff/", "/admin/")


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


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on staff pages and pages behind a customer link.

    What they show is personal (and behind a link, the link is the key): neither the browser's
    history cache on a shared computer nor a proxy may keep it. Error pages there too. A
    response that chose its own Cache-Control keeps it (a photo the browser may keep,
    privately). Static files never get here: WhiteNoise answers them further out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and (
            request.path.startswith(STAFF_PATH_PREFIXES) or is_token_path(request.path)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
