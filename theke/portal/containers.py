"""Standing days of a placed container and the rent-free days left: pure arithmetic, shared
by the container overview and the shop (no Django state)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    days: int  # days the container has stood (0 on the day it was placed)
    free_left: int | None  # rent-free days left (0 once they are used up); None: no rent-free days
    remind: bool  # the rent-free time ends within the reminder window (or has ended)

    @property
    def over(self) -> bool:
        """The rent-free days are used up: each further day costs rent."""
        return self.free_left == 0


def standing(
    placed_on: datetime.date | None,
    today: datetime.date,
    rent_free_days: int | None = None,
    reminder_days: int = 0,
) -> Standing | None:
    """How long a container placed on `placed_on` has stood by `today`, and, where the tenant
    grants rent-free days, how many are left; None for a container without placement date."""
    if placed_on is None:
        return None
    days = max(0, (today - placed_on).days)
    if not rent_free_days:
        return Standing(days, None, False)
    left = max(0, rent_free_days - days)
    return Standing(days, left, left <= reminder_days)
