"""Not built yet: each view answers 404 until its part of the portal is built."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def shop(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def container_order(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
