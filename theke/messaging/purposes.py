"""The registry of message purposes and the pieces every domain's purposes share.

A domain declares its purposes in its own `messages.py` (placeholders, sample values, the
shipped texts in German and English) and registers them with `register`; messaging imports
those modules when the app is ready and knows none of them by name. The shipped texts are
data, not gettext msgids: a tenant replaces them with named texts per purpose, channel and
language (MessageTemplate), and the recipient's language picks the text.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.html import urlize
from django.utils.translation import gettext_lazy as _

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)
LANGUAGES = ("de", "en")

Label = str | Promise


@dataclass(frozen=True)
class DefaultText:
    """A shipped text of one channel and language; SMS uses `text` only."""

    subject: str = ""
    text: str = ""
    html: str = ""
    # The label of the prominent `{link}` in the HTML built from the text.
    link_label: str = ""


@dataclass(frozen=True)
class Purpose:
    """Why a message is sent, which channels it may use and what its texts may contain."""

    code: str
    label: Label
    description: Label
    channels: tuple[str, ...]
    placeholders: Mapping[str, Label]
    defaults: Mapping[tuple[str, str], DefaultText]
    # Staff may pick this purpose when writing to a customer by hand.
    manual: bool = False
    # Goes to the business itself (its notification address), not to a customer.
    to_company: bool = False
    # Sample values of the purpose's own placeholders per language (the preview's data).
    samples: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def default(self, channel: str, language: str) -> DefaultText:
        return self.defaults[(channel, language)]

    def html_for(self, text: str, language: str, button: Callable[[str], str] | None = None) -> str:
        """The HTML part built from an e-mail text (a template, placeholders kept); `button`
        writes the prominent link (see html_from_text)."""
        default = self.defaults.get((EMAIL, language))
        return html_from_text(text, default.link_label if default else "", button)

    def sample_context(self, language: str) -> dict[str, str]:
        """Sample values of every placeholder, for the preview."""
        values = {**SAMPLES["de"], **SAMPLES.get(language, {})}
        own = {**self.samples.get("de", {}), **self.samples.get(language, {})}
        values.update(own)
        return {name: values.get(name, name) for name in self.placeholders}


# --- the registry ---------------------------------------------------------------------------

# code -> purpose, in the order the domains registered them (filled when the apps are ready).
PURPOSES: dict[str, Purpose] = {}


def register(purpose: Purpose) -> Purpose:
    """Make a domain's purpose known (its editor, preview and sending); returns it."""
    known = PURPOSES.get(purpose.code)
    if known is not None and known != purpose:
        raise ImproperlyConfigured(f"two message purposes with the code {purpose.code!r}")
    PURPOSES[purpose.code] = purpose
    return purpose


# Outbox rows that no editable text makes (webhook deliveries, notices): only a label.
UNTEMPLATED_LABELS: dict[str, Label] = {}


def register_untemplated(code: str, label: Label) -> None:
    """Name a kind of outbox row that has no purpose of its own (e.g. a webhook delivery)."""
    UNTEMPLATED_LABELS[code] = label


def purpose_label(code: str) -> Label:
    """What an outbox row was for, in words; the code only for a row of an unknown kind."""
    if code in PURPOSES:
        return PURPOSES[code].label
    return UNTEMPLATED_LABELS.get(code, code)


def get_purpose(code: str) -> Purpose:
    """The purpose with this code; LookupError for an unknown one."""
    try:
        return PURPOSES[code]
    except KeyError:
        raise LookupError(f"unknown message purpose: {code!r}") from None


def manual_purposes() -> list[Purpose]:
    """Purposes staff may pick when writing to a customer, in the order of registration."""
    return [p for p in PURPOSES.values() if p.manual]


# --- placeholders every domain uses ---------------------------------------------------------

COMPANY: dict[str, Label] = {
    "company_name": _("Name Ihres Unternehmens"),
    "company_phone": _("Telefonnummer Ihres Unternehmens"),
    "company_email": _("E-Mail-Adresse Ihres Unternehmens"),
}
RECIPIENT: dict[str, Label] = {
    "greeting": _(
        "Anrede mit Namen, z. B. „Guten Tag Herr Müller“ (auf Englisch „Dear Mr Müller“)"
    ),
    "customer_name": _("Vor- und Nachname des Empfängers"),
}


def placeholders(*groups: Mapping[str, Label], **own: Label) -> dict[str, Label]:
    """The placeholders of a purpose: shared groups (COMPANY, RECIPIENT) and its own."""
    merged: dict[str, Label] = {}
    for group in groups:
        merged.update(group)
    merged.update(own)
    return merged


# Sample values of the shared placeholders for the preview; a purpose brings its own in
# `samples`, and the company's own values come from the tenant.
SAMPLES: dict[str, dict[str, str]] = {
    "de": {
        "greeting": "Guten Tag Herr Mustermann",
        "customer_name": "Max Mustermann",
        "company_name": "Autohaus Muster",
        "company_phone": "030 1234567",
        "company_email": "info@autohaus-muster.de",
        "link": "https://theke.example/t/muster/x7Kq2Lm9",
    },
    "en": {
        "greeting": "Dear Mr Mustermann",
    },
}

# --- helpers building the shipped texts -----------------------------------------------------

