"""What a draft changes against the published version, in words (the publish page's summary).

Pure computation over two definitions (theke.jobs.definition): phases and fields added,
removed and changed, each change named ("Bedingung: … → …", "Kundenansicht: + Lieferadresse").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.jobs.definition import Definition, EntryDef, FieldDef, PhaseDef
from theke.jobs.models import FieldType

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass
class Change:
    kind: str  # added, removed, changed
    label: str
    details: list[str] = field(default_factory=list)


@dataclass
class DefinitionDiff:
    phases: list[Change] = field(default_factory=list)
    fields: list[Change] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.phases or self.fields or self.general)


def _shown(value: object) -> str:
    if value is True:
        return _("ja")
    if value is False:
        return _("nein")
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "–"
    return str(value) if value not in (None, "") else "–"


def _was(label: str, old: object, new: object) -> str:
    return f"{label}: {_shown(old)} → {_shown(new)}"


_ENTRY_ATTRIBUTES = (
    ("label", gettext_lazy("Überschrift")),
    ("required", gettext_lazy("Pflichtfeld")),
    ("read_only", gettext_lazy("nur lesbar")),
    ("hide_label", gettext_lazy("Überschrift ausblenden")),
    ("after_send", gettext_lazy("nach dem Senden anzeigen")),
    ("condition", gettext_lazy("Bedingung")),
)


def _entry_label(entry: EntryDef, fields: dict[str, FieldDef]) -> str:
    item = fields.get(entry.field)
    return entry.label or (item.label if item else entry.field)


def _view_changes(
    view_label: str,
    old: Sequence[EntryDef],
    new: Sequence[EntryDef],
    old_fields: dict[str, FieldDef],
    new_fields: dict[str, FieldDef],
) -> list[str]:
    details = []
    old_by = {e.field: e for e in old}
    new_by = {e.field: e for e in new}
    for entry in new:
        if entry.field not in old_by:
            details.append(f"{view_label}: + {_entry_label(entry, new_fields)}")
    for entry in old:
        if entry.field not in new_by:
            details.append(f"{view_label}: − {_entry_label(entry, old_fields)}")
    for entry in new:
        before = old_by.get(entry.field)
        if before is None:
            continue
        for attribute, label in _ENTRY_ATTRIBUTES:
            was, now = getattr(before, attribute), getattr(entry, attribute)
            if was != now:
                details.append(
                    f"{view_label}, {_entry_label(entry, new_fields)}: "
                    + _was(str(label), was, now)
                )
    kept_old = [e.field for e in old if e.field in new_by]
    kept_new = [e.field for e in new if e.field in old_by]
    if kept_old != kept_new:
        details.append(_("%(view)s: Reihenfolge geändert") % {"view": view_label})
    return details


def _phase_changes(
    old: PhaseDef, new: PhaseDef, before: Definition, after: Definition
) -> list[str]:
    details = []
    for attribute, label in (
        ("name", _("Name")),
        ("condition", _("Bedingung")),
        ("message", _("Nachricht")),
        ("message_sms", _("zusätzlich als SMS")),
    ):
        was, now = getattr(old, attribute), getattr(new, attribute)
        if was != now:
            details.append(_was(label, was, now))
    old_fields, new_fields = dict(before.fields), dict(after.fields)
    details += _view_changes(_("Mitarbeiteransicht"), old.staff, new.staff, old_fields, new_fields)
    details += _view_changes(_("Kundenansicht"), old.customer, new.customer, old_fields, new_fields)
    return details


def _field_changes(old: FieldDef, new: FieldDef) -> list[str]:
    details = []
    for attribute, label in (
        ("label", _("Bezeichnung")),
        ("type", _("Feldtyp")),
        ("default", _("Vorgabewert")),
        ("options", _("Auswahlwerte")),
        ("documents", _("Dokumente")),
        ("help_text", _("Hilfetext")),
        ("condition", _("Bedingung")),
    ):
        was, now = getattr(old, attribute), getattr(new, attribute)
        if was == now:
            continue
        if attribute == "type":
            was, now = _type_label(str(was)), _type_label(str(now))
        details.append(_was(label, was, now))
    return details


def _type_label(value: str) -> str:
    return str(FieldType(value).label) if value in FieldType.values else value


def definition_diff(old: Definition | None, new: Definition) -> DefinitionDiff:
    """What `new` (the draft) changes against `old` (the published version; None: never
    published, everything is new)."""
    result = DefinitionDiff()
    if old is None:
        result.phases = [Change(ADDED, p.name) for p in new.phases]
        result.fields = [Change(ADDED, f.label) for f in new.used_fields()]
        return result
    if old.name != new.name:
        result.general.append(_was(_("Name"), old.name, new.name))
    for phase in new.phases:
        before = old.phase(phase.key)
        if before is None:
            result.phases.append(Change(ADDED, phase.name))
            continue
        details = _phase_changes(before, phase, old, new)
        if details:
            result.phases.append(Change(CHANGED, phase.name, details))
    for phase in old.phases:
        if new.phase(phase.key) is None:
            result.phases.append(Change(REMOVED, phase.name))
    kept_old = [p.key for p in old.phases if new.phase(p.key)]
    kept_new = [p.key for p in new.phases if old.phase(p.key)]
    if kept_old != kept_new:
        result.general.append(_("Reihenfolge der Phasen geändert"))
    old_used = {f.key: f for f in old.used_fields()}
    new_used = {f.key: f for f in new.used_fields()}
    for key, item in new_used.items():
        if key not in old_used:
            result.fields.append(Change(ADDED, item.label))
        else:
            details = _field_changes(old_used[key], item)
            if details:
                result.fields.append(Change(CHANGED, item.label, details))
    for key, item in old_used.items():
        if key not in new_used:
            result.fields.append(Change(REMOVED, item.label))
    return result
