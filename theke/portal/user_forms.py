"""Forms of the portal's registration, consent, users and settings (users area)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from theke.core.errors import ServiceError
from theke.core.forms import BootstrapMixin
from theke.customers.models import Location
from theke.portal.models import PortalRole, PortalSettings, PortalUser
from theke.tenants.forms import LegalConsentForm

PASSWORD_HELP = _(
    "Mindestens 10 Zeichen; nicht nur Ziffern, kein gängiges Passwort und nicht Ihrem Namen "
    "oder Ihrer E-Mail-Adresse ähnlich."
)


def show_service_error(form: forms.BaseForm, error: ServiceError, fields: dict[str, str]) -> None:
    """Put a refused change next to its field (`fields` maps the service's names)."""
    name = fields.get(error.field or "", error.field or "")
    form.add_error(name if name in form.fields else None, error.messages)


class RegistrationForm(LegalConsentForm):
    """Personal data, the consent checkbox and the password twice (checked by the service
    with Django's validators against the entered names and the e-mail)."""

    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Nachname"), max_length=150)
    phone = forms.CharField(label=_("Telefon (optional)"), max_length=40, required=False)
    password1 = forms.CharField(
        label=_("Passwort"), strip=False, widget=forms.PasswordInput, help_text=PASSWORD_HELP
    )
    password2 = forms.CharField(
        label=_("Passwort bestätigen"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, invited: PortalUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invited = invited

    def clean(self) -> dict[str, Any]:
        from theke.portal.services.users import check_password

        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        elif first:
            try:
                check_password(
                    first, self.invited, data.get("first_name", ""), data.get("last_name", "")
                )
            except ServiceError as error:
                self.add_error("password1", error.messages)
        return data


class ConsentForm(LegalConsentForm):
    """The consent checkbox alone (a newer version of the terms or privacy policy)."""


class _RightsForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=PortalRole.choices)
    sees_invoices = forms.BooleanField(label=_("Sieht Rechnungen"), required=False)
    sees_prices = forms.BooleanField(label=_("Sieht Preise"), required=False)
    all_locations = forms.BooleanField(label=_("Alle Standorte"), required=False, initial=True)
    locations = forms.ModelMultipleChoiceField(
        label=_("Standorte"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locations_field = self.fields["locations"]
        assert isinstance(locations_field, forms.ModelMultipleChoiceField)
        locations_field.queryset = locations
        locations_field.label_from_instance = location_label  # type: ignore[method-assign,assignment]

    def rights(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "sees_invoices": bool(data.get("sees_invoices")),
            "sees_prices": bool(data.get("sees_prices")),
            "all_locations": bool(data.get("all_locations")),
            "locations": list(data.get("locations") or []),
        }


def location_label(location: Location) -> str:
    place = f"{location.street}, {location.postal_code} {location.city}".strip(", ")
    return f"{location.name} – {place}" if location.name else place


class InviteForm(_RightsForm):
    email = forms.EmailField(label=_("E-Mail-Adresse"), max_length=254)
    first_name = forms.CharField(label=_("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=150, required=False)
    field_order = ["email", "first_name", "last_name", "role"]


class UserForm(_RightsForm):
    @classmethod
    def for_user(cls, user: PortalUser, locations: QuerySet[Location], data: Any) -> UserForm:
        initial = {
            "role": user.role,
            "sees_invoices": user.sees_invoices,
            "sees_prices": user.sees_prices,
            "all_locations": user.all_locations,
            "locations": list(user.locations.all()),
        }
        return cls(data, initial=initial, locations=locations)


class ActivateForm(BootstrapMixin, forms.Form):
    online_portal = forms.BooleanField(
        label=_("Online-Portal"),
        help_text=_("Der Kunde wird im Kundenportal angelegt und der erste Benutzer eingeladen."),
    )
    first_user_email = forms.EmailField(label=_("E-Mail-Adresse des ersten Benutzers"))
    first_name = forms.CharField(label=_("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["online_portal"].error_messages["required"] = _(
            "Bitte setzen Sie den Haken bei „Online-Portal“."
        )


class PortalSettingsForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PortalSettings
        fields = [
            "lead_time_days",
            "show_prices",
            "rent_free_days",
            "rent_reminder_days",
            "sales_email",
            "dispatch_email",
        ]
