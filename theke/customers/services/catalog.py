"""State changes of the container catalog: waste types and container types.

Staff keep them through create/update/deactivate; the back office pushes them through
`upsert_waste_types` / `upsert_container_types`, the one path for one item or a thousand (a
refused item changes nothing and does not stop the others). Every change is one audit event
on the catalog row. Catalog rows are never deleted: placed containers refer to them, so they
are deactivated and no longer offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from theke.audit.services import Actor, record
from theke.customers.models import ContainerOrderKind, ContainerType, WasteType
from theke.customers.services import (
    MAX_PRICE,
    CustomerError,
    Items,
    Outcome,
    _assign,
    _check_fields,
    _decimal,
    _full_clean,
    _save,
    _stored,
    _text,
    _upsert_each,
    _values_for_audit,
)
from theke.customers.validators import normalize_waste_code
from theke.tenants.models import Tenant

__all__ = [
    "create_container_type",
    "create_waste_type",
    "deactivate_container_type",
    "deactivate_waste_type",
    "update_container_type",
    "update_waste_type",
    "upsert_container_types",
    "upsert_waste_types",
]

WASTE_TYPE_FIELDS = frozenset(
    {"name", "code", "description", "is_active", "sort_order", "external_id"}
)
CONTAINER_TYPE_FIELDS = frozenset(
    {
        "name",
        "volume_m3",
        "variant",
        "order_kinds",
        "price",
        "waste_types",
        "is_active",
        "external_id",
    }
)
# ContainerType.volume_m3 holds 6 digits with 2 decimals.
MAX_VOLUME = Decimal("9999.99")


def _external_id_taken() -> str:
    return _("Diese externe ID ist bereits vergeben.")


# --- waste types --------------------------------------------------------------------------


def _clean_waste_type_values(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in {"name", "description", "external_id"}:
            clean[key] = _text(value)
        elif key == "code":
            clean[key] = normalize_waste_code(_text(value))
        elif key == "is_active":
            clean[key] = bool(value)
        elif key == "sort_order":
            clean[key] = 0 if value in (None, "") else value
        else:
            clean[key] = value
    return clean


def _clean_waste_type(waste_type: WasteType) -> None:
    if not waste_type.name:
        raise CustomerError(_("Bitte geben Sie eine Bezeichnung an."), "name", "required")
    _full_clean(waste_type)


@transaction.atomic
def create_waste_type(tenant: Tenant, actor: Actor, **values: Any) -> WasteType:
    """Create a waste type ("Abfallart") with its optional AVV waste code."""
    _check_fields(values, WASTE_TYPE_FIELDS)
    values = _clean_waste_type_values(values)
    waste_type = WasteType(tenant=tenant, **values)
    _clean_waste_type(waste_type)
    _save(waste_type, _external_id_taken(), "external_id")
    record(tenant, actor, "waste_type.created", waste_type, {"values": _values_for_audit(values)})
    return waste_type


@transaction.atomic
def update_waste_type(waste_type: WasteType, actor: Actor, **values: Any) -> WasteType:
    """Change a waste type; is_active=False takes it out of new orders."""
    _check_fields(values, WASTE_TYPE_FIELDS)
    values = _clean_waste_type_values(values)
    waste_type = (
        WasteType.objects.select_for_update().select_related("tenant").get(pk=waste_type.pk)
    )
    changes = _assign(waste_type, values)
    if not changes:
        return waste_type
    _clean_waste_type(waste_type)
    _save(waste_type, _external_id_taken(), "external_id")
    record(waste_type.tenant, actor, "waste_type.updated", waste_type, {"changes": changes})
    return waste_type


@transaction.atomic
def deactivate_waste_type(waste_type: WasteType, actor: Actor) -> WasteType:
    """Take a waste type out of the catalog; containers that name it keep it."""
    waste_type = (
        WasteType.objects.select_for_update().select_related("tenant").get(pk=waste_type.pk)
    )
    if waste_type.is_active:
        waste_type.is_active = False
        waste_type.save(update_fields=["is_active"])
        record(waste_type.tenant, actor, "waste_type.deactivated", waste_type)
    return waste_type


@transaction.atomic
def upsert_waste_types(tenant: Tenant, actor: Actor, items: Items) -> list[Outcome]:
    """Create or update waste types by external id: per item ("created"|"updated", row) or
    the CustomerError that refused it."""

    def upsert_one(external_id: str, values: dict[str, Any]) -> tuple[str, WasteType]:
        waste_type = _stored(WasteType.objects.all(), tenant, external_id)
        if waste_type is None:
            return "created", create_waste_type(tenant, actor, external_id=external_id, **values)
        return "updated", update_waste_type(waste_type, actor, **values)

    return _upsert_each(items, upsert_one)


# --- container types ----------------------------------------------------------------------


def _order_kinds(value: Any) -> list[str]:
    """The allowed order kinds, unique and in the catalog's order; unknown ones refused."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise CustomerError(_("Ungültige Auftragsarten."), "order_kinds", "invalid")
    given = [str(kind) for kind in value]
    unknown = [kind for kind in given if kind not in ContainerOrderKind.values]
    if unknown:
        raise CustomerError(
            _("Unbekannte Auftragsart: %(kind)s.") % {"kind": unknown[0]},
            "order_kinds",
            "invalid_choice",
        )
    return [kind for kind in ContainerOrderKind.values if kind in given]


