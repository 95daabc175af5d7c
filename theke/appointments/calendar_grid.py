"""The pure geometry of the appointment calendar ("Servicetermin Manager", seed 001): which
rows a day shows, which lane a block takes beside the blocks it overlaps, and which blocks
lie where more appointments meet than there is capacity.

No database here: the staff view reads the rows in a constant number of queries and hands
plain spans to these functions, so the layout is tested without a request.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

ROW_MINUTES = 15  # one grid row; blocks start and end on these lines (rounded)
CELL_MINUTES = 30  # one clickable free cell ("new appointment at …")
DEFAULT_DAY = (7 * 60, 19 * 60)  # shown when a branch has no opening hours on the days
DAY_END = 24 * 60

MinuteSpan = tuple[int, int]  # [first, last) minute of a local day
WallInterval = tuple[datetime.time, datetime.time]


@dataclass(frozen=True)
class Span:
    """Something that takes time in one column: an appointment, a held slot, a lead."""

    key: Hashable
    start: datetime.datetime
    end: datetime.datetime


@dataclass(frozen=True)
class Lane:
    index: int  # 0-based position among the blocks it overlaps
    count: int  # how many lanes the group of overlapping blocks needs


def minutes_of(moment: datetime.datetime, day: datetime.date) -> int:
    """Minutes since local midnight of `day` (negative before, above 1440 after it)."""
    midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=moment.tzinfo)
    return int((moment - midnight).total_seconds() // 60)


def shown_minutes(
    opening: Iterable[MinuteSpan],
    busy: Iterable[MinuteSpan] = (),
) -> tuple[int, int]:
    """The first and last minute of the day the grid shows: the opening hours, widened to
    whatever is booked outside them, on whole hours (default 7–19 without opening hours)."""
    bounds = list(opening)
    bounds += [(max(start, 0), min(end, 24 * 60)) for start, end in busy if end > 0]
    if not bounds:
        return DEFAULT_DAY
    first = min(start for start, _end in bounds)
    last = max(end for _start, end in bounds)
    first = first // 60 * 60
    last = min(-(-last // 60) * 60, 24 * 60)
    return (first, max(last, first + 60))


def row_of(minute: int, first_minute: int) -> int:
    """The CSS grid line of a minute (line 1 is the header row; rows start at line 2)."""
    return 2 + max(0, (minute - first_minute)) // ROW_MINUTES


def row_end_of(minute: int, first_minute: int, last_minute: int) -> int:
    """The grid line a block ends on: rounded up to a whole row, at least one row long."""
    minute = min(max(minute, first_minute), last_minute)
    return 2 + -(-(minute - first_minute) // ROW_MINUTES)


def assign_lanes(spans: Sequence[Span]) -> dict[Hashable, Lane]:
    """Side-by-side lanes for overlapping blocks of one column (greedy by start), each group
    of transitively overlapping blocks sharing one lane count."""
    lanes: dict[Hashable, Lane] = {}
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    group: list[tuple[Span, int]] = []
    lane_ends: list[datetime.datetime] = []
    group_end: datetime.datetime | None = None

    def close_group() -> None:
        for span, index in group:
            lanes[span.key] = Lane(index, len(lane_ends))

    for span in ordered:
        if group_end is not None and span.start >= group_end:
            close_group()
            group, lane_ends, group_end = [], [], None
        for index, ends in enumerate(lane_ends):
            if ends <= span.start:
                lane_ends[index] = span.end
                break
        else:
            index = len(lane_ends)
            lane_ends.append(span.end)
        group.append((span, index))
        group_end = span.end if group_end is None else max(group_end, span.end)
    close_group()
    return lanes


def over_capacity(spans: Sequence[Span], capacity: int) -> set[Hashable]:
    """The spans that overlap a moment where more than `capacity` spans meet."""
    if capacity < 1:
        return {span.key for span in spans}
    events = sorted(
        [(span.start, 1, span.key) for span in spans]
        + [(span.end, -1, span.key) for span in spans],
        key=lambda event: (event[0], event[1]),  # an end before a start at the same time
    )
    running: set[Hashable] = set()
    crowded: set[Hashable] = set()
    for _moment, change, key in events:
        if change < 0:
            running.discard(key)
            continue
        running.add(key)
        if len(running) > capacity:
            crowded |= running
    return crowded


# --- who takes appointments when ---------------------------------------------------------


def day_minutes(intervals: Iterable[WallInterval]) -> list[MinuteSpan]:
    """Wall-clock intervals as minutes of the day, sorted ("until 00:00" ends the day)."""
    spans = []
    for opens, closes in intervals:
        last = closes.hour * 60 + closes.minute or DAY_END
        spans.append((opens.hour * 60 + opens.minute, last))
    return sorted(spans)


def intersect(first: Sequence[MinuteSpan], second: Sequence[MinuteSpan]) -> list[MinuteSpan]:
    """The minutes inside both lists of spans (an advisor's hours within the opening)."""
    both = []
    for a_start, a_end in first:
        for b_start, b_end in second:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                both.append((start, end))
    return sorted(both)


@dataclass(frozen=True)
class Duty:
    """When a calendar column takes new appointments: minute spans per weekday (0 = Monday)
    and the days it takes none (an advisor's absences, the branch's public holidays). The
    same hours the slot engine books by, so a free cell is a time planning accepts."""

    hours: Mapping[int, Sequence[MinuteSpan]]
    days_off: frozenset[datetime.date] = frozenset()

    @classmethod
    def of(
        cls,
        hours: Mapping[int, Iterable[WallInterval]],
        days_off: Iterable[datetime.date] = (),
    ) -> Duty:
        return cls({day: day_minutes(spans) for day, spans in hours.items()}, frozenset(days_off))

    def on(self, day: datetime.date) -> Sequence[MinuteSpan]:
        return () if day in self.days_off else self.hours.get(day.weekday(), ())

    def covers(self, day: datetime.date, start: int, end: int) -> bool:
        """Whether [start, end) minutes of `day` lie within one span (a break splits)."""
        return any(first <= start and end <= last for first, last in self.on(day))

    def first_minute(self, day: datetime.date) -> int | None:
        spans = self.on(day)
        return spans[0][0] if spans else None

    def within(self, other: Duty) -> Duty:
        """Only the time both take appointments (an advisor's hours while the branch is
        open; their days off together)."""
        hours = {
            day: intersect(spans, other.hours.get(day, ())) for day, spans in self.hours.items()
        }
        return Duty(hours, self.days_off | other.days_off)


OFF_DUTY = Duty({})
