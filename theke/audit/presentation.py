"""How audit events read on screen: a label per action and a one-line summary.

Each domain registers its action labels (in its AppConfig.ready) so every timeline and the
tenant-wide audit log describe events the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from theke.audit.models import AuditEvent
from theke.audit.services import timeline

ACTION_LABELS: dict[str, Promise | str] = {}
# Events about a child are often recorded on its parent ("contact.updated" on the customer):
# the action's prefix names the model whose fields the changes refer to.
MODELS_BY_PREFIX: dict[str, type[Model]] = {}


# The audit log's filter by area ("estimate", "api_key"): a label where no model names it.
AREA_LABELS: dict[str, Promise | str] = {}


def register_actions(
    labels: Mapping[str, Promise | str],
    models_by_prefix: Mapping[str, type[Model]] | None = None,
    areas: Mapping[str, Promise | str] | None = None,
) -> None:
    ACTION_LABELS.update(labels)
    MODELS_BY_PREFIX.update(models_by_prefix or {})
    AREA_LABELS.update(areas or {})


def area_label(prefix: str) -> Promise | str:
    """The area of an action prefix in words: registered, else its model's verbose name."""
    if prefix in AREA_LABELS:
        return AREA_LABELS[prefix]
    model = MODELS_BY_PREFIX.get(prefix)
    if model is not None and model._meta.verbose_name:
        return model._meta.verbose_name
    return prefix


def areas() -> list[tuple[str, str]]:
    """(prefix, label) of every registered area, by label."""
    prefixes = {action.split(".", 1)[0] for action in ACTION_LABELS}
    return sorted(((p, str(area_label(p))) for p in prefixes), key=lambda pair: pair[1])


@dataclass(frozen=True)
class EventLine:
    event: AuditEvent
    label: str
    summary: str


def _field_label(model: type[Model] | None, name: str) -> str:
    if model is None:
        return name
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:  # an old event may name a field that is gone
        return name


def _show_value(value: Any) -> str:
    if value is True:
        return _("ja")
    if value is False:
        return _("nein")
    if value in (None, "", []):
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _choice_labels(model: type[Model] | None, name: str) -> dict[Any, Any]:
    """Labels of a field with choices (events store the values, "planned"), else {}."""
    if model is None:
        return {}
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return {}
    # Only fields with declared choices: a foreign key's flatchoices would query its table.
    return dict(getattr(field, "flatchoices", [])) if getattr(field, "choices", None) else {}


def _change_parts(model: type[Model] | None, data: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    changes = data.get("changes")
    if isinstance(changes, dict):
        for name, pair in changes.items():
            if not isinstance(pair, list | tuple) or len(pair) != 2 or name.endswith("_at"):
                continue
            labels = _choice_labels(model, name)
            old, new = (labels.get(v, v) if isinstance(v, str) else v for v in pair)
            parts.append(f"{_field_label(model, name)}: {_show_value(old)} → {_show_value(new)}")
    if data.get("added"):
        parts.append(f"+ {_show_value(data['added'])}")
    if data.get("removed"):
        parts.append(f"− {_show_value(data['removed'])}")
    if isinstance(data.get("from"), dict) or isinstance(data.get("to"), dict):
        old = (data.get("from") or {}).get("label")
        new = (data.get("to") or {}).get("label")
        parts.append(f"{_show_value(old)} → {_show_value(new)}")
    return parts


def describe_event(event: AuditEvent) -> EventLine:
    """A label and a one-line summary of an audit event."""
    action = event.action
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    model = MODELS_BY_PREFIX.get(action.split(".", 1)[0])
    if model is None and event.content_type_id:
        model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    parts = [str(data["label"])] if data.get("label") else []
    if not parts and action.endswith((".created", ".added")) and event.object_label:
        parts.append(event.object_label)
    parts += ["; ".join(_change_parts(model, data))]
    summary = " – ".join(p for p in parts if p)
    return EventLine(event=event, label=str(ACTION_LABELS.get(action, action)), summary=summary)


def timeline_lines(*subjects: Model, limit: int = 200) -> list[EventLine]:
    """The objects' timeline, newest first, ready for `audit/_timeline.html`."""
    return [describe_event(event) for event in timeline(*subjects, limit=limit)]


def timeline_for(request: HttpRequest, *subjects: Model) -> list[EventLine] | None:
    """The timeline for an object page, or None when the user may not see the audit trail."""
    if not request.user.has_perm("audit.view"):
        return None
    return timeline_lines(*subjects)
