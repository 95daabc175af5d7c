"""Template helpers of the accounts pages."""

from __future__ import annotations

import datetime
import math

from django import template

register = template.Library()


@register.filter
def minutes(value: datetime.timedelta | None) -> int:
    """A duration in whole minutes, rounded up (for "try again in N minutes")."""
    if not value:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
