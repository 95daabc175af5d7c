"""The form of a phase's view, staff's and the customer's alike, built from the version's
field definitions.

Every editable entry of the view is a form field; the page renders the visible ones and
marks each rendered field with a hidden `_present` input. Only present fields count as
submitted, so a field the page did not show keeps its value (an unticked box that was never
shown is not "no"). Visibility and required fields are decided by the service
(theke.jobs.services.jobs.save_view) with the submitted values, so a box that reveals a
field in the same form works, and a hidden required field never blocks saving.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from theke.core.errors import ServiceError
from theke.core.forms import BootstrapMixin, style_widgets
from theke.customers.models import Vehicle
from theke.jobs.definition import FieldDef, PhaseDef, Shown
from theke.jobs.models import FieldType, Job, JobFile, JobStatus, Payment
from theke.jobs.services import jobs as job_services
from theke.jobs.services.files import Upload, read_upload
from theke.jobs.values import display, stored
from theke.tenants.models import Branch
from theke.tenants.scoping import tenant_scope

PRESENT = "_present"
MAX_TEXT = 500
MAX_TEXTAREA = 5000


class TextAreaField(forms.CharField):
    """Multi-line text with the line breaks browsers send (CRLF) stored as plain newlines."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace("\r\n", "\n").replace("\r", "\n")


class UploadField(forms.FileField):
    """A file field whose cleaned value is the checked (and converted) upload."""

    def __init__(self, key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        self.widget.attrs["accept"] = "image/*,.heic,.heif,application/pdf"

    def clean(self, data: Any, initial: Any = None) -> Upload | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return read_upload(upload, self.key)
        except ServiceError as error:
            raise ValidationError(error.messages) from error


class VehicleConfigWidget(forms.MultiWidget):
    def __init__(self, vehicles: list[tuple[str, str]]) -> None:
        super().__init__(
            [
                forms.Select(choices=[("", "—"), *vehicles]),
                forms.Textarea(attrs={"rows": 3}),
                forms.TextInput(attrs={"inputmode": "decimal"}),
            ]
        )

    def decompress(self, value: Any) -> list[Any]:
        if not isinstance(value, Mapping):
            return ["", "", ""]
        extras = "\n".join(str(e.get("text", "")) for e in value.get("extras", []))
        return [str(value.get("vehicle") or ""), extras, str(value.get("price") or "")]


class VehicleConfigField(forms.MultiValueField):
    """A vehicle of the vehicle master, its extras (one a line) and the price."""

    def __init__(self, vehicles: dict[str, str], **kwargs: Any) -> None:
        self.vehicles = vehicles
        choices = list(vehicles.items())
        super().__init__(
            fields=(
                forms.ChoiceField(choices=[("", "—"), *choices], required=False),
                forms.CharField(max_length=MAX_TEXTAREA, required=False),
                forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False),
            ),
            widget=VehicleConfigWidget(choices),
            require_all_fields=False,
            **kwargs,
        )

    def compress(self, data_list: list[Any]) -> dict[str, Any] | None:
        if not data_list or not data_list[0]:
            return None
        vehicle, extras, price = data_list
        lines = [line.strip() for line in (extras or "").splitlines() if line.strip()]
        return {
            "vehicle": int(vehicle),
            "label": self.vehicles.get(str(vehicle), ""),
            "extras": [{"text": line[:200]} for line in lines[:50]],
            "price": str(price) if isinstance(price, Decimal) else "",
        }


def vehicle_label(vehicle: Vehicle) -> str:
    name = f"{vehicle.make} {vehicle.model}".strip() or str(_("Fahrzeug"))
    details = [d for d in (vehicle.license_plate, vehicle.vin) if d]
    return f"{name} ({', '.join(details)})" if details else name


def _vehicles(job: Job) -> dict[str, str]:
    """The vehicles a configuration may name: the customer's and those in stock (no holder)."""
    with tenant_scope(job.tenant):
        rows = Vehicle.objects.filter(tenant=job.tenant, customer__isnull=True)[:200]
        own = Vehicle.objects.filter(tenant=job.tenant, customer=job.customer)[:50]
        return {str(v.pk): vehicle_label(v) for v in [*own, *rows]}


def _branches(job: Job) -> list[tuple[str, str]]:
    with tenant_scope(job.tenant):
        return [(str(pk), name) for pk, name in Branch.objects.values_list("pk", "name")]


