"""A workflow version as jobs run it: phases, their staff and customer views, the fields'
definitions, and the conditions compiled once per version.

Publishing (theke.jobs.services.workflows) writes `Definition.as_json()` into a
WorkflowVersion; `compiled(version)` reads it back and compiles its rules once per process.
Pure data and rule evaluation: no queries here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property, partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from theke.jobs.models import FieldType, JobStatus
from theke.jobs.rules import Kind, Name, Rule, RuleError, compile_rule

# Context names every rule may use besides the workflow's fields.
LOGGED_IN = "kunde_angemeldet"
STATUS = "jobstatus"


def context_names() -> dict[str, Name]:
    return {
        LOGGED_IN: Name(LOGGED_IN, str(_("Kunde angemeldet")), Kind.BOOL),
        STATUS: Name(
            STATUS,
            str(_("Jobstatus")),
            Kind.CHOICE,
            tuple((str(value), str(label)) for value, label in JobStatus.choices),
        ),
    }


# How a field type's value reads in a rule.
_RULE_KIND: dict[str, Kind] = {
    FieldType.CHECKBOX: Kind.BOOL,
    FieldType.SUPPRESS_MESSAGES: Kind.BOOL,
    FieldType.SELECT: Kind.CHOICE,
    FieldType.JOB_STATUS: Kind.CHOICE,
}
# Types that hold no value of their own (buttons and documents made on click).
VALUELESS = frozenset({FieldType.SAVE_BUTTON, FieldType.DOCUMENT_SHOW})


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    type: str
    default: str = ""
    options: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    help_text: str = ""
    condition: str = ""

    def rule_name(self) -> Name | None:
        if self.type in VALUELESS:
            return None
        kind = _RULE_KIND.get(self.type, Kind.TEXT)
        if self.type == FieldType.JOB_STATUS:
            return Name(self.key, self.label, kind, context_names()[STATUS].choices)
        choices = tuple((option, option) for option in self.options)
        return Name(self.key, self.label, kind, choices if kind == Kind.CHOICE else ())


@dataclass(frozen=True)
class EntryDef:
    field: str
    label: str = ""
    required: bool = False
    read_only: bool = False
    hide_label: bool = False
    after_send: bool = False
    condition: str = ""


@dataclass(frozen=True)
class PhaseDef:
    key: str
    name: str
    condition: str = ""
    message: str = ""
    message_sms: bool = False
    staff: tuple[EntryDef, ...] = ()
    customer: tuple[EntryDef, ...] = ()

    def entries(self, view: str) -> tuple[EntryDef, ...]:
        return self.staff if view == "staff" else self.customer


@dataclass(frozen=True)
class Definition:
    name: str
    fields: Mapping[str, FieldDef]
    phases: tuple[PhaseDef, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "fields": [asdict(f) for f in self.fields.values()],
            "phases": [asdict(p) for p in self.phases],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Definition:
        fields = {}
        for raw in data["fields"]:
            item = FieldDef(
                **{**raw, "options": tuple(raw["options"]), "documents": tuple(raw["documents"])}
            )
            fields[item.key] = item
        phases = tuple(
            PhaseDef(
                **{
                    **raw,
                    "staff": tuple(EntryDef(**e) for e in raw["staff"]),
                    "customer": tuple(EntryDef(**e) for e in raw["customer"]),
                }
            )
            for raw in data["phases"]
        )
        return cls(data["name"], fields, phases)

    def phase(self, key: str) -> PhaseDef | None:
        return next((p for p in self.phases if p.key == key), None)

    def index(self, key: str) -> int:
        return next((i for i, p in enumerate(self.phases) if p.key == key), -1)

    def used_fields(self) -> Iterator[FieldDef]:
        seen: set[str] = set()
        for phase in self.phases:
            for entry in (*phase.staff, *phase.customer):
                if entry.field not in seen:
                    seen.add(entry.field)
                    yield self.fields[entry.field]

    def customer_fields(self) -> Iterator[FieldDef]:
        """The fields some phase's customer view shows: what the customer may read."""
        seen: set[str] = set()
        for phase in self.phases:
            for entry in phase.customer:
                if entry.field not in seen:
                    seen.add(entry.field)
                    yield self.fields[entry.field]

    def names(self) -> dict[str, Name]:
        """Every name a rule of this workflow may use: its fields and the context."""
        names = context_names()
        for item in self.fields.values():
            name = item.rule_name()
            if name is not None:
                names[item.key] = name
        return names


@dataclass(frozen=True)
class Problem:
    """A rule that does not compile, and where it stands."""

    where: str
    text: str
    error: RuleError

    def __str__(self) -> str:
        return f"{self.where}: {self.error}"


