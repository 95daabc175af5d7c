"""Staff forms of the customer master. They only read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from theke.audit.services import Actor
from theke.core.validators import validate_single_line
from theke.customers.models import (
    Article,
    Asset,
    Contact,
    ContainerOrderKind,
    ContainerType,
    Customer,
    CustomerKind,
    Location,
    Vehicle,
    WasteType,
)
from theke.customers.services import (
    UNREACHABLE,
    CustomerError,
    register_customer,
    unreachable_message,
)
from theke.customers.validators import normalize_vin, normalize_waste_code
from theke.tenants.models import Branch, Tenant


def style_fields(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class (no template add-ons needed)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def add_error(self, field: Any, error: Any) -> None:
        super().add_error(field, error)
        if field and field in self.fields:
            widget = self.fields[field].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CustomerForm(StyledModelForm):
    # Declared here: a model-derived choice field would query branches at import, unscoped.
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), required=False, label=_("Betrieb")
    )

    class Meta:
        model = Customer
        fields = [
            "kind",
            "company_name",
            "salutation",
            "first_name",
            "last_name",
            "number",
            "external_id",
            "branch",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(is_active=True)  # type: ignore[attr-defined]


class NewCustomerForm(forms.Form):
    """The new-customer page: a person or a company (with its contact person) and how to
    reach them. The person/company switch only hides fields (CSS); which fields count is
    decided on the server (services.register_customer)."""

    kind = forms.ChoiceField(
        label=_("Art"),
        choices=CustomerKind.choices,
        initial=CustomerKind.PERSON,
        widget=forms.RadioSelect,
    )
    company_name = forms.CharField(
        label=_("Firma"), max_length=200, required=False, validators=[validate_single_line]
    )
    salutation = forms.CharField(
        label=_("Anrede"), max_length=40, required=False, validators=[validate_single_line]
    )
    first_name = forms.CharField(
        label=_("Vorname"), max_length=100, required=False, validators=[validate_single_line]
    )
    last_name = forms.CharField(
        label=_("Nachname"), max_length=100, validators=[validate_single_line]
    )
    email = forms.CharField(
        label=_("E-Mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile_phone = forms.CharField(
        label=_("Mobiltelefon"),
        max_length=40,
        required=False,
        help_text=_("z. B. 0171 1234567 oder +49 171 1234567"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent_email = forms.BooleanField(label=_("Einwilligung E-Mail"), required=False)
    consent_sms = forms.BooleanField(label=_("Einwilligung SMS"), required=False)
    number = forms.CharField(label=_("Kundennummer"), max_length=40, required=False)
    external_id = forms.CharField(
        label=_("ID im Warenwirtschaftssystem"), max_length=100, required=False
    )
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), required=False, label=_("Betrieb")
    )
    notes = forms.CharField(
        label=_("Notizen"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    CUSTOMER: tuple[str, ...] = ("kind", "company_name", "salutation", "first_name")
    CUSTOMER += ("last_name", "number", "external_id", "branch", "notes")
    CONTACT: tuple[str, ...] = ("salutation", "first_name", "last_name", "email")
    CONTACT += ("mobile_phone", "consent_email", "consent_sms")
    # The message of a customer without e-mail and mobile number shows beside both fields.
    REACH = ("email", "mobile_phone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(is_active=True)  # type: ignore[attr-defined]
        style_fields(self)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        # Required for a company only (the field shows for companies only).
        self.fields["company_name"].widget.attrs["aria-required"] = "true"
        self.reach_errors: list[str] = []
        self._describe_reach()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == CustomerKind.COMPANY and not data.get("company_name", "").strip():
            self.add_error("company_name", _("Bitte geben Sie den Namen der Firma an."))
        # The service refuses it too; said here as well, so every problem shows at once.
        reach = [data.get(name) for name in self.REACH]
        if None not in reach and not any(str(value).strip() for value in reach):
            self.add_reach_error(unreachable_message())
        return data

    def add_error(self, field: Any, error: Any) -> None:
        super().add_error(field, error)
        if field and field in self.fields:
            self._mark_invalid(field)

    def _mark_invalid(self, name: str) -> None:
        widget = self.fields[name].widget
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        widget.attrs["aria-invalid"] = "true"

    def _describe_reach(self) -> None:
        """E-mail and mobile point at the group's hint (one of the two is required) and, once
        refused, at the message beside them."""
        for name in self.REACH:
            ids = ["reach-hint", *(["reach-error"] if self.reach_errors else [])]
            if self.fields[name].help_text:
                ids.append(f"id_{name}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)

    def add_reach_error(self, message: str) -> None:
        """The refusal of a customer nobody could reach, shown beside e-mail and mobile (kept
        under its own key: no single field is at fault)."""
        self.reach_errors.append(message)
        errors: Any = self._errors  # type: ignore[attr-defined]  # filled by full_clean()
        errors.setdefault("reach", self.error_class()).append(message)
        for name in self.REACH:
            self._mark_invalid(name)
        self._describe_reach()

    def customer_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.CUSTOMER}

    def contact_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.CONTACT}

    def add_refusal(self, error: CustomerError) -> None:
        """A refusal of the customer services on the form: an unreachable customer beside
        e-mail and mobile, anything else on its field (or on top)."""
        if error.code == UNREACHABLE:
            self.add_reach_error(error.messages[0])
        else:
            self.add_error(error.field if error.field in self.fields else None, error)

    def register(self, tenant: Tenant, actor: Actor) -> Customer | None:
        """The new customer with its contact from the valid input (register_customer), or
        None with the refusal on the form."""
        try:
            return register_customer(tenant, actor, self.customer_values(), self.contact_values())
        except CustomerError as error:
            self.add_refusal(error)
            return None


class ContactForm(StyledModelForm):
    class Meta:
        model = Contact
        fields = [
            "salutation",
            "first_name",
            "last_name",
            "role",
            "email",
            "mobile_phone",
            "phone",
            "language",
            "is_primary",
            "consent_email",
            "consent_sms",
        ]
        widgets = {
            "mobile_phone": RegionalPhoneNumberWidget(attrs={"autocomplete": "tel"}),
            "phone": RegionalPhoneNumberWidget(attrs={"autocomplete": "tel"}),
        }
        help_texts = {
            "mobile_phone": _("z. B. 0171 1234567 oder +49 171 1234567"),
            "consent_email": _("Der Zeitpunkt der Einwilligung wird beim Einschalten gespeichert."),
        }


class LocationForm(StyledModelForm):
    class Meta:
        model = Location
        fields = ["name", "street", "postal_code", "city", "country", "state", "is_billing"]


class VehicleForm(StyledModelForm):
    vin = forms.CharField(
        label=_("FIN"),
        required=False,
        max_length=40,
        help_text=_("17 Zeichen, ohne I, O und Q"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )

    class Meta:
        model = Vehicle
        fields = ["license_plate", "vin", "make", "model", "first_registration", "mileage_km"]
        widgets = {
            "first_registration": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "license_plate": forms.TextInput(attrs={"autocapitalize": "characters"}),
        }

    def clean_vin(self) -> str:
        # Spaces and dashes are allowed while typing; the service checks the rest.
        return normalize_vin(self.cleaned_data.get("vin") or "")


class AssetForm(StyledModelForm):
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, label=_("Standort")
    )
    container_type = forms.ModelChoiceField(
        queryset=ContainerType.objects.none(), required=False, label=_("Behältertyp")
    )
    waste_type = forms.ModelChoiceField(
        queryset=WasteType.objects.none(), required=False, label=_("Abfallart")
    )

    class Meta:
        model = Asset
        fields = [
            "container_type",
            "waste_type",
            "kind",
            "size",
            "serial_number",
            "description",
            "location",
            "placed_on",
        ]
        widgets = {"placed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"kind": _("Nur nötig ohne Behältertyp, z. B. Mulde.")}

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = customer.locations.all()  # type: ignore[attr-defined]
        # Active catalog rows, and the asset's own even when since deactivated.
        instance = self.instance
        container_types = ContainerType.objects.filter(
            models.Q(is_active=True) | models.Q(pk=instance.container_type_id)
        )
        waste_types = WasteType.objects.filter(
            models.Q(is_active=True) | models.Q(pk=instance.waste_type_id)
        )
        self.fields["container_type"].queryset = container_types  # type: ignore[attr-defined]
        self.fields["waste_type"].queryset = waste_types  # type: ignore[attr-defined]


class ArticleForm(StyledModelForm):
    class Meta:
        model = Article
        fields = ["number", "text", "unit", "price", "vat_rate", "is_special", "is_active"]
        widgets = {
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "vat_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
        }


class WasteTypeForm(StyledModelForm):
    # Longer than the column: "17 06 05*" is typed with spaces and stored without.
    code = forms.CharField(
        label=_("Abfallschlüssel"),
        max_length=12,
        required=False,
        help_text=_("AVV-Schlüssel, sechs Ziffern, gefährliche Abfälle mit Stern."),
    )

    class Meta:
        model = WasteType
        fields = ["name", "code", "description", "sort_order", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.code and not self.is_bound:
            self.initial["code"] = self.instance.code_display

    def clean_code(self) -> str:
        return normalize_waste_code(self.cleaned_data["code"])


class ContainerTypeForm(StyledModelForm):
    order_kinds = forms.MultipleChoiceField(
        label=_("Mögliche Aufträge"),
        choices=ContainerOrderKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    waste_types = forms.ModelMultipleChoiceField(
        label=_("Abfallarten"),
        queryset=WasteType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Die Abfallarten, für die der Behälter bestellt werden kann."),
    )

    class Meta:
        model = ContainerType
        fields = [
            "name",
            "volume_m3",
            "variant",
            "price",
            "order_kinds",
            "waste_types",
            "is_active",
        ]
        widgets = {
            "volume_m3": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = [w.pk for w in self.instance.waste_types.all()] if self.instance.pk else []
        self.fields["waste_types"].queryset = WasteType.objects.filter(  # type: ignore[attr-defined]
            models.Q(is_active=True) | models.Q(pk__in=chosen)
        )
        for name in ("order_kinds", "waste_types"):
            self.fields[name].widget.attrs.pop("class", None)
