"""The back office's data of an estimate: create or update the live version, revoke it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from theke.accounts.models import User
from theke.audit.services import Actor, record
from theke.customers import links as customer_links
from theke.customers.models import Article
from theke.estimates.models import (
    LINK_KIND,
    Estimate,
    EstimatePhoto,
    EstimatePosition,
    EstimateStatus,
)
from theke.estimates.services.amounts import (
    HUNDRED,
    Totals,
    compute_totals,
    position_amounts,
)
from theke.estimates.services.common import (
    EstimateError,
    full_clean,
    lock_live,
    plain,
    refuse_final,
)
from theke.estimates.services.numbers import next_estimate_number
from theke.orders.models import Order
from theke.tenants.models import Tenant

MAX_AMOUNT = Decimal("9999999999.99")

ESTIMATE_FIELDS = frozenset(
    {
        "number",
        "customer",
        "contact",
        "vehicle",
        "order_external_id",
        "object_description",
        "defect_description",
        "technician_name",
        "technician_email",
        "currency",
        "valid_until",
        "terms",
        "notes",
    }
)

POSITION_FIELDS = frozenset(
    {
        "article",
        "text",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "vat_rate",
        "is_optional",
    }
)

FOREIGN_KEYS = frozenset({"customer", "contact", "vehicle"})

TEXT_FIELDS = frozenset(ESTIMATE_FIELDS - FOREIGN_KEYS - {"valid_until"})

CURRENCIES = frozenset({"EUR"})


def _resolve_order(estimate: Estimate) -> None:
    """Link the order named by `order_external_id` once it is known; it must be the
    estimate's customer's. An order that has not arrived yet is no error."""
    order = None
    if estimate.order_external_id:
        order = Order.objects.filter(external_id=estimate.order_external_id).order_by("pk").first()
    if order is not None and order.customer_id != estimate.customer_id:
        raise EstimateError(
            _("Der Auftrag %(order)s gehört zu einem anderen Kunden.")
            % {"order": order.number or estimate.order_external_id},
            "order_external_id",
            "foreign",
        )
    estimate.order = order


def _check_fields(values: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _assign(obj: models.Model, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the values on obj; return {field: [old, new]} for those that really changed."""
    changes: dict[str, list[Any]] = {}
    for key, new in values.items():
        if key in FOREIGN_KEYS:
            if getattr(obj, f"{key}_id") != (new.pk if new is not None else None):
                changes[key] = [plain(getattr(obj, key)), plain(new)]
                setattr(obj, key, new)
            continue
        old = getattr(obj, key)
        if plain(old) != plain(new):
            changes[key] = [plain(old), plain(new)]
            setattr(obj, key, new)
    return changes


def _technician_user(tenant: Tenant, email: str) -> User | None:
    """The tenant's active staff user with this e-mail address, if there is one."""
    if not email:
        return None
    return (
        User.objects.filter(
            email__iexact=email,
            is_active=True,
            memberships__tenant=tenant,
            memberships__is_active=True,
        )
        .order_by("pk")
        .first()
    )


