"""A user agent in words ("Safari 17 auf iOS 17.4 (iPhone)"), for staff reading a decision.

The raw header stays in the record (it is evidence); staff see what a person would say.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ua_parser import parse

# Names as people say them; ua-parser's families otherwise.
_SYSTEM_NAMES = {"Mac OS X": "macOS"}
_BROWSER_NAMES = {
    "Mobile Safari": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
}


def _named(family: str, major: str | None, minor: str | None, names: dict[str, str]) -> str:
    name = names.get(family, family)
    if major and minor and minor != "0":
        return f"{name} {major}.{minor}"
    return f"{name} {major}" if major else name


def describe_user_agent(header: str) -> str:
    """Browser, system and device of a User-Agent header in words; "" for an empty header."""
    header = (header or "").strip()
    if not header:
        return ""
    result = parse(header)
    browser = result.user_agent
    system = result.os
    device = result.device
    browser_text = _named(browser.family, browser.major, None, _BROWSER_NAMES) if browser else ""
    system_text = _named(system.family, system.major, system.minor, _SYSTEM_NAMES) if system else ""
    if not browser_text and not system_text:
        return _("Unbekannter Browser")
    if not system_text:
        text = browser_text
    elif not browser_text:
        text = system_text
    else:
        text = _("%(browser)s auf %(system)s") % {"browser": browser_text, "system": system_text}
    # A device worth naming (iPhone, Samsung SM-S918B), not the generic "Other" or a repeat.
    if device and device.family not in ("Other", "Generic Smartphone", "Mac"):
        text = f"{text} ({device.family})"
    return text
