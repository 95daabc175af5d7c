"""The customer's appointment page behind its customer link (/termin/<token>/, seed 002).

(Built out by the customer-page work: details, proposal choice, ICS, cancel, other time,
reminder preference, "Meine Termine".)
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def page(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
