"""Not built yet: each view answers 404 until its part of the portal is built."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def consent(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def introduction(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def users(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def user_invite(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def user_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def user_resend(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def invitation(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
