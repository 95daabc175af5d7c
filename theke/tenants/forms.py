"""Forms of the tenant settings: master data with logo, branches with opening hours."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from theke.core.forms import BootstrapMixin
from theke.tenants import services
from theke.tenants.models import Branch, Tenant, Weekday
from theke.tenants.services import BRANCH_FIELDS, TENANT_FIELDS, Interval
from theke.tenants.validators import (
    compact,
    logo_extension,
    validate_bic,
    validate_brand_color,
    validate_iban,
    validate_vat_id,
)


def _model_field(name: str, max_length: int, placeholder: str) -> Any:
    widget = forms.TextInput(
        attrs={"placeholder": placeholder, "autocomplete": "off", "spellcheck": "false"}
    )
    field = Tenant._meta.get_field(name)
    assert isinstance(field, models.CharField)
    return field.formfield(max_length=max_length, widget=widget)


class TenantForm(BootstrapMixin, forms.ModelForm):
    """Master data. Pass a fresh instance: a ModelForm writes its input onto the instance."""

    brand_color = forms.CharField(
        label=_("Markenfarbe"),
        max_length=7,
        validators=[validate_brand_color],
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Farbe der Kopfzeile und der Schaltflächen auf den Kundenseiten."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("PNG, JPEG oder WebP, höchstens 2 MB."),
    )
    remove_logo = forms.BooleanField(label=_("Logo entfernen"), required=False)
    # Longer than stored: typed with spaces ("DE02 1005 …"), stored compact.
    vat_id = _model_field("vat_id", max_length=24, placeholder="DE123456789")
    iban = _model_field("iban", max_length=42, placeholder="DE02 1005 0000 0054 5404 02")
    bic = _model_field("bic", max_length=14, placeholder="BELADEBEXXX")

    class Meta:
        model = Tenant
        fields = TENANT_FIELDS
        help_texts = {"country": _("Zweistelliger Ländercode, zum Beispiel DE oder AT.")}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "website": forms.URLInput(attrs={"placeholder": "https://"}),
        }

    def clean_country(self) -> str:
        country = str(self.cleaned_data.get("country") or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(_("Bitte geben Sie einen zweistelligen Ländercode an."))
        return country

    def _coded(self, name: str, validate: Any) -> str:
        """VAT id, IBAN, BIC: stored compact (upper case, no spaces), checked here so the
        message stands next to the field."""
        value = compact(str(self.cleaned_data.get(name) or ""))
        if value:
            validate(value)
        return value

    def clean_vat_id(self) -> str:
        return self._coded("vat_id", validate_vat_id)

    def clean_iban(self) -> str:
        return self._coded("iban", validate_iban)

    def clean_bic(self) -> str:
        return self._coded("bic", validate_bic)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("register_number") and not str(data.get("register_court") or "").strip():
            self.add_error(
                "register_court",
                _("Bitte geben Sie zur Registernummer auch das Registergericht an."),
            )
        return data

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo:
            logo_extension(logo)
        return logo

    def service_kwargs(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in TENANT_FIELDS}
        return {
            **data,
            "logo": self.cleaned_data.get("logo") or None,
            "remove_logo": bool(self.cleaned_data.get("remove_logo")),
        }


class BranchForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Branch
        fields = BRANCH_FIELDS
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }


class LegalTextForm(BootstrapMixin, forms.Form):
    """A new version of a legal text; `based_on` is the version the editor started from."""

    body = forms.CharField(
        label=_("Text"),
        max_length=services.LEGAL_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "true"}),
        help_text=_(
            "Leerzeile: neuer Absatz. „## “ am Zeilenanfang: Überschrift. „- “: Aufzählung. "
            "Web- und E-Mail-Adressen werden zu Links."
        ),
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class LegalConsentForm(forms.Form):
    """The consent checkbox of a customer form (booking, registration). Mix it into the form,
    pass `tenant=`, and render it with ``{% include "tenants/_consent.html" with
    consent=form.consent_offer consent_checked=form.legal_consent.value
    consent_error=form.legal_consent.errors.0 %}``. After is_valid(), `form.consent` holds
    what to store: ``form.consent.apply_to(row)`` on a row with `LegalConsentRecord` fields.
    (For the strictest check, call `check_consent` again in the service's transaction.)"""

    legal_consent = forms.BooleanField(required=False)
    legal_terms_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    legal_privacy_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.consent_offer = services.consent_offer(tenant)
        self.consent: services.Consent | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.consent = services.check_consent(
                self.tenant,
                accepted=bool(data.get("legal_consent")),
                terms_version=data.get("legal_terms_version"),
                privacy_version=data.get("legal_privacy_version"),
            )
        except ValidationError as error:
            self.add_error("legal_consent", error)
        return data


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class OpeningHoursForm(BootstrapMixin, forms.Form):
    """One interval; a row left completely empty is ignored."""

    weekday = forms.TypedChoiceField(
        label=_("Wochentag"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    opens = _time_field(_("von"))
    closes = _time_field(_("bis"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        weekday, opens, closes = data.get("weekday"), data.get("opens"), data.get("closes")
        filled = [value is not None for value in (weekday, opens, closes)]
        if any(filled) and not all(filled):
            raise ValidationError(_("Bitte geben Sie Wochentag, Beginn und Ende an."))
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes", _("Das Ende muss nach dem Beginn liegen."))
        return data

    def interval(self) -> Interval | None:
        """The row's interval; None for an empty, deleted or invalid row."""
        data = getattr(self, "cleaned_data", {})
        if self.errors or data.get("DELETE") or data.get("weekday") is None:
            return None
        return Interval(data["weekday"], data["opens"], data["closes"])


class BaseOpeningHoursFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("entfernen")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> None:
        super().clean()
        intervals = sorted(self.intervals())
        for previous, current in itertools.pairwise(intervals):
            if previous.weekday == current.weekday and current.opens < previous.closes:
                raise ValidationError(
                    _("Die Öffnungszeiten %(first)s und %(second)s überschneiden sich."),
                    code="overlap",
                    params={"first": previous.label(), "second": current.label()},
                )

    def intervals(self) -> list[Interval]:
        found = (form.interval() for form in self.forms if isinstance(form, OpeningHoursForm))
        return [interval for interval in found if interval is not None]


OpeningHoursFormSet = forms.formset_factory(
    OpeningHoursForm, formset=BaseOpeningHoursFormSet, extra=3, can_delete=True
)


def opening_hours_initial(branch: Branch | None) -> list[dict[str, Any]]:
    if branch is None:
        return []
    return [
        {"weekday": hours.weekday, "opens": hours.opens, "closes": hours.closes}
        for hours in branch.opening_hours.all().order_by("weekday", "opens")
    ]


def default_opening_hours() -> list[dict[str, Any]]:
    """A sensible start for a new branch: Monday to Friday, 8 to 17."""
    return [
        {"weekday": day, "opens": datetime.time(8), "closes": datetime.time(17)} for day in range(5)
    ]
