"""Staff forms of the workshop appointments (seed 002): the list's filters, "Neuen Termin
erstellen", the work items, a proposal's slots, planning and the checklist.

They only read input; the services (services/workshop/, services/appointments.py) decide.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from theke.accounts.models import User
from theke.appointments.forms import AdvisorChoiceField, tenant_staff
from theke.appointments.models import ServiceAdvisor
from theke.appointments.services.appointments import MAX_WORK_ITEMS, WorkItem
from theke.core.forms import BootstrapMixin
from theke.customers.models import Customer, Vehicle
from theke.tenants.models import Branch, Tenant

TABS = ("actions", "proposed", "planned", "finalized", "cancelled")
DEFAULT_DURATION = 60
MAX_DURATION = 24 * 60
MAX_PROPOSED_SLOTS = 3
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def advisor_choices(tenant: Tenant) -> list[tuple[str, str]]:
    """The tenant's advisors (users with an advisor row at any branch), by name."""
    rows = (
        ServiceAdvisor.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    people: dict[str, str] = {}
    for row in rows:
        people.setdefault(str(row.user_id), str(row.user))
    return list(people.items())


class AppointmentFilterForm(BootstrapMixin, forms.Form):
    """The selection of the appointment list; invalid input means no filter, never an error."""

    q = forms.CharField(label=_("LiveSearch"), required=False, max_length=200)
    tab = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    branch = forms.ChoiceField(label=_("Betrieb"), required=False)
    advisor = forms.ChoiceField(label=_("Serviceberater"), required=False)
    first_day = forms.DateField(label=_("Termin ab"), required=False, widget=DATE_WIDGET)
    last_day = forms.DateField(label=_("Termin bis"), required=False, widget=DATE_WIDGET)

    def __init__(self, data: Any, *, tenant: Tenant) -> None:
        super().__init__(data)
        _set_choices(self, "tab", [(tab, tab) for tab in TABS])
        branches = Branch.objects.filter(tenant=tenant).order_by("name")
        _set_choices(
            self, "branch", [("", str(_("Alle")))] + [(str(b.pk), b.name) for b in branches]
        )
        _set_choices(self, "advisor", [("", str(_("Alle"))), *advisor_choices(tenant)])

    def value(self, name: str) -> Any:
        """The cleaned value, or None when missing or invalid ("actions" for the tab)."""
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return "actions" if name == "tab" else None
        value = self.cleaned_data.get(name)
        if name == "tab":
            return value or "actions"
        return value or None


class WorkItemForm(BootstrapMixin, forms.Form):
    """One work item row: what is done and what it costs."""

    text = forms.CharField(
        label=_("Arbeit"), required=False, max_length=10_000, widget=forms.TextInput()
    )
    cost = forms.DecimalField(
        label=_("Kosten (€)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        localize=True,
    )
    service_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cost") is not None and not (data.get("text") or "").strip():
            self.add_error("text", _("Bitte beschreiben Sie die Arbeit zu diesem Betrag."))
        return data


class BaseWorkItemFormSet(forms.BaseFormSet):
    def items(self) -> list[WorkItem]:
        """The filled rows in their order (empty rows are left out)."""
        rows: list[WorkItem] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {}) or {}
            text = (data.get("text") or "").strip()
            if text or data.get("cost") is not None:
                rows.append(WorkItem(text, data.get("cost"), data.get("service_id")))
        return rows


def work_item_formset(
    data: Any = None, *, items: list[WorkItem] | tuple[WorkItem, ...] = (), add_row: bool = False
) -> BaseWorkItemFormSet:
    """The work item rows: the given items plus empty rows; "Weitere Zeile" (`add_row`)
    re-renders posted rows with one more empty row."""
    if data is not None and add_row:
        data = data.copy()
        key = "items-TOTAL_FORMS"
        total = int(data.get(key) or 0) if str(data.get(key) or "0").isdigit() else 0
        data[key] = str(min(total + 1, MAX_WORK_ITEMS))
    formset_class = forms.formset_factory(
        WorkItemForm,
        formset=BaseWorkItemFormSet,
        extra=1 if items else 2,
        max_num=MAX_WORK_ITEMS,
        absolute_max=MAX_WORK_ITEMS,
    )
    initial = [{"text": i.text, "cost": i.cost, "service_id": i.service_id} for i in items]
    return formset_class(data, prefix="items", initial=initial or None)  # type: ignore[return-value]


class AppointmentCreateForm(BootstrapMixin, forms.Form):
    """ "Neuen Termin erstellen" (seed 002): customer and vehicle, when, where, who, notes."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), label=_("Kunde"), widget=forms.HiddenInput
    )
    vehicle = forms.ModelChoiceField(
        queryset=Vehicle.objects.none(),
        required=False,
        label=_("Fahrzeug"),
        empty_label=_("kein Fahrzeug"),
    )
    date = forms.DateField(label=_("Datum"), widget=DATE_WIDGET)
    time = forms.TimeField(label=_("Uhrzeit"), widget=TIME_WIDGET)
    duration = forms.IntegerField(
        label=_("Voraussichtliche Dauer (Minuten)"),
        min_value=5,
        max_value=MAX_DURATION,
        initial=DEFAULT_DURATION,
    )
    branch = forms.ModelChoiceField(queryset=Branch.objects.none(), label=_("Betrieb"))
    advisor = AdvisorChoiceField(
        queryset=User.objects.none(), required=False, label=_("Serviceberater")
    )
    estimated_cost = forms.DecimalField(
        label=_("Gesamtkosten (€)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_("Leer lassen: die Summe der Arbeitspositionen."),
    )
    notes = forms.CharField(
        label=_("Anmerkungen"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, tenant: Tenant, customer: Customer | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        customer_field = self.fields["customer"]
        assert isinstance(customer_field, forms.ModelChoiceField)
        customer_field.queryset = Customer.objects.filter(tenant=tenant)
        vehicle_field = self.fields["vehicle"]
        assert isinstance(vehicle_field, forms.ModelChoiceField)
        vehicle_field.queryset = (
            Vehicle.objects.filter(customer=customer) if customer else Vehicle.objects.none()
        )
        branch_field = self.fields["branch"]
        assert isinstance(branch_field, forms.ModelChoiceField)
        branch_field.queryset = Branch.objects.filter(tenant=tenant, is_active=True).order_by(
            "name"
        )
        advisor_field = self.fields["advisor"]
        assert isinstance(advisor_field, forms.ModelChoiceField)
        advisor_field.queryset = tenant_staff(tenant)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at, minutes = data.get("date"), data.get("time"), data.get("duration")
        if day and at and minutes:
            start = timezone.make_aware(datetime.datetime.combine(day, at))
            data["start"] = start
            data["end"] = start + datetime.timedelta(minutes=minutes)
        return data


def initial_from_query(query: Any, tenant: Tenant) -> dict[str, Any]:
    """The create form prefilled from the calendar's or a page's link (customer, vehicle,
    branch, advisor, start=YYYY-MM-DDTHH:MM local, duration minutes); bad values are left out."""
    initial: dict[str, Any] = {"duration": DEFAULT_DURATION}
    for name in ("customer", "vehicle", "branch", "advisor"):
        value = str(query.get(name) or "")
        if value.isdigit():
            initial[name] = int(value)
    try:
        start = datetime.datetime.strptime(str(query.get("start") or ""), "%Y-%m-%dT%H:%M")
    except ValueError:
        pass
    else:
        initial["date"], initial["time"] = start.date(), start.time()
    duration = str(query.get("duration") or "")
    if duration.isdigit() and 5 <= int(duration) <= MAX_DURATION:
        initial["duration"] = int(duration)
    if "branch" not in initial:
        branches = list(Branch.objects.filter(tenant=tenant, is_active=True)[:2])
        if len(branches) == 1:
            initial["branch"] = branches[0].pk
    return initial


class SlotForm(BootstrapMixin, forms.Form):
    """One slot of a proposal typed in by hand (date, time; the duration is the page's)."""

    date = forms.DateField(label=_("Datum"), required=False, widget=DATE_WIDGET)
    time = forms.TimeField(label=_("Uhrzeit"), required=False, widget=TIME_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("date")) != bool(data.get("time")) and not self.errors:
            self.add_error("time", _("Bitte geben Sie Datum und Uhrzeit an."))
        return data


class ProposeForm(forms.Form):
    """ "Vorschlag anbieten": up to three suggested slots ticked (value: start ISO,
    "|"-separated end and advisor id) plus up to three typed in; channels."""

    suggested = forms.MultipleChoiceField(
        label=_("Vorgeschlagene freie Termine"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    by_email = forms.BooleanField(label=_("per E-Mail"), required=False, initial=True)
    by_sms = forms.BooleanField(label=_("per SMS"), required=False)

    def __init__(self, *args: Any, suggestions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_choices(self, "suggested", suggestions)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("by_email") and not data.get("by_sms"):
            self.add_error("by_email", _("Bitte wählen Sie mindestens einen Weg."))
        return data


class PlanForm(BootstrapMixin, forms.Form):
    """ "Termin planen": the time (prefilled with the appointment's) and the advisor."""

    date = forms.DateField(label=_("Datum"), widget=DATE_WIDGET)
    time = forms.TimeField(label=_("Uhrzeit"), widget=TIME_WIDGET)
    duration = forms.IntegerField(
        label=_("Voraussichtliche Dauer (Minuten)"), min_value=5, max_value=MAX_DURATION
    )
    advisor = AdvisorChoiceField(
        queryset=User.objects.none(), required=False, label=_("Serviceberater")
    )
    allow_overbooking = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any):
        super().__init__(*args, **kwargs)
        advisor_field = self.fields["advisor"]
        assert isinstance(advisor_field, forms.ModelChoiceField)
        advisor_field.queryset = tenant_staff(tenant)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at, minutes = data.get("date"), data.get("time"), data.get("duration")
        if day and at and minutes:
            start = timezone.make_aware(datetime.datetime.combine(day, at))
            data["start"] = start
            data["end"] = start + datetime.timedelta(minutes=minutes)
        return data


class ChecklistForm(BootstrapMixin, forms.Form):
    """The seed's three ticks before a proposal goes out."""

    workshop_time_confirmed = forms.BooleanField(label=_("Werkstattzeit bestätigt"), required=False)
    work_order_ready = forms.BooleanField(label=_("Arbeitsauftrag fertig"), required=False)
    parts_ready = forms.BooleanField(label=_("Teile vorrätig oder bestellt"), required=False)
