"""Staff forms of the customer master. They only read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from theke.customers.models import Article, Asset, Contact, Customer, Location, Vehicle
from theke.customers.validators import normalize_vin
from theke.tenants.models import Branch


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

    class Meta:
        model = Asset
        fields = ["kind", "size", "serial_number", "description", "location"]

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = customer.locations.all()  # type: ignore[attr-defined]


class ArticleForm(StyledModelForm):
    class Meta:
        model = Article
        fields = ["number", "text", "unit", "price", "vat_rate", "is_special", "is_active"]
        widgets = {
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "vat_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
        }
