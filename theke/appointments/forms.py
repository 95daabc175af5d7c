"""Staff forms of the appointments domain. They only read input; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from theke.accounts.models import User
from theke.appointments.models import Appointment, Lead, LeadStatus, ServiceAdvisor
from theke.core.forms import BootstrapMixin
from theke.customers.forms import style_fields
from theke.customers.models import Customer, Vehicle
from theke.tenants.models import Branch, Tenant

# --- conversion and the appointment page ---------------------------------------------------


class AdvisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.email)


def tenant_staff(tenant: Tenant) -> Any:
    """The tenant's active staff users (who may be an appointment's advisor)."""
    return (
        User.objects.filter(is_active=True, memberships__tenant=tenant, memberships__is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


class AppointmentEditForm(forms.Form):
    """Date, time, advisor, customer and vehicle of an appointment ("Terminbearbeitung")."""

    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Beginn"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Ende"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    advisor = AdvisorChoiceField(
        queryset=User.objects.none(), required=False, label=_("Serviceberater")
    )
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), label=_("Kunde"))
    vehicle = forms.ModelChoiceField(
        queryset=Vehicle.objects.none(),
        required=False,
        label=_("Fahrzeug"),
        empty_label=_("kein Fahrzeug aus dem Fahrzeugstamm"),
    )
    estimated_cost = forms.DecimalField(
        label=_("Gesamtkosten (€)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_("Leer lassen: die Summe der Arbeitspositionen."),
    )
    # Set by "Trotzdem speichern" after the warning about a vehicle of another keeper.
    confirm_other_owner = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, appointment: Appointment, **kwargs: Any) -> None:
        start = timezone.localtime(appointment.start)
        end = timezone.localtime(appointment.end)
        kwargs.setdefault(
            "initial",
            {
                "date": start.date(),
                "start_time": start.time(),
                "end_time": end.time(),
                "advisor": appointment.advisor_id,
                "customer": appointment.customer_id,
                "vehicle": appointment.vehicle_id,
                "estimated_cost": appointment.estimated_cost,
            },
        )
        super().__init__(*args, **kwargs)
        self.appointment = appointment
        self.fields["advisor"].queryset = tenant_staff(appointment.tenant)  # type: ignore[attr-defined]
        self.fields["customer"].queryset = Customer.objects.all()  # type: ignore[attr-defined]
        customer_ids = {appointment.customer_id}
        posted = self.data.get("customer") if self.is_bound else None
        if posted and str(posted).isdigit():
            customer_ids.add(int(posted))
        vehicles = Vehicle.objects.filter(customer_id__in=customer_ids)
        if appointment.vehicle_id:
            vehicles = vehicles | Vehicle.objects.filter(pk=appointment.vehicle_id)
        self.fields["vehicle"].queryset = vehicles.select_related("customer")  # type: ignore[attr-defined]
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and starts and ends:
            start = timezone.make_aware(datetime.datetime.combine(day, starts))
            end = timezone.make_aware(datetime.datetime.combine(day, ends))
            if end <= start:
                self.add_error("end_time", _("Das Ende muss nach dem Beginn liegen."))
            data["start"], data["end"] = start, end
        return data

    def needs_owner_confirmation(self) -> bool:
        """The chosen vehicle is not the chosen customer's and staff did not confirm yet."""
        vehicle, customer = self.cleaned_data.get("vehicle"), self.cleaned_data.get("customer")
        if vehicle is None or customer is None or vehicle.customer_id == customer.pk:
            return False
        return not self.cleaned_data.get("confirm_other_owner")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "advisor": data.get("advisor"),
            "customer": data["customer"],
            "vehicle": data.get("vehicle"),
            "estimated_cost": data.get("estimated_cost"),
        }


# --- lead manager ---------------------------------------------------------------------------

ALL = "all"


class LeadFilterForm(BootstrapMixin, forms.Form):
    """The lead manager's selection: status (default "Neu"), requested days, branch, advisor
    and the LiveSearch text. Invalid input falls back to no filter, never an error page."""

    q = forms.CharField(label=_("LiveSearch"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    first_day = forms.DateField(
        label=_("Termin ab"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label=_("Termin bis"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    branch = forms.ChoiceField(label=_("Betrieb"), required=False)
    advisor = forms.ChoiceField(label=_("Annehmer"), required=False)

    def __init__(self, data: Any, *, tenant: Tenant) -> None:
        if data is not None and not data.get("status"):
            # No status chosen (a search from the start page): the new leads, shown as such.
            data = data.copy()
            data["status"] = LeadStatus.NEW
        super().__init__(data, initial={"status": LeadStatus.NEW})
        self._choices(
            "status", [(ALL, str(_("Alle"))), *((v, str(label)) for v, label in LeadStatus.choices)]
        )
        branches = Branch.objects.filter(tenant=tenant).order_by("name")
        self._choices("branch", [("", str(_("Alle")))] + [(str(b.pk), b.name) for b in branches])
        advisors = (
            ServiceAdvisor.objects.filter(tenant=tenant)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        people: dict[str, str] = {}
        for row in advisors:
            people.setdefault(str(row.user_id), str(row.user))
        self._choices("advisor", [("", str(_("Alle"))), *people.items()])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def value(self, name: str) -> Any:
        """The cleaned value, or the default when the input was invalid or missing."""
        if not self.is_bound:
            return LeadStatus.NEW if name == "status" else None
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return LeadStatus.NEW if name == "status" else None
        value = self.cleaned_data.get(name)
        if name == "status":
            # No status in the query (the first visit): the new leads, as seed 001 opens.
            return value or LeadStatus.NEW
        return value or None

    def day_range(self) -> tuple[datetime.date | None, datetime.date | None]:
        return self.value("first_day"), self.value("last_day")


class LeadEditForm(BootstrapMixin, forms.ModelForm):
    """The customer and vehicle data, note, branch and advisor of a lead ("Bearbeiten").
    Pass a fresh copy of the lead; `update_lead` saves."""

    # Declared here: a model form would query the tenant-scoped branches at import time.
    branch = forms.ModelChoiceField(label=_("Betrieb"), queryset=Branch.objects.none())
    advisor = forms.ModelChoiceField(
        label=_("Annehmer"), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = Lead
        fields = [
            "branch",
            "advisor",
            "salutation",
            "first_name",
            "last_name",
            "email",
            "mobile_phone",
            "street",
            "postal_code",
            "city",
            "customer_number",
            "vin",
            "license_plate",
            "make",
            "model",
            "mileage_km",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch_field = self.fields["branch"]
        assert isinstance(branch_field, forms.ModelChoiceField)
        branch_field.queryset = Branch.objects.filter(tenant=tenant, is_active=True)
        advisor_ids = ServiceAdvisor.objects.filter(tenant=tenant, is_active=True).values("user_id")
        advisor_field = self.fields["advisor"]
        assert isinstance(advisor_field, forms.ModelChoiceField)
        advisor_field.queryset = User.objects.filter(pk__in=advisor_ids).order_by(
            "full_name", "email"
        )

    def _post_clean(self) -> None:
        # The service validates and saves; the model form must not touch the lead itself.
        pass

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}
