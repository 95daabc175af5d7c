"""Counting requests per key in the shared cache, for throttles that need no database.

A counter lives for `window` seconds from its first hit (a fixed window: simple, and enough to
stop a script; a person never gets near the limits used). Keys name what is counted and for
whom, e.g. `token-invalid:203.0.113.9`. The cache is shared by every process (Redis when
configured), so the count is the site's, not one worker's.
"""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, window: int) -> int:
    """One more hit on `key`; the number of hits within the current window."""
    cache.add(key, 0, window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def count(key: str) -> int:
    """The hits on `key` within its current window (0 when none)."""
    value = cache.get(key)
    return int(value) if isinstance(value, int) else 0
