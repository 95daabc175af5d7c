"""Customer links: the one mechanism behind every link a customer gets.

A token has 192 bits from `secrets`; only its SHA-256 is stored, looked up by that digest and
compared in constant time. A link opens one object of one *kind* (an estimate, an
appointment, a lead, a portal invitation, a job); the domain that owns the kind registers it
here and resolves the object id itself, so the customer master imports no product.

`state_of` is the one place that decides whether a link is valid, expired, revoked or
superseded; a token without a link (or of a deactivated tenant) is unknown. The token pages
around it (throttling, headers, the invalid/expired/pending pages) are `theke.core.token_pages`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from theke.core import token_pages
from theke.core.errors import ServiceError
from theke.core.rows import Shape
from theke.customers.models import Contact, CustomerLink
from theke.tenants.models import Tenant
from theke.tenants.scoping import scopes_disabled

TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters: short enough for an SMS
MAX_TOKEN_LENGTH = 100  # anything longer is not one of ours; not even hashed

# A page view refreshes `last_viewed_at` at most this often (a GET should rarely write).
VIEW_TOUCH_INTERVAL = timedelta(minutes=1)


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LinkKind:
    """What a kind of link opens: its code (stored on the link), a label and the URL name of
    the customer page that takes the token as its only argument."""

    code: str
    label: str | Promise
    url_name: str


_KINDS: dict[str, LinkKind] = {}


def register_kind(kind: LinkKind) -> LinkKind:
    """Make a kind of link known (a domain calls this once, at import)."""
    existing = _KINDS.get(kind.code)
    if existing is not None and existing != kind:
        raise ValueError(f"link kind {kind.code!r} is already registered differently")
    _KINDS[kind.code] = kind
    # Staff pages show links of this kind shortened (core.token_pages.shorten_links).
    token_pages.register_token_url(kind.url_name)
    return kind


def kinds() -> list[LinkKind]:
    return list(_KINDS.values())


def get_kind(code: str) -> LinkKind:
    return _KINDS[code]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(kind: str, token: str) -> str:
    """The absolute URL of the customer's page behind a token of `kind`."""
    return settings.BASE_URL + reverse(get_kind(kind).url_name, args=[token])


def issue_link[L: CustomerLink](
    tenant: Tenant,
    kind: str,
    object_id: str,
    *,
    expires_at: datetime,
    contact: Contact | None = None,
    now: datetime | None = None,
    model: type[L] = CustomerLink,  # type: ignore[assignment]
) -> tuple[L, str]:
    """A new link to the object; returns it with its token (shown once, stored hashed).

    `model` may be a domain's proxy of CustomerLink (e.g. EstimateLink), to get that class back.
    """
    link, token = new_link(
        tenant, kind, object_id, expires_at=expires_at, contact=contact, now=now, model=model
    )
    store_links([link])
    return link, token


def new_link[L: CustomerLink](
    tenant: Tenant,
    kind: str,
    object_id: str,
    *,
    expires_at: datetime,
    contact: Contact | None = None,
    now: datetime | None = None,
    model: type[L] = CustomerLink,  # type: ignore[assignment]
) -> tuple[L, str]:
    """A link as `issue_link` makes it, with its token, but not stored yet: a batch that
    puts the links' URLs into messages first stores only the links of the messages it did
    queue, all at once (`store_links`)."""
    get_kind(kind)  # an unregistered kind is a programming error, not a link
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = model(
        tenant=tenant,
        kind=kind,
        object_id=str(object_id),
        token_hash=hash_token(token),
        contact=contact,
        created_at=now or timezone.now(),
        expires_at=expires_at,
    )
    return link, token


def store_links(links: Sequence[CustomerLink]) -> None:
    """Store links made by `new_link`, in one INSERT however many."""
    CustomerLink.objects.bulk_create(links)


def revoke_links(tenant: Tenant, kind: str, object_id: str, now: datetime | None = None) -> int:
    """Make every link to the object stop working; returns how many were still revocable."""
    with scopes_disabled():
        return CustomerLink.objects.filter(
            tenant=tenant, kind=kind, object_id=str(object_id), revoked_at__isnull=True
        ).update(revoked_at=now or timezone.now())


def supersede_links(tenant: Tenant, kind: str, object_id: str, now: datetime | None = None) -> int:
    """Mark every open link to the object superseded (a newer one replaces them); returns how
    many were open."""
    with scopes_disabled():
        return CustomerLink.objects.filter(
            tenant=tenant,
            kind=kind,
            object_id=str(object_id),
            revoked_at__isnull=True,
            superseded_at__isnull=True,
        ).update(superseded_at=now or timezone.now())


