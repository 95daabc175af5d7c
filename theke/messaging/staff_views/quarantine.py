"""Staff views: the tenant's quarantine of inbound e-mail (assign to a thread or discard)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from theke.audit.services import Actor
from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.messaging.conversation_forms import AssignForm
from theke.messaging.models import InboundEmail, InboundStatus
from theke.messaging.services import inbound as service

PAGE_SIZE = 25
PERMISSION = "messaging.manage_quarantine"


@staff_required(PERMISSION)
def quarantine(request: HttpRequest) -> HttpResponse:
    rows = InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).order_by(
        "-received_at", "-id"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "messaging/staff/quarantine.html", {"page": page, "rows": page.object_list}
    )


def _detail(
    request: HttpRequest, row: InboundEmail, form: AssignForm | None = None
) -> HttpResponse:
    mail, error = service.preview(row)
    context = {
        "row": row,
        "mail": mail,
        "parse_error": error,
        "form": form or AssignForm(suggested=row.conversation),
        "is_quarantined": row.status == InboundStatus.QUARANTINED,
    }
    return render(request, "messaging/staff/quarantine_detail.html", context)


@staff_required(PERMISSION)
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(InboundEmail.objects.select_related("conversation"), pk=pk)
    return _detail(request, row)


@require_POST
@staff_required(PERMISSION)
def quarantine_assign(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(InboundEmail.objects.select_related("conversation"), pk=pk)
    form = AssignForm(request.POST, suggested=row.conversation)
    if form.is_valid():
        conversation = form.cleaned_data["conversation"]
        try:
            service.assign_to_conversation(row, conversation, Actor.staff(request.user))
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error)
        else:
            messages.success(request, _("Die E-Mail wurde der Unterhaltung zugeordnet."))
            return redirect("messaging:conversation_detail", pk=conversation.pk)
    return _detail(request, row, form)


@require_POST
@staff_required(PERMISSION)
def quarantine_discard(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(InboundEmail.objects, pk=pk)
    try:
        service.discard(row, Actor.staff(request.user))
    except ServiceError as error:
        messages.error(request, error.messages[0])
        return redirect("messaging:quarantine_detail", pk=row.pk)
    messages.success(request, _("Die E-Mail wurde verworfen."))
    return redirect("messaging:quarantine")


@staff_required(PERMISSION)
def quarantine_raw(request: HttpRequest, pk: int) -> FileResponse:
    """The original message as an .eml file, to open in a mail program."""
    row = get_object_or_404(InboundEmail.objects, pk=pk)
    response = FileResponse(
        row.raw.open("rb"),
        as_attachment=True,
        filename=f"email-{row.pk}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("quarantine/", quarantine, name="quarantine"),
    path("quarantine/<int:pk>/", quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/assign/", quarantine_assign, name="quarantine_assign"),
    path("quarantine/<int:pk>/discard/", quarantine_discard, name="quarantine_discard"),
    path("quarantine/<int:pk>/original/", quarantine_raw, name="quarantine_raw"),
]
