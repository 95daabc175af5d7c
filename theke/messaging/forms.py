"""Forms of messaging: a template's texts, the tenant's messaging settings, composing.

The compose form is reusable: a page describes what may be sent in a ComposeSetup (the
contacts, the purposes to pick from, the values of their placeholders) and the form offers
only what can actually be sent — SMS only with the tenant's switch and the contact's
consent, e-mail only to a contact with an address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from theke.core.forms import BootstrapMixin
from theke.customers.models import Contact
from theke.messaging import textformat
from theke.messaging.messages import MESSAGE_TO_CUSTOMER
from theke.messaging.models import Channel, MessageTemplate
from theke.messaging.purposes import EMAIL, SMS, Purpose, get_purpose
from theke.messaging.services import templates
from theke.tenants.models import Language, Tenant
from theke.tenants.services import MESSAGING_FIELDS

MONOSPACE = "font-monospace template-source"


class TemplateForm(BootstrapMixin, forms.Form):
    """The texts of one purpose, channel and language; the service validates placeholders."""

    subject = forms.CharField(label=_("Betreff"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": MONOSPACE, "spellcheck": "true"}),
    )
    html = forms.CharField(
        label=_("HTML-Fassung"),
        required=False,
        max_length=50000,
        strip=False,
        help_text=_("Leer lassen: Die HTML-Fassung wird aus dem Text erzeugt."),
        widget=forms.Textarea(attrs={"rows": 10, "class": MONOSPACE, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel == SMS:
            del self.fields["subject"]
            del self.fields["html"]
            self.fields["text"].label = _("SMS-Text")
            self.fields["text"].widget.attrs["rows"] = 6
        for name, bound in self.fields.items():
            bound.widget.attrs["data-placeholder-target"] = name

    def texts(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {name: str(data.get(name) or "") for name in ("subject", "text", "html")}


class TemplateNameForm(BootstrapMixin, forms.Form):
    """The name of a named text (to add one or rename one); the service checks uniqueness."""

    name = forms.CharField(label=_("Name"), max_length=templates.NAME_MAX_LENGTH)

    def __init__(self, *args: Any, renaming: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "rename" if renaming else "new")
        super().__init__(*args, **kwargs)
        name = self.fields["name"]
        if renaming:
            name.label = _("Name dieses Textes")
        else:
            name.label = _("Name eines weiteren Textes")
            name.help_text = _(
                "Zum Beispiel „Absage kurz“. Er beginnt als Kopie des Standardtexts."
            )


class MessagingSettingsForm(BootstrapMixin, forms.ModelForm):
    """Sender identity and addresses. Pass a fresh instance; the service saves."""

    class Meta:
        model = Tenant
        fields = MESSAGING_FIELDS
        help_texts = {
            "email_reply_to": _("Leer: Antworten gehen an die Antwortadresse der Unterhaltung."),
            "notification_email": _(
                "Hierhin gehen z. B. die Antworten von Kunden auf Kostenvoranschläge. Leer: an "
                "die E-Mail-Adresse Ihres Unternehmens."
            ),
            "sms_sender": _(
                "Höchstens 11 Zeichen: Buchstaben ohne Umlaute, Ziffern, Leerzeichen, "
                "Punkt oder Bindestrich. Leer: Absender des SMS-Anbieters."
            ),
        }
        widgets = {
            "email_reply_to": forms.EmailInput(attrs={"autocomplete": "off"}),
            "notification_email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }


# --- compose --------------------------------------------------------------------------------


@dataclass
class ComposeSetup:
    """What a compose form may offer: contacts, purposes and their placeholder values."""

    tenant: Tenant
    contacts: Sequence[Contact]
    purposes: Sequence[str]
    default_purpose: str = MESSAGE_TO_CUSTOMER.code
    # Values of the purposes' own placeholders (appointment_date, link, …); the recipient's
    # name, greeting and the company's data are added per contact and language.
    context: Mapping[str, Any] = field(default_factory=dict)

    def channels(self, contact: Contact | None, purpose: Purpose) -> list[str]:
        return [
            c for c in templates.available_channels(self.tenant, contact) if c in purpose.channels
        ]

    def reachable_contacts(self) -> list[Contact]:
        """Contacts that can be written to with at least one of the purposes."""
        found = []
        for contact in self.contacts:
            if any(self.channels(contact, get_purpose(code)) for code in self.purposes):
                found.append(contact)
        return found

    def purposes_for(self, contact: Contact | None) -> list[Purpose]:
        return [
            get_purpose(code) for code in self.purposes if self.channels(contact, get_purpose(code))
        ]


@dataclass(frozen=True)
class Selection:
    """The contact, purpose, channel and language a compose form currently stands on."""

    contact: Contact | None
    purpose: Purpose | None
    channel: str
    language: str
    channels: list[str]
    purposes: list[Purpose]
    # The tenant's named texts of the purpose, channel and language (default first), and
    # the one chosen (None: the default, or the shipped text when there is none).
    named: list[MessageTemplate] = field(default_factory=list)
    named_text: int | None = None


def _pick(value: Any, allowed: Sequence[str], fallback: str) -> str:
    return str(value) if str(value) in allowed else fallback


def select(setup: ComposeSetup, values: Mapping[str, Any]) -> Selection:
    """Resolve the choices (from input or initial values) to what can actually be sent."""
    contacts = setup.reachable_contacts()
    contact = next((c for c in contacts if str(c.pk) == str(values.get("contact"))), None)
    if contact is None and contacts:
        contact = contacts[0]
    purposes = setup.purposes_for(contact)
    codes = [p.code for p in purposes]
    fallback = setup.default_purpose if setup.default_purpose in codes else (codes or [""])[0]
    code = _pick(values.get("purpose"), codes, fallback)
    purpose = get_purpose(code) if code else None
    channels = setup.channels(contact, purpose) if purpose else []
    channel = _pick(values.get("channel"), channels, (channels or [""])[0])
    own_language = contact.language if contact else None
    language = _pick(
        values.get("language"),
        [code for code, _label in Language.choices],
        templates.resolve_language(setup.tenant, own_language),
    )
    named = (
        templates.named_templates(setup.tenant, code, channel, language)
        if purpose is not None and channel
        else []
    )
    wanted = str(values.get("named_text") or "")
    chosen = next((row.pk for row in named if str(row.pk) == wanted), None)
    return Selection(contact, purpose, channel, language, channels, purposes, named, chosen)


class ComposeForm(BootstrapMixin, forms.Form):
    """Pick a contact, channel and template, then edit the text before sending.

    Unbound, the text is the chosen template rendered for the chosen contact; placeholders
    without a value stay in it as `{name}` for staff to fill in (sending refuses leftovers).
    """

    token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    contact = forms.ChoiceField(label=_("Empfänger"))
    channel = forms.ChoiceField(label=_("Kanal"), widget=forms.RadioSelect)
    purpose = forms.ChoiceField(label=_("Vorlage"))
    language = forms.ChoiceField(label=_("Sprache"), choices=Language.choices)
    # Not checked against the choices: a text deleted meanwhile must not block sending what
    # staff wrote (the text is sent as edited).
    named_text = forms.CharField(
        label=_("Textbaustein"),
        required=False,
        widget=forms.Select,
        help_text=_("Setzt den gewählten Text Ihres Unternehmens ein."),
    )
    subject = forms.CharField(label=_("Betreff"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Text"),
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        setup: ComposeSetup,
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}))
        self.setup = setup
        self.selection = select(setup, data if data is not None else self.initial)
        sel = self.selection
        self._choices(
            "contact", [(str(c.pk), self._contact_label(c)) for c in setup.reachable_contacts()]
        )
        self._choices("purpose", [(p.code, str(p.label)) for p in sel.purposes])
        self._choices("channel", [(c, str(Channel(c).label)) for c in sel.channels])
        self.fields["channel"].widget.attrs["class"] = "form-check-input"
        if len(sel.named) > 1:
            default_label = _("%(name)s (Standard)")
            self.fields["named_text"].widget.choices = [
                (str(row.pk), default_label % {"name": row.name} if row.is_default else row.name)
                for row in sel.named
            ]
        else:
            del self.fields["named_text"]  # nothing to choose from
        if sel.channel != EMAIL:
            del self.fields["subject"]
        text_attrs = self.fields["text"].widget.attrs
        text_attrs["rows"] = 6 if sel.channel == SMS else 12
        if sel.channel == SMS:
            # The SMS length follows the typing (htmx).
            text_attrs.update(
                {
                    "hx-post": reverse("messaging:sms_length"),
                    "hx-trigger": "input delay:200ms",
                    "hx-target": "#compose-sms-length",
                    "hx-include": "this",
                    "hx-sync": "this:replace",
                }
            )
        if not self.is_bound:
            self._prefill()

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        choice_field = self.fields[name]
        assert isinstance(choice_field, forms.ChoiceField)
        choice_field.choices = choices

    @staticmethod
    def _contact_label(contact: Contact) -> str:
        ways = [contact.email] if contact.email else []
        if contact.mobile_phone:
            ways.append(str(contact.mobile_phone.as_national))
        return f"{contact} ({', '.join(ways)})" if ways else str(contact)

    def _prefill(self) -> None:
        sel = self.selection
        if not self.initial.get("token"):
            self.initial["token"] = templates.new_compose_token()
        self.initial.update(
            {
                "contact": str(sel.contact.pk) if sel.contact else "",
                "purpose": sel.purpose.code if sel.purpose else "",
                "channel": sel.channel,
                "language": sel.language,
                "named_text": str(sel.named_text or (sel.named[0].pk if sel.named else "")),
            }
        )
        rendered = self.rendered()
        if rendered is not None:
            self.initial["subject"] = rendered.subject
            self.initial["text"] = rendered.text

    def context(self) -> dict[str, Any]:
        sel = self.selection
        return {
            **templates.base_context(self.setup.tenant, contact=sel.contact, language=sel.language),
            **self.setup.context,
        }

    def rendered(self) -> templates.Rendered | None:
        sel = self.selection
        if sel.purpose is None or not sel.channel:
            return None
        return templates.render_message(
            self.setup.tenant,
            sel.purpose.code,
            sel.channel,
            sel.language,
            self.context(),
            keep_missing=True,
            template_id=sel.named_text,
        )

    def open_placeholders(self) -> list[str]:
        """Placeholders of the purpose still in the text (to be replaced before sending)."""
        sel = self.selection
        if sel.purpose is None:
            return []
        text = self.data.get("text") if self.is_bound else self.initial.get("text")
        subject = self.data.get("subject") if self.is_bound else self.initial.get("subject")
        combined = f"{subject or ''}\n{text or ''}"
        return textformat.placeholders_in(combined, list(sel.purpose.placeholders))

    def sms_hint(self) -> str:
        """Why SMS is not offered for a purpose that has it (silent while SMS is switched off)."""
        sel = self.selection
        if sel.purpose is None or SMS not in sel.purpose.channels or SMS in sel.channels:
            return ""
        if not self.setup.tenant.sms_enabled:
            return ""
        if sel.contact is None or not sel.contact.mobile_phone:
            return str(_("Keine SMS möglich: Es ist keine Mobilnummer hinterlegt."))
        return str(_("Keine SMS möglich: Der Empfänger hat dem Empfang von SMS nicht zugestimmt."))

    def sms_length(self) -> textformat.SmsLength | None:
        if self.selection.channel != SMS:
            return None
        text = self.data.get("text") if self.is_bound else self.initial.get("text")
        return textformat.sms_length(str(text or ""))

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of templates.send_composed (contact, purpose, channel, texts)."""
        sel = self.selection
        data = self.cleaned_data
        return {
            "contact": sel.contact,
            "purpose": data["purpose"],
            "channel": data["channel"],
            "language": data["language"],
            "subject": data.get("subject", ""),
            "text": data["text"],
            "token": data["token"],
            "context": self.setup.context,
        }


class ResendFailedForm(BootstrapMixin, forms.Form):
    """A period (local days) and optionally a channel whose failed messages go out again."""

    first_day = forms.DateField(
        label=_("Erster Tag"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last_day = forms.DateField(
        label=_("Letzter Tag"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    channel = forms.ChoiceField(label=_("Kanal"), choices=[("", _("alle"))], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = [("", _("alle")), *Channel.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("Der letzte Tag liegt vor dem ersten."))
        return data
