"""The tenant's field library: creating, changing and deleting own fields.

A field is a building block of workflows (seed 004: "Felder sind die kleinsten Bausteine").
A change to a field goes into the draft of every workflow that places it (its revision is
bumped) and reaches jobs only when that workflow is published again. Built-in fields
("Theke-Felder") are shipped and cannot be changed or deleted.

Rules: a field's key is how conditions name it, so it must be a name the rule language reads,
unique per tenant, and it stays fixed once a workflow or a condition uses it. A field's own
condition is checked against every library field and the context names when it is saved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.jobs.definition import context_names
from theke.jobs.documents import DOCUMENTS
from theke.jobs.models import Field, FieldType, VersionKind, Workflow, WorkflowVersion
from theke.jobs.rules import Kind, Name, RuleError, compile_rule
from theke.jobs.services.workflows import _field_def, touch_drafts, workflows_using
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

KEY_LENGTH = 60
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

# Types whose value is a column of the job or that the system fills: only the built-in field
# of each exists (a second "Jobstatus" would write the same column under another name).
BUILTIN_ONLY_TYPES = frozenset(
    {
        FieldType.JOB_STATUS,
        FieldType.LOCATION,
        FieldType.CALLBACK_PHONE,
        FieldType.SUPPRESS_MESSAGES,
        FieldType.CUSTOMER_MESSAGE,
    }
)
DOCUMENT_TYPES = frozenset({FieldType.DOCUMENT_SHOW, FieldType.DOCUMENT_SAVE})
# Types a default value means something for (theke.jobs.values.default_value).
DEFAULT_TYPES = frozenset(
    {FieldType.TEXT, FieldType.TEXTAREA, FieldType.SELECT, FieldType.CHECKBOX}
)
_YES = frozenset({"ja", "yes", "true", "1", "x", "an"})
_NO = frozenset({"nein", "no", "false", "0", "aus"})


def own_types() -> list[tuple[str, str]]:
    """The field types a tenant may give its own fields, as (value, label)."""
    return [(v, str(label)) for v, label in FieldType.choices if v not in BUILTIN_ONLY_TYPES]


# --- keys -----------------------------------------------------------------------------------


def key_from_label(label: str) -> str:
    """A rule name made from a label: "Auslieferung gewünscht" -> "auslieferung_gewuenscht"."""
    text = label.strip().lower().translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not text:
        text = "feld"
    if text[0].isdigit():
        text = f"feld_{text}"
    return text[:KEY_LENGTH].rstrip("_")


def unique_key(base: str, taken: Iterable[str]) -> str:
    """`base`, else `base_2`, `base_3`, … (within the length limit)."""
    used = set(taken)
    if base not in used and key_problem(base) is None:
        return base
    number = 2
    while True:
        suffix = f"_{number}"
        candidate = base[: KEY_LENGTH - len(suffix)].rstrip("_") + suffix
        if candidate not in used and key_problem(candidate) is None:
            return candidate
        number += 1


def key_problem(key: str) -> str | None:
    """Why `key` cannot name a field in rules (None: it can)."""
    if not _KEY_PATTERN.match(key) or len(key) > KEY_LENGTH:
        return _(
            "Das Kürzel darf nur Kleinbuchstaben (a–z), Ziffern und Unterstriche enthalten, "
            "muss mit einem Buchstaben beginnen und höchstens %(limit)s Zeichen lang sein."
        ) % {"limit": KEY_LENGTH}
    if key in context_names():
        return _("„%(key)s“ ist ein fester Name der Bedingungen.") % {"key": key}
    try:  # the parser decides what a name can be: "oder", "nicht", "leer", … cannot
        compile_rule(key, {key: Name(key, key, Kind.BOOL)})
    except RuleError:
        return _("„%(key)s“ ist ein Wort der Bedingungen und kann kein Kürzel sein.") % {"key": key}
    return None


# --- conditions -----------------------------------------------------------------------------


class ConditionError(ServiceError):
    """A condition that does not compile: the rule language's message and the position."""

    def __init__(self, error: RuleError, text: str, field: str = "condition") -> None:
        super().__init__(str(error), field, code="condition")
        self.position = error.position
        self.text = text


def check_condition(text: str, names: Mapping[str, Name], field: str = "condition") -> str:
    """The condition stripped; blank is fine; else it must compile against `names`."""
    text = text.strip()
    if text:
        try:
            compile_rule(text, names)
        except RuleError as error:
            raise ConditionError(error, text, field) from error
    return text


def library_names(tenant: Tenant, rows: Iterable[Field] | None = None) -> dict[str, Name]:
    """Every name a field's condition may use: the library's fields and the context."""
    names = context_names()
    if rows is None:
        with tenant_scope(tenant):
            rows = list(Field.objects.filter(tenant=tenant))
    for row in rows:
        name = _field_def(row).rule_name()
        if name is not None:
            names[row.key] = name
    return names


# --- the input of a field -------------------------------------------------------------------


