"""The staff navigation: its entries, declared in one place, and the ones a request sees.

A product adds its entry to `ENTRIES` (URL name, rights, the path sections it covers). Entries
name URLs and rights as strings, so `core` imports no domain. The bar shows the entries inline
from 1400 px on and behind the menu button below (see layouts/staff.html); the bell and the
user menu stay outside the menu at every width. An entry with a `group` goes into that group's
dropdown, for products with several pages or rarely used admin pages.

An entry can carry a count ("9+" above nine), e.g. the open leads: the product registers a
badge source for the entry's URL name (`register_badge`), and the badge refreshes itself by
polling the source's own small endpoint, which renders `core/_nav_badge.html`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise


@dataclass(frozen=True)
class NavEntry:
    label: Label
    url_name: str
    # Any one of these rights shows the entry; none: every staff member of a tenant sees it.
    rights: tuple[str, ...] = ()
    # Path prefixes of the pages that belong to the entry; none: only its own URL.
    sections: tuple[str, ...] = ()
    group: Label = ""  # the dropdown it goes into; "": on the bar itself
    # A product switch of the tenant (a boolean attribute, e.g. "jobs_enabled"): while it is
    # off, the entry is hidden (its pages answer 404); "": always shown.
    switch: str = ""


@dataclass(frozen=True)
class Badge:
    """A count on a navigation entry, with its accessible wording and how it refreshes."""

    count: int
    label: str  # the whole count in words for screen readers: "12 offene Terminanfragen"
    refresh_url: str = ""  # polled (htmx) for a fresh badge in the same markup; "": never
    refresh_seconds: int = 0

    @property
    def text(self) -> str:
        """What the badge shows: "" for none, the number up to nine, then "9+"."""
        if self.count <= 0:
            return ""
        return "9+" if self.count > 9 else str(self.count)


# request -> the entry's badge, or None (no right, product off); keyed by the entry's URL name.
BadgeSource = Callable[[HttpRequest], Badge | None]
_badges: dict[str, BadgeSource] = {}


def register_badge(url_name: str, source: BadgeSource) -> None:
    """Show a count on the navigation entry of `url_name`; registering again replaces it."""
    _badges[url_name] = source


@dataclass
class ShownEntry:
    label: Label
    url: str
    active: bool = False
    badge: Badge | None = None


@dataclass
class ShownGroup:
    """One item of the bar: a single entry, or a dropdown (`label`) of several."""

    label: Label
    entries: list[ShownEntry] = field(default_factory=list)
    dropdown: bool = False

    @property
    def active(self) -> bool:
        return any(entry.active for entry in self.entries)


ENTRIES: tuple[NavEntry, ...] = (
    NavEntry(_("Übersicht"), "core:dashboard"),
    NavEntry(_("Kunden"), "customers:list", ("customers.view",), ("/staff/customers/",)),
    NavEntry(
        _("Kostenvoranschläge"), "estimates:list", ("estimates.view",), ("/staff/estimates/",)
    ),
    NavEntry(
        _("Artikel"),
        "customers:article_list",
        ("customers.manage_articles", "customers.view", "customers.manage_catalog"),
        # The container catalog's lists are reached from the article page (no entry of
        # their own: the bar has no room for a product's master data).
        (
            "/staff/customers/articles/",
            "/staff/customers/waste-types/",
            "/staff/customers/container-types/",
        ),
    ),
    NavEntry(
        _("Versand"),
        "messaging:delivery_list",
        ("messaging.view_deliveries",),
        ("/staff/messages/deliveries/",),
    ),
    NavEntry(
        _("Terminanfragen"),
        "appointments:lead_list",
        ("appointments.use_lead_manager",),
        ("/staff/appointments/leads/",),
    ),
    # --- staff (issue 13): workshop appointments ---
    NavEntry(
        _("Termine"),
        "appointments:appointment_list",
        ("appointments.manage",),
        ("/staff/appointments/",),
    ),
    # --- editor (job manager): workflows and the field library ---
    NavEntry(
        _("Workflows"),
        "jobs:workflows",
        ("jobs.administer_workflows",),
        ("/staff/jobs/workflows/",),
        group=_("Jobmanager"),
        switch="jobs_enabled",
    ),
    NavEntry(
        _("Felder"),
        "jobs:fields",
        ("jobs.administer_workflows",),
        ("/staff/jobs/felder/",),
        group=_("Jobmanager"),
        switch="jobs_enabled",
    ),
    # --- staff pages (job manager) ---
    NavEntry(_("Jobs"), "jobs:list", ("jobs.use",), ("/staff/jobs/",), switch="jobs_enabled"),
    NavEntry(_("Protokoll"), "audit:log", ("audit.view",), ("/staff/audit/",)),
    NavEntry(
        _("Einstellungen"),
        "tenants:settings",
        (
            "tenants.manage_settings",
            "accounts.manage_users",
            "messaging.manage_templates",
            "api.manage_keys",
            "appointments.administer_online_booking",
        ),
        (
            "/staff/settings/",
            "/staff/messages/templates/",
            "/staff/messages/settings/",
            "/staff/estimates/settings/",
            "/staff/appointments/settings/",
            "/staff/api/",
        ),
    ),
)


def _match_length(entry: NavEntry, url: str, path: str) -> int:
    """How specifically the entry covers the path (0: not at all); the longest match wins, so
    /staff/customers/articles/ is "Artikel", not "Kunden"."""
    if path == url:
        return len(url) + 1
    return max((len(prefix) for prefix in entry.sections if path.startswith(prefix)), default=0)


def shown_entries(
    request: HttpRequest, entries: Sequence[NavEntry] | None = None
) -> list[ShownGroup]:
    """The bar's items the request's user may see, in order, the current page's marked."""
    entries = ENTRIES if entries is None else entries
    if getattr(request, "tenant", None) is None:
        return []
    user = request.user
    tenant = getattr(request, "tenant", None)
    visible: list[tuple[NavEntry, ShownEntry, int]] = []
    for entry in entries:
        if entry.rights and not any(user.has_perm(right) for right in entry.rights):
            continue
        if entry.switch and not getattr(tenant, entry.switch, False):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # a product that is not installed
            continue
        source = _badges.get(entry.url_name)
        shown = ShownEntry(entry.label, url, badge=source(request) if source else None)
        visible.append((entry, shown, _match_length(entry, url, request.path)))
    best = max((length for _entry, _shown, length in visible), default=0)
    groups: list[ShownGroup] = []
    by_label: dict[str, ShownGroup] = {}
    for entry, shown, length in visible:
        shown.active = best > 0 and length == best
        if not entry.group:
            groups.append(ShownGroup(entry.label, [shown]))
            continue
        key = str(entry.group)
        if key not in by_label:
            by_label[key] = ShownGroup(entry.group, dropdown=True)
            groups.append(by_label[key])
        by_label[key].entries.append(shown)
    return groups
