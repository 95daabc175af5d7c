"""What the appointment calendar shows and how it is read: columns (advisors and "ohne
Berater") with the hours they take appointments, blocks (appointments, held proposal slots,
open leads) read as plain values in a constant number of queries, the day grid's cells and
the week's chips. The pure geometry is in appointments/calendar_grid.py; the views in
staff_views/calendar.py.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.appointments.calendar_grid import (
    CELL_MINUTES,
    OFF_DUTY,
    Duty,
    Lane,
    Span,
    assign_lanes,
    minutes_of,
    over_capacity,
    row_end_of,
    row_of,
    shown_minutes,
)
from theke.appointments.models import (
    CAPACITY_STATUSES,
    FINAL_STATUSES,
    Appointment,
    AppointmentStatus,
    Lead,
    LeadStatus,
    ProposedSlot,
    ServiceAdvisor,
)
from theke.appointments.services.availability import advisors_of, zone
from theke.appointments.templatetags.theke_appointments import BADGES
from theke.customers.models import Customer
from theke.tenants.federal_states import public_holidays
from theke.tenants.models import Branch

DAY = datetime.timedelta(days=1)
NO_ADVISOR = "none"
WEEK_DAYS = 7


# --- what the page shows ---------------------------------------------------------------------


@dataclass
class Column:
    """An advisor of the branch, "ohne Berater", or a former advisor who still has blocks."""

    key: str  # the advisor's user id as text, or NO_ADVISOR
    label: str
    grid_column: int = 0  # CSS grid column line in the day view
    active: bool = True
    duty: Duty = OFF_DUTY  # when a free cell offers "new appointment" here

    @property
    def user_id(self) -> str:
        return "" if self.key == NO_ADVISOR else self.key


@dataclass
class Block:
    """One thing in a column: an appointment, a held proposal slot or an open lead."""

    dom_id: str
    kind: str  # "appointment" | "held" | "lead"
    title: str
    subtitle: str
    start: datetime.datetime  # local
    end: datetime.datetime  # local
    url: str
    column_key: str
    status_label: str = ""
    badge_class: str = ""
    provisional: bool = False
    unconfirmed: bool = False
    overbooked: bool = False
    takes_capacity: bool = True  # planned appointments, held slots and open leads
    move_url: str = ""
    confirm_url: str = ""
    advisor_label: str = ""  # the column's name, for the phone list
    row_start: int = 0
    row_end: int = 0
    grid_column: int = 0
    lane: Lane = field(default_factory=lambda: Lane(0, 1))

    @property
    def time_label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def day(self) -> datetime.date:
        return self.start.date()

    @property
    def start_value(self) -> str:
        return f"{self.start:%Y-%m-%dT%H:%M}"

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def css_classes(self) -> str:
        classes = [f"cal-block cal-{self.kind}", f"cal-c{self.grid_column}"]
        classes.append(f"cal-r{self.row_start} cal-e{self.row_end}")
        if self.lane.count > 1:
            classes.append(
                f"cal-lanes-{min(self.lane.count, 8)} cal-lane-{min(self.lane.index, 7)}"
            )
        if self.badge_class and self.kind == "appointment":
            classes.append(self.badge_class)
        if self.provisional:
            classes.append("cal-provisional")
        if self.overbooked:
            classes.append("cal-overbooked")
        return " ".join(classes)


@dataclass
class FreeCell:
    """A half hour of a column while the branch is open: "new appointment" prefilled where
    the advisor works then (`url`), shaded where not; blocks can be dropped on both."""

    column: Column
    start: datetime.datetime  # local
    row_start: int
    row_end: int
    url: str
    label: str = ""

    @property
    def start_value(self) -> str:
        return f"{self.start:%Y-%m-%dT%H:%M}"

    @property
    def css_classes(self) -> str:
        where = f"cal-c{self.column.grid_column} cal-r{self.row_start} cal-e{self.row_end}"
        return f"cal-free {where}" if self.url else f"cal-free cal-off {where}"

    @property
    def html(self) -> str:
        """The cell's markup (hundreds per day: built here rather than in a template loop;
        the label is the only text, and it is escaped)."""
        drop = f'data-drop data-start="{self.start_value}" data-advisor="{self.column.user_id}"'
        if self.url:
            return (
                f'<a class="{self.css_classes}" href="{escape(self.url)}" {drop} '
                f'aria-label="{escape(self.label)}"></a>'
            )
        return f'<div class="{self.css_classes}" {drop}></div>'


@dataclass
class TimeLabel:
    text: str
    row: int


@dataclass
class WeekCell:
    column: Column
    day: datetime.date
    chips: SafeString  # the blocks of the day, in time order
    create_url: str  # "" when the advisor does not work that day


@dataclass
class WeekRow:
    column: Column
    cells: list[WeekCell]


@dataclass
class DayList:
    """One day of the phone list."""

    day: datetime.date
    label: str
    is_today: bool
    blocks: list[Block]
    holiday: str = ""  # the public holiday's name


@dataclass
class Range:
    first_day: datetime.date
    days: int

    @property
    def day_list(self) -> list[datetime.date]:
        return [self.first_day + i * DAY for i in range(self.days)]


# --- reading the rows --------------------------------------------------------------------------


def reverse_or_empty(name: str, *args: Any) -> str:
    """The URL of a page another part of the product builds, or "" while it is missing."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(zone())


