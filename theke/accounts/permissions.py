"""The registry of permission codes and the default roles' grants.

Each domain declares its own rights on its AppConfig: `permissions` (code -> label, codes
prefixed with the app's label), `permission_area` (the heading in the role form, else the
app's verbose name) and `role_grants` (default role -> codes it gets). `collect` gathers
them when the apps are ready, so a product brings its rights with it. Codes live in code,
not in the database: a role stores the list of codes it grants; stored codes no domain
declares (a product not built yet) are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

Label = str | Promise

ADMIN_ROLE = "Admin"
# The roles a new tenant starts with, in this order. Admin gets every right; the others
# what the domains grant them for their daily work.
DEFAULT_ROLE_NAMES = (ADMIN_ROLE, "Serviceberater", "Techniker", "Vertrieb", "Disposition")

# code -> label and area -> heading, in the order of INSTALLED_APPS (filled by `collect`).
PERMISSIONS: dict[str, Label] = {}
AREAS: dict[str, Label] = {}
_GRANTS: dict[str, set[str]] = {name: set() for name in DEFAULT_ROLE_NAMES[1:]}


def register_permissions(
    area: str,
    heading: Label,
    permissions: Mapping[str, Label],
    grants: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """Make an area's rights known, with the default roles that get them."""
    for code, label in permissions.items():
        if area_of(code) != area:
            raise ImproperlyConfigured(f"permission {code!r} must start with {area!r}.")
        if code in PERMISSIONS and PERMISSIONS[code] is not label:
            raise ImproperlyConfigured(f"permission {code!r} is declared twice.")
        PERMISSIONS[code] = label
    AREAS[area] = heading
    for role, codes in (grants or {}).items():
        if role not in _GRANTS:
            raise ImproperlyConfigured(f"{role!r} is no default role but the admin's.")
        unknown = set(codes) - set(permissions)
        if unknown:
            raise ImproperlyConfigured(f"{area} grants rights it does not declare: {unknown}")
        _GRANTS[role].update(codes)


def collect(configs: Iterable[AppConfig]) -> None:
    """Register the rights every app declares on its AppConfig."""
    for config in configs:
        declared: Mapping[str, Label] | None = getattr(config, "permissions", None)
        if not declared:
            continue
        register_permissions(
            config.label,
            getattr(config, "permission_area", config.verbose_name),
            declared,
            getattr(config, "role_grants", None),
        )


def all_codes() -> frozenset[str]:
    return frozenset(PERMISSIONS)


def default_roles() -> dict[str, frozenset[str]]:
    """Default role name -> granted codes, in the order new tenants get them."""
    return {
        ADMIN_ROLE: all_codes(),
        **{name: frozenset(_GRANTS[name]) for name in DEFAULT_ROLE_NAMES[1:]},
    }


def unknown_codes(codes: Iterable[str]) -> list[str]:
    return sorted(set(codes) - set(PERMISSIONS))


def permission_choices() -> list[tuple[str, Label]]:
    """(code, label) of every known right, for the role form."""
    return list(PERMISSIONS.items())


def area_of(code: str) -> str:
    return code.split(".", 1)[0]


def area_label(area: str) -> str:
    return str(AREAS.get(area, area))
