"""Not built yet: each view answers 404 until its part of the portal is built."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def request_new(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def request_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def attachment(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def quotes(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def quote_pdf(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