@dataclass
class FieldData:
    """What the field form sends (cleaned by the form, checked again here)."""

    label: str
    type: str = FieldType.TEXT
    key: str = ""
    default: str = ""
    options: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    help_text: str = ""
    condition: str = ""


def parse_options(text: str) -> list[str]:
    """Select entries, one per line, blank lines and repeats dropped, order kept."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        entry = line.strip()
        if entry and entry.casefold() not in {s.casefold() for s in seen}:
            seen[entry] = None
    return list(seen)


def _clean(data: FieldData) -> FieldData:
    """The input normalised for its type; refusals name the input at fault."""
    label = data.label.strip()
    if not label:
        raise ServiceError(_("Bitte geben Sie eine Bezeichnung an."), "label", code="required")
    if data.type not in FieldType.values:
        raise ServiceError(_("Bitte wählen Sie einen Feldtyp."), "type", code="type")
    if data.type in BUILTIN_ONLY_TYPES:
        raise ServiceError(
            _(
                "Ein Feld vom Typ „%(type)s“ gibt es nur als Theke-Feld: verwenden Sie das "
                "vorhandene."
            )
            % {"type": FieldType(data.type).label},
            "type",
            code="builtin_type",
        )
    options = parse_options("\n".join(data.options)) if data.type == FieldType.SELECT else []
    if data.type == FieldType.SELECT and not options:
        raise ServiceError(
            _("Eine Auswahlliste braucht mindestens einen Eintrag (einen je Zeile)."),
            "options",
            code="options",
        )
    documents = []
    if data.type in DOCUMENT_TYPES:
        documents = [d for d in dict.fromkeys(data.documents) if d]
    unknown = [d for d in documents if d not in DOCUMENTS]
    if unknown:
        raise ServiceError(_("Dieses Dokument gibt es nicht."), "documents", code="documents")
    if data.type in DOCUMENT_TYPES and not documents:
        raise ServiceError(
            _("Bitte wählen Sie das Dokument, das dieses Feld erstellt."),
            "documents",
            code="documents",
        )
    default = data.default.strip()
    if default and data.type not in DEFAULT_TYPES:
        raise ServiceError(
            _("Ein Feld vom Typ „%(type)s“ hat keinen Vorgabewert.")
            % {"type": FieldType(data.type).label},
            "default",
            code="default",
        )
    if data.type == FieldType.SELECT and default and default not in options:
        raise ServiceError(
            _("Der Vorgabewert muss einer der Einträge der Auswahlliste sein."),
            "default",
            code="default",
        )
    if data.type == FieldType.CHECKBOX and default:
        if default.lower() not in _YES | _NO:
            raise ServiceError(
                _("Vorgabe einer Checkbox: „ja“ (angehakt) oder „nein“."), "default", code="default"
            )
        default = "ja" if default.lower() in _YES else ""
    return FieldData(
        label=label[:200],
        type=data.type,
        key=data.key.strip().lower(),
        default=default,
        options=options,
        documents=documents,
        help_text=data.help_text.strip()[:300],
        condition=data.condition.strip(),
    )


def _check_key(tenant: Tenant, key: str, exclude: int | None = None) -> None:
    problem = key_problem(key)
    if problem:
        raise ServiceError(problem, "key", code="key")
    taken = Field.objects.filter(tenant=tenant, key=key)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ServiceError(
            _("Das Kürzel „%(key)s“ hat schon ein anderes Feld.") % {"key": key},
            "key",
            code="key_taken",
        )


def _apply(row: Field, data: FieldData) -> None:
    row.label = data.label
    row.type = data.type
    row.default = data.default
    row.options = data.options
    row.documents = data.documents
    row.help_text = data.help_text
    row.condition = data.condition


def _check_library_conditions(tenant: Tenant, changed: Field) -> None:
    """Refuse a change that breaks the condition of a field (the changed one or another):
    conditions are checked against the library as it will be after the change."""
    rows = [r if r.pk != changed.pk else changed for r in Field.objects.filter(tenant=tenant)]
    if changed.pk is None:
        rows.append(changed)
    names = library_names(tenant, rows)
    check_condition(changed.condition, names)
    for row in rows:
        if row.pk == changed.pk or not row.condition.strip():
            continue
        try:
            compile_rule(row.condition, names)
        except RuleError as error:
            raise ServiceError(
                _(
                    "Die Bedingung des Feldes „%(label)s“ (%(condition)s) passt dann nicht "
                    "mehr: %(error)s"
                )
                % {"label": row.label, "condition": row.condition, "error": error},
                None,
                code="breaks_condition",
            ) from error


def _refuse_builtin(row: Field) -> None:
    if row.is_builtin:
        raise ServiceError(
            _("Theke-Felder lassen sich nicht ändern oder löschen."), None, code="builtin"
        )


def _audit_values(row: Field) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "type": row.type,
        "default": row.default,
        "options": list(row.options),
        "documents": list(row.documents),
        "help_text": row.help_text,
        "condition": row.condition,
    }


# --- services -------------------------------------------------------------------------------


def create_field(tenant: Tenant, actor: Actor, data: FieldData) -> Field:
    """A new own field of the library (the key made from the label when left blank)."""
    data = _clean(data)
    with tenant_scope(tenant), transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()  # one key at a time
        if not data.key:
            taken = Field.objects.filter(tenant=tenant).values_list("key", flat=True)
            data.key = unique_key(key_from_label(data.label), taken)
        _check_key(tenant, data.key)
        row = Field(tenant=tenant, key=data.key)
        _apply(row, data)
        _check_library_conditions(tenant, row)
        row.save(force_insert=True)
        record(tenant, actor, "job_field.created", row, {"values": _audit_values(row)})
    return row


@dataclass(frozen=True)
class Usage:
    """Where a field is used: drafts, published versions, and other fields' conditions."""

    drafts: list[Workflow]
    versions: list[WorkflowVersion]
    conditions: list[Field]

    @property
    def used(self) -> bool:
        return bool(self.drafts or self.versions or self.conditions)


