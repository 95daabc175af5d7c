"""Online-booking settings: the tenant's (hold time, cut-off, duplicate criteria, ...) and
each branch's (switch, capacity, buffers, notice, horizon), with their defaults."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from theke.accounts.models import Membership, User
from theke.appointments.models import (
    AdvisorAbsence,
    AdvisorWorkingHours,
    BookableService,
    BookingSettings,
    BranchBooking,
    LeadManagerPreference,
    ServiceAdvisor,
)
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.core.formatting import format_date
from theke.customers.models import Customer
from theke.tenants.models import Branch, Tenant, Weekday
from theke.tenants.scoping import tenant_scope

__all__ = [
    "SettingsError",
    "WorkingInterval",
    "add_absence",
    "add_advisor",
    "advisor_candidates",
    "booking_enabled",
    "booking_settings",
    "branch_booking",
    "check_working_intervals",
    "clean_embed_origins",
    "create_service",
    "delete_absence",
    "embed_origins",
    "refresh_interval",
    "remove_advisor",
    "save_booking_settings",
    "save_branch_booking",
    "set_advisor_active",
    "set_refresh_interval",
    "set_service_active",
    "set_working_hours",
    "upcoming_absences",
    "update_service",
    "working_intervals",
]


def booking_settings(tenant: Tenant) -> BookingSettings:
    """The tenant's settings; an unsaved row with the defaults until it changed one."""
    return BookingSettings.objects.filter(tenant=tenant).first() or BookingSettings(tenant=tenant)


def branch_booking(branch: Branch) -> BranchBooking:
    """The branch's settings; an unsaved row with the defaults (switched off) until set."""
    found = BranchBooking.objects.filter(branch=branch).first()
    return found or BranchBooking(tenant_id=branch.tenant_id, branch=branch)


def booking_enabled(branch: Branch) -> bool:
    """Customers may book at the branch: switched on for the tenant (by the platform
    operator) and for the active branch."""
    return (
        branch.tenant.online_booking_enabled and branch.is_active and branch_booking(branch).enabled
    )


def embed_origins(tenant: Tenant) -> list[str]:
    """The origins allowed to embed the tenant's booking pages (CSP frame-ancestors)."""
    text = booking_settings(tenant).embed_origins
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- OSB settings: the administrator's changes (helper "osb") ---
# Every change runs in one transaction under a row lock and writes one audit event; a refusal
# is a SettingsError naming the field at fault, so the form shows it next to that field.

DUPLICATE_FIELDS = (
    "duplicates_by_name_postcode",
    "duplicates_by_email",
    "duplicates_by_phone",
    "duplicates_by_vehicle",
)
BOOKING_SETTING_FIELDS = (
    "hold_hours",
    "cancel_cutoff_hours",
    "cash_customer_number",
    *DUPLICATE_FIELDS,
    "embed_origins",
    # --- remind --- workshop appointments: proposals and reminders (seed 002)
    "proposal_hold_hours",
    "reminder_days_before",
    "reminder_time",
    "same_day_reminder_time",
)
BRANCH_BOOKING_FIELDS = (
    "enabled",
    "parallel_capacity",
    "slot_minutes",
    "buffer_minutes",
    "min_notice_hours",
    "horizon_days",
)
SERVICE_FIELDS = (
    "name",
    "description",
    "duration_minutes",
    "price",
    "position",
    "what_to_bring",  # --- remind ---
)
REFRESH_MIN_SECONDS = 15
REFRESH_MAX_SECONDS = 3600
# A web origin as browsers send it: scheme, host, optional port; nothing after it.
_ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<host>\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"
    r"(?::(?P<port>[0-9]{1,5}))?$"
)
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class SettingsError(ServiceError):
    """A refused change of the online-booking settings; `field` names the input at fault."""


def _plain(value: object) -> object:
    """A JSON-friendly, comparable form of a value for audit data."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _changes(row: models.Model, values: Mapping[str, object]) -> dict[str, list[object]]:
    return {
        name: [_plain(getattr(row, name)), _plain(value)]
        for name, value in values.items()
        if getattr(row, name) != value
    }


def _model_check(row: models.Model, exclude: list[str]) -> None:
    """The model's own limits (min/max, lengths); the first problem names its field."""
    try:
        row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        name, problems = next(iter(error.message_dict.items()))
        raise SettingsError(problems[0], None if name == NON_FIELD_ERRORS else name) from error


