"""Forms of the workflow editor and the field library (staff, `jobs.administer_workflows`).

The services check everything again; these forms only shape the input. A condition the rule
language refuses comes back as a ConditionError: the form shows its message at the field and
marks the position in the condition's text.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from theke.core.forms import BootstrapMixin
from theke.jobs.documents import DOCUMENTS
from theke.jobs.models import Field, FieldType
from theke.jobs.rules import Kind, Name
from theke.jobs.services.drafts import EntryData, PhaseData
from theke.jobs.services.fields import ConditionError, FieldData, own_types

CONDITION_HELP = _(
    "Leer: immer. Beispiele: auslieferung_gewuenscht = ja · bewertung in (zufrieden, "
    "„sehr zufrieden“) · kunde_angemeldet und nicht jobstatus = storniert"
)


def _condition_widget() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "class": "font-monospace"})


class EditorForm(BootstrapMixin, forms.Form):
    """A form that marks where a refused condition goes wrong."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # input name -> (text before, the character at fault, text after)
        self.condition_marks: dict[str, tuple[str, str, str]] = {}

    def add_refusal(self, error: ValidationError) -> None:
        super().add_refusal(error)
        if isinstance(error, ConditionError):
            text, at = error.text, max(0, min(error.position, len(error.text)))
            self.condition_marks[error.field or "condition"] = (
                text[:at],
                text[at : at + 1] or "\N{NO-BREAK SPACE}",
                text[at + 1 :],
            )

    def mark(self, name: str = "condition") -> tuple[str, str, str] | None:
        return self.condition_marks.get(name)


# --- the field library ----------------------------------------------------------------------


