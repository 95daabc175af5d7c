"""What a job's field holds, per field type: where it is stored, how it reads in a rule, how
it is shown in the history, and whether it counts as filled in.

Most values live in `Job.values` under the field's key; the functional fields have columns
of their own, because lists filter on them (status, location) or sending reads them
(callback phone, suppressed messages). Files, documents and payments are rows; the value
is the id of the newest, so "filled in" and rules work the same for every type.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from theke.core.formatting import money
from theke.jobs.definition import LOGGED_IN, STATUS, VALUELESS, Definition, FieldDef
from theke.jobs.models import FieldType, Job, JobStatus

# Types whose value is a column of the job (the key in `values` is not used for them).
COLUMN_TYPES = frozenset(
    {
        FieldType.JOB_STATUS,
        FieldType.LOCATION,
        FieldType.CALLBACK_PHONE,
        FieldType.SUPPRESS_MESSAGES,
    }
)


def stored(job: Job, item: FieldDef) -> Any:
    """The raw value of a field on a job (None when never set)."""
    if item.type == FieldType.JOB_STATUS:
        return job.status
    if item.type == FieldType.LOCATION:
        return job.branch_id
    if item.type == FieldType.CALLBACK_PHONE:
        return job.callback_phone or None
    if item.type == FieldType.SUPPRESS_MESSAGES:
        return job.suppress_messages
    return job.values.get(item.key)


def put(job: Job, item: FieldDef, value: Any) -> None:
    """Set a field's raw value on the (locked) job; the caller saves it."""
    if item.type == FieldType.JOB_STATUS:
        job.status = value
    elif item.type == FieldType.LOCATION:
        job.branch_id = value
    elif item.type == FieldType.CALLBACK_PHONE:
        job.callback_phone = value or ""
    elif item.type == FieldType.SUPPRESS_MESSAGES:
        job.suppress_messages = bool(value)
    elif value is None or value == "" or value == []:
        job.values.pop(item.key, None)
    else:
        job.values[item.key] = value


def is_empty(item: FieldDef, value: Any) -> bool:
    """Whether a required field still waits for input (an unticked checkbox does)."""
    if item.type in (FieldType.CHECKBOX, FieldType.SUPPRESS_MESSAGES):
        return not value
    if item.type == FieldType.VEHICLE_CONFIG:
        return not (isinstance(value, Mapping) and value.get("vehicle"))
    return value is None or value == "" or value == [] or value == {}


def required_message(item: FieldDef, label: str) -> str:
    """What a required field left empty asks of the user, by what the field is."""
    if item.type in (FieldType.CHECKBOX, FieldType.SUPPRESS_MESSAGES):
        return _("Bitte bestätigen Sie „%(label)s“.") % {"label": label}
    if item.type in (FieldType.SELECT, FieldType.LOCATION, FieldType.VEHICLE_CONFIG):
        return _("Bitte wählen Sie „%(label)s“.") % {"label": label}
    if item.type == FieldType.FILE:
        return _("Bitte laden Sie „%(label)s“ hoch.") % {"label": label}
    if item.type == FieldType.DOCUMENT_SAVE:
        return _("Bitte erstellen Sie zuerst das Dokument „%(label)s“.") % {"label": label}
    if item.type == FieldType.PAYMENT:
        return _("„%(label)s“: Die Zahlung fehlt noch.") % {"label": label}
    return _("Bitte füllen Sie „%(label)s“ aus.") % {"label": label}


def default_value(item: FieldDef) -> Any:
    """A new job's value from the field's default (text, a select entry, a ticked box)."""
    if not item.default or item.type in COLUMN_TYPES or item.type in VALUELESS:
        return None
    if item.type == FieldType.CHECKBOX:
        return item.default.strip().lower() in {"1", "ja", "yes", "true", "x", "an"}
    if item.type == FieldType.SELECT:
        return item.default if item.default in item.options else None
    if item.type in (FieldType.TEXT, FieldType.TEXTAREA, FieldType.CUSTOMER_MESSAGE):
        return item.default
    return None


def rule_value(item: FieldDef, value: Any, branch_names: Mapping[int, str]) -> object:
    """A raw value as rules read it (see theke.jobs.rules: bool, text, number or choice)."""
    if item.type in (FieldType.CHECKBOX, FieldType.SUPPRESS_MESSAGES):
        return bool(value)
    if item.type == FieldType.LOCATION:
        return branch_names.get(value, "") if value else ""
    if item.type == FieldType.VEHICLE_CONFIG:
        return str(value.get("label", "")) if isinstance(value, Mapping) else ""
    if item.type in (FieldType.FILE, FieldType.DOCUMENT_SAVE, FieldType.PAYMENT):
        return "x" if value else ""  # "filled in" is what a rule can ask of these
    return value


def rule_values(
    job: Job,
    definition: Definition,
    *,
    logged_in: bool,
    branch_names: Mapping[int, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, object]:
    """Every name a rule may use, for one job; `overrides` are values being saved."""
    names = branch_names or {}
    result: dict[str, object] = {LOGGED_IN: logged_in, STATUS: job.status}
    for item in definition.fields.values():
        if item.type in VALUELESS:
            continue
        raw = overrides[item.key] if overrides and item.key in overrides else stored(job, item)
        result[item.key] = rule_value(item, raw, names)
    if overrides:
        status_field = next(
            (f for f in definition.fields.values() if f.type == FieldType.JOB_STATUS), None
        )
        if status_field is not None and status_field.key in overrides:
            result[STATUS] = overrides[status_field.key]
    return result


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nein")


def display(item: FieldDef, value: Any, branch_names: Mapping[int, str] | None = None) -> str:
    """A raw value as people read it (history, lists, the PDF of the archive)."""
    if item.type in (FieldType.CHECKBOX, FieldType.SUPPRESS_MESSAGES):
        return _yes_no(bool(value))
    if value is None or value == "":
        return ""
    if item.type == FieldType.JOB_STATUS:
        return str(JobStatus(value).label) if value in JobStatus.values else str(value)
    if item.type == FieldType.LOCATION:
        return (branch_names or {}).get(value, "")
    if item.type == FieldType.VEHICLE_CONFIG and isinstance(value, Mapping):
        parts = [str(value.get("label", ""))]
        parts += [str(extra.get("text", "")) for extra in value.get("extras", [])]
        if value.get("price"):
            parts.append(money(_decimal(value["price"])))
        return ", ".join(p for p in parts if p)
    if item.type in (FieldType.FILE, FieldType.DOCUMENT_SAVE, FieldType.PAYMENT):
        return str(value.get("name", "")) if isinstance(value, Mapping) else str(value)
    return str(value)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