def clean_embed_origins(text: str) -> str:
    """The origins, one per line, normalised (lower case, no trailing slash, no repeats);
    refuses a line that is not an https origin (http only for localhost), naming it."""
    origins: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lower().removesuffix("/")
        if not line:
            continue
        match = _ORIGIN.match(line)
        port = match and match.group("port")
        if (
            match is None
            or (port is not None and not 0 < int(port) < 65536)
            or (match.group("scheme") == "http" and match.group("host") not in _LOCAL_HOSTS)
        ):
            raise SettingsError(
                _(
                    "Zeile %(number)s („%(line)s“) ist keine gültige Website-Adresse. Bitte "
                    "nur Schema und Domain angeben, ohne Pfad, z. B. https://www.autohaus.de "
                    "(http nur für localhost)."
                ),
                "embed_origins",
                "bad_origin",
                {"number": number, "line": raw.strip()[:80]},
            )
        if line not in origins:
            origins.append(line)
    return "\n".join(origins)


def check_cash_customer_number(tenant: Tenant, number: str) -> str:
    """The number of an existing customer of the tenant (or ""); refuses an unknown one."""
    number = number.strip()
    if number and not Customer.objects.filter(tenant=tenant, number=number).exists():
        raise SettingsError(
            _(
                "Es gibt keinen Kunden mit der Kundennummer „%(number)s“. Bitte legen Sie den "
                "Barverkaufskunden zuerst im Kundenstamm an oder prüfen Sie die Nummer."
            ),
            "cash_customer_number",
            "unknown_customer",
            {"number": number},
        )
    return number


@transaction.atomic
def save_booking_settings(tenant: Tenant, actor: Actor, **values: Any) -> BookingSettings:
    """Change some of the tenant's settings (keyword = field name); one audit event with
    what changed, none when nothing did."""
    unknown = set(values) - set(BOOKING_SETTING_FIELDS)
    if unknown:
        raise ValueError(f"unknown booking settings: {sorted(unknown)}")
    with tenant_scope(tenant):
        if "cash_customer_number" in values:
            values["cash_customer_number"] = check_cash_customer_number(
                tenant, str(values["cash_customer_number"] or "")
            )
        if "embed_origins" in values:
            values["embed_origins"] = clean_embed_origins(str(values["embed_origins"] or ""))
        row, _created = BookingSettings.objects.select_for_update().get_or_create(tenant=tenant)
        changes = _changes(row, values)
        if not changes:
            return row
        for name, value in values.items():
            setattr(row, name, value)
        if not any(getattr(row, name) for name in DUPLICATE_FIELDS):
            raise SettingsError(
                _("Bitte wählen Sie für die Dublettenabfrage mindestens ein Kriterium."),
                "duplicates_by_name_postcode",
                "no_duplicate_criterion",
            )
        _model_check(row, ["tenant"])
        row.save()
        record(tenant, actor, "booking_settings.changed", row, {"changes": changes})
    return row


@transaction.atomic
def save_branch_booking(branch: Branch, actor: Actor, **values: Any) -> BranchBooking:
    """Change some of a branch's booking settings (switch, capacity, raster, buffer,
    notice, horizon); one audit event with what changed."""
    unknown = set(values) - set(BRANCH_BOOKING_FIELDS)
    if unknown:
        raise ValueError(f"unknown branch booking settings: {sorted(unknown)}")
    tenant = branch.tenant
    with tenant_scope(tenant):
        row, _created = BranchBooking.objects.select_for_update().get_or_create(
            branch=branch, defaults={"tenant": tenant}
        )
        changes = _changes(row, values)
        if not changes:
            return row
        for name, value in values.items():
            setattr(row, name, value)
        _model_check(row, ["tenant", "branch"])
        row.save()
        record(tenant, actor, "branch_booking.changed", row, {"changes": changes})
    return row


