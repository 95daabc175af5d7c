"""Staff forms of online estimates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from theke.accounts.models import User
from theke.core.forms import BootstrapMixin
from theke.customers.models import Article, Contact, Customer, Vehicle
from theke.estimates.models import EstimateSettings
from theke.estimates.services.settings import FEE_ARTICLE_FIELDS, SETTING_FIELDS
from theke.messaging.purposes import EMAIL, SMS
from theke.messaging.services.outbox import sms_allowed
from theke.orders.models import Order
from theke.tenants.models import Tenant

if TYPE_CHECKING:  # django-stubs is a development dependency
    from django_stubs_ext import StrOrPromise


class SendLinkForm(forms.Form):
    """Whom and how to send the estimate's link; the service checks the rules again."""

    contact = forms.ModelChoiceField(
        label=_("Empfänger"), queryset=Contact.objects.none(), empty_label=None
    )
    channels = forms.MultipleChoiceField(
        label=_("Versand per"),
        choices=[(EMAIL, _("E-Mail")), (SMS, _("SMS"))],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Bitte wählen Sie E-Mail und/oder SMS.")},
    )
    revoke_previous = forms.BooleanField(
        label=_("Frühere Links widerrufen"), required=False, initial=False
    )

    def __init__(self, *args: Any, tenant: Tenant, customer_id: int | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        contacts = (
            Contact.objects.filter(customer_id=customer_id)
            if customer_id is not None
            else Contact.objects.none()
        )
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        self.sms_possible = any(sms_allowed(tenant, c) for c in contacts)
        if not tenant.sms_enabled:
            self.fields["channels"].choices = [(EMAIL, _("E-Mail"))]  # type: ignore[attr-defined]
        self.fields["channels"].initial = [EMAIL]


def _fee_article_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.ModelChoiceField:
    # Declared with an empty queryset: the model's default would query outside a tenant scope.
    return forms.ModelChoiceField(
        label=label, queryset=Article.objects.none(), required=False, help_text=help_text
    )


class EstimateSettingsForm(BootstrapMixin, forms.ModelForm):
    """Link validity, the reminder, the decline choices and their flat-fee articles; the
    service saves."""

    return_shipping_article = _fee_article_field(
        _("Artikel Rückversand-Pauschale"),
        _(
            "Sonderartikel, dessen Preis der Kunde bei Ablehnung mit Rücksendung zahlt. "
            "Automatisch: der aktive Sonderartikel PA-RUECK oder einer mit „Rückversand“ im Namen."
        ),
    )
    disposal_article = _fee_article_field(
        _("Artikel Entsorgungs-Pauschale"),
        _(
            "Sonderartikel, dessen Preis der Kunde bei Ablehnung mit Entsorgung zahlt. "
            "Automatisch: der aktive Sonderartikel PA-ENTS oder einer mit „Entsorg“ im Namen."
        ),
    )
    pickup_unrepaired_article = _fee_article_field(
        _("Artikel Pauschale unrepariert abholen"),
        _(
            "Sonderartikel, dessen Preis der Kunde zahlt, der sein Fahrzeug unrepariert abholt. "
            "Automatisch: der aktive Sonderartikel PA-ABHOL oder einer mit „unrepariert“ im "
            "Namen."
        ),
    )
    scrapping_article = _fee_article_field(
        _("Artikel Verschrottungs-Pauschale"),
        _(
            "Sonderartikel, dessen Preis der Kunde bei Entsorgung/Verschrottung seines "
            "Fahrzeugs zahlt. Automatisch: der aktive Sonderartikel PA-VERSCHR oder einer mit "
            "„Verschrott“ im Namen."
        ),
    )

    class Meta:
        model = EstimateSettings
        fields = list(SETTING_FIELDS)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specials = Article.objects.filter(tenant=tenant, is_special=True, is_active=True)
        for name in FEE_ARTICLE_FIELDS:
            field = self.fields[name]
            field.queryset = specials  # type: ignore[attr-defined]
            field.empty_label = _("– automatisch –")  # type: ignore[attr-defined]
        self.fields["reminder_days"].widget.attrs["placeholder"] = _("keine Erinnerung")


# --- an estimate entered by staff ------------------------------------------------------------


class EstimateForm(BootstrapMixin, forms.Form):
    """The estimate's head; the customer is fixed before (from its page or the picker)."""

    contact = forms.ModelChoiceField(
        label=_("Ansprechpartner"), queryset=Contact.objects.none(), required=False
    )
    vehicle = forms.ModelChoiceField(
        label=_("Fahrzeug"), queryset=Vehicle.objects.none(), required=False
    )
    order = forms.ModelChoiceField(
        label=_("Auftrag"), queryset=Order.objects.none(), required=False
    )
    object_description = forms.CharField(
        label=_("Gegenstand"),
        max_length=300,
        help_text=_("Was repariert werden soll, z. B. „Smartphone Galaxy S21“ oder das Fahrzeug."),
    )
    defect_description = forms.CharField(
        label=_("Fehlerbeschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    technician = forms.ModelChoiceField(
        label=_("Zuständiger Techniker"), queryset=User.objects.none(), required=False
    )
    valid_until = forms.DateField(
        label=_("Gültig bis"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    terms = forms.CharField(
        label=_("Bedingungen"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(
        label=_("Hinweise"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, tenant: Tenant, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queries = {
            "contact": Contact.objects.filter(customer=customer),
            "vehicle": Vehicle.objects.filter(customer=customer),
            "order": Order.objects.filter(customer=customer).order_by("-id"),
            "technician": User.objects.filter(
                memberships__tenant=tenant, memberships__is_active=True
            ).order_by("full_name", "email"),
        }
        for name, queryset in queries.items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]
            self.fields[name].empty_label = _("– keine Angabe –")  # type: ignore[attr-defined]
        self.fields["technician"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.full_name or user.email
        )

    def preselect_only_choices(self) -> None:
        """A customer's only contact and only vehicle are chosen already (of several, none:
        a guess would be wrong as often as right)."""
        for name in ("contact", "vehicle"):
            choices = list(self.fields[name].queryset.values_list("pk", flat=True)[:2])  # type: ignore[attr-defined]
            if len(choices) == 1 and not self.initial.get(name):
                self.initial[name] = choices[0]

    def service_values(self) -> dict[str, Any]:
        """The cleaned head as `save_estimate` takes it."""
        data = self.cleaned_data
        technician = data["technician"]
        order = data["order"]
        values = {
            name: data[name]
            for name in (
                "contact",
                "vehicle",
                "object_description",
                "defect_description",
                "valid_until",
                "terms",
                "notes",
            )
        }
        values["order_external_id"] = order.external_id if order is not None else ""
        values["technician_name"] = (technician.full_name or technician.email) if technician else ""
        values["technician_email"] = technician.email if technician else ""
        return values


class PositionForm(BootstrapMixin, forms.Form):
    """One position: an article number fills text, unit, price and VAT it leaves blank.

    Numbers stay text here: the service reads German commas and reports errors per field.
    With script, the article field searches the article master as one types
    (staff_editor.article_search) and a pick fills the row at once.
    """

    article_number = forms.CharField(
        label=_("Artikel"),
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "article-search",
                "autocomplete": "off",
                "placeholder": _("Nr. oder Text suchen"),
            }
        ),
    )
    text = forms.CharField(label=_("Text"), max_length=500, required=False)
    quantity = forms.CharField(label=_("Menge"), max_length=20, required=False)
    unit = forms.CharField(label=_("Einheit"), max_length=20, required=False)
    unit_price = forms.CharField(label=_("Einzelpreis netto"), max_length=20, required=False)
    discount_percent = forms.CharField(label=_("Rabatt (%)"), max_length=10, required=False)
    vat_rate = forms.CharField(label=_("MwSt.-Satz (%)"), max_length=10, required=False)
    is_optional = forms.BooleanField(label=_("optional"), required=False)

    def is_blank(self) -> bool:
        """Nothing typed but the prefilled quantity and VAT rate: the row is left out."""
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("article_number", "text", "unit_price"))


class BasePositionFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("entfernen")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


PositionFormSet = forms.formset_factory(
    PositionForm, formset=BasePositionFormSet, extra=0, can_delete=True, max_num=200
)


class PhotoForm(BootstrapMixin, forms.Form):
    """A defect photo; its type is checked by content in the service, not by its name."""

    file = forms.FileField(
        label=_("Foto (JPEG, PNG, WebP oder HEIC)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"}
        ),
    )
    caption = forms.CharField(label=_("Bildunterschrift"), max_length=300, required=False)
