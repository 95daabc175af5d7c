"""Links to an estimate: created (also before the data), sent, revoked, and opened.

A token has 192 bits from `secrets`; only its SHA-256 is stored, looked up and compared in
constant time. A GET of the customer's page changes nothing but the view times.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.api.events import emit_event
from theke.audit.models import ActorType
from theke.audit.services import Actor, record
from theke.core.rows import Shape
from theke.customers.models import Contact, Customer, Vehicle
from theke.estimates.messages import ESTIMATE_LINK
from theke.estimates.models import (
    Estimate,
    EstimateLink,
    EstimateSettings,
    EstimateStatus,
)
from theke.estimates.services.common import EstimateError, lock_live, refuse_final
from theke.estimates.services.data import create_placeholder
from theke.messaging.models import OutboundMessage
from theke.messaging.purposes import CHANNELS, EMAIL, SMS, Purpose
from theke.messaging.services import templates as message_templates
from theke.messaging.services.outbox import sms_allowed
from theke.tenants.models import Tenant
from theke.tenants.scoping import scopes_disabled, tenant_scope

DEFAULT_LINK_DAYS = 30

TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters: short enough for an SMS

# A page view refreshes `last_viewed_at` at most this often (a GET should rarely write).
VIEW_TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    """The absolute URL of the customer's page behind a token."""
    return settings.BASE_URL + reverse("estimate_pages:page", args=[token])


def link_days(tenant: Tenant) -> int:
    """How many days a new link stays valid (the tenant's setting, default 30)."""
    with tenant_scope(tenant):
        row = EstimateSettings.objects.filter(tenant=tenant).first()
    return row.link_days if row is not None else DEFAULT_LINK_DAYS