def advisor_candidates(branch: Branch) -> list[User]:
    """The tenant's active staff users who are not yet advisors at the branch."""
    taken = ServiceAdvisor.objects.filter(branch=branch).values_list("user_id", flat=True)
    return list(
        User.objects.filter(
            memberships__tenant_id=branch.tenant_id, memberships__is_active=True, is_active=True
        )
        .exclude(pk__in=list(taken))
        .order_by("full_name", "email")
    )


def _lock_branch_row(branch: Branch) -> Branch:
    """Serialise changes of one branch's advisors (two admins adding the same person)."""
    return Branch.objects.select_for_update().get(pk=branch.pk, tenant_id=branch.tenant_id)


@transaction.atomic
def add_advisor(branch: Branch, actor: Actor, user: User) -> ServiceAdvisor:
    """Make a staff user of the tenant an advisor ("Annehmer") at the branch, active."""
    tenant = branch.tenant
    with tenant_scope(tenant):
        _lock_branch_row(branch)
        if not Membership.objects.filter(tenant=tenant, user=user, is_active=True).exists():
            raise SettingsError(
                _("Nur aktive Mitarbeiter Ihres Unternehmens können Annehmer sein."), "user"
            )
        if ServiceAdvisor.objects.filter(branch=branch, user=user).exists():
            raise SettingsError(
                _("%(name)s ist in diesem Betrieb bereits Annehmer.")
                % {"name": user.get_full_name() or user.email},
                "user",
                "duplicate",
            )
        advisor = ServiceAdvisor.objects.create(tenant=tenant, branch=branch, user=user)
        record(tenant, actor, "advisor.added", advisor, {"label": _advisor_label(advisor)})
    return advisor


def _advisor_label(advisor: ServiceAdvisor) -> str:
    return f"{advisor.user.get_full_name() or advisor.user.email} ({advisor.branch})"


def _locked_advisor(advisor: ServiceAdvisor) -> ServiceAdvisor:
    return (
        ServiceAdvisor.objects.select_for_update()
        .select_related("user", "branch")
        .get(pk=advisor.pk, tenant_id=advisor.tenant_id)
    )


@transaction.atomic
def set_advisor_active(advisor: ServiceAdvisor, actor: Actor, active: bool) -> ServiceAdvisor:
    """Activate or deactivate an advisor; an inactive advisor takes no online bookings."""
    tenant = advisor.tenant
    with tenant_scope(tenant):
        row = _locked_advisor(advisor)
        if row.is_active == active:
            return row
        row.is_active = active
        row.save(update_fields=["is_active"])
        action = "advisor.activated" if active else "advisor.deactivated"
        record(tenant, actor, action, row, {"label": _advisor_label(row)})
    return row


@transaction.atomic
def remove_advisor(advisor: ServiceAdvisor, actor: Actor) -> None:
    """Remove an advisor from the branch with their working hours and absences."""
    tenant = advisor.tenant
    with tenant_scope(tenant):
        row = _locked_advisor(advisor)
        record(tenant, actor, "advisor.removed", row.branch, {"label": _advisor_label(row)})
        row.delete()


class WorkingInterval(NamedTuple):
    """One working interval of an advisor: weekday (0 = Monday), start, end."""

    weekday: int
    starts: datetime.time
    ends: datetime.time

    def label(self) -> str:
        return f"{Weekday(self.weekday).label} {self.starts:%H:%M}–{self.ends:%H:%M}"


def check_working_intervals(intervals: Iterable[WorkingInterval]) -> list[WorkingInterval]:
    """Sorted intervals; refuses an unknown weekday, an end not after its start and two
    intervals of one weekday that overlap."""
    cleaned = sorted(WorkingInterval(*interval) for interval in intervals)
    for interval in cleaned:
        if interval.weekday not in Weekday.values:
            raise SettingsError(_("Unbekannter Wochentag."), None, "weekday")
        if interval.ends <= interval.starts:
            raise SettingsError(
                _("%(interval)s: Das Ende muss nach dem Beginn liegen."),
                None,
                "ends_before_starts",
                {"interval": interval.label()},
            )
    for previous, current in itertools.pairwise(cleaned):
        if previous.weekday == current.weekday and current.starts < previous.ends:
            raise SettingsError(
                _("Die Arbeitszeiten %(first)s und %(second)s überschneiden sich."),
                None,
                "overlap",
                {"first": previous.label(), "second": current.label()},
            )
    return cleaned


