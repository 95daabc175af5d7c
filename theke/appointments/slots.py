"""Free appointment slots: a pure computation, no database (seed 001's online booking).

The inputs are plain values the availability service reads in a constant number of queries:
a branch's opening hours, its public holidays, its service advisors ("Annehmer") with their
working hours and absent days, what is already taken, and the branch's rules (raster,
buffer, minimum notice, horizon, an optional number of parallel appointments).

Times: opening and working hours are wall-clock times in the branch's zone (Europe/Berlin);
each interval becomes a pair of absolute instants on its day, and slots step through it in
absolute time. So a day of 23 or 25 hours (29 March, 25 October 2026) gets exactly the slots
its clock shows: an interval across the missing hour is an hour shorter, one across the
repeated hour an hour longer, and every slot lasts exactly its duration.

Capacity: by default each advisor takes one appointment at a time, and a slot is free when
an advisor works the whole slot, is not absent that day, and has nothing else in it. Taken
time without an advisor (a back-office appointment nobody was assigned to) occupies one of
the advisors free at that time. A branch with `parallel_capacity` instead takes that many
appointments at once within its opening hours, whoever works.
"""

from __future__ import annotations

import bisect
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "Advisor",
    "Busy",
    "FreeSlot",
    "Rules",
    "SlotPlan",
    "WallInterval",
]

# Returned by `SlotPlan.advisor_for` when the time is not free.
TAKEN: Final = False

WallInterval = tuple[datetime.time, datetime.time]
# weekday (0 = Monday) -> the intervals of that day, e.g. 08:00–12:00 and 13:00–17:00.
WeekHours = Mapping[int, Sequence[WallInterval]]
# An interval of a day as absolute instants.
Instants = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Rules:
    """A branch's booking rules (BranchBooking)."""

    slot_minutes: int = 30
    buffer_minutes: int = 0
    min_notice: datetime.timedelta = datetime.timedelta(hours=24)
    horizon_days: int = 60
    parallel_capacity: int | None = None


@dataclass(frozen=True)
class Advisor:
    """An active service advisor: the staff user's id, working hours and absent days."""

    user_id: int
    hours: WeekHours
    absent_days: frozenset[datetime.date] = frozenset()


@dataclass(frozen=True)
class Busy:
    """Time already taken: an appointment or an open lead; `advisor_id` None: unassigned."""

    start: datetime.datetime
    end: datetime.datetime
    advisor_id: int | None = None


@dataclass(frozen=True)
class FreeSlot:
    """A bookable time; `advisor_id` is whom it would go to (None with parallel capacity)."""

    start: datetime.datetime
    end: datetime.datetime
    advisor_id: int | None


class _Track:
    """One owner's taken time, sorted, for quick "what overlaps this window" lookups."""

    def __init__(self, items: list[Busy]) -> None:
        self.items = sorted(items, key=lambda b: b.start)
        self.starts = [b.start for b in self.items]
        self.longest = max((b.end - b.start for b in self.items), default=datetime.timedelta())

    def overlapping(self, start: datetime.datetime, end: datetime.datetime) -> list[Busy]:
        # Only items starting in [start - longest, end) can reach into the window.
        low = bisect.bisect_left(self.starts, start - self.longest)
        high = bisect.bisect_left(self.starts, end)
        return [b for b in self.items[low:high] if b.end > start]


