"""Staff forms of the appointments domain. They only read input; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from theke.accounts.models import User
from theke.appointments.models import Appointment
from theke.customers.forms import style_fields
from theke.customers.models import Customer, Vehicle
from theke.tenants.models import Tenant

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
        }
