"""The protections and the shared pages of every page behind a customer link.

Every token page (estimate, appointment, lead, invitation, job) answers through these:

* `protect`: `Referrer-Policy: same-origin`, `Cache-Control: private, no-store`,
  `X-Robots-Tag: noindex`, and the page's language; the CSP with a nonce comes from the
  site-wide middleware.
* `invalid_page`: the one neutral page of an unknown token (404). Unknown tokens are counted
  per client address (`theke.core.client`) in the shared cache; past the limit the answer is
  the "zu viele Versuche" page (429). Only unknown tokens are counted and throttled: a valid
  link is never refused because someone else behind the same address guessed.
* `unavailable_page` (expired, revoked, superseded; 410) with the shop's contact,
  `pending_page` ("available shortly", polls quietly) and `poll_answer`.
* `page_language`: the contact's language, else the browser's.
* `shorten_links`: staff pages show a customer link as `/k/…RD3x` (the last characters of
  its token), never the whole link: staff must not be able to open a customer's page and
  answer in the customer's name. Template filter `{{ text|shorten_links }}` (theke_links).

This module knows no model: the caller resolves the token (theke.customers.links) and passes
the tenant it found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control

from theke.core import throttle
from theke.core.client import client_address

# Unknown tokens per client address within the window before the neutral page turns into 429
# (guessing is pointless with 192 bits, but nobody needs to try thousands).
INVALID_LIMIT = 20
INVALID_WINDOW = 600
# How often the "available shortly" page asks whether the object has arrived.
POLL_SECONDS = 10

STATES = ("expired", "revoked", "superseded")


def _counter_key(request: HttpRequest) -> str:
    return f"token-invalid:{client_address(request) or 'unknown'}"


def _count_unknown(request: HttpRequest) -> int:
    """One more unknown token from this client; the count within the window."""
    return throttle.hit(_counter_key(request), INVALID_WINDOW)


def protect[R: HttpResponseBase](response: R, language: str | None = None) -> R:
    """The headers every response behind a token carries."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    if language:
        response["Content-Language"] = language
    return response


def page_language(request: HttpRequest, *candidates: str | None) -> str:
    """The first language of the candidates Theke offers (the contact's), else the browser's
    (chosen by LocaleMiddleware), else the default."""
    offered = {code for code, _label in settings.LANGUAGES}
    for candidate in candidates:
        if candidate and candidate in offered:
            return candidate
    return translation.get_language() or settings.LANGUAGE_CODE


def invalid_page(request: HttpRequest) -> HttpResponse:
    """The neutral page of an unknown token (404); 429 once this client guessed too often."""
    if _count_unknown(request) > INVALID_LIMIT:
        response = render(request, "core/token/throttled.html", status=429)
        response["Retry-After"] = str(INVALID_WINDOW)
    else:
        response = render(request, "core/token/invalid.html", status=404)
    return protect(response)


def render_token_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    language: str,
    status: int = 200,
) -> HttpResponse:
    """A page behind a valid token, in `language`, with the protections."""
    with translation.override(language):
        response = render(request, template, dict(context), status=status)
    return protect(response, language)


def unavailable_page(
    request: HttpRequest,
    state: str,
    context: Mapping[str, Any],
    *,
    language: str,
    template: str = "core/token/unavailable.html",
) -> HttpResponse:
    """Why a known link no longer opens (expired, revoked, superseded), with the shop's
    contact (`tenant` in the context). A domain may pass its own template extending the core
    one to name its object."""
    assert state in STATES, state
    page = {**context, "state": state}
    return render_token_page(request, template, page, language=language, status=410)


def pending_page(
    request: HttpRequest,
    context: Mapping[str, Any],
    *,
    language: str,
    template: str = "core/token/pending.html",
    poll_seconds: int = POLL_SECONDS,
) -> HttpResponse:
    """ "Available shortly": the link is valid, the object's data have not arrived yet. The
    page asks its own URL every `poll_seconds` (htmx) and reloads once there is more to see."""
    page = {**context, "poll_seconds": poll_seconds}
    return render_token_page(request, template, page, language=language)


def is_poll(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def poll_answer(still_pending: bool) -> HttpResponse:
    """The "available shortly" page's background question: nothing new (204), or reload.

    Swapping in parts of a full page would make the browser parse the new page's inline
    style, whose CSP nonce is not the current page's; a reload shows the new state cleanly.
    """
    response = HttpResponse(status=204)
    if not still_pending:
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
    return protect(response)


# --- links shown to staff ------------------------------------------------------------------

# The URL names of the pages behind customer links, each taking the token as its only
# argument; theke.customers.links.register_kind adds every kind's.
_TOKEN_URL_NAMES: set[str] = set()
_PLACEHOLDER = "TOKENxPLACEHOLDER"
# A token is URL-safe base64; shorter runs after a prefix are not tokens of ours.
_TOKEN_RUN = r"[A-Za-z0-9_-]{16,}"  # noqa: S105 (a pattern, not a secret)
VISIBLE_CHARACTERS = 4
_prefixes: dict[frozenset[str], frozenset[str]] = {}
_patterns: dict[frozenset[str], re.Pattern[str] | None] = {}


def register_token_url(url_name: str) -> None:
    """Make the links to a kind of token page known to `shorten_links`."""
    _TOKEN_URL_NAMES.add(url_name)


def token_path_prefixes() -> frozenset[str]:
    """The paths in front of the tokens, e.g. `/k/` (computed once the URLconf is loaded)."""
    names = frozenset(_TOKEN_URL_NAMES)
    if names not in _prefixes:
        found = set()
        for name in names:
            try:
                found.add(reverse(name, args=[_PLACEHOLDER]).split(_PLACEHOLDER)[0])
            except NoReverseMatch:
                continue
        _prefixes[names] = frozenset(found)
    return _prefixes[names]


def is_token_path(path: str) -> bool:
    """Whether `path` is a page behind a customer link (its token in the path)."""
    return any(path.startswith(prefix) for prefix in token_path_prefixes())


def _token_pattern() -> re.Pattern[str] | None:
    """The token after the path of any token page, e.g. `/k/` + token (None: no kinds)."""
    prefixes = token_path_prefixes()
    if prefixes not in _patterns:
        alternatives = "|".join(re.escape(prefix) for prefix in sorted(prefixes))
        _patterns[prefixes] = (
            re.compile(f"(?P<prefix>{alternatives})(?P<token>{_TOKEN_RUN})") if prefixes else None
        )
    return _patterns[prefixes]


def shorten_token(token: str) -> str:
    """`…RD3x`: enough to tell two links apart, too little to open one."""
    return "…" + token[-VISIBLE_CHARACTERS:]


def shorten_links(text: str) -> str:
    """`text` with every customer link's token shortened (`https://…/k/…RD3x/`)."""
    pattern = _token_pattern()
    if not text or pattern is None:
        return text
    return pattern.sub(lambda m: m["prefix"] + shorten_token(m["token"]), text)