class FieldForm(EditorForm):
    label = forms.CharField(label=_("Bezeichnung"), max_length=200)
    key = forms.CharField(
        label=_("Kürzel"),
        max_length=60,
        required=False,
        help_text=_(
            "Name des Feldes in Bedingungen, z. B. auslieferung_gewuenscht. Leer: wird aus "
            "der Bezeichnung gebildet."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )
    type = forms.ChoiceField(label=_("Feldtyp"), choices=())
    default = forms.CharField(
        label=_("Vorgabewert"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Was ein neuer Job in diesem Feld stehen hat (Text, ein Eintrag der Auswahlliste, "
            "bei einer Checkbox „ja“)."
        ),
    )
    options = forms.CharField(
        label=_("Einträge der Auswahlliste"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nur für Auswahllisten: ein Eintrag je Zeile, in dieser Reihenfolge."),
    )
    documents = forms.MultipleChoiceField(
        label=_("Dokumente"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nur für Dokument-Felder: welches Dokument das Feld erstellt."),
    )
    help_text = forms.CharField(label=_("Hilfetext"), max_length=300, required=False)
    condition = forms.CharField(
        label=_("Bedingung"),
        required=False,
        widget=_condition_widget(),
        help_text=_("Das Feld erscheint nur, wenn die Bedingung zutrifft (überall, wo es steht)."),
    )

    def __init__(self, *args: Any, key_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = own_types()  # type: ignore[attr-defined]
        self.fields["documents"].choices = [(c, str(k.label)) for c, k in DOCUMENTS.items()]  # type: ignore[attr-defined]
        if key_fixed:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = _(
                "Das Kürzel bleibt fest, weil Workflows oder Bedingungen das Feld verwenden."
            )

    @classmethod
    def initial_of(cls, row: Field) -> dict[str, Any]:
        return {
            "label": row.label,
            "key": row.key,
            "type": row.type,
            "default": row.default,
            "options": "\n".join(str(o) for o in row.options),
            "documents": list(row.documents),
            "help_text": row.help_text,
            "condition": row.condition,
        }

    def field_data(self) -> FieldData:
        data = self.cleaned_data
        return FieldData(
            label=data["label"],
            type=data["type"],
            key=data.get("key") or "",
            default=data["default"],
            options=data["options"].splitlines(),
            documents=list(data["documents"]),
            help_text=data["help_text"],
            condition=data["condition"],
        )


# --- workflows ------------------------------------------------------------------------------


class WorkflowForm(EditorForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CopyForm(EditorForm):
    name = forms.CharField(label=_("Name der Kopie"), max_length=200)


class PhaseAddForm(EditorForm):
    name = forms.CharField(label=_("Name der neuen Phase"), max_length=200)
    key = forms.CharField(
        label=_("Kürzel"),
        max_length=60,
        required=False,
        help_text=_("Leer: wird aus dem Namen gebildet."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )


class PhaseSettingsForm(EditorForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    key = forms.CharField(
        label=_("Kürzel"),
        max_length=60,
        help_text=_("Beim Veröffentlichen kommen laufende Jobs in die Phase mit demselben Kürzel."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )
    condition = forms.CharField(
        label=_("Bedingung"),
        required=False,
        widget=_condition_widget(),
        help_text=_(
            "Trifft sie nicht zu, entfällt die Phase (z. B. auslieferung_gewuenscht = ja)."
        ),
    )
    message = forms.ChoiceField(label=_("Nachricht bei Aktivierung"), required=False, choices=())
    message_sms = forms.BooleanField(label=_("zusätzlich als SMS"), required=False)

    def __init__(self, *args: Any, message_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_("— keine Nachricht —")))] + [(n, n) for n in message_names]
        current = (self.initial or {}).get("message")
        if current and current not in message_names:  # a text renamed or deleted since
            choices.append((current, f"{current} ({_('Text fehlt')})"))
        self.fields["message"].choices = choices  # type: ignore[attr-defined]

    def phase_data(self) -> PhaseData:
        return PhaseData(**{f.name: self.cleaned_data[f.name] for f in fields(PhaseData)})


class EntryAddForm(EditorForm):
    field = forms.TypedChoiceField(label=_("Feld hinzufügen"), coerce=int, choices=())

    def __init__(self, *args: Any, fields: list[Field], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = [(f.pk, f"{f.label} ({FieldType(f.type).label})") for f in fields if not f.is_builtin]
        shipped = [(f.pk, f"{f.label} ({FieldType(f.type).label})") for f in fields if f.is_builtin]
        choices: list[Any] = [("", str(_("— Feld wählen —")))]
        if own:
            choices.append((str(_("Eigene Felder")), own))
        if shipped:
            choices.append((str(_("Theke-Felder")), shipped))
        self.fields["field"].choices = choices  # type: ignore[attr-defined]


class EntryForm(EditorForm):
    label = forms.CharField(
        label=_("Überschrift"),
        max_length=200,
        required=False,
        help_text=_("Leer: die Bezeichnung des Feldes."),
    )
    required = forms.BooleanField(label=_("Pflichtfeld"), required=False)
    read_only = forms.BooleanField(label=_("nur lesbar"), required=False)
    hide_label = forms.BooleanField(label=_("Überschrift ausblenden"), required=False)
    after_send = forms.BooleanField(label=_("nach dem Senden anzeigen"), required=False)
    condition = forms.CharField(
        label=_("Bedingung"),
        required=False,
        widget=_condition_widget(),
        help_text=_("Trifft sie nicht zu, ist das Feld ausgeblendet."),
    )

    def entry_data(self) -> EntryData:
        return EntryData(**{f.name: self.cleaned_data[f.name] for f in fields(EntryData)})


# --- the explanation of a condition ---------------------------------------------------------

_YES_NO = (("ja", _("ja")), ("nein", _("nein")))


class ExplainForm(BootstrapMixin, forms.Form):
    """Example values for the names a condition uses (one input per name)."""

    def __init__(self, *args: Any, names: list[Name], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names = names
        for name in names:
            key = f"v-{name.key}"
            if name.kind == Kind.BOOL:
                self.fields[key] = forms.ChoiceField(
                    label=name.label, choices=_YES_NO, required=False
                )
            elif name.kind == Kind.CHOICE:
                self.fields[key] = forms.ChoiceField(
                    label=name.label,
                    choices=[("", "–"), *name.choices],
                    required=False,
                )
            else:
                self.fields[key] = forms.CharField(label=name.label, required=False)
            widget = self.fields[key].widget
            widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )

    def values(self) -> dict[str, object]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        result: dict[str, object] = {}
        for name in self.names:
            raw = data.get(f"v-{name.key}", "")
            if name.kind == Kind.BOOL:
                result[name.key] = raw == "ja"
            else:
                result[name.key] = raw or None
        return result
