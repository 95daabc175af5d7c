"""Forms of the OSB settings pages (Administration Online Service Booking)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from theke.accounts.models import User
from theke.appointments.models import BookableService, BookingSettings, BranchBooking
from theke.appointments.services import settings as booking
from theke.core.forms import BootstrapMixin
from theke.tenants.models import Branch, Tenant, Weekday

# --- OSB settings (helper "osb") ---


class BookingSettingsForm(BootstrapMixin, forms.ModelForm):
    """The tenant's settings of online booking; the service saves."""

    class Meta:
        model = BookingSettings
        fields = list(booking.BOOKING_SETTING_FIELDS)
        widgets = {
            "embed_origins": forms.Textarea(
                attrs={
                    "rows": 4,
                    "spellcheck": "false",
                    "autocomplete": "off",
                    "placeholder": "https://www.ihr-autohaus.de",
                }
            ),
            "cash_customer_number": forms.TextInput(attrs={"autocomplete": "off"}),
            # --- remind ---
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "same_day_reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "embed_origins": _(
                "Eine Adresse pro Zeile, nur Schema und Domain (mit Port, falls nötig), ohne "
                "Pfad, z. B. https://www.ihr-autohaus.de. Nur diese Websites dürfen die "
                "Buchungsseite einbetten."
            ),
            "cash_customer_number": _(
                "Kundennummer aus dem Kundenstamm; mit ihr wird eine Terminanfrage auf Wunsch "
                "als Barverkauf angelegt."
            ),
            # --- remind ---
            "reminder_days_before": _(
                "Gilt für Kunden ohne eigenen Wunsch; jeder Kunde kann 1 bis 4 Tage wählen."
            ),
            "reminder_time": _("Ortszeit (Europe/Berlin), auch an den Tagen der Zeitumstellung."),
            "same_day_reminder_time": _(
                "Für Kunden, die am Morgen des Termins erinnert werden möchten."
            ),
        }
        error_messages = {
            # --- remind ---
            "reminder_time": {"invalid": _("Bitte geben Sie eine Uhrzeit wie 10:00 an.")},
            "same_day_reminder_time": {"invalid": _("Bitte geben Sie eine Uhrzeit wie 07:00 an.")},
        }

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_cash_customer_number(self) -> str:
        number = str(self.cleaned_data.get("cash_customer_number") or "")
        return booking.check_cash_customer_number(self.tenant, number)

    def clean_embed_origins(self) -> str:
        return booking.clean_embed_origins(str(self.cleaned_data.get("embed_origins") or ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in booking.DUPLICATE_FIELDS):
            self.add_error(
                booking.DUPLICATE_FIELDS[-1],
                _("Bitte wählen Sie für die Dublettenabfrage mindestens ein Kriterium."),
            )
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in booking.BOOKING_SETTING_FIELDS}


class BranchBookingForm(BootstrapMixin, forms.ModelForm):
    """A branch's switch, capacity and time limits; the service saves."""

    class Meta:
        model = BranchBooking
        fields = list(booking.BRANCH_BOOKING_FIELDS)
        widgets = {
            "parallel_capacity": forms.NumberInput(attrs={"placeholder": "—"}),
        }

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in booking.BRANCH_BOOKING_FIELDS}


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else str(obj.email)


class AdvisorAddForm(BootstrapMixin, forms.Form):
    """Choose a staff user of the tenant who becomes an advisor at the branch."""

    user = _UserChoiceField(
        label=_("Mitarbeiter"),
        queryset=User.objects.none(),
        empty_label=_("Bitte wählen …"),
        error_messages={"invalid_choice": _("Bitte wählen Sie einen Mitarbeiter aus der Liste.")},
    )

    def __init__(self, *args: Any, branch: Branch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = booking.advisor_candidates(branch)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in candidates])


class _ClockField(forms.TimeField):
    """A time of day (00:00 to 23:59) with a message that says so."""

    def __init__(self, label: Any) -> None:
        super().__init__(
            label=label,
            required=False,
            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            error_messages={
                "invalid": _("Bitte geben Sie eine Uhrzeit zwischen 00:00 und 23:59 an.")
            },
        )