def _day_bounds(first_day: datetime.date, days: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = zone()
    start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(first_day + days * DAY, datetime.time(), tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class Duties:
    """Who takes appointments when in the shown days: the branch (its opening, public
    holidays off) and each active advisor (working hours within the opening, absences
    off), from the same rows the slot engine books by."""

    branch: Duty
    advisors: dict[str, Duty]  # by user id as text
    holidays: dict[datetime.date, str]  # the shown days that are public holidays


def duties_of(branch: Branch, span: Range) -> Duties:
    days = span.day_list
    years = {day.year for day in days}
    holidays = {
        day: name
        for year in sorted(years)
        for day, name in public_holidays(branch.state, year).items()
        if day in days
    }
    opening = Duty.of(_opening(branch), holidays)
    advisors = {
        str(advisor.user_id): Duty.of(advisor.hours, advisor.absent_days).within(opening)
        for advisor in advisors_of(branch, days[0], days[-1])
    }
    return Duties(opening, advisors, holidays)


def columns_of(
    branch: Branch,
    blocks_advisors: Iterable[int | None],
    duties: Duties,
) -> list[Column]:
    """Active advisors of the branch by name, former ones that still have blocks, then
    "ohne Berater" (the branch's hours)."""
    advisors = ServiceAdvisor.objects.filter(branch=branch, is_active=True).select_related("user")
    columns = sorted(
        (
            Column(str(a.user_id), str(a.user), duty=duties.advisors.get(str(a.user_id), OFF_DUTY))
            for a in advisors
        ),
        key=lambda c: c.label.casefold(),
    )
    known = {int(column.key) for column in columns}
    former = {u for u in blocks_advisors if u is not None} - known
    if former:  # advisors no longer at the branch who still have blocks in the range
        names = User.objects.filter(pk__in=former).values_list("pk", "full_name", "email")
        columns += [
            Column(str(pk), full_name or email, active=False)
            for pk, full_name, email in sorted(names)
        ]
    columns.append(Column(NO_ADVISOR, _("ohne Berater"), duty=duties.branch))
    for index, column in enumerate(columns):
        column.grid_column = index + 2  # line 1 is the time column
    return columns


class PkUrls:
    """URLs of one pattern for many objects: reversed once, the id filled in per object
    (a `reverse()` per block was a third of the week view's time)."""

    MARK = "2147483647"

    def __init__(self, name: str) -> None:
        self.pattern = reverse(name, args=[int(self.MARK)])

    def __call__(self, pk: int) -> str:
        return self.pattern.replace(self.MARK, str(pk))


@dataclass
class BlockUrls:
    detail: PkUrls = field(default_factory=lambda: PkUrls("appointments:appointment_detail"))
    move: PkUrls = field(default_factory=lambda: PkUrls("appointments:appointment_move"))
    confirm: PkUrls = field(
        default_factory=lambda: PkUrls("appointments:appointment_send_confirmation")
    )
    lead: PkUrls = field(default_factory=lambda: PkUrls("appointments:lead_detail"))


# The values one appointment block shows, read as plain values: a week holds hundreds of
# appointments, and model instances (with customer and vehicle) were a third of its time.
APPOINTMENT_VALUES = (
    "pk", "status", "start", "end", "advisor_id", "customer_id", "customer__kind",
    "customer__first_name", "customer__last_name", "customer__company_name",
    "vehicle__license_plate", "walk_in_license_plate", "contact_first_name",
    "contact_last_name", "confirmed_at", "overbooked", "workshop_time_confirmed",
)  # fmt: skip


@dataclass(frozen=True)
class BlockTexts:
    """Labels every block repeats, translated once per page."""

    statuses: dict[str, str] = field(
        default_factory=lambda: {value: str(label) for value, label in AppointmentStatus.choices}
    )
    appointment: str = field(default_factory=lambda: _("Termin"))


def _appointment_block(row: dict[str, Any], urls: BlockUrls, texts: BlockTexts) -> Block:
    pk, status = row["pk"], row["status"]
    name = ""
    if row["customer_id"]:
        name = Customer.name_of(
            row["customer__kind"],
            row["customer__first_name"],
            row["customer__last_name"],
            row["customer__company_name"],
            row["customer_id"],
        )
    name = name or " ".join(p for p in [row["contact_first_name"], row["contact_last_name"]] if p)
    planned = status == AppointmentStatus.PLANNED
    movable = status not in FINAL_STATUSES
    return Block(
        dom_id=f"cal-a{pk}",
        kind="appointment",
        title=name or texts.appointment,
        subtitle=row["vehicle__license_plate"] or row["walk_in_license_plate"],
        start=local(row["start"]),
        end=local(row["end"]),
        url=urls.detail(pk),
        column_key=str(row["advisor_id"]) if row["advisor_id"] else NO_ADVISOR,
        status_label=texts.statuses.get(status, status),
        badge_class=BADGES.get(status, "text-bg-secondary"),
        provisional=Appointment.provisional(status, row["workshop_time_confirmed"]),
        unconfirmed=planned and row["confirmed_at"] is None,
        overbooked=row["overbooked"],
        takes_capacity=status in CAPACITY_STATUSES,
        move_url=urls.move(pk) if movable else "",
        confirm_url=urls.confirm(pk) if planned else "",
    )


def _held_block(slot: ProposedSlot, urls: BlockUrls) -> Block:
    appointment = slot.proposal.appointment
    customer = str(appointment.customer) if appointment.customer_id else ""
    return Block(
        dom_id=f"cal-h{slot.pk}",
        kind="held",
        title=customer or _("Vorschlag"),
        subtitle=_("Vorschlag, gehalten"),
        start=local(slot.start),
        end=local(slot.end),
        url=urls.detail(appointment.pk),
        column_key=str(slot.advisor_id) if slot.advisor_id else NO_ADVISOR,
        status_label=_("Vorgeschlagen"),
    )


def _lead_block(lead: Lead, urls: BlockUrls) -> Block:
    return Block(
        dom_id=f"cal-l{lead.pk}",
        kind="lead",
        title=lead.full_name,
        subtitle=lead.license_plate,
        start=local(lead.start),
        end=local(lead.end),
        url=urls.lead(lead.pk),
        column_key=str(lead.advisor_id) if lead.advisor_id else NO_ADVISOR,
        status_label=_("Neu"),
        badge_class="text-bg-primary",
    )


def read_blocks(
    branch: Branch, span: Range, *, with_leads: bool, now: datetime.datetime
) -> tuple[list[Block], list[Block]]:
    """The range's blocks (appointments, held slots, leads as blocks) and the open leads of
    the panel, in three queries."""
    start, end = _day_bounds(span.first_day, span.days)
    overlapping = {"start__lt": end, "end__gt": start}
    appointments = (
        Appointment.objects.filter(branch=branch, **overlapping)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("start", "pk")
        .values(*APPOINTMENT_VALUES)
    )
    urls, texts = BlockUrls(), BlockTexts()
    blocks = [_appointment_block(row, urls, texts) for row in appointments]
    held = (
        ProposedSlot.objects.filter(branch=branch, holds_until__gt=now, **overlapping)
        .select_related("proposal__appointment__customer")
        .order_by("start", "pk")
    )
    blocks += [_held_block(slot, urls) for slot in held]
    leads: list[Block] = []
    if with_leads:
        rows = Lead.objects.filter(branch=branch, status=LeadStatus.NEW, **overlapping).order_by(
            "start", "pk"
        )
        leads = [_lead_block(lead, urls) for lead in rows]
    return blocks, leads


def mark_crowding(blocks: list[Block], capacity: int | None) -> None:
    """Overbooking made visible: two blocks taking one advisor at once, or more blocks in the
    branch at once than its parallel capacity (held slots and leads take capacity too)."""
    by_column: dict[str, list[Span]] = defaultdict(list)
    taking = [block for block in blocks if block.takes_capacity]
    for block in taking:
        if block.column_key != NO_ADVISOR:
            by_column[block.column_key].append(Span(block.dom_id, block.start, block.end))
    crowded: set[Hashable] = set()
    for spans in by_column.values():
        crowded |= over_capacity(spans, 1)
    if capacity is not None:
        crowded |= over_capacity([Span(b.dom_id, b.start, b.end) for b in taking], capacity)
    for block in blocks:
        if block.dom_id in crowded and block.kind == "appointment":
            block.overbooked = True


def _create_url(branch: Branch, column: Column, start: datetime.datetime) -> str:
    base = reverse_or_empty("appointments:appointment_create")
    if not base:
        return ""
    query = {"branch": branch.pk, "advisor": column.user_id, "start": f"{start:%Y-%m-%dT%H:%M}"}
    return f"{base}?{urlencode(query)}"


def _opening(branch: Branch) -> dict[int, list[tuple[datetime.time, datetime.time]]]:
    opening: dict[int, list[tuple[datetime.time, datetime.time]]] = defaultdict(list)
    for weekday, opens, closes in branch.opening_hours.values_list("weekday", "opens", "closes"):
        opening[weekday].append((opens, closes))
    return opening


def day_grid(
    branch: Branch,
    day: datetime.date,
    columns: list[Column],
    blocks: list[Block],
    duties: Duties,
) -> dict[str, Any]:
    """Rows, time labels, free cells and block positions of the day view."""
    busy = [(minutes_of(b.start, day), minutes_of(b.end, day)) for b in blocks]
    first, last = shown_minutes(duties.branch.on(day), busy)
    by_key = {column.key: column for column in columns}
    per_column: dict[str, list[Block]] = defaultdict(list)
    for block in blocks:
        column = by_key.get(block.column_key, by_key[NO_ADVISOR])
        block.grid_column = column.grid_column
        block.row_start = row_of(minutes_of(block.start, day), first)
        block.row_end = max(
            row_end_of(minutes_of(block.end, day), first, last), block.row_start + 1
        )
        per_column[column.key].append(block)
    for column_blocks in per_column.values():
        lanes = assign_lanes([Span(b.dom_id, b.start, b.end) for b in column_blocks])
        for block in column_blocks:
            block.lane = lanes[block.dom_id]
    tz = zone()
    midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    cells: list[FreeCell] = []
    labels: list[TimeLabel] = []
    new_at = _("Neuer Termin um %(time)s bei %(name)s")
    for minute in range(first, last, CELL_MINUTES):
        moment = midnight + datetime.timedelta(minutes=minute)
        row = row_of(minute, first)
        if minute % 60 == 0:
            labels.append(TimeLabel(f"{moment:%H:%M}", row))
        if not duties.branch.covers(day, minute, minute + CELL_MINUTES):
            continue
        end_row = row_end_of(minute + CELL_MINUTES, first, last)
        for column in columns:
            cell = FreeCell(column, moment, row, end_row, "")
            if column.duty.covers(day, minute, minute + CELL_MINUTES):
                cell.url = _create_url(branch, column, moment)
                cell.label = new_at % {"time": f"{moment:%H:%M}", "name": column.label}
            cells.append(cell)
    rows = row_end_of(last, first, last) - 2
    html = mark_safe("".join(cell.html for cell in cells))  # noqa: S308  # escaped in FreeCell
    return {"cells": cells, "cells_html": html, "labels": labels, "rows": rows}


def week_rows(
    branch: Branch, span: Range, columns: list[Column], blocks: list[Block]
) -> list[WeekRow]:
    """Week view: one row per advisor, one cell per day, the blocks in time order; "+"
    where the advisor works that day, at their first hour."""
    by_key = {column.key: column for column in columns}
    placed: dict[tuple[str, datetime.date], list[Block]] = defaultdict(list)
    for block in blocks:
        column = by_key.get(block.column_key, by_key[NO_ADVISOR])
        placed[(column.key, block.day)].append(block)
    texts = ChipTexts()
    tz = zone()
    rows = []
    for column in columns:
        cells = []
        for day in span.day_list:
            first = column.duty.first_minute(day)
            create_url = ""
            if first is not None:
                start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
                create_url = _create_url(branch, column, start + datetime.timedelta(minutes=first))
            chips = _chips(placed.get((column.key, day), []), column, texts)
            cells.append(WeekCell(column, day, chips, create_url))
        rows.append(WeekRow(column, cells))
    return rows


@dataclass(frozen=True)
class ChipTexts:
    """The flags' words, translated once per page rather than once per chip."""

    provisional: str = field(default_factory=lambda: _("vorläufig"))
    overbooked: str = field(default_factory=lambda: _("überbucht"))


def _chips(blocks: list[Block], column: Column, texts: ChipTexts) -> SafeString:
    """The week cell's blocks as links. Built here, not in the template: a week holds
    hundreds of them, and a template loop with a dozen lookups each was most of the page's
    time (bench/calendar.py). Every value from the database goes through `escape`."""
    return mark_safe("".join(_chip(block, column, texts) for block in blocks))  # noqa: S308


def _chip(block: Block, column: Column, texts: ChipTexts) -> str:
    classes = f"cal-chip {block.badge_class}"
    title = f"{block.time_label} {block.title} · {block.status_label}"
    if block.kind == "held":
        classes += " cal-held"
    if block.provisional:
        classes += " cal-provisional"
        title += f" · {texts.provisional}"
    if block.overbooked:
        classes += " cal-overbooked"
        title += f" · {texts.overbooked}"
    drag = ""
    if block.move_url:
        drag = (
            f' draggable="true" data-move-url="{block.move_url}" '
            f'data-start="{block.start_value}" data-advisor="{column.user_id}"'
        )
    return (
        f'<a id="{block.dom_id}" class="{classes.strip()}" href="{block.url}" '
        f'title="{escape(title)}"{drag}>{block.start:%H:%M} {escape(block.title)}</a>'
    )