@dataclass
class SlotPlan:
    """Everything known about a branch for a stretch of days; answers "what is free"."""

    zone: ZoneInfo
    opening: WeekHours
    holidays: frozenset[datetime.date]
    advisors: Sequence[Advisor]
    busy: Iterable[Busy]
    rules: Rules
    _tracks: dict[int | None, _Track] = field(init=False, repr=False)
    _loads: Counter[tuple[int | None, datetime.date]] = field(init=False, repr=False)
    _instants: dict[tuple[int, datetime.date], list[Instants]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        buffer = datetime.timedelta(minutes=self.rules.buffer_minutes)
        grouped: dict[int | None, list[Busy]] = defaultdict(list)
        known = {advisor.user_id for advisor in self.advisors}
        self._loads = Counter()
        for item in self.busy:
            # Taken time blocks its buffer too; an advisor of another branch counts as none.
            owner = item.advisor_id if item.advisor_id in known else None
            grouped[owner].append(Busy(item.start, item.end + buffer, owner))
            self._loads[owner, item.start.astimezone(self.zone).date()] += 1
        self._tracks = {owner: _Track(items) for owner, items in grouped.items()}
        self._instants = {}

    # --- the questions ------------------------------------------------------------------

    def free_slots(
        self,
        duration: datetime.timedelta,
        *,
        now: datetime.datetime,
        first_day: datetime.date,
        days: int,
    ) -> list[FreeSlot]:
        """The free slots of `days` days from `first_day`, within notice and horizon."""
        earliest = now + self.rules.min_notice
        last_day = self.last_bookable_day(now)
        step = datetime.timedelta(minutes=self.rules.slot_minutes)
        found = []
        for offset in range(days):
            day = first_day + datetime.timedelta(days=offset)
            if day > last_day:
                break
            if day in self.holidays:
                continue
            for opens, closes in self._day(self.opening, day):
                start = opens
                while start + duration <= closes:
                    if start >= earliest:
                        advisor = self.advisor_for(start, start + duration)
                        if advisor is not TAKEN:
                            found.append(FreeSlot(start, start + duration, advisor))
                    start += step
        return found

    def last_bookable_day(self, now: datetime.datetime) -> datetime.date:
        return now.astimezone(self.zone).date() + datetime.timedelta(days=self.rules.horizon_days)

    def advisor_for(
        self, start: datetime.datetime, end: datetime.datetime
    ) -> int | Literal[False] | None:
        """Whether [start, end) can be taken: TAKEN (False), None (free at a branch with
        parallel capacity) or the id of the advisor it goes to (the least busy that day)."""
        day = start.astimezone(self.zone).date()
        if day in self.holidays or not self._covered(self.opening, day, start, end):
            return TAKEN
        window_end = end + datetime.timedelta(minutes=self.rules.buffer_minutes)
        unassigned = self._overlap(None, start, window_end)
        if self.rules.parallel_capacity is not None:
            reaching = [
                item
                for track in self._tracks.values()
                for item in track.overlapping(start, window_end)
            ]
            taken = _max_overlap(reaching, start, window_end)
            return None if taken < self.rules.parallel_capacity else TAKEN
        free = [
            advisor
            for advisor in self.advisors
            if day not in advisor.absent_days
            and self._covered(advisor.hours, day, start, end)
            and not self._overlap(advisor.user_id, start, window_end)
        ]
        if len(free) <= unassigned:
            return TAKEN
        return min(free, key=lambda a: (self._loads[a.user_id, day], a.user_id)).user_id

    # --- helpers ------------------------------------------------------------------------

    def _day(self, hours: WeekHours, day: datetime.date) -> list[Instants]:
        key = (id(hours), day)
        if key not in self._instants:
            self._instants[key] = _instants(hours, self.zone, day)
        return self._instants[key]

    def _covered(
        self, hours: WeekHours, day: datetime.date, start: datetime.datetime, end: datetime.datetime
    ) -> bool:
        """[start, end) lies within one interval of the day (a lunch break splits a day)."""
        return any(opens <= start and end <= closes for opens, closes in self._day(hours, day))

    def _overlap(self, owner: int | None, start: datetime.datetime, end: datetime.datetime) -> int:
        track = self._tracks.get(owner)
        return _max_overlap(track.overlapping(start, end), start, end) if track else 0


def _instants(hours: WeekHours, zone: ZoneInfo, day: datetime.date) -> list[Instants]:
    """The day's wall-clock intervals as absolute instants (UTC), in order."""
    result = []
    for opens, closes in sorted(hours.get(day.weekday(), ())):
        start = datetime.datetime.combine(day, opens, tzinfo=zone)
        if closes == datetime.time(0, 0):  # "until midnight"
            end = datetime.datetime.combine(day + datetime.timedelta(days=1), closes, tzinfo=zone)
        else:
            end = datetime.datetime.combine(day, closes, tzinfo=zone)
        result.append((start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)))
    return result


def _max_overlap(items: Sequence[Busy], start: datetime.datetime, end: datetime.datetime) -> int:
    """How many of `items` (all reaching into [start, end)) overlap at one moment, at most."""
    points: list[tuple[datetime.datetime, int]] = []
    if len(items) <= 1:
        return len(items)
    for item in items:
        points.append((max(item.start, start), 1))
        points.append((min(item.end, end), -1))
    points.sort(key=lambda p: (p[0], p[1]))  # an end before a start at the same instant
    most = current = 0
    for _, step in points:
        current += step
        most = max(most, current)
    return most
