"""The filter bars of the portal's lists (orders, invoices, quotes, quote requests): one GET
form each, whose valid fields narrow the rows; an invalid field shows its message next to it
and filters nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import DateField, Model, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from theke.customers.models import ContainerOrderKind, Location
from theke.orders.models import InvoiceStatus, OrderStatus, QuoteStatus
from theke.portal.models import QuoteRequestStatus

ANY = [("", _("Alle"))]


class _ListForm(forms.Form):
    q = forms.CharField(label=_("Suche"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("Von"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Bis"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sorts: dict[str, tuple[str, ...]] = {}
    # What the shared `apply` filters on: the status choices (None: no status field), the date
    # the range applies to, the fields the search looks in.
    statuses: list[tuple[str, Any]] | None = None
    date_field = ""
    search_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.statuses is not None:
            self.fields["status"].choices = ANY + self.statuses  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-error"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Das Ende liegt vor dem Anfang."))
        return data

    def value(self, name: str) -> Any:
        """A valid field's value (an invalid or missing one filters nothing)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    def ordering(self) -> tuple[str, ...]:
        return self.sorts.get(self.value("sort") or "", next(iter(self.sorts.values())))

    def apply[M: Model](self, rows: QuerySet[M]) -> QuerySet[M]:
        """The rows this form asks for: filtered, searched, sorted."""
        if status := self.value("status"):
            rows = rows.filter(status=status)
        if start := self.value("date_from"):
            rows = rows.filter(**{f"{self.date_field}__gte": start})
        if end := self.value("date_to"):
            rows = rows.filter(**{f"{self.date_field}__lte": end})
        if (text := self.value("q")) and self.search_fields:
            matches = Q()
            for field in self.search_fields:
                matches |= Q(**{f"{field}__icontains": text})
            rows = rows.filter(matches)
        return rows.order_by(*self.ordering())

    @property
    def active(self) -> bool:
        """Any filter or search set (the list says "nothing found" rather than "nothing yet")."""
        return any(self.value(name) for name in self.fields if name not in ("sort", "tab"))


class OrderFilter(_ListForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY)
    kind = forms.ChoiceField(label=_("Auftragsart"), required=False, choices=ANY)
    location = forms.ModelChoiceField(
        label=_("Standort"), required=False, queryset=Location.objects.none(), empty_label=_("Alle")
    )
    sort = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[
            ("-date", _("Datum, neueste zuerst")),
            ("date", _("Datum, älteste zuerst")),
            ("-number", _("Nummer, absteigend")),
            ("number", _("Nummer, aufsteigend")),
            ("status", _("Status")),
        ],
    )
    sorts = {
        "-date": ("-day", "-id"),
        "date": ("day", "id"),
        "-number": ("-number", "-id"),
        "number": ("number", "id"),
        "status": ("status", "-day", "-id"),
    }
    statuses = list(OrderStatus.choices)
    date_field = "day"
    search_fields = (
        "number",
        "title",
        "location__name",
        "location__street",
        "location__city",
    )

    def __init__(self, data: Any, locations: QuerySet[Location]) -> None:
        super().__init__(data)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["kind"].choices = ANY + list(ContainerOrderKind.choices)  # type: ignore[attr-defined]

    def apply[M: Model](self, rows: QuerySet[M]) -> QuerySet[M]:
        """The order's day: planned, else wished, else the day it was ordered."""
        day = Coalesce(
            "planned_date", "wish_date", TruncDate("created_at"), output_field=DateField()
        )
        rows = rows.annotate(day=day)  # type: ignore[assignment]  # stubs lose M in annotate
        if kind := self.value("kind"):
            rows = rows.filter(kind=kind)
        if location := self.value("location"):
            rows = rows.filter(location=location)
        return super().apply(rows)


_DATE_SORTS = [
    ("-date", _("Datum, neueste zuerst")),
    ("date", _("Datum, älteste zuerst")),
    ("-number", _("Nummer, absteigend")),
    ("number", _("Nummer, aufsteigend")),
]


class InvoiceFilter(_ListForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY)
    sort = forms.ChoiceField(
        label=_("Sortierung"), required=False, choices=[*_DATE_SORTS, ("due", _("Fälligkeit"))]
    )
    sorts = {
        "-date": ("-issue_date", "-id"),
        "date": ("issue_date", "id"),
        "-number": ("-number", "-id"),
        "number": ("number", "id"),
        "due": ("due_date", "id"),
    }
    statuses = list(InvoiceStatus.choices)
    date_field = "issue_date"
    search_fields = ("number",)


class _TabbedListForm(_ListForm):
    """A list on a tab of its page: the tab rides along as a hidden field."""

    tab = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, tab: str) -> None:
        data = data.copy()
        data["tab"] = tab
        super().__init__(data)


class QuoteFilter(_TabbedListForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY)
    sort = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[*_DATE_SORTS, ("valid", _("Gültig bis"))],
    )
    sorts = {
        "-date": ("-date", "-id"),
        "date": ("date", "id"),
        "-number": ("-number", "-id"),
        "number": ("number", "id"),
        "valid": ("valid_until", "id"),
    }
    statuses = list(QuoteStatus.choices)
    date_field = "date"
    search_fields = ("number", "title", "location__name", "location__city")


class QuoteRequestFilter(_TabbedListForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY)
    sort = forms.ChoiceField(label=_("Sortierung"), required=False, choices=_DATE_SORTS)
    sorts = {
        "-date": ("-created_at", "-id"),
        "date": ("created_at", "id"),
        "-number": ("-number", "-id"),
        "number": ("number", "id"),
    }
    statuses = list(QuoteRequestStatus.choices)
    date_field = "created_at__date"
    search_fields = ("number", "subject", "description")
