"""The container shop ("Container bestellen"), orders on placed containers, and what follows
them: release to dispatch, the back office's planned date and completion, the rent-free
reminder.

Chain of `place_container_order` (one transaction, the ordering user's row locked first, so
two clicks or two tabs with the same form give one order): (1) a new delivery location is
added, waiting for staff ("Neue Lieferorte"), and granted to a restricted user; (2) the
order (origin portal, no external id yet, number P-<year>-<n>) and (3) the new container
(an Asset without placement date) linked to it, so it shows at once in the overview; (4)
for a confirmed location the release: `released_at` and the feed event
`portal.order.created` with every reference the back office needs; (5) the e-mail
"order received" to the user (a copy to the dispatch address); (6) the audit events.

The back office then assigns its id, the planned date and the status through the API
(theke.orders.api: `/portal-orders`); `on_orders_changed` turns those changes into the
execution-date e-mail and, on completion, the container's placement date (placement) or its
removal from stock (withdrawal).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from theke.audit.feed import emit_event
from theke.audit.models import AuditEvent
from theke.audit.services import Actor, record
from theke.core import images
from theke.core.errors import ServiceError
from theke.core.files import PDF_TYPES, check_upload
from theke.customers import services as customers
from theke.customers.models import Asset, ContainerType, Location, WasteType
from theke.messaging.purposes import EMAIL
from theke.messaging.services.templates import send_templated
from theke.orders.container_orders import reference
from theke.orders.models import Order, OrderKind, OrderOrigin, OrderStatus
from theke.orders.services import OrderChange
from theke.portal import access
from theke.portal.models import PortalRole, PortalSettings, PortalUser
from theke.portal.services.users import portal_actor
from theke.tenants.federal_states import public_holidays, state_for_postcode
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

PERMIT_TYPES = PDF_TYPES | {images.JPEG, images.PNG}
PERMIT_MAX_BYTES = 10 * 1024 * 1024
MAX_DAYS_AHEAD = 365
NOTE_MAX = 2000
CONTAINER_KINDS = (OrderKind.EXCHANGE, OrderKind.EMPTYING, OrderKind.WITHDRAWAL)
# Orders still waiting for or in the hands of dispatch.
OPEN_STATUSES = (OrderStatus.OPEN, OrderStatus.PLANNED, OrderStatus.IN_PROGRESS)
DONE_STATUSES = (OrderStatus.COMPLETED, OrderStatus.INVOICED)
CREATED = "portal_order.created"


class ShopError(ServiceError):
    """A refused shop order; `field` names the form field at fault."""


# --- settings and catalog --------------------------------------------------------------------


def portal_settings(tenant: Tenant) -> PortalSettings:
    """The tenant's portal settings (the defaults when none are stored yet)."""
    found = PortalSettings.objects.filter(tenant=tenant).first()
    return found if found is not None else PortalSettings(tenant=tenant)


def prices_visible(user: PortalUser) -> bool:
    return bool(portal_settings(user.tenant).show_prices and user.sees_prices)


def container_types_for(waste_type: WasteType) -> list[ContainerType]:
    """The active container types that may be placed for the waste type."""
    rows = waste_type.container_types.filter(is_active=True).order_by("volume_m3", "name", "id")
    return [row for row in rows if row.allows(OrderKind.PLACEMENT)]


def waste_types(tenant: Tenant) -> list[WasteType]:
    """The active waste types that at least one placeable container type serves."""
    rows = WasteType.objects.filter(tenant=tenant, is_active=True).prefetch_related(
        "container_types"
    )
    return [
        row
        for row in rows
        if any(c.is_active and c.allows(OrderKind.PLACEMENT) for c in row.container_types.all())
    ]


def allowed_kinds(asset: Asset) -> list[str]:
    """The orders a placed container allows (its container type's kinds)."""
    container_type = asset.container_type
    if container_type is None:
        return []
    return [kind for kind in CONTAINER_KINDS if container_type.allows(kind)]


# --- dates ----------------------------------------------------------------------------------


def state_of(location: Location | None, postal_code: str = "", country: str = "DE") -> str | None:
    """The federal state whose holidays count: the location's, else from the postcode."""
    if location is not None:
        return location.state or state_for_postcode(location.postal_code, location.country)
    return state_for_postcode(postal_code, country)