@transaction.atomic
def create_link(
    tenant: Tenant,
    actor: Actor,
    external_id: str,
    *,
    days: int | None = None,
    revoke_previous: bool = False,
) -> tuple[EstimateLink, str]:
    """A new link to the estimate; returns it with its token (shown once, stored hashed).

    Works before the estimate's data have arrived (a placeholder is created). Earlier links
    stay valid unless `revoke_previous`. A draft estimate counts as sent from now on: the
    link is in the back office's or the customer's hands.
    """
    estimate = lock_live(external_id) or create_placeholder(tenant, actor, external_id)
    if estimate.status == EstimateStatus.REVOKED:
        refuse_final(estimate)
    now = timezone.now()
    days = days or link_days(tenant)
    revoked = 0
    if revoke_previous:
        revoked = EstimateLink.objects.filter(
            estimate__external_id=external_id, revoked_at__isnull=True
        ).update(revoked_at=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = EstimateLink.objects.create(
        tenant=tenant,
        estimate=estimate,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    if estimate.status == EstimateStatus.DRAFT:
        estimate.status = EstimateStatus.SENT
        estimate.sent_at = now
        estimate.save(update_fields=["status", "sent_at", "updated_at"])
    record(
        tenant,
        actor,
        "estimate.link_created",
        estimate,
        {"link": link.pk, "expires_at": link.expires_at.isoformat(), "revoked": revoked},
    )
    return link, token


@transaction.atomic
def revoke_links(estimate: Estimate, actor: Actor) -> int:
    """Make every link to the estimate stop working; returns how many were valid."""
    locked = (
        Estimate.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=estimate.pk)
    )
    count = EstimateLink.objects.filter(
        estimate__external_id=locked.external_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if count:
        record(locked.tenant, actor, "estimate.links_revoked", locked, {"links": count})
    return count


def _recipient(estimate: Estimate, contact: Contact | None) -> Contact:
    if contact is not None:
        if contact.customer_id != estimate.customer_id:
            raise EstimateError(
                _("Dieser Ansprechpartner gehört nicht zum Kunden des Kostenvoranschlags."),
                "contact",
                "foreign",
            )
        return contact
    found = estimate.contact or Contact.objects.filter(customer=estimate.customer).first()
    if found is None:
        raise EstimateError(
            _("Der Kunde hat keinen Ansprechpartner, an den der Link gehen kann."),
            "contact",
            "no_contact",
        )
    return found


def _check_channel(tenant: Tenant, contact: Contact, channel: str) -> None:
    """Refuse a channel that cannot reach the contact, saying why."""
    name = str(contact) or contact.customer.display_name
    if channel == SMS and not sms_allowed(tenant, contact):
        if not tenant.sms_enabled:
            message = _("SMS ist für Ihr Unternehmen nicht freigeschaltet.")
        elif not contact.mobile_phone:
            message = _("Für %(name)s ist keine Mobilnummer hinterlegt.") % {"name": name}
        else:
            message = _("%(name)s hat dem Empfang von SMS nicht zugestimmt.") % {"name": name}
        raise EstimateError(message, "channels", "sms_not_allowed")
    if channel == EMAIL and not contact.email:
        raise EstimateError(
            _("Für %(name)s ist keine E-Mail-Adresse hinterlegt.") % {"name": name},
            "channels",
            "no_email",
        )


@transaction.atomic
def send_link(
    link: EstimateLink,
    token: str,
    actor: Actor,
    channels: Sequence[str],
    contact: Contact | None = None,
    *,
    purpose: Purpose = ESTIMATE_LINK,
    action: str = "estimate.link_sent",
) -> list[OutboundMessage]:
    """Send the link by e-mail and/or SMS with the tenant's texts of `purpose` (the estimate
    link, or the reminder).

    Needs the estimate's data (customer and contact); SMS needs the tenant's switch and the
    contact's consent. Every channel is checked before anything is queued.
    """
    estimate = (
        Estimate.objects.select_for_update(of=("self",))
        .select_related("tenant", "customer", "contact", "vehicle")
        .get(pk=link.estimate_id)
    )
    tenant = estimate.tenant
    if not estimate.has_data or estimate.customer is None:
        raise EstimateError(
            _(
                "Der Link kann erst gesendet werden, wenn die Daten des Kostenvoranschlags "
                "übertragen sind. Der Link selbst ist gültig."
            ),
            None,
            "no_data",
        )
    wanted = list(dict.fromkeys(channels))
    unknown = [c for c in wanted if c not in CHANNELS]
    if not wanted or unknown:
        raise EstimateError(_("Bitte wählen Sie E-Mail und/oder SMS."), "channels", "invalid")
    recipient = _recipient(estimate, contact)
    for channel in wanted:
        _check_channel(tenant, recipient, channel)
    language = message_templates.resolve_language(tenant, recipient.language)
    valid_until = estimate.valid_until or timezone.localdate(link.expires_at)
    context = {
        "estimate_number": estimate.number or estimate.external_id,
        "item": estimate.item,
        "link": link_url(token),
        "valid_until": message_templates.format_date(valid_until, language),
    }
    messages = [
        message_templates.send_templated(
            tenant,
            purpose=purpose.code,
            channel=channel,
            contact=recipient,
            context=context,
            related=estimate,
            dedupe_key=f"estimate:{estimate.pk}:{purpose.code}:{link.pk}",
            language=language,
        )
        for channel in wanted
    ]
    EstimateLink.objects.filter(pk=link.pk).update(contact=recipient)
    link.contact = recipient
    record(
        tenant,
        actor,
        action,
        estimate,
        {
            "link": link.pk,
            "channels": wanted,
            "contact": recipient.pk,
            "label": f"{recipient} ({', '.join(m.recipient for m in messages)})",
        },
    )
    return messages


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FoundLink:
    state: LinkState
    link: EstimateLink | None = None
    estimate: Estimate | None = None


def find_link(token: str) -> FoundLink:
    """The link behind a token and the live version of its estimate, with the link's state.

    Looked up by the token's SHA-256 and compared in constant time; works outside any
    tenant scope (the token decides the tenant).
    """
    if not token or len(token) > 100:
        return FoundLink(LinkState.UNKNOWN)
    digest = hash_token(token)
    with connection.cursor() as cursor:
        cursor.execute(_link_sql(), [digest])
        row = cursor.fetchone()
    link = None if row is None else _LINK.load(row)
    if row is None or link is None or not hmac.compare_digest(link.token_hash, digest):
        return FoundLink(LinkState.UNKNOWN)
    tenant = _TENANT.load(row, _LINK.width)
    if tenant is None or not tenant.is_active:
        return FoundLink(LinkState.UNKNOWN)
    link.tenant = tenant
    recipient = _RECIPIENT.load(row, _LINK.width + _TENANT.width)
    if recipient is not None:
        link.contact = recipient
    external_id = row[-1]
    live = _live_estimate(tenant, external_id)
    if live is None:
        with scopes_disabled():
            estimate = link.estimate
    else:
        estimate = live
    if link.revoked_at is not None or estimate.status == EstimateStatus.REVOKED:
        return FoundLink(LinkState.REVOKED, link, estimate)
    if link.expires_at <= timezone.now():
        return FoundLink(LinkState.EXPIRED, link, estimate)
    return FoundLink(LinkState.VALID, link, estimate)


# `find_link` runs on every request of a customer page. Its two statements are written from
# the models (theke.core.rows) instead of querysets: compiling the querysets cost ten times
# as much as running them. The link comes with its tenant and recipient, and the external
# id of its estimate, which finds the live version; the live version comes with what the
# page shows of it, and the language of the customer's primary contact (`page_language`).
_LINK = Shape(EstimateLink, "l")
_TENANT = Shape(Tenant, "t")
_RECIPIENT = Shape(Contact, "r")
_LINKED = Shape(Estimate, "le")
_LIVE = Shape(Estimate, "e")
_CUSTOMER = Shape(Customer, "cu")
_CONTACT = Shape(Contact, "co")
_VEHICLE = Shape(Vehicle, "v")
_PRIMARY = Shape(Contact, "pc")


@functools.cache
def _link_sql() -> str:
    return (
        f"SELECT {_LINK.columns}, {_TENANT.columns}, {_RECIPIENT.columns}, "  # noqa: S608
        f"{_LINKED.col('external_id')} FROM {_LINK.table} "
        f"JOIN {_TENANT.table} ON {_TENANT.col('id')} = {_LINK.col('tenant')} "
        f"LEFT JOIN {_RECIPIENT.table} ON {_RECIPIENT.col('id')} = {_LINK.col('contact')} "
        f"JOIN {_LINKED.table} ON {_LINKED.col('id')} = {_LINK.col('estimate')} "
        f"WHERE {_LINK.col('token_hash')} = %s"
    )


@functools.cache
def _live_sql() -> str:
    primary_language = (
        f"SELECT {_PRIMARY.col('language')} FROM {_PRIMARY.table} "  # noqa: S608
        f"WHERE {_PRIMARY.col('customer')} = {_LIVE.col('customer')} "
        # Contact's ordering: the primary contact first.
        f"ORDER BY {_PRIMARY.col('is_primary')} DESC, {_PRIMARY.col('last_name')} ASC, "
        f"{_PRIMARY.col('first_name')} ASC, {_PRIMARY.col('id')} ASC LIMIT 1"
    )
    return (
        f"SELECT {_LIVE.columns}, {_CUSTOMER.columns}, {_CONTACT.columns}, "  # noqa: S608
        f"{_VEHICLE.columns}, ({primary_language}) FROM {_LIVE.table} "
        f"LEFT JOIN {_CUSTOMER.table} ON {_CUSTOMER.col('id')} = {_LIVE.col('customer')} "
        f"LEFT JOIN {_CONTACT.table} ON {_CONTACT.col('id')} = {_LIVE.col('contact')} "
        f"LEFT JOIN {_VEHICLE.table} ON {_VEHICLE.col('id')} = {_LIVE.col('vehicle')} "
        f"WHERE {_LIVE.col('tenant')} = %s AND {_LIVE.col('external_id')} = %s "
        f"AND {_LIVE.col('status')} <> %s ORDER BY {_LIVE.col('version')} DESC LIMIT 1"
    )


def _live_estimate(tenant: Tenant, external_id: str) -> Estimate | None:
    """The live (not superseded) version of the estimate, with its relations loaded."""
    with connection.cursor() as cursor:
        cursor.execute(_live_sql(), [tenant.pk, external_id, EstimateStatus.SUPERSEDED.value])
        row = cursor.fetchone()
    estimate = None if row is None else _LIVE.load(row)
    if row is None or estimate is None:
        return None
    estimate.tenant = tenant
    offset = _LIVE.width
    for shape, field in ((_CUSTOMER, "customer"), (_CONTACT, "contact"), (_VEHICLE, "vehicle")):
        related = shape.load(row, offset)
        if related is not None:
            setattr(estimate, field, related)
        offset += shape.width
    estimate.primary_contact_language = row[offset]  # type: ignore[attr-defined]
    return estimate


def _viewer(link: EstimateLink, estimate: Estimate) -> Actor:
    if link.contact is not None:
        return Actor.contact(link.contact)
    label = estimate.customer.display_name if estimate.customer else str(_("Kunde"))
    return Actor(ActorType.CONTACT, label=label)


def record_view(link: EstimateLink, estimate: Estimate) -> bool:
    """Note that the customer looked at the estimate; True on the very first view.

    The first view (with data) stamps first and last view time, turns "sent" into "viewed"
    and emits the API event `estimate.viewed` exactly once (a conditional UPDATE decides).
    Later views refresh the last view time at most once a minute. Nothing else changes.
    """
    if not estimate.has_data:
        return False
    now = timezone.now()
    last = estimate.last_viewed_at
    if estimate.first_viewed_at is not None and last and now - last < VIEW_TOUCH_INTERVAL:
        return False
    tenant = estimate.tenant
    with tenant_scope(tenant), transaction.atomic():
        first = Estimate.objects.filter(pk=estimate.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=now,
            last_viewed_at=now,
            status=Case(
                When(status=EstimateStatus.SENT, then=Value(EstimateStatus.VIEWED.value)),
                default=F("status"),
            ),
        )
        if not first:
            Estimate.objects.filter(pk=estimate.pk).update(last_viewed_at=now)
            return False
        emit_event(
            tenant,
            "estimate.viewed",
            subject_type="estimate",
            external_id=estimate.external_id,
            payload={
                "number": estimate.number,
                "version": estimate.version,
                "order_external_id": estimate.order_external_id,
                "viewed_at": now.isoformat(),
            },
        )
        record(tenant, _viewer(link, estimate), "estimate.viewed", estimate, {"link": link.pk})
    return True


def page_language(link: EstimateLink, estimate: Estimate) -> str | None:
    """The language of the customer's page: the recipient's, else the estimate contact's."""
    for contact in (link.contact, estimate.contact):
        if contact is not None and contact.language:
            return str(contact.language)
    if estimate.customer_id is not None:
        if hasattr(estimate, "primary_contact_language"):  # loaded along (find_link)
            language = estimate.primary_contact_language
            return None if language is None else str(language)
        with tenant_scope(estimate.tenant):
            primary = Contact.objects.filter(customer_id=estimate.customer_id).first()
        if primary is not None:
            return str(primary.language)
    return None