@dataclass(frozen=True)
class Shown:
    """A field entry of a view as one job sees it now."""

    entry: EntryDef
    field: FieldDef
    visible: bool
    # Says why it is hidden; called only when a page shows the reason (customers' pages and
    # saving never do), since an explanation costs ten times the evaluation.
    why: Callable[[], str] | None = None

    @cached_property
    def reason(self) -> str:
        """Why it is hidden, in words ("Auslieferung gewünscht = nein"); blank when visible."""
        return self.why() if self.why is not None else ""

    @property
    def label(self) -> str:
        return self.entry.label or self.field.label

    @property
    def editable(self) -> bool:
        return self.visible and not self.entry.read_only and self.field.type not in VALUELESS

    @property
    def required(self) -> bool:
        # A hidden field never blocks saving, even when required (Zammad #3710).
        return self.editable and self.entry.required


@dataclass
class Compiled:
    """A definition with every rule compiled (blank conditions are always true)."""

    definition: Definition
    rules: dict[str, Rule] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def rule(self, text: str) -> Rule | None:
        return self.rules.get(text.strip()) if text.strip() else None

    def holds(self, text: str, values: Mapping[str, object]) -> bool:
        rule = self.rule(text)
        # A rule that does not compile (only possible in a draft under test) hides nothing.
        return True if rule is None else rule.evaluate(values)

    def _why_not(self, text: str, values: Mapping[str, object]) -> str:
        rule = self.rule(text)
        return rule.explain(values) if rule is not None else ""

    def applies(self, phase: PhaseDef, values: Mapping[str, object]) -> bool:
        """Whether a phase is due for this job (else it is obsolete and skipped)."""
        return self.holds(phase.condition, values)

    def why_skipped(self, phase: PhaseDef, values: Mapping[str, object]) -> str:
        return "" if self.applies(phase, values) else self._why_not(phase.condition, values)

    def shown(
        self,
        phase: PhaseDef,
        view: str,
        values: Mapping[str, object],
        *,
        sent: bool = False,
    ) -> list[Shown]:
        """Every entry of a view, visible or not (with the reason, explained on demand), in
        order."""
        result = []
        as_now = dict(values)  # the reasons explain these values, even if the caller's change
        for entry in phase.entries(view):
            item = self.definition.fields[entry.field]
            why: Callable[[], str] | None = None
            if entry.after_send and not sent:
                why = _after_send
            elif not self.holds(item.condition, values):
                why = partial(self._why_not, item.condition, as_now)
            elif not self.holds(entry.condition, values):
                why = partial(self._why_not, entry.condition, as_now)
            result.append(Shown(entry, item, visible=why is None, why=why))
        return result

    def next_phases(self, current: str, values: Mapping[str, object]) -> list[tuple[PhaseDef, str]]:
        """The phases after the current one, each with why it is skipped ("" when due)."""
        start = self.definition.index(current) + 1
        return [(p, self.why_skipped(p, values)) for p in self.definition.phases[start:]]

    def first_due(self, values: Mapping[str, object], after: int = -1) -> PhaseDef | None:
        """The first phase after position `after` that is due for these values."""
        for phase in self.definition.phases[after + 1 :]:
            if self.applies(phase, values):
                return phase
        return None


def _after_send() -> str:
    return str(_("erscheint nach dem Speichern"))


def compile_definition(definition: Definition) -> Compiled:
    """Compile every condition of a definition; problems name the phase, view and field."""
    names = definition.names()
    result = Compiled(definition)

    def add(where: str, text: str) -> None:
        text = text.strip()
        if not text or text in result.rules:
            return
        try:
            result.rules[text] = compile_rule(text, names)
        except RuleError as error:
            result.problems.append(Problem(where, text, error))

    for item in definition.fields.values():
        add(str(_("Feld „%(label)s“") % {"label": item.label}), item.condition)
    for phase in definition.phases:
        add(str(_("Phase „%(name)s“") % {"name": phase.name}), phase.condition)
        for view, entries in (("staff", phase.staff), ("customer", phase.customer)):
            view_label = _("Mitarbeiteransicht") if view == "staff" else _("Kundenansicht")
            for entry in entries:
                label = entry.label or definition.fields[entry.field].label
                where = _("Phase „%(phase)s“, %(view)s, Feld „%(field)s“") % {
                    "phase": phase.name,
                    "view": view_label,
                    "field": label,
                }
                add(str(where), entry.condition)
    return result


_CACHE: dict[int, Compiled] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def compiled(version_id: int, definition_json: Mapping[str, Any]) -> Compiled:
    """The compiled definition of a version (versions never change: cached by id)."""
    found = _CACHE.get(version_id)
    if found is not None:
        return found
    made = compile_definition(Definition.from_json(definition_json))
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[version_id] = made
    return made
