"""System checks of messaging: settings that no longer do anything are named, not ignored."""

from __future__ import annotations

import os
from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

# Replaced by the one retry schedule of theke/messaging/retries.py (issue 11).
OBSOLETE_RETRY_SETTINGS = (
    "THEKE_OUTBOX_MAX_ATTEMPTS",
    "THEKE_OUTBOX_RETRY_BASE_SECONDS",
    "THEKE_OUTBOX_RETRY_CAP_SECONDS",
)


@register(Tags.compatibility)
def obsolete_retry_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn about retry settings that are set but no longer read."""
    return [
        Warning(
            f"{name} is set but no longer used: every channel retries by the one schedule "
            "in theke/messaging/retries.py (8 attempts over about 27 hours).",
            hint=f"Remove {name} from the environment.",
            id="theke.messaging.W001",
        )
        for name in OBSOLETE_RETRY_SETTINGS
        if name in os.environ or f"{name}_FILE" in os.environ
    ]