SIGNATURE = {
    "de": "Freundliche Grüße\n{company_name}\nTel. {company_phone}",
    "en": "Kind regards\n{company_name}\nPhone {company_phone}",
}
_INLINE_LINK = re.compile(r"\{link\}")


def plain_button(label: str) -> str:
    """The prominent link without a design: the form the editor compares texts in."""
    return f'<p><a href="{{link}}"><strong>{html.escape(label)}</strong></a></p>'


def html_from_text(
    text: str, link_label: str = "", button: Callable[[str], str] | None = None
) -> str:
    """The HTML part of an e-mail text: paragraphs, line breaks, and `{link}` as a link.

    Works on the template, so placeholders stay as they are and the renderer escapes their
    values. A paragraph that is only `{link}` becomes a prominent link labelled `link_label`,
    written by `button` (given the label, it returns markup with `{link}` in it): the e-mail
    layout's branded button when sending, `plain_button` by default.
    """
    button = button or plain_button
    return "\n".join(
        button(link_label) if paragraph is None else paragraph
        # str(): a lazy text as a key would match its translation in another language.
        for paragraph in _paragraphs(str(text), str(link_label))
    )


@functools.lru_cache(maxsize=256)
def _paragraphs(text: str, link_label: str) -> tuple[str | None, ...]:
    """The paragraphs of `html_from_text`, None where the button goes. Kept: urlize is
    slow, and a batch of messages (the reminder sweep) builds the same text every time."""
    paragraphs: list[str | None] = []
    for block in text.strip().split("\n\n"):
        block = block.strip("\n")
        if not block.strip():
            continue
        if block.strip() == "{link}" and link_label:
            paragraphs.append(None)
            continue
        lines = [urlize(line, nofollow=True, autoescape=True) for line in block.split("\n")]
        body = "<br>\n".join(lines)
        body = _INLINE_LINK.sub('<a href="{link}">{link}</a>', body)
        paragraphs.append(f"<p>{body}</p>")
    return tuple(paragraphs)


def email_default(subject: str, text: str, link_label: str = "") -> DefaultText:
    """A shipped e-mail text; its HTML part is built from the text."""
    return DefaultText(subject, text, html_from_text(text, link_label), link_label)


def sms_default(text: str) -> DefaultText:
    return DefaultText(text=text)


def letter(language: str, body: str) -> str:
    """Greeting, body and the tenant's signature."""
    return f"{{greeting}},\n\n{body.strip()}\n\n{SIGNATURE[language]}"


def defaults(
    *,
    email_de: DefaultText,
    email_en: DefaultText,
    sms_de: DefaultText | None = None,
    sms_en: DefaultText | None = None,
) -> dict[tuple[str, str], DefaultText]:
    """The shipped texts of a purpose, keyed by (channel, language)."""
    found = {(EMAIL, "de"): email_de, (EMAIL, "en"): email_en}
    if sms_de is not None and sms_en is not None:
        found[(SMS, "de")] = sms_de
        found[(SMS, "en")] = sms_en
    return found


# --- builders of whole purposes -------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """A purpose's shipped texts in one language: the e-mail's subject and body (the builder
    adds the opening and the closing), the label of its prominent `{link}`, and the SMS where
    the purpose has one."""

    subject: str
    body: str
    button: str = ""
    sms: str | None = None


# The opening and closing of a notice to the business itself.
NOTICE = {
    "de": ("Guten Tag,", "Diese Nachricht wurde automatisch für {company_name} erstellt."),
    "en": ("Hello,", "This message was generated automatically for {company_name}."),
}


def notice(language: str, body: str) -> str:
    """Opening, body and the note that the message was written automatically."""
    opening, closing = NOTICE[language]
    return f"{opening}\n\n{body.strip()}\n\n{closing}"


def make_purpose(
    code: str,
    label: Label,
    description: Label,
    *,
    placeholders: Mapping[str, Label],
    de: Texts,
    en: Texts,
    samples: Mapping[str, Mapping[str, str]] | None = None,
    to_company: bool = False,
) -> Purpose:
    """A purpose stating only what is its own; the frame of its texts comes from here.

    To a customer: the e-mail is a letter (greeting, body, the tenant's signature), with an SMS
    when both languages bring one; the recipient's and the company's placeholders come first.
    To the company (`to_company`): the e-mail is a notice (see `notice`), no SMS; the company's
    name comes last among the placeholders.
    """
    texts = {"de": de, "en": en}
    frame = notice if to_company else letter
    shipped = {
        (EMAIL, language): email_default(t.subject, frame(language, t.body), t.button)
        for language, t in texts.items()
    }
    sms = {language: t.sms for language, t in texts.items() if t.sms is not None}
    if sms and (to_company or len(sms) != len(texts)):
        raise ImproperlyConfigured(
            f"message purpose {code!r}: an SMS text in every language, and none to the company"
        )
    shipped.update({(SMS, language): sms_default(text) for language, text in sms.items()})
    if to_company:
        merged = {**placeholders, "company_name": COMPANY["company_name"]}
    else:
        merged = {**RECIPIENT, **COMPANY, **placeholders}
    return Purpose(
        code=code,
        label=label,
        description=description,
        channels=(EMAIL, SMS) if sms else (EMAIL,),
        placeholders=merged,
        defaults=shipped,
        to_company=to_company,
        samples=samples or {},
    )
