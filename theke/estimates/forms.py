"""Staff forms of online estimates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from theke.accounts.forms import BootstrapMixin
from theke.customers.models import Article, Contact
from theke.estimates.models import EstimateSettings
from theke.estimates.services.settings import SETTING_FIELDS
from theke.messaging.purposes import EMAIL, SMS
from theke.messaging.services.outbox import sms_allowed
from theke.tenants.models import Tenant


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


class EstimateSettingsForm(BootstrapMixin, forms.ModelForm):
    """Link validity, the reminder and the flat-fee articles; the service saves."""

    # Declared with an empty queryset: the model's default would query outside a tenant scope.
    return_shipping_article = forms.ModelChoiceField(
        label=_("Artikel Rückversand-Pauschale"),
        queryset=Article.objects.none(),
        required=False,
        help_text=_("Sonderartikel, dessen Preis der Kunde bei Ablehnung mit Rücksendung zahlt."),
    )
    disposal_article = forms.ModelChoiceField(
        label=_("Artikel Entsorgungs-Pauschale"),
        queryset=Article.objects.none(),
        required=False,
        help_text=_("Sonderartikel, dessen Preis der Kunde bei Ablehnung mit Entsorgung zahlt."),
    )

    class Meta:
        model = EstimateSettings
        fields = list(SETTING_FIELDS)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specials = Article.objects.filter(tenant=tenant, is_special=True, is_active=True)
        for name in ("return_shipping_article", "disposal_article"):
            field = self.fields[name]
            field.queryset = specials  # type: ignore[attr-defined]
            field.empty_label = _("– automatisch (PA-RUECK / PA-ENTS) –")  # type: ignore[attr-defined]
        self.fields["reminder_days"].widget.attrs["placeholder"] = _("keine Erinnerung")