def _clean_container_type_values(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in {"name", "variant", "external_id"}:
            clean[key] = _text(value)
        elif key == "is_active":
            clean[key] = bool(value)
        elif key == "volume_m3":
            if value in (None, ""):
                raise CustomerError(_("Bitte geben Sie die Größe an."), key, "required")
            clean[key] = _decimal(value, key, MAX_VOLUME)
        elif key == "price":
            clean[key] = None if value in (None, "") else _decimal(value, key, MAX_PRICE)
        elif key == "order_kinds":
            clean[key] = _order_kinds(value)
        else:
            clean[key] = value
    return clean


def _clean_container_type(container_type: ContainerType) -> None:
    if not container_type.name:
        raise CustomerError(_("Bitte geben Sie eine Bezeichnung an."), "name", "required")
    if container_type.volume_m3 is None or container_type.volume_m3 <= 0:
        raise CustomerError(_("Bitte geben Sie die Größe an."), "volume_m3", "required")
    _full_clean(container_type)


def _set_waste_types(
    container_type: ContainerType, waste_types: Iterable[WasteType] | None
) -> list[list[str]] | None:
    """Make `waste_types` the container type's complete list; [old, new] labels if changed."""
    if waste_types is None:
        return None
    wanted = list(waste_types)
    for waste_type in wanted:
        if waste_type.tenant_id != container_type.tenant_id:
            raise CustomerError(_("Unbekannte Abfallart."), "waste_types", "foreign")
    before = list(container_type.waste_types.all())
    if {w.pk for w in before} == {w.pk for w in wanted}:
        return None
    container_type.waste_types.set(wanted)
    return [sorted(str(w) for w in before), sorted(str(w) for w in wanted)]


@transaction.atomic
def create_container_type(tenant: Tenant, actor: Actor, **values: Any) -> ContainerType:
    """Create a container type; `waste_types` (rows) are the waste types it may be used for."""
    _check_fields(values, CONTAINER_TYPE_FIELDS)
    values = _clean_container_type_values(values)
    waste_types = values.pop("waste_types", None)
    container_type = ContainerType(tenant=tenant, **values)
    _clean_container_type(container_type)
    _save(container_type, _external_id_taken(), "external_id")
    _set_waste_types(container_type, waste_types)
    data = _values_for_audit(values)
    if waste_types:
        data["waste_types"] = sorted(str(w) for w in waste_types)
    record(tenant, actor, "container_type.created", container_type, {"values": data})
    return container_type


@transaction.atomic
def update_container_type(
    container_type: ContainerType, actor: Actor, **values: Any
) -> ContainerType:
    """Change a container type; `waste_types`, when given, is the complete list."""
    _check_fields(values, CONTAINER_TYPE_FIELDS)
    values = _clean_container_type_values(values)
    waste_types = values.pop("waste_types", None)
    container_type = (
        ContainerType.objects.select_for_update().select_related("tenant").get(pk=container_type.pk)
    )
    changes: dict[str, Any] = _assign(container_type, values)
    if changes:
        _clean_container_type(container_type)
        _save(container_type, _external_id_taken(), "external_id")
    waste_change = _set_waste_types(container_type, waste_types)
    if waste_change is not None:
        changes["waste_types"] = waste_change
    if changes:
        record(
            container_type.tenant,
            actor,
            "container_type.updated",
            container_type,
            {"changes": changes},
        )
    return container_type


@transaction.atomic
def deactivate_container_type(container_type: ContainerType, actor: Actor) -> ContainerType:
    """Take a container type out of the catalog; placed containers of the type keep it."""
    container_type = (
        ContainerType.objects.select_for_update().select_related("tenant").get(pk=container_type.pk)
    )
    if container_type.is_active:
        container_type.is_active = False
        container_type.save(update_fields=["is_active"])
        record(container_type.tenant, actor, "container_type.deactivated", container_type)
    return container_type


@transaction.atomic
def upsert_container_types(tenant: Tenant, actor: Actor, items: Items) -> list[Outcome]:
    """Create or update container types by external id (see upsert_waste_types); the values'
    `waste_types` are rows, resolved by the caller from the back office's ids."""

    def upsert_one(external_id: str, values: dict[str, Any]) -> tuple[str, ContainerType]:
        container_type = _stored(ContainerType.objects.all(), tenant, external_id)
        if container_type is None:
            created = create_container_type(tenant, actor, external_id=external_id, **values)
            return "created", created
        return "updated", update_container_type(container_type, actor, **values)

    return _upsert_each(items, upsert_one)
