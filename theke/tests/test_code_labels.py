"""Every code a person can see has a German label and an English translation.

Audit actions are found in the source (each `record(...)`/`record_many(...)` call and each
`(action, subject, data)` entry), so a new action without a label fails here; choices are read
from every model field. A lazy label is looked up in the English catalog, so a label that only
looks German but was never translated fails too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import fields as model_fields
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real

from theke.audit.presentation import ACTION_LABELS, area_label
from theke.messaging.purposes import PURPOSES, UNTEMPLATED_LABELS, purpose_label

SOURCE = Path(__file__).resolve().parent.parent  # theke/
CODE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


def _source_files() -> Iterator[Path]:
    for path in SOURCE.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path


def _code_patterns(node: ast.expr) -> Iterator[str]:
    """The action codes an argument can be: a literal, or an f-string as a regex."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
        yield re.escape(node.value)
    elif isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(str(part.value)) if isinstance(part, ast.Constant) else "[a-z_]+"
            for part in node.values
        ]
        yield "".join(parts)
    elif isinstance(node, ast.IfExp):
        yield from _code_patterns(node.body)
        yield from _code_patterns(node.orelse)


class _Names:
    """What a variable in a module can hold: `action = "a" if x else "b"`, or the i-th item of
    tuples appended to a list a loop unpacks (`for action, ... in events`)."""

    def __init__(self, tree: ast.Module) -> None:
        self.assigned: dict[str, list[ast.expr]] = {}
        self.unpacked: dict[str, tuple[str, int]] = {}
        self.appended: dict[str, list[ast.Tuple]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.For | ast.comprehension):
                if isinstance(node.target, ast.Tuple) and isinstance(node.iter, ast.Name):
                    for index, element in enumerate(node.target.elts):
                        if isinstance(element, ast.Name):
                            self.unpacked[element.id] = (node.iter.id, index)
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "append":
                owner = getattr(node.func, "value", None)
                if (
                    isinstance(owner, ast.Name)
                    and node.args
                    and isinstance(node.args[0], ast.Tuple)
                ):
                    self.appended.setdefault(owner.id, []).append(node.args[0])

    def values(self, name: str) -> list[ast.expr]:
        values = list(self.assigned.get(name, []))
        if name in self.unpacked:
            source, index = self.unpacked[name]
            values += [t.elts[index] for t in self.appended.get(source, []) if len(t.elts) > index]
        return values


def recorded_actions() -> dict[str, str]:
    """Action code patterns -> where they are recorded."""
    found: dict[str, str] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _Names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            candidates: list[ast.expr] = []
            if name == "record" and len(node.args) >= 3:
                candidates.append(node.args[2])
            candidates += [kw.value for kw in node.keywords if kw.arg == "action"]
            if name == "record_many":
                candidates += [
                    sub.elts[0]
                    for arg in node.args
                    for sub in ast.walk(arg)
                    if isinstance(sub, ast.Tuple) and len(sub.elts) == 3
                ]
            candidates += [
                value
                for candidate in candidates
                if isinstance(candidate, ast.Name)
                for value in names.values(candidate.id)
            ]
            for candidate in candidates:
                for pattern in _code_patterns(candidate):
                    found.setdefault(pattern, f"{path.relative_to(SOURCE)}:{node.lineno}")
    return found


def _msgid(label: object) -> str:
    with translation.override("de"):
        return str(label)


def _translated(label: object) -> bool:
    catalog = trans_real.translation("en")
    return bool(catalog._catalog.get(_msgid(label)))  # type: ignore[attr-defined]


def test_the_source_scan_finds_actions() -> None:
    # Guards the scan itself: if it found nothing, the next test would pass vacuously.
    actions = recorded_actions()
    assert len(actions) > 40
    assert re.escape("estimate.photo_added") in actions
    assert re.escape("api_key.created") in actions


def test_every_recorded_action_has_a_label() -> None:
    missing = [
        f"{pattern} ({where})"
        for pattern, where in sorted(recorded_actions().items())
        if not any(re.fullmatch(pattern, code) for code in ACTION_LABELS)
    ]
    assert not missing, "audit actions without a label in register_actions():\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("code", sorted(ACTION_LABELS))
def test_every_action_label_is_translated(code: str) -> None:
    label = ACTION_LABELS[code]
    assert isinstance(label, Promise), f"{code}: label is not marked for translation"
    assert _msgid(label) != code
    assert _translated(label), f"{code}: {_msgid(label)!r} has no English translation"


def test_every_audit_area_has_a_translated_label() -> None:
    problems = []
    for prefix in sorted({code.split(".", 1)[0] for code in ACTION_LABELS}):
        label = area_label(prefix)
        if not isinstance(label, Promise) or not _translated(label):
            problems.append(f"{prefix}: {label!r}")
    assert not problems, "audit areas without a translated label:\n" + "\n".join(problems)


def test_every_outbox_purpose_has_a_translated_label() -> None:
    codes = [*PURPOSES, *UNTEMPLATED_LABELS]
    assert len(codes) > 5
    problems = []
    for code in codes:
        label = purpose_label(code)
        if not isinstance(label, Promise) or not _translated(label):
            problems.append(f"{code}: {label!r}")
    assert not problems, "message purposes without a translated label:\n" + "\n".join(problems)


def _choice_fields() -> Iterator[tuple[str, list[tuple[object, object]]]]:
    for model in apps.get_models():
        if not model.__module__.startswith("theke."):
            continue
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None)
            if choices and getattr(field, "concrete", False):
                yield f"{model._meta.label}.{field.name}", list(field.flatchoices)  # type: ignore[union-attr]


def test_every_choice_has_a_translated_german_label() -> None:
    problems = []
    fields = list(_choice_fields())
    assert len(fields) > 20  # guards the scan
    for name, choices in fields:
        for value, label in choices:
            if not isinstance(label, Promise):
                problems.append(f"{name}={value!r}: {label!r} not marked for translation")
            elif not _translated(label):
                problems.append(f"{name}={value!r}: {_msgid(label)!r} not translated")
    assert not problems, "\n".join(problems)


def test_the_blank_choice_reads_german_and_english() -> None:
    label = model_fields.BLANK_CHOICE_LABEL
    with translation.override("de"):
        assert str(label) == "– Bitte wählen –"
    with translation.override("en"):
        assert str(label) == "– Please choose –"
