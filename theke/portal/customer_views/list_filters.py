"""The filter bars of the portal's lists (orders, invoices, quotes, quote requests): one GET
form each, whose valid fields narrow the rows; an invalid field shows its message next to it
and filters nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import DateField, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from theke.customers.models import ContainerOrderKind, Location
from theke.orders.models import Invoice, InvoiceStatus, Order, OrderStatus, Quote, QuoteStatus
from theke.portal.models import QuoteRequest, QuoteRequestStatus

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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

    def __init__(self, data: Any, locations: QuerySet[Location]) -> None:
        super().__init__(data)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["status"].choices = ANY + list(OrderStatus.choices)  # type: ignore[attr-defined]
        self.fields["kind"].choices = ANY + list(ContainerOrderKind.choices)  # type: ignore[attr-defined]

    def apply(self, rows: QuerySet[Order]) -> QuerySet[Order]:
        """The rows this form asks for: filtered, searched, sorted."""
        rows = rows.annotate(
            day=Coalesce(
                "planned_date", "wish_date", TruncDate("created_at"), output_field=DateField()
            )
        )
        if status := self.value("status"):
            rows = rows.filter(status=status)
        if kind := self.value("kind"):
            rows = rows.filter(kind=kind)
        if location := self.value("location"):
            rows = rows.filter(location=location)
        if start := self.value("date_from"):
            rows = rows.filter(day__gte=start)
        if end := self.value("date_to"):
            rows = rows.filter(day__lte=end)
        if text := self.value("q"):
            rows = rows.filter(
                Q(number__icontains=text)
                | Q(title__icontains=text)
                | Q(location__name__icontains=text)
                | Q(location__street__icontains=text)
                | Q(location__city__icontains=text)
            )
        return rows.order_by(*self.ordering())


class InvoiceFilter(_ListForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY)
    sort = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[
            ("-date", _("Datum, neueste zuerst")),
            ("date", _("Datum, älteste zuerst")),
            ("-number", _("Nummer, absteigend")),
            ("number", _("Nummer, aufsteigend")),
            ("due", _("Fälligkeit")),
        ],
    )
    sorts = {
        "-date": ("-issue_date", "-id"),
        "date": ("issue_date", "id"),
        "-number": ("-number", "-id"),
        "number": ("number", "id"),
        "due": ("due_date", "id"),
    }

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.fields["status"].choices = ANY + list(InvoiceStatus.choices)  # type: ignore[attr-defined]

    def apply(self, rows: QuerySet[Invoice]) -> QuerySet[Invoice]:
        if status := self.value("status"):
            rows = rows.filter(status=status)
        if start := self.value("date_from"):
            rows = rows.filter(issue_date__gte=start)
        if end := self.value("date_to"):
            rows = rows.filter(issue_date__lte=end)
        if text := self.value("q"):
            rows = rows.filter(number__icontains=text)
        return rows.order_by(*self.ordering())


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
        choices=[
            ("-date", _("Datum, neueste zuerst")),
            ("date", _("Datum, älteste zuerst")),
            ("-number", _("Nummer, absteigend")),
            ("number", _("Nummer, aufsteigend")),
            ("valid", _("Gültig bis")),
        ],
    )
    sorts = {
        "-date": ("-date", "-id"),
        "date": ("date", "id"),
        "-number": ("-number", "-id"),
        "number": ("number", "id"),
        "valid": ("valid_until", "id"),
    }

    def __init__(self, data: Any, tab: str) -> None:
        super().__init__(data, tab)
        self.fields["status"].choices = ANY + list(QuoteStatus.choices)  # type: ignore[attr-defined]

    def apply(self, rows: QuerySet[Quote]) -> QuerySet[Quote]:
        if status := self.value("status"):
            rows = rows.filter(status=status)
        if start := self.value("date_from"):
            rows = rows.filter(date__gte=start)
        if end := self.value("date_to"):
            rows = rows.filter(date__lte=end)
        if text := self.value("q"):
            rows = rows.filter(
                Q(number__icontains=text)
                | Q(title__icontains=text)
                | Q(location__name__icontains=text)
                | Q(location__city__icontains=text)
            )
        return rows.order_by(*self.ordering())


class QuoteRequestFilter(_TabbedListForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY)
    sort = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[
            ("-date", _("Datum, neueste zuerst")),
            ("date", _("Datum, älteste zuerst")),
            ("-number", _("Nummer, absteigend")),
            ("number", _("Nummer, aufsteigend")),
        ],
    )
    sorts = {
        "-date": ("-created_at", "-id"),
        "date": ("created_at", "id"),
        "-number": ("-number", "-id"),
        "number": ("number", "id"),
    }

    def __init__(self, data: Any, tab: str) -> None:
        super().__init__(data, tab)
        self.fields["status"].choices = ANY + list(QuoteRequestStatus.choices)  # type: ignore[attr-defined]

    def apply(self, rows: QuerySet[QuoteRequest]) -> QuerySet[QuoteRequest]:
        if status := self.value("status"):
            rows = rows.filter(status=status)
        if start := self.value("date_from"):
            rows = rows.filter(created_at__date__gte=start)
        if end := self.value("date_to"):
            rows = rows.filter(created_at__date__lte=end)
        if text := self.value("q"):
            rows = rows.filter(
                Q(number__icontains=text)
                | Q(subject__icontains=text)
                | Q(description__icontains=text)
            )
        return rows.order_by(*self.ordering())