def _names_in(text: str, names: Mapping[str, Name]) -> frozenset[str]:
    try:
        return compile_rule(text, names).names if text.strip() else frozenset()
    except RuleError:
        return frozenset()


def usage(row: Field) -> Usage:
    """Where the field is used (a field in use keeps its key and cannot be deleted)."""
    tenant = row.tenant
    with tenant_scope(tenant):
        drafts = workflows_using(row)
        versions = [
            version
            for version in WorkflowVersion.objects.filter(
                tenant=tenant, kind=VersionKind.PUBLISHED
            ).select_related("workflow")
            if any(f.get("key") == row.key for f in version.definition.get("fields", []))
        ]
        others = list(Field.objects.filter(tenant=tenant).exclude(pk=row.pk).exclude(condition=""))
        names = library_names(tenant)
        conditions = [o for o in others if row.key in _names_in(o.condition, names)]
    return Usage(drafts, versions, conditions)


def update_field(field_row: Field, actor: Actor, data: FieldData) -> list[Workflow]:
    """Change an own field; the drafts that use it are bumped (returned), live only after
    publishing. The key changes only while nothing uses the field."""
    data = _clean(data)
    tenant = field_row.tenant
    with tenant_scope(tenant), transaction.atomic():
        row = Field.objects.select_for_update().get(pk=field_row.pk, tenant=tenant)
        _refuse_builtin(row)
        before = _audit_values(row)
        new_key = data.key or row.key
        if new_key != row.key:
            if usage(row).used:
                raise ServiceError(
                    _(
                        "Das Kürzel lässt sich nicht mehr ändern: Workflows oder Bedingungen "
                        "verwenden das Feld schon."
                    ),
                    "key",
                    code="key_fixed",
                )
            _check_key(tenant, new_key, exclude=row.pk)
            row.key = new_key
        _apply(row, data)
        _check_library_conditions(tenant, row)
        after = _audit_values(row)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not changes:
            return []
        row.save()
        drafts = workflows_using(row)
        touch_drafts(drafts)
        record(
            tenant,
            actor,
            "job_field.updated",
            row,
            {"changes": changes, "drafts": [w.name for w in drafts]},
        )
    field_row.refresh_from_db()
    return drafts


def delete_field(field_row: Field, actor: Actor) -> None:
    """Delete an own field that no draft, published version or condition uses."""
    tenant = field_row.tenant
    with tenant_scope(tenant), transaction.atomic():
        row = Field.objects.select_for_update().get(pk=field_row.pk, tenant=tenant)
        _refuse_builtin(row)
        found = usage(row)
        reasons = _usage_words(found)
        if reasons:
            raise ServiceError(
                _("Das Feld wird noch verwendet: %(where)s. Entfernen Sie es dort zuerst.")
                % {"where": "; ".join(reasons)},
                None,
                code="in_use",
            )
        record(tenant, actor, "job_field.deleted", row, {"values": _audit_values(row)})
        row.delete()


def _usage_words(found: Usage) -> list[str]:
    reasons = []
    if found.drafts:
        reasons.append(
            _("im Entwurf von %(names)s") % {"names": _quoted(w.name for w in found.drafts)}
        )
    if found.versions:
        reasons.append(
            _("in veröffentlichten Versionen (%(names)s)")
            % {"names": ", ".join(f"{v.workflow.name} v{v.number}" for v in found.versions)}
        )
    if found.conditions:
        reasons.append(
            _("in der Bedingung von %(names)s")
            % {"names": _quoted(f.label for f in found.conditions)}
        )
    return reasons


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"„{name}“" for name in names)


def usage_words(found: Usage) -> list[str]:
    """Where a field is used, in words (the delete page explains a refusal before it)."""
    return _usage_words(found)


def fields_of(tenant: Tenant) -> Sequence[Field]:
    with tenant_scope(tenant):
        return list(Field.objects.filter(tenant=tenant).order_by("-is_builtin", "label", "pk"))