def form_field(item: FieldDef, label: str, job: Job) -> forms.Field | None:
    """The input of a field type (None for types that are shown or clicked, not typed)."""
    common: dict[str, Any] = {"label": label, "required": False, "help_text": item.help_text}
    kind = item.type
    if kind == FieldType.TEXT:
        return forms.CharField(max_length=MAX_TEXT, **common)
    if kind in (FieldType.TEXTAREA, FieldType.CUSTOMER_MESSAGE):
        return TextAreaField(
            max_length=MAX_TEXTAREA, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if kind == FieldType.SELECT:
        return forms.ChoiceField(choices=[("", "—"), *[(o, o) for o in item.options]], **common)
    if kind in (FieldType.CHECKBOX, FieldType.SUPPRESS_MESSAGES):
        return forms.BooleanField(**common)
    if kind == FieldType.FILE:
        return UploadField(item.key, **common)
    if kind == FieldType.LOCATION:
        return forms.TypedChoiceField(
            choices=[("", "—"), *_branches(job)], coerce=int, empty_value=None, **common
        )
    if kind == FieldType.JOB_STATUS:
        return forms.ChoiceField(choices=JobStatus.choices, **common)
    if kind == FieldType.CALLBACK_PHONE:
        return PhoneNumberField(region="DE", **common)
    if kind == FieldType.VEHICLE_CONFIG:
        return VehicleConfigField(_vehicles(job), **common)
    return None  # documents, payments, the save button: actions of their own


def _initial(item: FieldDef, value: Any) -> Any:
    if item.type == FieldType.LOCATION:
        return str(value) if value else ""
    return value


@dataclass
class Row:
    """One visible entry of the view as the page shows it."""

    shown: Shown
    field: forms.BoundField | None
    text: str
    files: list[JobFile]
    payments: list[Payment]

    @property
    def key(self) -> str:
        return self.shown.field.key

    @property
    def type(self) -> str:
        return self.shown.field.type


@dataclass
class RowView:
    """A row as a page renders it; the customer's and the staff's pages add their parts."""

    row: Row

    @property
    def key(self) -> str:
        return self.row.key

    @property
    def type(self) -> str:
        return self.row.type

    @property
    def label(self) -> str:
        return self.row.shown.label


class PhaseForm(BootstrapMixin, forms.Form):
    """The inputs of one view of the job's current phase."""

    required_css_class = "required"

    def __init__(
        self,
        job: Job,
        view: str,
        *,
        logged_in: bool = False,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data=data, files=files, prefix=None)
        self.job = job
        self.view = view
        self.logged_in = logged_in
        self.phase: PhaseDef = job_services.current_phase(job)
        self.compiled = job_services.compiled_of(job)
        self.branch_names = job_services.branch_names(job.tenant)
        definition = self.compiled.definition
        for entry in self.phase.entries(view):
            item = definition.fields[entry.field]
            if entry.read_only:
                continue
            made = form_field(item, entry.label or item.label, job)
            if made is not None:
                made.initial = _initial(item, stored(job, item))
                self.fields[item.key] = made
        style_widgets(self.fields)  # the fields came after BootstrapMixin's __init__

    # --- what was submitted ---

    def present(self) -> set[str]:
        if not self.is_bound or self.data is None:
            return set()
        getlist = getattr(self.data, "getlist", None)
        keys = getlist(PRESENT) if getlist else self.data.get(PRESENT, [])
        return {key for key in keys if key in self.fields}

    def submitted(self) -> dict[str, Any]:
        """The cleaned values of the fields the page showed (call after is_valid())."""
        values = {}
        for key in self.present():
            if key not in self.cleaned_data:
                continue
            value = self.cleaned_data[key]
            if value is None and isinstance(self.fields[key], UploadField):
                continue  # no new file chosen: the stored one stays
            if key in self.fields and isinstance(self.fields[key], PhoneNumberField):
                value = value.as_e164 if value else ""
            values[key] = value
        return values

    def overrides(self) -> dict[str, Any]:
        """Submitted values that may change what is visible (valid ones only)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.submitted().items() if not isinstance(v, Upload)}

    # --- what the page shows ---

    def rows(self) -> list[Row]:
        values = job_services.values_for_rules(
            self.job,
            logged_in=self.logged_in,
            overrides=self.overrides(),
            names=self.branch_names,
        )
        sent = job_services.was_saved(self.job, self.phase.key, self.view)
        shown = self.compiled.shown(self.phase, self.view, values, sent=sent)
        keys = {s.field.key for s in shown}
        with tenant_scope(self.job.tenant):
            files = list(JobFile.objects.filter(job=self.job, field_key__in=keys))
            payments = list(Payment.objects.filter(job=self.job, field_key__in=keys))
        result = []
        for s in shown:
            if not s.visible:
                continue
            bound = self[s.field.key] if s.editable and s.field.key in self.fields else None
            value = stored(self.job, s.field)
            result.append(
                Row(
                    shown=s,
                    field=bound,
                    text=display(s.field, value, self.branch_names),
                    files=[f for f in files if f.field_key == s.field.key],
                    payments=[p for p in payments if p.field_key == s.field.key],
                )
            )
        return result

    def hidden_entries(self) -> list[Shown]:
        """Entries hidden right now, with the reason (the staff view explains them)."""
        values = job_services.values_for_rules(
            self.job, logged_in=self.logged_in, overrides=self.overrides(), names=self.branch_names
        )
        sent = job_services.was_saved(self.job, self.phase.key, self.view)
        return [
            s
            for s in self.compiled.shown(self.phase, self.view, values, sent=sent)
            if not s.visible
        ]

    def save_label(self) -> str:
        """The text of the save button: the visible save-button field's label."""
        for row in self.rows():
            if row.type == FieldType.SAVE_BUTTON:
                return row.shown.label
        return str(gettext_lazy("Speichern")) if self.view == "staff" else ""

    def add_field_errors(self, errors: Mapping[str, str]) -> None:
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)
