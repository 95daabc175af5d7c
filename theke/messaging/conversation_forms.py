"""Staff forms of conversations and the quarantine. They read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from theke.core.errors import ServiceError
from theke.customers.forms import style_fields
from theke.messaging.models import Conversation
from theke.messaging.services.conversations import (
    ALLOWED_TYPES,
    MAX_ATTACHMENTS,
    MAX_BODY,
    check_attachment,
)
from theke.messaging.services.outbox import Attachment

RECENT_CONVERSATIONS = 200


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [cleaned for item in items if item and (cleaned := single(item, initial))]


class AttachmentsForm(forms.Form):
    """A form with files to attach (a reply, a portal's quote request): their number, type and
    size are checked before anything is read into memory."""

    attachments = MultipleFileField(
        label=_("Anhänge"),
        required=False,
        help_text=_("Bilder, PDF-, Text- und Office-Dateien."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["attachments"].widget.attrs["accept"] = ",".join(ALLOWED_TYPES)

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("Bitte hängen Sie höchstens %(count)d Dateien an."),
                params={"count": MAX_ATTACHMENTS},
            )
        for upload in files:  # checked before anything is read into memory
            try:
                check_attachment(upload.name or "", upload.content_type or "", upload.size or 0)
            except ServiceError as error:
                raise forms.ValidationError(error.messages) from error
        return files

    def attachment_list(self) -> list[Attachment]:
        return [
            Attachment(upload.name or "", upload.read(), upload.content_type or "")
            for upload in self.cleaned_data.get("attachments") or []
        ]


class ReplyForm(AttachmentsForm):
    body = forms.CharField(
        label=_("Nachricht"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field_order = ["body", "attachments", "next"]
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        empty = not (cleaned.get("body") or "").strip() and not cleaned.get("attachments")
        if empty and not self.has_error("attachments"):
            self.add_error("body", _("Bitte schreiben Sie eine Nachricht."))
        return cleaned


class AssignForm(forms.Form):
    """Pick the thread a quarantined mail belongs to (the most recent threads are offered)."""

    conversation = forms.TypedChoiceField(label=_("Unterhaltung"), coerce=int)

    def __init__(self, *args: Any, suggested: Conversation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recent = list(
            Conversation.objects.select_related("customer").order_by("-last_message_at", "-id")[
                :RECENT_CONVERSATIONS
            ]
        )
        if suggested is not None and suggested not in recent:
            recent.insert(0, suggested)
        field = self.fields["conversation"]
        field.choices = [("", "—")] + [(c.pk, self.label_for(c)) for c in recent]  # type: ignore[attr-defined]
        if suggested is not None:
            self.initial.setdefault("conversation", suggested.pk)
        style_fields(self)

    @staticmethod
    def label_for(conversation: Conversation) -> str:
        parts = [conversation.subject]
        if conversation.customer is not None:
            parts.append(str(conversation.customer))
        if conversation.object_label:
            parts.append(conversation.object_label)
        return " · ".join(dict.fromkeys(parts))

    def clean_conversation(self) -> Conversation:
        conversation = Conversation.objects.filter(pk=self.cleaned_data["conversation"]).first()
        if conversation is None:
            raise forms.ValidationError(_("Bitte wählen Sie eine Unterhaltung aus."))
        return conversation