def _holiday(state: str | None, day: datetime.date) -> str | None:
    return public_holidays(state, day.year).get(day)


def is_working_day(state: str | None, day: datetime.date) -> bool:
    """Monday to Saturday (Werktage), except the state's public holidays."""
    return day.weekday() != 6 and _holiday(state, day) is None


def earliest_date(tenant: Tenant, state: str | None, today: datetime.date) -> datetime.date:
    """The first date an order may be carried out: `lead_time_days` working days after today,
    and itself a working day."""
    lead = portal_settings(tenant).lead_time_days
    day, counted = today, 0
    while counted < lead:
        day += datetime.timedelta(days=1)
        if is_working_day(state, day):
            counted += 1
    while not is_working_day(state, day):
        day += datetime.timedelta(days=1)
    return day


def _format_day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def check_date(
    tenant: Tenant, state: str | None, day: datetime.date | None, today: datetime.date
) -> datetime.date:
    """The wish date if it may be chosen; else a ShopError on the field "date" saying why."""
    if day is None:
        raise ShopError(_("Bitte wählen Sie einen Termin."), "date", "required")
    if day.weekday() == 6:
        raise ShopError(
            _("Sonntags liefern wir nicht. Bitte wählen Sie einen anderen Tag."), "date", "sunday"
        )
    holiday = _holiday(state, day)
    if holiday is not None:
        raise ShopError(
            _("Der %(date)s ist ein Feiertag (%(name)s). Bitte wählen Sie einen anderen Tag.")
            % {"date": _format_day(day), "name": holiday},
            "date",
            "holiday",
        )
    earliest = earliest_date(tenant, state, today)
    if day < earliest:
        raise ShopError(
            _(
                "So kurzfristig können wir nicht liefern. Bitte wählen Sie einen Termin ab "
                "dem %(date)s."
            )
            % {"date": _format_day(earliest)},
            "date",
            "too_early",
        )
    if day > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ShopError(
            _("Bitte wählen Sie einen Termin innerhalb der nächsten zwölf Monate."),
            "date",
            "too_late",
        )
    return day


# --- checks ---------------------------------------------------------------------------------


def _require_orderer(user: PortalUser) -> None:
    if not user.may_order:
        raise Http404


def check_permit(data: bytes) -> str:
    """The file extension of an acceptable permit (PDF, JPG, PNG, at most 10 MB)."""
    if len(data) > PERMIT_MAX_BYTES:
        raise ShopError(
            _("Die Datei ist zu groß. Erlaubt sind höchstens 10 MB."), "permit", "too_large"
        )
    checked = check_upload(data, PERMIT_TYPES, "permit")
    return checked.extension


def clean_note(note: str) -> str:
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise ShopError(
            _("Der Hinweis ist zu lang (höchstens %(max)d Zeichen).") % {"max": NOTE_MAX},
            "note",
            "too_long",
        )
    return note


@dataclass(frozen=True)
class NewLocation:
    """A delivery location the customer enters in the shop."""

    name: str
    street: str
    postal_code: str
    city: str
    access_notes: str = ""


def check_new_location(values: NewLocation) -> None:
    """Refuse an incomplete address before anything is stored (the same messages as the
    customer master)."""
    for field, message in (
        ("street", _("Bitte geben Sie Straße und Hausnummer an.")),
        ("postal_code", _("Bitte geben Sie die Postleitzahl an.")),
        ("city", _("Bitte geben Sie den Ort an.")),
    ):
        if not getattr(values, field).strip():
            raise ShopError(message, field, "required")
    if state_for_postcode(values.postal_code) is None:
        raise ShopError(
            _("Bitte geben Sie eine gültige deutsche Postleitzahl an (fünf Ziffern)."),
            "postal_code",
            "invalid",
        )


# --- placing orders -------------------------------------------------------------------------


def _lock_user(user: PortalUser) -> PortalUser:
    locked = (
        PortalUser.objects.select_for_update(of=("self",))
        .select_related("account", "customer", "contact", "tenant")
        .get(pk=user.pk)
    )
    if not locked.customer.portal.is_active or not locked.account.is_active:
        raise Http404
    return locked


