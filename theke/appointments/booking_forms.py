"""The forms of the public booking pages, one per step (customer_views.py).

Each checks its step on the server and puts the message next to its field; the service
(`services.booking.book`) checks the whole request again when it is confirmed.
"""

from __future__ import annotations

import datetime
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from theke.appointments.models import MAX_MILEAGE_KM, BookableService

SALUTATIONS = [("", _("– bitte wählen –")), ("Frau", _("Frau")), ("Herr", _("Herr"))]


class ServicesForm(forms.Form):
    services = forms.TypedMultipleChoiceField(
        label=_("Leistungen"),
        coerce=int,
        error_messages={
            "required": _("Bitte wählen Sie mindestens eine Leistung."),
            "invalid_choice": _("Bitte wählen Sie nur angebotene Leistungen."),
        },
    )

    def __init__(self, *args: Any, offered: list[BookableService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["services"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(s.pk, s.name) for s in offered]


class VehicleForm(forms.Form):
    vin = forms.CharField(label=_("Fahrgestellnummer (FIN)"), max_length=17, required=False)
    license_plate = forms.CharField(label=_("Kennzeichen"), max_length=20, required=False)
    make = forms.CharField(label=_("Marke"), max_length=60, required=False)
    model = forms.CharField(label=_("Modell"), max_length=100, required=False)
    mileage_km = forms.IntegerField(
        label=_("Kilometerstand"),
        required=False,
        min_value=0,
        max_value=MAX_MILEAGE_KM,
        error_messages={"invalid": _("Bitte geben Sie den Kilometerstand als Zahl ein.")},
    )
    customer_number = forms.CharField(
        label=_("Kundennummer (falls bekannt)"), max_length=40, required=False
    )

    def clean_vin(self) -> str:
        vin = "".join(str(self.cleaned_data.get("vin") or "").split()).upper()
        if vin and (len(vin) != 17 or not vin.isalnum()):
            raise forms.ValidationError(_("Die FIN hat 17 Zeichen (Buchstaben und Ziffern)."))
        return vin

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = not data.get("vin") and not (data.get("license_plate") or "").strip()
        if missing and "vin" not in self.errors:
            self.add_error(
                "license_plate",
                _("Bitte geben Sie das Kennzeichen oder die Fahrgestellnummer (FIN) an."),
            )
        return data


class SlotForm(forms.Form):
    start = forms.CharField(
        label=_("Termin"), error_messages={"required": _("Bitte wählen Sie einen Termin.")}
    )

    def clean_start(self) -> datetime.datetime:
        value = parse_datetime(str(self.cleaned_data.get("start") or ""))
        if value is None or timezone.is_naive(value):
            raise forms.ValidationError(_("Bitte wählen Sie einen Termin."))
        return value


class ContactForm(forms.Form):
    salutation = forms.ChoiceField(label=_("Anrede"), choices=SALUTATIONS, required=False)
    first_name = forms.CharField(label=_("Vorname"), max_length=100, required=False)
    last_name = forms.CharField(
        label=_("Nachname"),
        max_length=100,
        error_messages={"required": _("Bitte geben Sie Ihren Nachnamen ein.")},
    )
    email = forms.EmailField(
        label=_("E-Mail"),
        max_length=254,
        error_messages={
            "required": _("Bitte geben Sie Ihre E-Mail-Adresse ein."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse ein."),
        },
    )
    mobile_phone = forms.CharField(label=_("Mobilnummer"), max_length=40, required=False)
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("PLZ"), max_length=12, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Anmerkung"), max_length=2000, required=False, widget=forms.Textarea
    )
    legal_consent = forms.BooleanField(
        label=_("Einwilligung"),
        error_messages={"required": _("Bitte bestätigen Sie die Bedingungen.")},
    )
    legal_terms_version = forms.CharField(required=False)
    legal_privacy_version = forms.CharField(required=False)

    def clean_mobile_phone(self) -> str:
        raw = (self.cleaned_data.get("mobile_phone") or "").strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(_("Bitte geben Sie eine gültige Mobilnummer ein."))
        return raw

    def clean_postal_code(self) -> str:
        code = (self.cleaned_data.get("postal_code") or "").strip()
        if code and not (code.isdigit() and len(code) in (4, 5)):
            raise forms.ValidationError(_("Bitte prüfen Sie die PLZ."))
        return code