def working_intervals(advisor: ServiceAdvisor) -> list[WorkingInterval]:
    """The advisor's stored working hours, sorted."""
    rows = AdvisorWorkingHours.objects.filter(advisor=advisor).order_by("weekday", "starts")
    return [WorkingInterval(row.weekday, row.starts, row.ends) for row in rows]


@transaction.atomic
def set_working_hours(
    advisor: ServiceAdvisor, actor: Actor, intervals: Iterable[WorkingInterval]
) -> list[WorkingInterval]:
    """Replace the advisor's weekly working hours; one audit event with before and after."""
    tenant = advisor.tenant
    cleaned = check_working_intervals(intervals)
    with tenant_scope(tenant):
        row = _locked_advisor(advisor)
        before = working_intervals(row)
        if before == cleaned:
            return cleaned
        AdvisorWorkingHours.objects.filter(advisor=row).delete()
        AdvisorWorkingHours.objects.bulk_create(
            AdvisorWorkingHours(
                tenant=tenant, advisor=row, weekday=i.weekday, starts=i.starts, ends=i.ends
            )
            for i in cleaned
        )
        record(
            tenant,
            actor,
            "advisor.hours_changed",
            row,
            {
                "label": _advisor_label(row),
                "from": {"label": ", ".join(i.label() for i in before)},
                "to": {"label": ", ".join(i.label() for i in cleaned)},
            },
        )
    return cleaned


@transaction.atomic
def add_absence(
    advisor: ServiceAdvisor,
    actor: Actor,
    first_day: datetime.date,
    last_day: datetime.date,
    reason: str = "",
) -> AdvisorAbsence:
    """Record an absence of the advisor (whole days, both ends included)."""
    if last_day < first_day:
        raise SettingsError(
            _("Der letzte Tag darf nicht vor dem ersten Tag liegen."), "last_day", "last_before"
        )
    tenant = advisor.tenant
    with tenant_scope(tenant):
        row = _locked_advisor(advisor)
        absence = AdvisorAbsence(
            tenant=tenant,
            advisor=row,
            first_day=first_day,
            last_day=last_day,
            reason=reason.strip(),
        )
        _model_check(absence, ["tenant", "advisor"])
        absence.save()
        record(tenant, actor, "advisor.absence_added", row, _absence_data(absence))
    return absence


def _absence_data(absence: AdvisorAbsence) -> dict[str, object]:
    span = f"{format_date(absence.first_day)}–{format_date(absence.last_day)}"
    reason = f" ({absence.reason})" if absence.reason else ""
    return {"label": f"{_advisor_label(absence.advisor)}: {span}{reason}"}


@transaction.atomic
def delete_absence(absence: AdvisorAbsence, actor: Actor) -> None:
    """Remove an absence of an advisor."""
    tenant = absence.tenant
    with tenant_scope(tenant):
        row = _locked_advisor(absence.advisor)
        found = AdvisorAbsence.objects.filter(pk=absence.pk, advisor=row).first()
        if found is None:  # removed in another tab meanwhile: nothing left to do
            return
        record(tenant, actor, "advisor.absence_removed", row, _absence_data(found))
        found.delete()


def upcoming_absences(advisor: ServiceAdvisor, today: datetime.date) -> list[AdvisorAbsence]:
    """The advisor's absences that have not ended before today, first first."""
    return list(
        AdvisorAbsence.objects.filter(advisor=advisor, last_day__gte=today).order_by("first_day")
    )


def _check_service_branches(tenant: Tenant, branches: Iterable[Branch]) -> list[Branch]:
    chosen = list(branches)
    if any(branch.tenant_id != tenant.pk for branch in chosen):
        raise SettingsError(_("Bitte wählen Sie Betriebe Ihres Unternehmens."), "branches")
    return chosen


@transaction.atomic
def create_service(
    tenant: Tenant, actor: Actor, *, branches: Iterable[Branch] = (), **values: Any
) -> BookableService:
    """A new bookable service ("Leistung"); no branches: offered at every branch."""
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise ValueError(f"unknown service fields: {sorted(unknown)}")
    with tenant_scope(tenant):
        chosen = _check_service_branches(tenant, branches)
        service = BookableService(tenant=tenant, **values)
        _model_check(service, ["tenant", "branches"])
        service.save()
        service.branches.set(chosen)
        record(tenant, actor, "booking_service.created", service)
    return service


