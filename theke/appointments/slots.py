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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple
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


class Busy(NamedTuple):
    """Time already taken: an appointment or an open lead; `advisor_id` None: unassigned.
    A tuple, not a dataclass: a plan reads thousands of them per question."""

    start: datetime.datetime
    end: datetime.datetime
    advisor_id: int | None = None


@dataclass(frozen=True)
class FreeSlot:
    """A bookable time; `advisor_id` is whom it would go to (None with parallel capacity)."""

    start: datetime.datetime
    end: datetime.datetime
    advisor_id: int | None


# Inside the computation instants are whole seconds since the epoch: comparing and adding
# integers is several times cheaper than aware datetimes, and a plan makes thousands of both.
Span = tuple[int, int]


def _ts(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def _moment(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


class _Track:
    """One owner's taken time, sorted, for quick "what overlaps this window" lookups."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        self.longest = max((end - start for start, end in self.spans), default=0)

    def hits(self, start: int, end: int) -> bool:
        """Whether any span overlaps [start, end): walks back from the last span starting
        before `end`, no further than the longest span reaches."""
        index = bisect.bisect_left(self.starts, end) - 1
        earliest = start - self.longest
        spans = self.spans
        while index >= 0 and spans[index][0] >= earliest:
            if spans[index][1] > start:
                return True
            index -= 1
        return False

    def overlapping(self, start: int, end: int) -> list[Span]:
        # Only spans starting in [start - longest, end) can reach into the window.
        low = bisect.bisect_left(self.starts, start - self.longest)
        high = bisect.bisect_left(self.starts, end, low)
        return [span for span in self.spans[low:high] if span[1] > start]


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
    _loads: dict[datetime.date, dict[int, int]] = field(init=False, repr=False)
    _spans: dict[tuple[tuple[WallInterval, ...], datetime.date], list[Span]] = field(
        init=False, repr=False
    )
    _present: dict[datetime.date, list[tuple[int, list[Span]]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        buffer = self.rules.buffer_minutes * 60
        grouped: dict[int | None, list[Span]] = defaultdict(list)
        known = {advisor.user_id for advisor in self.advisors}
        for start, end, advisor_id in self.busy:
            # Taken time blocks its buffer too; an advisor of another branch counts as none.
            owner = advisor_id if advisor_id in known else None
            grouped[owner].append((_ts(start), _ts(end) + buffer))
        self._tracks = {owner: _Track(spans) for owner, spans in grouped.items()}
        self._loads = {}
        # Keyed by the intervals, not by whose they are: ten advisors with the same hours
        # turn a day's wall-clock times into instants once.
        self._spans = {}
        self._present = {}

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
        earliest = _ts(now + self.rules.min_notice)
        last_day = self.last_bookable_day(now)
        step, length = self.rules.slot_minutes * 60, int(duration.total_seconds())
        found = []
        for offset in range(days):
            day = first_day + datetime.timedelta(days=offset)
            if day > last_day:
                break
            if day in self.holidays:
                continue
            for opens, closes in self._day(self.opening, day):
                start = opens
                while start + length <= closes:
                    if start >= earliest:
                        advisor = self._advisor_for(day, start, start + length)
                        if advisor is not TAKEN:
                            found.append(FreeSlot(_moment(start), _moment(start + length), advisor))
                    start += step
        return found

    def last_bookable_day(self, now: datetime.datetime) -> datetime.date:
        return now.astimezone(self.zone).date() + datetime.timedelta(days=self.rules.horizon_days)

    def advisor_for(
        self, start: datetime.datetime, end: datetime.datetime, wanted: int | None = None
    ) -> int | Literal[False] | None:
        """Whether [start, end) can be taken: TAKEN (False), None (free at a branch with
        parallel capacity) or the id of the advisor it goes to (the least busy that day).
        `wanted`: staff chose this advisor (a user id); when it is one of the branch's
        advisors, the time must be free for them in particular."""
        day = start.astimezone(self.zone).date()
        if day in self.holidays:
            return TAKEN
        return self._advisor_for(day, _ts(start), _ts(end), wanted)

    # --- helpers ------------------------------------------------------------------------

    def _advisor_for(
        self, day: datetime.date, start: int, end: int, wanted: int | None = None
    ) -> int | Literal[False] | None:
        if not self._covered(self.opening, day, start, end):
            return TAKEN
        window_end = end + self.rules.buffer_minutes * 60
        if self.rules.parallel_capacity is not None:
            reaching = [
                span
                for track in self._tracks.values()
                for span in track.overlapping(start, window_end)
            ]
            taken = _max_overlap(reaching, start, window_end)
            return None if taken < self.rules.parallel_capacity else TAKEN
        unassigned = self._overlap(None, start, window_end)
        tracks = self._tracks
        # Plain loops: this runs for every slot and advisor of the horizon.
        free = []
        for user_id, spans in self._working(day):
            for opens, closes in spans:
                if opens <= start and end <= closes:
                    track = tracks.get(user_id)
                    if track is None or not track.hits(start, window_end):
                        free.append(user_id)
                    break
        if len(free) <= unassigned:
            return TAKEN
        if wanted is not None and any(advisor.user_id == wanted for advisor in self.advisors):
            return wanted if wanted in free else TAKEN
        if len(free) == 1:
            return free[0]
        loads = self._day_loads(day)
        return min(free, key=lambda user_id: (loads.get(user_id, 0), user_id))

    def _day_loads(self, day: datetime.date) -> dict[int, int]:
        """How many appointments and leads each advisor has starting on `day` (local)."""
        loads = self._loads.get(day)
        if loads is None:
            first, last = (
                _ts(datetime.datetime.combine(midnight, datetime.time(), tzinfo=self.zone))
                for midnight in (day, day + datetime.timedelta(days=1))
            )
            loads = self._loads[day] = {
                owner: bisect.bisect_left(track.starts, last)
                - bisect.bisect_left(track.starts, first)
                for owner, track in self._tracks.items()
                if owner is not None
            }
        return loads

    def _day(self, hours: WeekHours, day: datetime.date) -> list[Span]:
        intervals = tuple(hours.get(day.weekday(), ()))
        key = (intervals, day)
        spans = self._spans.get(key)
        if spans is None:
            spans = self._spans[key] = [
                (_ts(opens), _ts(closes)) for opens, closes in _instants(intervals, self.zone, day)
            ]
        return spans

    def _working(self, day: datetime.date) -> list[tuple[int, list[Span]]]:
        """The advisors working that day (not absent), with their hours as spans."""
        found = self._present.get(day)
        if found is None:
            found = self._present[day] = [
                (advisor.user_id, spans)
                for advisor in self.advisors
                if day not in advisor.absent_days and (spans := self._day(advisor.hours, day))
            ]
        return found

    def _covered(self, hours: WeekHours, day: datetime.date, start: int, end: int) -> bool:
        """[start, end) lies within one interval of the day (a lunch break splits a day)."""
        return any(opens <= start and end <= closes for opens, closes in self._day(hours, day))

    def _overlap(self, owner: int | None, start: int, end: int) -> int:
        track = self._tracks.get(owner)
        return _max_overlap(track.overlapping(start, end), start, end) if track else 0


def _instants(
    intervals: Sequence[WallInterval], zone: ZoneInfo, day: datetime.date
) -> list[Instants]:
    """The day's wall-clock intervals as absolute instants (UTC), in order."""
    result = []
    for opens, closes in sorted(intervals):
        start = datetime.datetime.combine(day, opens, tzinfo=zone)
        if closes == datetime.time(0, 0):  # "until midnight"
            end = datetime.datetime.combine(day + datetime.timedelta(days=1), closes, tzinfo=zone)
        else:
            end = datetime.datetime.combine(day, closes, tzinfo=zone)
        result.append((start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)))
    return result


def _max_overlap(spans: Sequence[Span], start: int, end: int) -> int:
    """How many of `spans` (all reaching into [start, end)) overlap at one moment, at most."""
    if len(spans) <= 1:
        return len(spans)
    points: list[tuple[int, int]] = []
    for span_start, span_end in spans:
        points.append((max(span_start, start), 1))
        points.append((min(span_end, end), -1))
    points.sort()  # an end (-1) before a start (+1) at the same instant
    most = current = 0
    for _, step in points:
        current += step
        most = max(most, current)
    return most
