"""The one retry schedule of the outbox, for every channel (e-mail, SMS, webhooks).

A message that failed for a passing reason (server down, 4xx, timeout) waits
SCHEDULE[n − 1] seconds after its n-th attempt, plus up to JITTER of that, so a queue of
messages that failed together does not hammer the returning server at the same second.
The waits follow Standard Webhooks (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h): the last of
the MAX_ATTEMPTS attempts comes about 27 hours after the first, so an outage of a mail
server, an SMS gateway or a receiver of up to a day loses no message. After that the
message is "failed" and staff can send it again (one message or all of a period).
"""

from __future__ import annotations

import random

# Waits before retry 1, 2, …, in seconds.
SCHEDULE: tuple[float, ...] = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
MAX_ATTEMPTS = len(SCHEDULE) + 1
JITTER = 0.1
# Shortest wait, so a transient error never retries in a tight loop.
MIN_SECONDS = 5.0


def delay(attempts: int) -> float:
    """The wait in seconds before the next attempt, after `attempts` failed ones."""
    base = SCHEDULE[min(max(attempts, 1), len(SCHEDULE)) - 1]
    jitter = random.uniform(0, JITTER)  # noqa: S311 (jitter, not secrets)
    return max(MIN_SECONDS, base * (1 + jitter))


def span_seconds() -> float:
    """The shortest time from the first to the last attempt (jitter only adds to it)."""
    return float(sum(SCHEDULE[: MAX_ATTEMPTS - 1]))
