"""Not built yet: each view answers 404 until its part of the portal is built."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def customer_portal(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def activate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def deactivate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def invite(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def user_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def resend(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def portal_settings(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