class WorkingDayForm(BootstrapMixin, forms.Form):
    """One weekday of an advisor: up to two intervals (morning and afternoon around a
    lunch break); a day left empty is a day off."""

    weekday = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=6)
    starts_1 = _ClockField(_("von"))
    ends_1 = _ClockField(_("bis"))
    starts_2 = _ClockField(_("von (2.)"))
    ends_2 = _ClockField(_("bis (2.)"))

    @property
    def day_label(self) -> str:
        value = self.initial.get("weekday", self.data.get(self.add_prefix("weekday")))
        try:
            return str(Weekday(int(value)).label)
        except (TypeError, ValueError):
            return ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        for number in (1, 2):
            starts, ends = data.get(f"starts_{number}"), data.get(f"ends_{number}")
            if (starts is None) != (ends is None):
                missing = f"ends_{number}" if ends is None else f"starts_{number}"
                self.add_error(missing, _("Bitte geben Sie Beginn und Ende an."))
            elif starts is not None and ends is not None and ends <= starts:
                self.add_error(f"ends_{number}", _("Das Ende muss nach dem Beginn liegen."))
        if self.errors:
            return data
        first, second = self._pair(data, 1), self._pair(data, 2)
        if first and second and second[0] < first[1] and first[0] < second[1]:
            self.add_error(
                "starts_2", _("Die zweite Arbeitszeit überschneidet sich mit der ersten.")
            )
        return data

    @staticmethod
    def _pair(data: dict[str, Any], number: int) -> tuple[datetime.time, datetime.time] | None:
        starts, ends = data.get(f"starts_{number}"), data.get(f"ends_{number}")
        return (starts, ends) if starts is not None and ends is not None else None

    def intervals(self) -> list[booking.WorkingInterval]:
        data = self.cleaned_data
        pairs = [pair for pair in (self._pair(data, 1), self._pair(data, 2)) if pair]
        return [booking.WorkingInterval(data["weekday"], *pair) for pair in pairs]


class BaseWeekFormSet(forms.BaseFormSet):
    def intervals(self) -> list[booking.WorkingInterval]:
        return [interval for form in self.forms for interval in form.intervals()]


WeekFormSet = forms.formset_factory(
    WorkingDayForm, formset=BaseWeekFormSet, extra=0, min_num=7, max_num=7, validate_max=True
)


def week_initial(intervals: list[booking.WorkingInterval]) -> list[dict[str, Any]]:
    """The weekly editor's rows (Monday to Sunday) from stored intervals, at most two a
    day (the editor is the only way they are written)."""
    rows: list[dict[str, Any]] = [{"weekday": day} for day in range(7)]
    for interval in intervals:
        row = rows[interval.weekday]
        number = 1 if "starts_1" not in row else 2
        if f"starts_{number}" in row:
            continue
        row[f"starts_{number}"] = interval.starts
        row[f"ends_{number}"] = interval.ends
    return rows


class AbsenceForm(BootstrapMixin, forms.Form):
    first_day = forms.DateField(
        label=_("Erster Tag"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last_day = forms.DateField(
        label=_("Letzter Tag"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Grund"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("z. B. Urlaub, Schulung")}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("Der letzte Tag darf nicht vor dem ersten Tag liegen."))
        return data


class BookableServiceForm(BootstrapMixin, forms.ModelForm):
    """A bookable service ("Leistung"); the service saves."""

    branches = forms.ModelMultipleChoiceField(
        label=_("Betriebe"),
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keiner gewählt: in allen Betrieben buchbar."),
    )

    class Meta:
        model = BookableService
        fields = [*booking.SERVICE_FIELDS, "branches"]
        widgets = {
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0", "placeholder": "—"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "price": _("Optional; der Kunde sieht ihn bei der Auswahl. Leer: ohne Preisangabe."),
            "position": _("Kleinere Zahlen stehen weiter oben."),
            # --- remind ---
            "what_to_bring": _(
                "Steht auf der Terminseite des Kunden, z. B. „Fahrzeugschein“ für die HU."
            ),
        }

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["branches"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Branch.objects.filter(tenant=tenant).order_by("name")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in booking.SERVICE_FIELDS}


class LeadPreferenceForm(BootstrapMixin, forms.Form):
    refresh_seconds = forms.IntegerField(
        label=_("Aktualisierung alle (Sekunden)"),
        min_value=booking.REFRESH_MIN_SECONDS,
        max_value=booking.REFRESH_MAX_SECONDS,
        help_text=_(
            "Wie oft der Leadmanager und die Zahl der offenen Terminanfragen neu geladen "
            "werden: zwischen 15 und 3600 Sekunden."
        ),
    )
    # --- cal ---
    show_leads_in_calendar = forms.BooleanField(
        label=_("Terminleads im Kalender anzeigen"),
        required=False,
        help_text=_("Offene Terminanfragen (Status „Neu“) erscheinen neben den Terminen."),
    )
    lead_panel_width = forms.IntegerField(
        label=_("Breite der Lead-Spalte (Pixel)"),
        min_value=booking.PANEL_WIDTH_MIN,
        max_value=booking.PANEL_WIDTH_MAX,
        required=False,  # left empty: the width stays as it is
        help_text=_("Zwischen 200 und 600 Pixel."),
    )
