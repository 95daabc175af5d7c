"""Forms of the quote request pages. They read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from theke.customers.models import Location
from theke.messaging.conversation_forms import AttachmentsForm, ReplyForm
from theke.portal.services.quotes import MAX_DESCRIPTION, MAX_SUBJECT

NEW = "new"


class QuoteRequestForm(AttachmentsForm):
    subject = forms.CharField(label=_("Betreff"), max_length=MAX_SUBJECT)
    description = forms.CharField(
        label=_("Beschreibung"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Was benötigen Sie, ab wann, wie oft, welche Abfallart und Menge?"),
    )
    location = forms.ChoiceField(label=_("Lieferort"))
    new_name = forms.CharField(label=_("Bezeichnung"), required=False, max_length=200)
    new_street = forms.CharField(label=_("Straße und Hausnummer"), required=False, max_length=200)
    new_postal_code = forms.CharField(label=_("PLZ"), required=False, max_length=12)
    new_city = forms.CharField(label=_("Ort"), required=False, max_length=100)
    new_access_notes = forms.CharField(
        label=_("Zufahrtshinweise"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = [
        "subject",
        "description",
        "location",
        "new_name",
        "new_street",
        "new_postal_code",
        "new_city",
        "new_access_notes",
        "attachments",
    ]

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(location.pk): location for location in locations}
        choices = [(pk, str(location)) for pk, location in self.locations.items()]
        self.fields["location"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *choices,
            (NEW, _("Neuer Lieferort …")),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("location") == NEW:
            for field, message in (
                ("new_street", _("Bitte geben Sie Straße und Hausnummer an.")),
                ("new_postal_code", _("Bitte geben Sie die Postleitzahl an.")),
                ("new_city", _("Bitte geben Sie den Ort an.")),
            ):
                if not (cleaned.get(field) or "").strip():
                    self.add_error(field, message)
        return cleaned

    def chosen_location(self) -> Location | None:
        return self.locations.get(self.cleaned_data.get("location") or "")

    def new_location_values(self) -> dict[str, str] | None:
        if self.cleaned_data.get("location") != NEW:
            return None
        return {
            name: self.cleaned_data.get(f"new_{name}") or ""
            for name in ("name", "street", "postal_code", "city", "access_notes")
        }


class QuoteReplyForm(ReplyForm):
    """The customer's answer in the conversation (text and/or attachments)."""
