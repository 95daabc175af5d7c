"""Links to an estimate: created (also before the data), sent, revoked, and opened.

They are customer links of kind "estimate" (theke.customers.links: token, hash, expiry,
revocation, view times, the one decision of a link's state); the object id is the estimate's
external id, so a link always opens the live version. A GET of the customer's page changes
nothing but the view times.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from theke.audit.feed import emit_event
from theke.audit.models import ActorType
from theke.audit.services import Actor, record
from theke.core.formatting import format_date
from theke.core.rows import Shape
from theke.customers import links as customer_links
from theke.customers.links import LinkKind
from theke.customers.links import LinkState as LinkState  # the estimate's link API
from theke.customers.links import hash_token as hash_token
from theke.customers.models import Contact, Customer, Vehicle
from theke.estimates.messages import ESTIMATE_LINK
from theke.estimates.models import (
    LINK_KIND,
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
from theke.tenants.scoping import tenant_scope

DEFAULT_LINK_DAYS = 30

TOKEN_BYTES = customer_links.TOKEN_BYTES

VIEW_TOUCH_INTERVAL = customer_links.VIEW_TOUCH_INTERVAL

customer_links.register_kind(
    LinkKind(LINK_KIND, gettext_lazy("Kostenvoranschlag"), "estimate_pages:page")
)


def link_url(token: str) -> str:
    """The absolute URL of the customer's page behind a token."""
    return customer_links.link_url(LINK_KIND, token)


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
        revoked = customer_links.revoke_links(tenant, LINK_KIND, external_id, now)
    link, token = customer_links.issue_link(
        tenant,
        LINK_KIND,
        external_id,
        expires_at=now + timedelta(days=days),
        now=now,
        model=EstimateLink,
    )
    _with_estimate(link, estimate)
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
    count = customer_links.revoke_links(locked.tenant, LINK_KIND, locked.external_id)
    if count:
        record(locked.tenant, actor, "estimate.links_revoked", locked, {"links": count})
    return count


def _with_estimate(link: EstimateLink, estimate: Estimate) -> EstimateLink:
    link.__dict__["estimate"] = estimate  # fills the cached property `estimate`
    return link


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
        .exclude(status=EstimateStatus.SUPERSEDED)
        .get(tenant=link.tenant, external_id=link.object_id)
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
        "estimate_number": estimate.display_number,
        "item": estimate.item,
        "link": link_url(token),
        "valid_until": format_date(valid_until, language),
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
    customer_links.set_recipient(link, recipient)
    if actor.user_id is not None and estimate.sent_by_id != actor.user_id:
        # The staff user who sends is told of the customer's answer (reminders keep them).
        estimate.sent_by_id = actor.user_id
        estimate.save(update_fields=["sent_by", "updated_at"])
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


@dataclass(frozen=True)
class FoundLink:
    state: LinkState
    link: EstimateLink | None = None
    estimate: Estimate | None = None


def find_link(token: str) -> FoundLink:
    """The link behind a token and the live version of its estimate, with the link's state.

    The customer link decides the state (theke.customers.links.resolve); a revoked estimate
    revokes its links too. Works outside any tenant scope (the token decides the tenant).
    """
    resolved = customer_links.resolve(token, LINK_KIND, EstimateLink)
    link = resolved.link
    if resolved.state == LinkState.UNKNOWN or link is None:
        return FoundLink(LinkState.UNKNOWN)
    live = _live_estimate(link.tenant, link.object_id)
    estimate = _with_estimate(link, live).estimate if live is not None else link.estimate
    if resolved.state == LinkState.VALID and estimate.status == EstimateStatus.REVOKED:
        return FoundLink(LinkState.REVOKED, link, estimate)
    return FoundLink(resolved.state, link, estimate)


# `find_link` runs on every request of a customer page. Like the link's lookup, the live
# version's is written from the models (theke.core.rows): compiling the queryset cost ten
# times as much as running it. It comes with what the page shows of it, and the language of
# the customer's primary contact (`page_language`).
_LIVE = Shape(Estimate, "e")
_CUSTOMER = Shape(Customer, "cu")
_CONTACT = Shape(Contact, "co")
_VEHICLE = Shape(Vehicle, "v")
_PRIMARY = Shape(Contact, "pc")


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
    Later views refresh the last view time at most once a minute. The link's own view times
    are stamped too (theke.customers.links.record_view). Nothing else changes.
    """
    if not estimate.has_data:
        return False
    now = timezone.now()
    customer_links.record_view(link, now)
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
                "viewed_at": now,
            },
        )
        record(tenant, _viewer(link, estimate), "estimate.viewed", estimate, {"link": link.pk})
    return True


def seen_before_change(estimate: Estimate) -> Estimate | None:
    """The version the customer last looked at (through any link), when this version
    arrived after that look; else None, also when the customer never looked before. Read it
    before `record_view` stamps the current look."""
    if estimate.version <= 1:
        return None
    with tenant_scope(estimate.tenant):
        last = (
            Estimate.objects.filter(
                tenant=estimate.tenant,
                external_id=estimate.external_id,
                last_viewed_at__isnull=False,
            )
            .order_by("-last_viewed_at")
            .first()
        )
    arrived = estimate.data_received_at or estimate.created_at
    if last is None or last.pk == estimate.pk or last.last_viewed_at is None:
        return None
    return last if last.last_viewed_at < arrived else None


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
