"""Staff views: the tenant's conversations, one thread page, attachment downloads.

`thread_context` and the partial `messaging/_conversation.html` let an object page (an
estimate, an appointment) show and answer its own thread:

    conversation = conversation_for(estimate, tenant=..., customer=..., subject=...)
    context.update(thread_context(request, conversation, next_url=request.path))
    {% include "messaging/_conversation.html" %}
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from theke.core.auth import staff_required
from theke.core.errors import ServiceError
from theke.core.panels import Tile
from theke.messaging.conversation_forms import ReplyForm
from theke.messaging.models import (
    Conversation,
    ConversationAttachment,
    ConversationMessage,
    ConversationReadState,
    InboundEmail,
    InboundStatus,
)
from theke.messaging.services import conversations as service

PAGE_SIZE = 25


def _safe_next(request: HttpRequest, url: str) -> str:
    ok = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and ok else ""


def thread_context(
    request: HttpRequest,
    conversation: Conversation,
    *,
    form: ReplyForm | None = None,
    next_url: str = "",
    unread_since: Any = None,
) -> dict[str, Any]:
    """Everything `messaging/_conversation.html` needs to show and answer a thread."""
    thread = (
        ConversationMessage.objects.filter(conversation=conversation)
        .select_related("author_user", "author_contact", "inbound_email")
        .prefetch_related(
            Prefetch("attachments", queryset=ConversationAttachment.objects.order_by("id"))
        )
    )
    contact = service.customer_contact(conversation)
    return {
        "conversation": conversation,
        "thread_messages": list(thread),
        "reply_form": form or ReplyForm(initial={"next": next_url}),
        "reply_contact": contact,
        "reply_address": service.reply_address(conversation),
        "unread_since": unread_since,
    }


def quarantine_count(request: HttpRequest) -> int | None:
    """For the tab of the quarantine: how many mails wait there (None: not the user's job)."""
    if not request.user.has_perm("messaging.manage_quarantine"):
        return None
    return InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).count()


def unread_conversations_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: conversations with messages this user has not read."""
    if not request.user.has_perm("messaging.use_conversations"):
        return None
    threads = service.with_unread(Conversation.objects.all(), request.user)
    unread = threads.filter(**{"unread__gt": 0})  # an annotation mypy cannot see
    return Tile(
        label=_("Ungelesene Unterhaltungen"),
        count=unread.count(),
        url=f"{reverse('messaging:conversation_list')}?unread=1",
        hint=_("Nachrichten von Kunden"),
    )


def quarantine_tile(request: HttpRequest) -> Tile | None:
    """Start-page tile: inbound e-mails no conversation could take."""
    count = quarantine_count(request)
    if count is None:
        return None
    return Tile(
        label=_("E-Mails in Quarantäne"),
        count=count,
        url=reverse("messaging:quarantine"),
        hint=_("Keiner Unterhaltung zugeordnet"),
    )


@staff_required("messaging.use_conversations")
def conversation_list(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    threads = service.with_unread(
        Conversation.objects.select_related("customer"), request.user
    ).order_by(F("last_message_at").desc(nulls_last=True), "-id")
    if only_unread:
        threads = threads.filter(**{"unread__gt": 0})
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "threads": page.object_list,
        "only_unread": only_unread,
        "quarantined": quarantine_count(request),
    }
    return render(request, "messaging/staff/conversation_list.html", context)


@staff_required("messaging.use_conversations")
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        Conversation.objects.select_related("customer", "tenant"), pk=pk
    )
    form = ReplyForm(request.POST or None, request.FILES or None)
    unread_since = None
    if request.method == "POST":
        if form.is_valid():
            try:
                message = service.post_staff_message(
                    conversation,
                    request.user,
                    form.cleaned_data["body"],
                    form.attachment_list(),
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error)
            else:
                messages.success(request, _("Ihre Nachricht wurde gespeichert."))
                target = _safe_next(request, form.cleaned_data.get("next") or "")
                return redirect(
                    target
                    or f"{reverse('messaging:conversation_detail', args=[pk])}#message-{message.pk}"
                )
    else:
        state = ConversationReadState.objects.filter(
            conversation=conversation, user_id=cast(int, request.user.pk)
        ).first()
        unread_since = state.last_read_at if state else service.EPOCH
        service.mark_conversation_read(conversation, user=request.user)
    context = thread_context(request, conversation, form=form, unread_since=unread_since)
    context["related_url"] = _related_url(conversation)
    return render(request, "messaging/staff/conversation_detail.html", context)


def _related_url(conversation: Conversation) -> str:
    related = conversation.related if conversation.content_type_id else None
    get_url = getattr(related, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


@staff_required("messaging.use_conversations")
def conversation_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download a thread's file: only for the tenant's staff, never shown inline."""
    attachment = get_object_or_404(
        ConversationAttachment.objects, pk=attachment_pk, message__conversation_id=pk
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("conversations/", conversation_list, name="conversation_list"),
    path("conversations/<int:pk>/", conversation_detail, name="conversation_detail"),
    path(
        "conversations/<int:pk>/files/<int:attachment_pk>/",
        conversation_attachment,
        name="conversation_attachment",
    ),
]