@transaction.atomic
def reissue_link[L: CustomerLink](link: L, *, expires_at: datetime) -> tuple[L, str]:
    """A new link in place of `link` (same object and recipient); the old one is superseded.

    The old row is locked first: of two re-issues of one link at once (two clicks, two tabs)
    the first makes the new link and the second is refused, so one valid successor remains.
    """
    with scopes_disabled():
        old = CustomerLink.objects.select_for_update().select_related("tenant").get(pk=link.pk)
        if old.superseded_at is not None or old.revoked_at is not None:
            raise ServiceError(
                _("Dieser Link wurde bereits ersetzt oder widerrufen."), None, "not_reissuable"
            )
        now = timezone.now()
        CustomerLink.objects.filter(pk=old.pk).update(superseded_at=now)
    return issue_link(
        old.tenant,
        old.kind,
        old.object_id,
        expires_at=expires_at,
        contact=old.contact,
        now=now,
        model=type(link),
    )


def set_recipient(link: CustomerLink, contact: Contact) -> None:
    """Note whom the link was sent to (their language becomes the page's)."""
    with scopes_disabled():
        CustomerLink.objects.filter(pk=link.pk).update(contact=contact)
    link.contact = contact


def state_of(link: CustomerLink, now: datetime | None = None) -> LinkState:
    """The one decision of a link's state: revoked, then superseded, then expired, else valid."""
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if link.superseded_at is not None:
        return LinkState.SUPERSEDED
    if link.expires_at <= (now or timezone.now()):
        return LinkState.EXPIRED
    return LinkState.VALID


def current_state(link: CustomerLink) -> LinkState:
    """The link's state as stored now (read again; e.g. under the lock of its object)."""
    with scopes_disabled():
        fresh = CustomerLink.objects.filter(pk=link.pk).first()
    return LinkState.UNKNOWN if fresh is None else state_of(fresh)


@dataclass(frozen=True)
class ResolvedLink[L: CustomerLink]:
    state: LinkState
    link: L | None = None


def is_plausible(token: str) -> bool:
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH


def resolve[L: CustomerLink](
    token: str,
    kind: str,
    model: type[L] = CustomerLink,  # type: ignore[assignment]
) -> ResolvedLink[L]:
    """The link of `kind` behind a token (with its tenant and recipient) and its state.

    Looked up by the token's SHA-256 and compared in constant time. Works outside any tenant
    scope: the token decides the tenant. A link of a deactivated tenant, of another kind or no
    link at all is UNKNOWN. `model` may be the kind's proxy class.
    """
    if not is_plausible(token):
        return ResolvedLink(LinkState.UNKNOWN)
    digest = hash_token(token)
    link_shape, tenant_shape, recipient_shape = _shapes(model)
    with connection.cursor() as cursor:
        cursor.execute(_link_sql(model), [digest, kind])
        row = cursor.fetchone()
    link = None if row is None else link_shape.load(row)
    if row is None or link is None or not hmac.compare_digest(link.token_hash, digest):
        return ResolvedLink(LinkState.UNKNOWN)
    tenant = tenant_shape.load(row, link_shape.width)
    if tenant is None or not tenant.is_active:
        return ResolvedLink(LinkState.UNKNOWN)
    link.tenant = tenant
    recipient = recipient_shape.load(row, link_shape.width + tenant_shape.width)
    if recipient is not None:
        link.contact = recipient
    return ResolvedLink(state_of(link), cast(L, link))


# `resolve` runs on every request of every token page. Its statement is written from the
# models (theke.core.rows) instead of a queryset: compiling the queryset cost ten times as much
# as running it. The link comes with its tenant and its recipient.
@functools.cache
def _shapes(
    model: type[CustomerLink],
) -> tuple[Shape[CustomerLink], Shape[Tenant], Shape[Contact]]:
    return Shape(model, "l"), Shape(Tenant, "t"), Shape(Contact, "r")


@functools.cache
def _link_sql(model: type[CustomerLink]) -> str:
    link, tenant, recipient = _shapes(model)
    return (
        f"SELECT {link.columns}, {tenant.columns}, {recipient.columns} "  # noqa: S608
        f"FROM {link.table} "
        f"JOIN {tenant.table} ON {tenant.col('id')} = {link.col('tenant')} "
        f"LEFT JOIN {recipient.table} ON {recipient.col('id')} = {link.col('contact')} "
        f"WHERE {link.col('token_hash')} = %s AND {link.col('kind')} = %s"
    )


def record_view(link: CustomerLink, now: datetime | None = None) -> bool:
    """Stamp the link's view times; True on its very first view (a conditional UPDATE
    decides, so two tabs opening it at once count one first view)."""
    now = now or timezone.now()
    last = link.last_viewed_at
    if link.first_viewed_at is not None and last is not None and now - last < VIEW_TOUCH_INTERVAL:
        return False
    with scopes_disabled():
        first = CustomerLink.objects.filter(pk=link.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=now, last_viewed_at=now
        )
        if not first:
            CustomerLink.objects.filter(pk=link.pk).update(last_viewed_at=now)
    if first:
        link.first_viewed_at = now
    link.last_viewed_at = now
    return bool(first)
