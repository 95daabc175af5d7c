# ruff: noqa: E501  (the shipped texts are data: one paragraph per line)
"""What the job manager ships: the built-in fields and the standard workflow (seed 004:
"ein Standard-Workflow, der bereits komplett einsatzbereit ist"), with the named texts its
phases send. The labels are data in German (the tenant's UI language for its customers);
the tenant copies the workflow to adapt it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from theke.jobs.models import FieldType
from theke.messaging.purposes import letter

STANDARD_NAME = "Standard-Workflow Fahrzeugverkauf"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    default: str = ""
    options: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    help_text: str = ""


@dataclass(frozen=True)
class EntrySpec:
    field: str
    label: str = ""
    required: bool = False
    read_only: bool = False
    hide_label: bool = False
    after_send: bool = False
    condition: str = ""


@dataclass(frozen=True)
class PhaseSpec:
    key: str
    name: str
    staff: tuple[EntrySpec, ...]
    customer: tuple[EntrySpec, ...] = ()
    condition: str = ""
    message: str = ""
    message_sms: bool = False


@dataclass(frozen=True)
class TextSpec:
    """A named text of the purpose job_phase, in German and English."""

    name: str
    subject_de: str
    body_de: str
    subject_en: str
    body_en: str


# The fields every tenant has and cannot change (seed 004: "funktionale Felder").
BUILTIN_FIELDS = (
    FieldSpec("jobstatus", "Jobstatus", FieldType.JOB_STATUS),
    FieldSpec("rueckruf", "Rückrufnummer", FieldType.CALLBACK_PHONE),
    FieldSpec("standort", "Standort", FieldType.LOCATION),
    FieldSpec("kundenmitteilung", "Mitteilung des Kunden", FieldType.CUSTOMER_MESSAGE),
    FieldSpec("fahrzeugkonfiguration", "Fahrzeugkonfiguration", FieldType.VEHICLE_CONFIG),
    FieldSpec("nachrichten_unterdruecken", "Nachrichten unterdrücken", FieldType.SUPPRESS_MESSAGES),
    FieldSpec("bezahlung", "Bezahlung", FieldType.PAYMENT),
    FieldSpec("absenden", "Absenden", FieldType.SAVE_BUTTON),
)

# The standard workflow's own fields (shipped too: a copy of the workflow uses them as they
# are, and the tenant makes its own fields for anything it wants to change).
STANDARD_FIELDS = (
    FieldSpec(
        "hinweis_rueckruf",
        "Hinweis zum Rückruf",
        FieldType.TEXTAREA,
        default="Vielen Dank für Ihre Anfrage. Wir rufen Sie so bald wie möglich zurück.",
    ),
    FieldSpec("interne_notiz", "Interne Notiz", FieldType.TEXTAREA),
    FieldSpec("angebot", "Angebot", FieldType.DOCUMENT_SAVE, documents=("offer",)),
    FieldSpec("angebot_ansehen", "Angebot ansehen", FieldType.DOCUMENT_SHOW, documents=("offer",)),
    FieldSpec("angebot_angenommen", "Ich nehme das Angebot an", FieldType.CHECKBOX),
    FieldSpec("rueckfragen", "Ihre Fragen an uns", FieldType.TEXTAREA),
    FieldSpec("auslieferung_gewuenscht", "Auslieferung gewünscht", FieldType.CHECKBOX),
    FieldSpec("lieferadresse", "Lieferadresse", FieldType.TEXTAREA),
    FieldSpec(
        "auftragsbestaetigung",
        "Auftragsbestätigung",
        FieldType.DOCUMENT_SAVE,
        documents=("order_confirmation",),
    ),
    FieldSpec("rechnung", "Rechnung", FieldType.DOCUMENT_SAVE, documents=("invoice",)),
    FieldSpec("zahlung_geprueft", "Zahlungseingang geprüft", FieldType.CHECKBOX),
    FieldSpec("uebergabetermin", "Übergabetermin", FieldType.TEXT),
    FieldSpec(
        "uebergabeprotokoll",
        "Übergabeprotokoll",
        FieldType.DOCUMENT_SAVE,
        documents=("handover",),
    ),
    FieldSpec("unterlagen", "Unterlagen (z. B. Ausweis, Führerschein)", FieldType.FILE),
    FieldSpec(
        "bewertung",
        "Wie zufrieden sind Sie mit uns?",
        FieldType.SELECT,
        options=("sehr zufrieden", "zufrieden", "weniger zufrieden", "unzufrieden"),
    ),
    FieldSpec("kommentar", "Was möchten Sie uns noch sagen?", FieldType.TEXTAREA),
    FieldSpec(
        "danke",
        "Dank",
        FieldType.TEXT,
        default="Vielen Dank! Ihre Nachricht ist bei uns angekommen.",
    ),
)


def _ro(key: str, label: str = "", **more: object) -> EntrySpec:
    return EntrySpec(key, label, read_only=True, **more)  # type: ignore[arg-type]


STANDARD_PHASES = (
    PhaseSpec(
        "rueckruf",
        "Rückruf angefordert",
        staff=(
            _ro("kundenmitteilung"),
            EntrySpec("rueckruf"),
            EntrySpec("standort"),
            EntrySpec("interne_notiz"),
            EntrySpec("jobstatus"),
            EntrySpec("nachrichten_unterdruecken"),
        ),
        customer=(_ro("hinweis_rueckruf", hide_label=True),),
        message="Rückrufwunsch erhalten",
    ),
    PhaseSpec(
        "angebot",
        "Angebot bereitgestellt",
        staff=(
            EntrySpec("fahrzeugkonfiguration"),
            # Not required: the offer is made from the configuration saved in this view.
            EntrySpec("angebot"),
            EntrySpec("interne_notiz"),
            EntrySpec("jobstatus"),
        ),
        customer=(
            _ro("fahrzeugkonfiguration"),
            _ro("angebot"),
            EntrySpec("angebot_angenommen"),
            EntrySpec("rueckfragen"),
            EntrySpec("absenden", "Antwort senden"),
            _ro("danke", hide_label=True, after_send=True),
        ),
        message="Angebot bereitgestellt",
        message_sms=True,
    ),
    PhaseSpec(
        "angenommen",
        "Angebot angenommen",
        staff=(
            _ro("angebot_angenommen"),
            _ro("rueckfragen"),
            _ro("auslieferung_gewuenscht"),
            _ro("lieferadresse", condition="auslieferung_gewuenscht"),
            EntrySpec("interne_notiz"),
            EntrySpec("jobstatus"),
        ),
        customer=(
            EntrySpec("auslieferung_gewuenscht"),
            EntrySpec("lieferadresse", required=True, condition="auslieferung_gewuenscht = ja"),
            EntrySpec("unterlagen"),
            EntrySpec("absenden", "Angaben senden"),
            _ro("danke", hide_label=True, after_send=True),
        ),
        message="Angebot angenommen",
    ),
    PhaseSpec(
        "bestellung",
        "Auftragsbestätigung und Rechnung",
        staff=(
            EntrySpec("auftragsbestaetigung", required=True),
            EntrySpec("rechnung", required=True),
            EntrySpec("bezahlung"),
            EntrySpec("jobstatus"),
        ),
        customer=(
            _ro("auftragsbestaetigung"),
            _ro("rechnung"),
            EntrySpec("bezahlung", "Jetzt online bezahlen"),
        ),
        message="Auftragsbestätigung und Rechnung",
    ),
    PhaseSpec(
        "zahlung",
        "Zahlung eingegangen",
        staff=(
            _ro("bezahlung"),
            EntrySpec("zahlung_geprueft", required=True),
            EntrySpec("jobstatus"),
        ),
        customer=(_ro("bezahlung"),),
        message="Zahlung eingegangen",
    ),
    PhaseSpec(
        "auslieferung",
        "Auslieferung",
        condition="auslieferung_gewuenscht = ja",
        staff=(
            _ro("lieferadresse"),
            EntrySpec("uebergabetermin", "Liefertermin", required=True),
            EntrySpec("uebergabeprotokoll"),
            EntrySpec("jobstatus"),
        ),
        customer=(_ro("lieferadresse"), _ro("uebergabetermin", "Liefertermin")),
        message="Fahrzeug bereit zur Auslieferung",
        message_sms=True,
    ),
    PhaseSpec(
        "abholung",
        "Abholung",
        condition="nicht auslieferung_gewuenscht",
        staff=(
            EntrySpec("standort"),
            EntrySpec("uebergabetermin", "Abholtermin", required=True),
            EntrySpec("uebergabeprotokoll"),
            EntrySpec("jobstatus"),
        ),
        customer=(_ro("standort", "Abholung bei"), _ro("uebergabetermin", "Abholtermin")),
        message="Fahrzeug bereit zur Abholung",
        message_sms=True,
    ),
    PhaseSpec(
        "meinung",
        "Ihre Meinung",
        staff=(_ro("bewertung"), _ro("kommentar"), EntrySpec("jobstatus")),
        customer=(
            EntrySpec("bewertung", required=True),
            EntrySpec("kommentar"),
            EntrySpec("absenden", "Meinung senden"),
            _ro("danke", hide_label=True, after_send=True),
        ),
        message="Ihre Meinung",
    ),
)

_CLOSING_DE = "Alle Einzelheiten finden Sie auf Ihrem Parkplatz:\n\n{link}"
_CLOSING_EN = "You will find all details on your parking space:\n\n{link}"


def _text(name: str, subject_de: str, de: str, subject_en: str, en: str) -> TextSpec:
    return TextSpec(
        name,
        subject_de,
        letter("de", f"{de}\n\n{_CLOSING_DE}"),
        subject_en,
        letter("en", f"{en}\n\n{_CLOSING_EN}"),
    )


STANDARD_TEXTS = (
    _text(
        "Rückrufwunsch erhalten",
        "Ihr Rückrufwunsch bei {company_name}",
        "vielen Dank für Ihre Anfrage „{job_title}“. Wir rufen Sie so bald wie möglich zurück.",
        "Your callback request at {company_name}",
        "thank you for your request “{job_title}”. We will call you back as soon as possible.",
    ),
    _text(
        "Angebot bereitgestellt",
        "Ihr Angebot {job_number} ist bereit",
        "Ihr Angebot zu „{job_title}“ ist bereit. Sie können es ansehen, annehmen oder uns Fragen stellen.",
        "Your offer {job_number} is ready",
        "your offer for “{job_title}” is ready. You can view it, accept it or ask us questions.",
    ),
    _text(
        "Angebot angenommen",
        "Vielen Dank für Ihren Auftrag {job_number}",
        "vielen Dank, dass Sie unser Angebot angenommen haben. Bitte teilen Sie uns noch mit, ob Sie das Fahrzeug abholen oder geliefert bekommen möchten.",
        "Thank you for your order {job_number}",
        "thank you for accepting our offer. Please let us know whether you will collect the vehicle or would like it delivered.",
    ),
    _text(
        "Auftragsbestätigung und Rechnung",
        "Auftragsbestätigung und Rechnung zu {job_number}",
        "Ihre Auftragsbestätigung und Ihre Rechnung liegen bereit. Sie können online bezahlen.",
        "Order confirmation and invoice for {job_number}",
        "your order confirmation and your invoice are ready. You can pay online.",
    ),
    _text(
        "Zahlung eingegangen",
        "Ihre Zahlung zu {job_number} ist eingegangen",
        "Ihre Zahlung ist bei uns eingegangen. Vielen Dank!",
        "Your payment for {job_number} has arrived",
        "your payment has arrived. Thank you!",
    ),
    _text(
        "Fahrzeug bereit zur Auslieferung",
        "Ihr Fahrzeug kommt zu Ihnen",
        "Ihr Fahrzeug ist bereit und wird zum vereinbarten Termin ausgeliefert.",
        "Your vehicle is on its way",
        "your vehicle is ready and will be delivered on the agreed date.",
    ),
    _text(
        "Fahrzeug bereit zur Abholung",
        "Ihr Fahrzeug ist abholbereit",
        "Ihr Fahrzeug ist bereit. Wir freuen uns auf Sie zum vereinbarten Termin.",
        "Your vehicle is ready for collection",
        "your vehicle is ready. We look forward to seeing you on the agreed date.",
    ),
    _text(
        "Ihre Meinung",
        "Wie zufrieden sind Sie mit {company_name}?",
        "wir hoffen, Sie haben Freude an Ihrem Fahrzeug. Verraten Sie uns in einer Minute, wie zufrieden Sie mit uns sind?",
        "How happy are you with {company_name}?",
        "we hope you enjoy your vehicle. Would you take a minute to tell us how happy you are with us?",
    ),
)


@dataclass(frozen=True)
class Standard:
    fields: tuple[FieldSpec, ...] = field(default=BUILTIN_FIELDS + STANDARD_FIELDS)
    phases: tuple[PhaseSpec, ...] = STANDARD_PHASES
    texts: tuple[TextSpec, ...] = STANDARD_TEXTS
