"""Not built yet: each view answers 404 until its part of the portal is built."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def requests(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
