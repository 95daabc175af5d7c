"""The customer's estimate page, rendered once per state of what it shows, then served from
the cache (alias `estimate_pages`, see THEKE_CACHE_URL).

Everyone who opens the same version of an estimate in the same language sees the same page,
except for three values of the request: the link's token in the page's URLs, the CSRF token
and the CSP nonce. The page is rendered with random markers in their place and the markers
are replaced per request, so the cached HTML holds no token (tokens exist only hashed) and no
secret of a request. The key is a digest of everything the page shows: the estimate's
version and change time (every service that changes the estimate, its positions, photos or
decision moves `updated_at`), whether it is final, the language, whether it has expired, the
tenant's master data (logo, colour, address), the customer's name, the vehicle, the
conversation's last message, and the templates, catalogs and static files of this release.
Whether the link itself is valid is checked on every request, before the cache.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone

from theke.core.rows import Shape
from theke.estimates.models import Estimate
from theke.messaging.models import Conversation
from theke.tenants.models import Tenant

CACHE_ALIAS = "estimate_pages"
TEMPLATE = "estimates/customer/estimate.html"

# Bump when the page's context changes shape without a template change.
SCHEMA = 1


@dataclass(frozen=True)
class CachedPage:
    """A rendered page with `marker`-based stand-ins for the request's own values."""

    marker: str
    html: str

    def fill(self, token: str, csrf_token: str, nonce: str) -> str:
        # The token has matched a stored hash, so it is one of ours: URL-safe Base64, like
        # the CSRF token and the nonce; none of them needs escaping in URLs or attributes.
        return (
            self.html.replace(f"t{self.marker}", token)
            .replace(f"c{self.marker}", csrf_token)
            .replace(f"n{self.marker}", nonce)
        )


def _files_stamp(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for root in paths:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _release_paths() -> list[Path]:
    """Templates and catalogs the page is made of, and the static manifest (hashed URLs)."""
    here = Path(__file__).resolve().parent
    return [
        here / "templates",
        here.parent / "core" / "templates",
        *(Path(path) for path in settings.LOCALE_PATHS),
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]


@functools.cache
def _release_stamp() -> str:
    return _files_stamp(_release_paths())


def release_stamp() -> str:
    """Changes with this release's templates, translations and static files, so a shared
    cache never serves a page of the previous release (in DEBUG: looked at every time)."""
    if settings.DEBUG:
        return _files_stamp(_release_paths())
    return _release_stamp()


def _row_values(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def page_key(
    estimate: Estimate,
    tenant: Tenant,
    language: str,
    expired: bool,
    thread_stamp: tuple[Any, ...] | None,
) -> str:
    """The cache key of the page: a digest of everything it shows (see the module's doc)."""
    shown = (
        SCHEMA,
        release_stamp(),
        estimate.pk,
        estimate.version,
        estimate.updated_at.isoformat() if isinstance(estimate.updated_at, datetime) else None,
        estimate.is_final,  # what the page takes of the status (sent or viewed: the same)
        language,
        timezone.get_current_timezone_name(),  # of the dates and times shown
        expired,
        # The tenant's whole row: the layout shows logo, colour, name and address, and a
        # template may start showing another field without this key forgetting it.
        _row_values(tenant),
        estimate.customer.display_name if estimate.customer else None,
        str(estimate.vehicle) if estimate.vehicle else None,
        thread_stamp,
    )
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"estimate-page:{estimate.pk}:{digest}"


def thread_stamp(estimate: Estimate) -> tuple[Any, ...] | None:
    """What changes when a message is added to the estimate's conversation (at most one per
    object): its id and the time of its last message, as the database returns them."""
    sql = (
        f"SELECT {_THREAD.col('id')}, {_THREAD.col('last_message_at')} "  # noqa: S608
        f"FROM {_THREAD.table} WHERE {_THREAD.col('tenant')} = %s "
        f"AND {_THREAD.col('content_type')} = %s AND {_THREAD.col('object_id')} = %s"
    )
    content_type = ContentType.objects.get_for_model(Estimate)  # cached after the first call
    with connection.cursor() as cursor:
        # A plain statement: compiling a queryset would cost more than the rest of the page.
        cursor.execute(sql, [estimate.tenant_id, content_type.pk, str(estimate.pk)])
        row = cursor.fetchone()
    return None if row is None else tuple(row)


_THREAD = Shape(Conversation, "c")


def has_flash_messages(request: HttpRequest) -> bool:
    """Whether the request carries messages (django.contrib.messages) to show; they belong
    to one visitor and must never reach the shared cache. Reading does not consume them."""
    return len(get_messages(request)) > 0


def cached_page(key: str) -> CachedPage | None:
    found = caches[CACHE_ALIAS].get(key)
    return found if isinstance(found, CachedPage) else None


def render_page(context: dict[str, Any]) -> CachedPage:
    """Render the page without a request: the token, CSRF token and nonce become markers."""
    marker = secrets.token_hex(16)
    context = {
        **context,
        "token": f"t{marker}",
        "csrf_token": f"c{marker}",
        "csp_nonce": f"n{marker}",
    }
    return CachedPage(marker, render_to_string(TEMPLATE, context))


def store(key: str, page: CachedPage) -> None:
    caches[CACHE_ALIAS].set(key, page, settings.ESTIMATE_PAGE_CACHE_SECONDS)


def fill(request: HttpRequest, page: CachedPage, token: str) -> str:
    """The page for this request: its token, a CSRF token (sets the cookie, as the template
    tag does) and the request's CSP nonce (which makes the middleware send it)."""
    nonce = get_nonce(request)
    return page.fill(token, get_token(request), "" if nonce is None else str(nonce))
