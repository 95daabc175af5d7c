"""The job's Parkplatz page behind its customer link (built by the customer-side work)."""

from django.http import Http404, HttpRequest, HttpResponse


def page(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
