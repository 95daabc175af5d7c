"""The staff form of a webhook endpoint (validation of URL and types lives in the service)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from theke.api.models import WebhookEndpoint


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Adresse (URL)"),
        max_length=2000,
        widget=forms.URLInput(
            attrs={
                "class": "form-control",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "https://erp.example.com/theke/webhooks",
            }
        ),
        help_text=_("Wohin Theke die Ereignisse sendet (POST, JSON). Nur http:// oder https://."),
    )
    description = forms.CharField(
        label=_("Beschreibung"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
        help_text=_("Wofür der Endpunkt dient, z. B. „Warenwirtschaft Filiale Nord“."),
    )
    event_types = forms.CharField(
        label=_("Ereignistypen"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(
            attrs={"class": "form-control font-monospace", "rows": 3, "spellcheck": "false"}
        ),
        help_text=_(
            "Ein Typ je Zeile oder durch Kommas getrennt, z. B. estimate.accepted, oder "
            "estimate.* für alle Ereignisse eines Objekts. Leer lassen: alle Ereignisse."
        ),
    )

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, data: Any = None) -> WebhookEndpointForm:
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": "\n".join(endpoint.event_types or []),
        }
        return cls(data, initial=initial)
