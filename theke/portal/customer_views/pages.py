"""Not built yet: each view answers 404 until its part of the portal is built."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def dashboard(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def manifest(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def app_icon(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def orders(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def order(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def invoices(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def invoice_pdf(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def locations(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def location(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