def _clean_values(tenant: Tenant, values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in TEXT_FIELDS:
            clean[key] = "" if value is None else str(value).strip()
        else:
            clean[key] = value
    for key in FOREIGN_KEYS:
        obj = clean.get(key)
        if obj is not None and obj.tenant_id != tenant.pk:
            raise EstimateError(_("Unbekannter Verweis."), key, "unknown")
    email = clean.get("technician_email")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise EstimateError(
                _("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": email},
                "technician_email",
                "invalid_email",
            ) from exc
        clean["technician_email"] = email.lower()
    if "currency" in clean:
        clean["currency"] = clean["currency"].upper()
        if clean["currency"] not in CURRENCIES:
            raise EstimateError(
                _("Kostenvoranschläge werden in Euro (EUR) erstellt."), "currency", "currency"
            )
    return clean


def _decimal(value: Any, path: str, places: int) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise EstimateError(_("Bitte geben Sie eine Zahl an."), path, "invalid_number")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise EstimateError(
            _("Höchstens %(places)s Nachkommastellen.") % {"places": places}, path, "decimals"
        )
    return number


def _percent(value: Any, path: str) -> Decimal:
    number = _decimal(value, path, 2)
    if not Decimal("0") <= number <= HUNDRED:
        raise EstimateError(_("Bitte geben Sie 0 bis 100 Prozent an."), path, "out_of_range")
    return number


def _clean_position(index: int, values: Mapping[str, Any]) -> EstimatePosition:
    """One position from the sent values; an article fills what was left out."""
    _check_fields(values, POSITION_FIELDS)
    prefix = f"positions.{index}"
    article: Article | None = values.get("article")

    def given(name: str, fallback: Any) -> Any:
        value = values.get(name)
        return fallback if value is None else value

    text = str(given("text", article.text if article else "")).strip()
    if not text:
        raise EstimateError(
            _("Bitte geben Sie einen Text oder einen Artikel an."), f"{prefix}.text", "required"
        )
    quantity = _decimal(given("quantity", None), f"{prefix}.quantity", 3)
    if quantity <= 0:
        raise EstimateError(
            _("Die Menge muss größer als 0 sein."), f"{prefix}.quantity", "not_positive"
        )
    unit_price = given("unit_price", article.price if article else None)
    if unit_price is None:
        raise EstimateError(
            _("Bitte geben Sie einen Einzelpreis an."), f"{prefix}.unit_price", "required"
        )
    unit_price = _decimal(unit_price, f"{prefix}.unit_price", 4)
    vat_rate = _percent(
        given("vat_rate", article.vat_rate if article else None), f"{prefix}.vat_rate"
    )
    discount = _percent(given("discount_percent", Decimal("0")), f"{prefix}.discount_percent")
    net, vat, gross = position_amounts(quantity, unit_price, discount, vat_rate)
    if max(abs(net), abs(gross)) > MAX_AMOUNT:
        raise EstimateError(_("Der Betrag ist zu groß."), f"{prefix}.quantity", "too_large")
    position = EstimatePosition(
        position=index + 1,
        article=article,
        text=text,
        quantity=quantity,
        unit=str(given("unit", article.unit if article else "")).strip(),
        unit_price=unit_price,
        discount_percent=discount,
        vat_rate=vat_rate,
        is_optional=bool(values.get("is_optional", False)),
        net_amount=net,
        vat_amount=vat,
        gross_amount=gross,
    )
    _full_clean_position(position, prefix)
    return position


def draft_totals(positions: Sequence[Mapping[str, Any]]) -> Totals:
    """The totals the positions would have once saved (the editor's running total): the same
    rounding as `save_estimate`; rows it would refuse (no price yet, a typo) count nothing."""
    cleaned = []
    for index, values in enumerate(positions):
        try:
            cleaned.append(_clean_position(index, values))
        except EstimateError:
            continue
    return compute_totals(cleaned)


def _full_clean_position(position: EstimatePosition, prefix: str) -> None:
    try:
        position.clean_fields(exclude=["tenant", "estimate"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise EstimateError(messages[0], f"{prefix}.{field}", "invalid") from exc


def _position_key(position: EstimatePosition) -> tuple[Any, ...]:
    return (
        position.article_id,
        position.text,
        position.quantity.normalize(),
        position.unit,
        position.unit_price.normalize(),
        position.discount_percent.normalize(),
        position.vat_rate.normalize(),
        position.is_optional,
    )


def _positions_differ(estimate: Estimate, positions: list[EstimatePosition]) -> bool:
    stored = estimate.positions.order_by("position")
    return [_position_key(p) for p in stored] != [_position_key(p) for p in positions]


def _replace_positions(estimate: Estimate, positions: list[EstimatePosition]) -> bool:
    """Store `positions` as the complete list; False when they equal the stored ones."""
    if not _positions_differ(estimate, positions):
        return False
    estimate.positions.all().delete()
    for position in positions:
        position.tenant_id = estimate.tenant_id
        position.estimate = estimate
    EstimatePosition.objects.bulk_create(positions)
    return True


# A change of an estimate the customer has been sent (and not answered) makes a new version;
# so does a change of an expired one (e.g. a new validity date), which is sent again.
REVISED_STATUSES = frozenset({EstimateStatus.SENT, EstimateStatus.VIEWED, EstimateStatus.EXPIRED})

# What a new version copies of the old one's positions and photos (a photo's files are shared).
POSITION_COPY = (
    *("position", "article_id", "text", "quantity", "unit", "unit_price"),
    *("discount_percent", "vat_rate", "is_optional", "net_amount", "vat_amount", "gross_amount"),
)
PHOTO_COPY = (
    *("external_id", "file", "preview", "thumbnail", "content_type", "size"),
    *("width", "height", "thumbnail_width", "thumbnail_height", "caption", "position"),
)


def new_version(estimate: Estimate) -> int:
    """Turn the changed (unsaved) `estimate` into the next version, status sent; the stored
    row becomes superseded and keeps its data. Photos are shared with the new version.
    Returns the superseded version's number."""
    old_pk, old_version = estimate.pk, estimate.version
    Estimate.objects.filter(pk=old_pk).update(
        status=EstimateStatus.SUPERSEDED, updated_at=timezone.now()
    )
    estimate.pk = None
    estimate._state.adding = True
    estimate.version = old_version + 1
    estimate.status = EstimateStatus.SENT
    estimate.first_viewed_at = estimate.last_viewed_at = None
    estimate.data_received_at = timezone.now()
    estimate.save()

    def copied(row: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
        values = {field: getattr(row, field) for field in fields}
        return {"tenant_id": estimate.tenant_id, "estimate": estimate, **values}

    EstimatePosition.objects.bulk_create(
        EstimatePosition(**copied(row, POSITION_COPY))
        for row in EstimatePosition.objects.filter(estimate_id=old_pk)
    )
    EstimatePhoto.objects.bulk_create(
        EstimatePhoto(**copied(row, PHOTO_COPY))
        for row in EstimatePhoto.objects.filter(estimate_id=old_pk)
    )
    return old_version


def _store_totals(estimate: Estimate) -> dict[str, list[str]]:
    totals = compute_totals(estimate.positions.all())
    changes = {}
    for field, value in (
        ("net_total", totals.net),
        ("vat_total", totals.vat),
        ("gross_total", totals.gross),
    ):
        old = getattr(estimate, field)
        if old != value:
            changes[field] = [str(old), str(value)]
            setattr(estimate, field, value)
    return changes


@transaction.atomic
def save_estimate(
    tenant: Tenant,
    actor: Actor,
    external_id: str,
    values: Mapping[str, Any],
    positions: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[Estimate, bool]:
    """Create or update the live version of an estimate with the back office's data.

    `positions`, when given, is the complete list and replaces the stored positions; left
    out (None), they stay. The first call marks the data as arrived (a placeholder made by a
    link turns into the estimate). A change of a sent or viewed estimate makes a new
    version (see `new_version`); a draft changes in place. Returns the estimate (the live
    version) and whether its row was created.
    """
    _check_fields(values, ESTIMATE_FIELDS)
    values = _clean_values(tenant, values)
    new_positions = (
        None if positions is None else [_clean_position(i, p) for i, p in enumerate(positions)]
    )
    estimate = lock_live(external_id)
    created = estimate is None
    if estimate is None:
        estimate = Estimate(tenant=tenant, external_id=external_id)
    else:
        refuse_final(estimate)
    changes = _assign(estimate, values)
    if created and estimate.entered_by_staff and not estimate.number:
        estimate.number = next_estimate_number(tenant)
    if estimate.customer is None:
        raise EstimateError(_("Bitte geben Sie den Kunden an."), "customer", "required")
    if estimate.contact is not None and estimate.contact.customer_id != estimate.customer_id:
        if "contact" in values:
            raise EstimateError(
                _("Dieser Ansprechpartner gehört nicht zum Kunden."), "contact", "foreign"
            )
        changes["contact"] = [plain(estimate.contact), None]
        estimate.contact = None
    links_before = (estimate.technician_user_id, estimate.order_id)
    if "technician_email" in changes or (
        estimate.technician_email and estimate.technician_user_id is None
    ):
        estimate.technician_user = _technician_user(tenant, estimate.technician_email)
    _resolve_order(estimate)
    first_data = not estimate.has_data
    if first_data:
        estimate.has_data = True
        estimate.data_received_at = timezone.now()
    full_clean(estimate)
    previous_version = None
    if (
        not first_data
        and estimate.status in REVISED_STATUSES
        and (changes or (new_positions is not None and _positions_differ(estimate, new_positions)))
    ):
        previous_version = new_version(estimate)
    elif (
        created
        or first_data
        or changes
        or links_before
        != (
            estimate.technician_user_id,
            estimate.order_id,
        )
    ):
        try:
            with transaction.atomic():
                estimate.save()
        except IntegrityError:
            if not created:
                raise
            # Another request created this estimate a moment ago: update theirs instead.
            return save_estimate(tenant, actor, external_id, values, positions)
    replaced = False
    if new_positions is not None:
        replaced = _replace_positions(estimate, new_positions)
    totals = _store_totals(estimate)
    if totals or replaced:
        estimate.save(update_fields=["net_total", "vat_total", "gross_total", "updated_at"])
    data: dict[str, Any] = {"version": estimate.version}
    if replaced:
        data["positions"] = len(new_positions or [])
    if totals:
        data["totals"] = totals
    if previous_version is not None:
        data["previous_version"] = previous_version
        data["changes"] = changes
        record(tenant, actor, "estimate.new_version", estimate, data)
    elif created or first_data:
        data["values"] = {k: plain(v) for k, v in values.items() if v not in (None, "")}
        if estimate.number:  # Theke's own number, given above
            data["values"].setdefault("number", estimate.number)
        record(tenant, actor, "estimate.data_received", estimate, data)
    elif changes or replaced:
        data["changes"] = changes
        record(tenant, actor, "estimate.updated", estimate, data)
    return estimate, created


def create_placeholder(tenant: Tenant, actor: Actor, external_id: str) -> Estimate:
    """The estimate a link points at before its data have arrived."""
    estimate = Estimate(tenant=tenant, external_id=external_id)
    full_clean(estimate)
    try:
        with transaction.atomic():
            estimate.save()
    except IntegrityError:
        found = lock_live(external_id)
        if found is None:
            raise
        return found
    record(tenant, actor, "estimate.placeholder_created", estimate, {})
    return estimate


@transaction.atomic
def revoke_estimate(estimate: Estimate, actor: Actor) -> bool:
    """Withdraw an estimate: its links stop working; nothing is deleted.

    False when it was revoked already. An answered estimate cannot be revoked.
    """
    locked = (
        Estimate.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=estimate.pk)
    )
    if locked.status == EstimateStatus.REVOKED:
        return False
    refuse_final(locked)
    now = timezone.now()
    old_status = locked.status
    locked.status = EstimateStatus.REVOKED
    locked.revoked_at = now
    locked.save(update_fields=["status", "revoked_at", "updated_at"])
    links = customer_links.revoke_links(locked.tenant, LINK_KIND, locked.external_id, now)
    record(
        locked.tenant,
        actor,
        "estimate.revoked",
        locked,
        {"changes": {"status": [old_status, locked.status]}, "links": links},
    )
    return True
