"""Staff views: the inbox of internal notes (to the user, or to their role)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from theke.core.auth import staff_required
from theke.messaging.services import inbox as service
from theke.messaging.staff_views.conversations import quarantine_count

PAGE_SIZE = 25


def _is_local(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@staff_required()
def inbox(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    notes = service.with_read_state(
        service.visible_messages(request.user, tenant), request.user
    ).select_related("recipient_role", "branch")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "notes": page.object_list, "quarantined": quarantine_count(request)}
    return render(request, "messaging/staff/inbox.html", context)


@staff_required()
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a note marks it read, then leads to its object (or shows the note)."""
    tenant = request.tenant  # type: ignore[attr-defined]
    note = get_object_or_404(service.visible_messages(request.user, tenant), pk=pk)
    service.mark_read(note, request.user)
    url = note.url if _is_local(request, note.url) else ""
    if url and request.GET.get("show") != "1":
        return redirect(url)
    return render(request, "messaging/staff/inbox_message.html", {"note": note, "url": url})


@require_POST
@staff_required()
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = service.mark_all_read(request.user, request.tenant)  # type: ignore[attr-defined]
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d Nachricht als gelesen markiert.",
                "%(count)d Nachrichten als gelesen markiert.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Es gab keine ungelesenen Nachrichten."))
    return redirect("messaging:inbox")


urlpatterns: list[URLPattern] = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_open, name="inbox_open"),
    path("inbox/read-all/", inbox_read_all, name="inbox_read_all"),
]