def _earlier_submission(user: PortalUser, token: str) -> Order | None:
    """The order a form with this token already placed (a second click, a reload)."""
    if not token:
        return None
    event = (
        AuditEvent.objects.filter(
            tenant=user.tenant, action=CREATED, actor_id=portal_actor(user).id
        )
        .filter(data__submission=token)
        .order_by("-id")
        .first()
    )
    if event is None:
        return None
    return Order.objects.filter(tenant=user.tenant, pk=event.object_id).first()


def _next_number(tenant: Tenant, today: datetime.date) -> str:
    # The tenant row is locked by the caller: numbers are handed out one at a time.
    prefix = f"P-{today.year}-"
    last = (
        Order.objects.filter(tenant=tenant, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    try:
        current = int(last[len(prefix) :]) if last else 0
    except ValueError:
        current = 0
    return f"{prefix}{current + 1:05d}"


def _lock_tenant(tenant: Tenant) -> None:
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


def _new_location(user: PortalUser, values: NewLocation, actor: Actor) -> Location:
    check_new_location(values)
    location = customers.add_location(
        user.customer,
        actor,
        name=values.name.strip(),
        street=values.street.strip(),
        postal_code=values.postal_code.strip(),
        city=values.city.strip(),
    )
    location.access_notes = clean_note(values.access_notes)
    location.needs_confirmation = True
    location.save(update_fields=["access_notes", "needs_confirmation"])
    if not user.all_locations:
        user.locations.add(location)
    record(
        user.tenant,
        actor,
        "portal_location.created",
        location,
        {"label": str(location), "customer": user.customer_id},
    )
    return location


def _permit_file(order: Order, data: bytes | None) -> None:
    if not data:
        return
    extension = check_permit(data)
    order.permit.save(f"permit{extension}", ContentFile(data), save=False)


@transaction.atomic
def place_container_order(
    user: PortalUser,
    *,
    waste_type: WasteType,
    container_type: ContainerType,
    location: Location | None = None,
    new_location: NewLocation | None = None,
    date: datetime.date | None,
    note: str = "",
    public_ground: bool = False,
    permit: bytes | None = None,
    permit_by_service: bool = False,
    submission: str = "",
    today: datetime.date | None = None,
) -> Order:
    """Order a new container (Gestellung); see the module's chain. A form sent twice with the
    same `submission` token returns the first order."""
    user = _lock_user(user)
    _require_orderer(user)
    earlier = _earlier_submission(user, submission)
    if earlier is not None:
        return earlier
    tenant = user.tenant
    today = today or timezone.localdate()
    if not waste_type.is_active or waste_type.tenant_id != tenant.pk:
        raise ShopError(_("Diese Abfallart ist nicht bestellbar."), "waste_type", "unknown")
    if container_type.pk not in {c.pk for c in container_types_for(waste_type)}:
        raise ShopError(
            _("Dieser Container ist für die gewählte Abfallart nicht bestellbar."),
            "container_type",
            "not_allowed",
        )
    if location is not None:
        # A location outside the user's reach is a 404, as everywhere in the portal.
        location = access.one(access.locations_of(user), location.pk)
        state = state_of(location)
    elif new_location is not None:
        check_new_location(new_location)
        state = state_of(None, new_location.postal_code)
    else:
        raise ShopError(_("Bitte wählen Sie einen Lieferort."), "location", "required")
    check_date(tenant, state, date, today)
    note = clean_note(note)
    if public_ground and not permit and not permit_by_service:
        raise ShopError(
            _(
                "Für einen Stellplatz auf öffentlichem Grund brauchen wir die Genehmigung: "
                "Bitte laden Sie sie hoch oder lassen Sie sie von uns beantragen."
            ),
            "permit",
            "permit_required",
        )
    if permit:
        check_permit(permit)

    actor = portal_actor(user)
    _lock_tenant(tenant)
    if location is None:
        assert new_location is not None
        location = _new_location(user, new_location, actor)
    asset = customers.add_asset(
        user.customer,
        actor,
        location=location,
        container_type=container_type,
        waste_type=waste_type,
    )
    order = Order(
        tenant=tenant,
        external_id=None,
        origin=OrderOrigin.PORTAL,
        kind=OrderKind.PLACEMENT,
        number=_next_number(tenant, today),
        customer=user.customer,
        location=location,
        asset=asset,
        container_type=container_type,
        waste_type=waste_type,
        title=str(container_type),
        wish_date=date,
        customer_note=note,
        public_ground=public_ground,
        permit_by_service=bool(public_ground and permit_by_service and not permit),
        ordered_by=user.account,
        status=OrderStatus.OPEN,
    )
    if public_ground:
        _permit_file(order, permit)
    order.save()
    _after_create(user, order, actor, submission)
    return order


@transaction.atomic
def order_on_container(
    user: PortalUser,
    asset: Asset,
    *,
    kind: str,
    wish_date: datetime.date | None = None,
    note: str = "",
    submission: str = "",
    today: datetime.date | None = None,
) -> Order:
    """Order an exchange, emptying or withdrawal of a placed container, as its type allows.
    After a completed order this is the follow-up order (`follows`). A second open order of
    the same kind is refused."""
    user = _lock_user(user)
    _require_orderer(user)
    earlier = _earlier_submission(user, submission)
    if earlier is not None:
        return earlier
    asset = access.one(access.assets_of(user).select_for_update(of=("self",)), asset.pk)
    tenant = user.tenant
    today = today or timezone.localdate()
    if kind not in allowed_kinds(asset):
        raise ShopError(
            _("Diese Auftragsart ist für diesen Container nicht möglich."), "kind", "not_allowed"
        )
    location = asset.location
    if location is None:
        raise ShopError(_("Dieser Container hat keinen Standort."), None, "no_location")
    if wish_date is not None:
        check_date(tenant, state_of(location), wish_date, today)
    note = clean_note(note)
    orders = Order.objects.filter(tenant=tenant, asset=asset)
    if orders.filter(kind=kind, status__in=OPEN_STATUSES).exists():
        raise ShopError(
            _(
                "Für diesen Container ist bereits ein offener Auftrag dieser Art vorhanden. "
                "Bitte warten Sie, bis er erledigt ist."
            ),
            "kind",
            "already_open",
        )
    if orders.filter(kind=OrderKind.PLACEMENT, status__in=OPEN_STATUSES).exists():
        raise ShopError(_("Dieser Container ist noch nicht gestellt."), "kind", "not_placed")
    follows = orders.filter(status__in=DONE_STATUSES).order_by("-completed_at", "-id").first()
    actor = portal_actor(user)
    _lock_tenant(tenant)
    order = Order.objects.create(
        tenant=tenant,
        external_id=None,
        origin=OrderOrigin.PORTAL,
        kind=kind,
        number=_next_number(tenant, today),
        customer=user.customer,
        location=location,
        asset=asset,
        container_type=asset.container_type,
        waste_type=asset.waste_type,
        title=asset.type_label,
        wish_date=wish_date,
        customer_note=note,
        ordered_by=user.account,
        follows=follows,
        status=OrderStatus.OPEN,
    )
    _after_create(user, order, actor, submission)
    return order


def _after_create(user: PortalUser, order: Order, actor: Actor, submission: str) -> None:
    record(
        user.tenant,
        actor,
        CREATED,
        order,
        {
            "submission": submission,
            "number": order.number,
            "kind": order.kind,
            "location": order.location_id,
            "waits_for_location": bool(order.location and order.location.needs_confirmation),
        },
    )
    assert order.location is not None
    if not order.location.needs_confirmation:
        _release(order)
    _send_received(user, order)


def _release(order: Order) -> None:
    """Hand the order to dispatch: `released_at` and the feed event with every reference."""
    order.released_at = timezone.now()
    order.save(update_fields=["released_at", "updated_at"])
    emit_event(
        order.tenant,
        "portal.order.created",
        subject_type="order",
        payload=reference(order),
    )


# --- new delivery locations (staff) -------------------------------------------------------


def waiting_locations(tenant: Tenant) -> QuerySet[Location]:
    return Location.objects.filter(tenant=tenant, needs_confirmation=True)


@transaction.atomic
def confirm_location(location: Location, actor: Actor) -> list[Order]:
    """Confirm a delivery location a customer entered; its waiting orders go to dispatch now
    (their events are emitted here, not before). Confirming twice releases nothing twice."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    if not location.needs_confirmation:
        return []
    location.needs_confirmation = False
    location.save(update_fields=["needs_confirmation"])
    record(location.tenant, actor, "portal_location.confirmed", location, {"label": str(location)})
    waiting = list(
        Order.objects.select_for_update(of=("self",))
        .select_related("customer", "location", "container_type", "waste_type", "ordered_by")
        .filter(
            tenant=location.tenant,
            location=location,
            origin=OrderOrigin.PORTAL,
            released_at__isnull=True,
        )
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("id")
    )
    for order in waiting:
        _release(order)
    return waiting


# --- what the back office reports (orders.services listener) ------------------------------


def on_orders_changed(tenant: Tenant, actor: Actor, changes: list[OrderChange]) -> None:
    """The execution-date e-mail when the planned date is set or moved (once per date), and on
    completion the container's placement date or its removal from stock."""
    for change in changes:
        order = change.order
        if order.origin != OrderOrigin.PORTAL or change.created:
            continue
        if "planned_date" in change.fields and order.planned_date is not None:
            _send_planned(order)
        if "status" in change.fields and order.status in DONE_STATUSES:
            _complete(order, actor)


def _complete(order: Order, actor: Actor) -> None:
    if order.asset_id is None:
        return
    asset = Asset.objects.select_for_update().filter(pk=order.asset_id).first()
    if asset is None:
        return
    if order.kind == OrderKind.PLACEMENT and asset.placed_on is None:
        placed = order.planned_date or timezone.localdate()
        customers.update_asset(asset, actor, placed_on=placed)
    elif order.kind == OrderKind.WITHDRAWAL:
        # The container left the site: it is no longer in the customer's stock. Its orders
        # keep their container type, waste type and location, so history and analytics stay.
        customers.remove_asset(asset, actor)


# --- e-mails --------------------------------------------------------------------------------


def portal_link(tenant: Tenant) -> str:
    return settings.BASE_URL + reverse("portal:locations", args=[tenant.slug])


def _language_of(user: PortalUser | None, tenant: Tenant) -> str:
    if user is not None and user.contact is not None and user.contact.language:
        return user.contact.language
    return tenant.default_language or "de"


def _order_context(order: Order, language: str) -> dict[str, str]:
    with translation.override(language):
        location = order.location
        return {
            "order_number": order.number,
            "order_kind": str(OrderKind(order.kind).label),
            "container": str(order.container_type) if order.container_type else "",
            "waste_type": str(order.waste_type) if order.waste_type else "",
            "location": str(location) if location else "",
            "wish_date": _format_day(order.wish_date) if order.wish_date else "—",
            "planned_date": _format_day(order.planned_date) if order.planned_date else "",
            "note": order.customer_note or "—",
            "link": portal_link(order.tenant),
        }


def _ordering_user(order: Order) -> PortalUser | None:
    if order.ordered_by_id is None:
        return None
    return (
        PortalUser.objects.select_related("account", "contact")
        .filter(account_id=order.ordered_by_id)
        .first()
    )


def _send_received(user: PortalUser, order: Order) -> None:
    tenant = user.tenant
    language = _language_of(user, tenant)
    send_templated(
        tenant,
        purpose="portal_order_received",
        channel=EMAIL,
        contact=user.contact,
        recipient=user.account.email,
        recipient_name=str(user.account),
        context=_order_context(order, language),
        related=order,
        dedupe_key=f"portal_order:{order.pk}:received",
        language=language,
    )
    dispatch = portal_settings(tenant).dispatch_email
    if dispatch:
        language = tenant.default_language or "de"
        send_templated(
            tenant,
            purpose="portal_order_received",
            channel=EMAIL,
            contact=None,
            recipient=dispatch,
            context=_order_context(order, language),
            related=order,
            dedupe_key=f"portal_order:{order.pk}:received:dispatch",
            language=language,
        )


def _send_planned(order: Order) -> None:
    user = _ordering_user(order)
    if user is None or not user.account.is_active:
        return
    language = _language_of(user, order.tenant)
    assert order.planned_date is not None
    send_templated(
        order.tenant,
        purpose="portal_order_planned",
        channel=EMAIL,
        contact=user.contact,
        recipient=user.account.email,
        recipient_name=str(user.account),
        context=_order_context(order, language),
        related=order,
        dedupe_key=f"portal_order:{order.pk}:planned:{order.planned_date.isoformat()}",
        language=language,
    )


# --- rent-free days -------------------------------------------------------------------------


def rent_free_until(asset: Asset, rent_free_days: int | None) -> datetime.date | None:
    """The last rent-free day of a placed container (None without rent-free days)."""
    if not rent_free_days or asset.placed_on is None:
        return None
    return asset.placed_on + datetime.timedelta(days=rent_free_days - 1)


def send_rent_free_reminders(today: datetime.date | None = None) -> int:
    """Queue the rent-free reminders due today for every tenant with the portal (each
    container and period once: the dedupe key names the container and its last free day)."""
    today = today or timezone.localdate()
    queued = 0
    for tenant in Tenant.objects.filter(portal_enabled=True):
        with tenant_scope(tenant):
            queued += _remind_tenant(tenant, today)
    return queued


def _remind_tenant(tenant: Tenant, today: datetime.date) -> int:
    found = PortalSettings.objects.filter(tenant=tenant).first()
    if found is None or not found.rent_free_days:
        return 0
    # Due: the last free day lies within the next `rent_reminder_days` days (not past). A
    # window, not one day, so a day the worker missed is made up; the dedupe key keeps it once.
    span = datetime.timedelta(days=found.rent_free_days - 1)
    latest_end = today + datetime.timedelta(days=found.rent_reminder_days)
    assets = Asset.objects.filter(
        tenant=tenant,
        placed_on__gte=today - span,
        placed_on__lte=latest_end - span,
        customer__portal__is_active=True,
        container_type__isnull=False,
    ).select_related("customer", "location", "container_type", "waste_type")
    admins = _admins_by_customer(tenant, {asset.customer_id for asset in assets})
    queued = 0
    for asset in assets:
        last_day = rent_free_until(asset, found.rent_free_days)
        assert last_day is not None
        for user in admins.get(asset.customer_id, ()):
            with transaction.atomic():
                queued += _send_rent_free(tenant, user, asset, last_day, today)
    return queued


def _admins_by_customer(tenant: Tenant, customer_ids: Iterable[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    rows = PortalUser.objects.filter(
        tenant=tenant,
        customer_id__in=list(customer_ids),
        role=PortalRole.ADMIN,
        account__is_active=True,
        registered_at__isnull=False,
    ).select_related("account", "contact")
    for user in rows:
        found.setdefault(user.customer_id, []).append(user)
    return found


def _send_rent_free(
    tenant: Tenant, user: PortalUser, asset: Asset, last_day: datetime.date, today: datetime.date
) -> int:
    if not access.assets_of(user).filter(id=asset.id).exists():
        return 0
    language = _language_of(user, tenant)
    with translation.override(language):
        context: Mapping[str, str] = {
            "container": asset.type_label,
            "waste_type": str(asset.waste_type) if asset.waste_type else "",
            "location": str(asset.location) if asset.location else "",
            "rent_free_until": _format_day(last_day),
            "days_left": str((last_day - today).days),
            "link": settings.BASE_URL
            + reverse("portal:container_order", args=[tenant.slug, asset.pk]),
        }
    send_templated(
        tenant,
        purpose="portal_rent_free_ending",
        channel=EMAIL,
        contact=user.contact,
        recipient=user.account.email,
        recipient_name=str(user.account),
        context=context,
        related=asset,
        dedupe_key=f"portal_rent_free:{asset.pk}:{last_day.isoformat()}",
        language=language,
    )
    return 1


__all__ = [
    "NewLocation",
    "ShopError",
    "allowed_kinds",
    "check_date",
    "confirm_location",
    "container_types_for",
    "earliest_date",
    "order_on_container",
    "place_container_order",
    "prices_visible",
    "send_rent_free_reminders",
    "waste_types",
]