@transaction.atomic
def update_service(
    service: BookableService,
    actor: Actor,
    *,
    branches: Iterable[Branch] | None = None,
    **values: Any,
) -> BookableService:
    """Change a bookable service; `branches` None keeps them. One event with the changes."""
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise ValueError(f"unknown service fields: {sorted(unknown)}")
    tenant = service.tenant
    with tenant_scope(tenant):
        row = BookableService.objects.select_for_update().get(pk=service.pk, tenant=tenant)
        changes: dict[str, object] = dict(_changes(row, values))
        for name, value in values.items():
            setattr(row, name, value)
        _model_check(row, ["tenant", "branches"])
        if branches is not None:
            chosen = _check_service_branches(tenant, branches)
            before = sorted(str(b) for b in row.branches.all())
            after = sorted(str(b) for b in chosen)
            if before != after:
                changes["branches"] = [before, after]
                row.branches.set(chosen)
        if changes:
            row.save()
            record(tenant, actor, "booking_service.changed", row, {"changes": changes})
    return row


@transaction.atomic
def set_service_active(service: BookableService, actor: Actor, active: bool) -> BookableService:
    """Offer a service again, or no longer (kept for the leads that name it)."""
    tenant = service.tenant
    with tenant_scope(tenant):
        row = BookableService.objects.select_for_update().get(pk=service.pk, tenant=tenant)
        if row.is_active == active:
            return row
        row.is_active = active
        row.save(update_fields=["is_active"])
        action = "booking_service.activated" if active else "booking_service.deactivated"
        record(tenant, actor, action, row)
    return row


def refresh_interval(user: User) -> int:
    """The user's refresh interval of the lead manager in seconds (default 60)."""
    found = LeadManagerPreference.objects.filter(user=user).first()
    return found.refresh_seconds if found else LeadManagerPreference().refresh_seconds


@transaction.atomic
def set_refresh_interval(user: User, seconds: int) -> LeadManagerPreference:
    """Set the user's own refresh interval of the lead manager (15 to 3600 seconds).

    A personal preference of one user across tenants: no audit event (none of the tenant's
    data changes)."""
    if not REFRESH_MIN_SECONDS <= seconds <= REFRESH_MAX_SECONDS:
        raise SettingsError(
            _("Bitte geben Sie zwischen %(min)s und %(max)s Sekunden an."),
            "refresh_seconds",
            "out_of_range",
            {"min": REFRESH_MIN_SECONDS, "max": REFRESH_MAX_SECONDS},
        )
    preference, _created = LeadManagerPreference.objects.select_for_update().get_or_create(
        user=user, defaults={"refresh_seconds": seconds}
    )
    if preference.refresh_seconds != seconds:
        preference.refresh_seconds = seconds
        preference.save(update_fields=["refresh_seconds"])
    return preference


# --- cal ---
PANEL_WIDTH_MIN = 200
PANEL_WIDTH_MAX = 600


@transaction.atomic
def set_calendar_display(
    user: User, *, show_leads_in_calendar: bool, lead_panel_width: int
) -> LeadManagerPreference:
    """Set the user's own calendar display (seed 001's "Lokale Einstellungen"): whether open
    leads show in the calendar and how wide their panel is (200 to 600 px). Personal, like
    the refresh interval: no audit event."""
    if not PANEL_WIDTH_MIN <= lead_panel_width <= PANEL_WIDTH_MAX:
        raise SettingsError(
            _("Bitte geben Sie zwischen %(min)s und %(max)s Pixel an."),
            "lead_panel_width",
            "out_of_range",
            {"min": PANEL_WIDTH_MIN, "max": PANEL_WIDTH_MAX},
        )
    preference, _created = LeadManagerPreference.objects.select_for_update().get_or_create(
        user=user
    )
    preference.show_leads_in_calendar = show_leads_in_calendar
    preference.lead_panel_width = lead_panel_width
    preference.save(update_fields=["show_leads_in_calendar", "lead_panel_width"])
    return preference
