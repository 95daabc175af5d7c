"""A clock for seeding the past: while `clock_at(moment)` is open, Django's `timezone.now()`
answers `moment` (plus the real time passed since), so the services stamp the demo's sent,
viewed and decided times, expiry and deliveries as if they had happened then.

Django's `timezone.now()` reads the name `datetime` from its module at every call, so
replacing that name reaches every caller: services, `auto_now` fields and `default=now`
fields alike. Demo seeding only (one thread, a management command); never in a request.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone as django_timezone


def _shifted_datetime(offset: datetime.timedelta) -> type[datetime.datetime]:
    class ShiftedDatetime(datetime.datetime):
        @classmethod
        def now(  # type: ignore[override]  # answers a plain datetime, not this class
            cls, tz: datetime.tzinfo | None = None
        ) -> datetime.datetime:
            # A plain datetime (not this class), so nothing outside the clock sees it.
            real = datetime.datetime.now(tz)
            return real + offset

    return ShiftedDatetime


@contextmanager
def clock_at(moment: datetime.datetime) -> Iterator[None]:
    """Let `timezone.now()` run from `moment` on (aware datetime) until the block ends."""
    if timezone_naive(moment):
        raise ValueError("clock_at needs an aware datetime")
    offset = moment - datetime.datetime.now(datetime.UTC)
    saved = django_timezone.datetime  # type: ignore[attr-defined]
    django_timezone.datetime = _shifted_datetime(offset)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        django_timezone.datetime = saved  # type: ignore[attr-defined]


def timezone_naive(moment: datetime.datetime) -> bool:
    return moment.tzinfo is None or moment.utcoffset() is None


def real_now() -> datetime.datetime:
    """The wall clock, whatever `clock_at` says (for "never later than now" checks)."""
    return datetime.datetime.fromtimestamp(time.time(), datetime.UTC)
