"""The customer's forms of the job manager besides the phase form: parking a request on the
Parkplatz and the public callback request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from theke.core.forms import BootstrapMixin
from theke.customers.models import Vehicle
from theke.jobs.forms import vehicle_label
from theke.jobs.services.requests import MESSAGE_LENGTH

OTHER_VEHICLE = "andere"
PHONE_INVALID = _("Bitte geben Sie eine gültige Telefonnummer ein, z. B. 0171 1234567.")


def _phone(label: Any, *, required: bool, help_text: Any = "") -> PhoneNumberField:
    field = PhoneNumberField(
        region="DE",
        label=label,
        required=required,
        help_text=help_text,
        error_messages={
            "required": _("Bitte geben Sie Ihre Telefonnummer an."),
            "invalid": PHONE_INVALID,
        },
    )
    field.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
    return field


def _message(label: Any, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MESSAGE_LENGTH,
        required=required,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Bitte schreiben Sie uns, worum es geht.")},
    )


class ParkForm(BootstrapMixin, forms.Form):
    """ "Anfrage parken": one of the customer's vehicles or another one, a message, a number."""

    vehicle = forms.ChoiceField(
        label=_("Welches Fahrzeug interessiert Sie?"),
        required=False,
        widget=forms.RadioSelect,
    )
    vehicle_text = forms.CharField(
        label=_("Welches Fahrzeug interessiert Sie?"),
        max_length=200,
        required=False,
        help_text=_("Zum Beispiel Marke und Modell, oder die Anzeige, die Sie gesehen haben."),
    )
    message = _message(_("Ihre Nachricht"), required=True)
    callback_phone = _phone(
        _("Rückrufnummer"),
        required=False,
        help_text=_("Falls Sie einen Rückruf wünschen."),
    )

    def __init__(self, *args: Any, vehicles: list[Vehicle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vehicles = {str(v.pk): v for v in vehicles}
        field = self.fields["vehicle"]
        assert isinstance(field, forms.ChoiceField)
        if vehicles:
            field.choices = [
                *((pk, vehicle_label(v)) for pk, v in self.vehicles.items()),
                (OTHER_VEHICLE, _("Ein anderes Fahrzeug")),
            ]
            self.fields["vehicle_text"].label = _("Anderes Fahrzeug")
        else:
            del self.fields["vehicle"]

    def chosen_vehicle(self) -> Vehicle | None:
        return self.vehicles.get(str(self.cleaned_data.get("vehicle") or ""))


class CallbackForm(BootstrapMixin, forms.Form):
    """The public callback request ("Rückruf anfordern")."""

    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie Ihren Namen an.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = _phone(
        _("Telefonnummer"), required=True, help_text=_("Unter dieser Nummer rufen wir Sie zurück.")
    )
    email = forms.EmailField(
        label=_("E-Mail (freiwillig)"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse ein.")},
        help_text=_("Dann schicken wir Ihnen auch eine Bestätigung."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = _message(_("Worum geht es?"), required=True)
    vehicle = forms.CharField(
        label=_("Welches Fahrzeug interessiert Sie? (freiwillig)"),
        max_length=200,
        required=False,
    )
    legal_consent = forms.BooleanField(
        label=_("Einwilligung"),
        error_messages={"required": _("Bitte bestätigen Sie die Bedingungen.")},
    )
    legal_terms_version = forms.CharField(required=False)
    legal_privacy_version = forms.CharField(required=False)
