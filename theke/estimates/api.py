"""API of online estimates (see theke.api.resources for the shared conventions).

* `PUT /estimates/{external_id}` creates or updates the live version of an estimate. Its
  first PUT carries `customer_external_id`; `positions`, when sent, is the complete list and
  replaces the stored positions (left out: they stay). Amounts and totals are computed by
  Theke (per position rounded half up to the cent; totals are the sums of the positions).
  Changing an estimate the customer has been sent (sent or viewed) makes a new version
  (`version` + 1, status sent; the old one is kept as superseded, links show the new one);
  a draft changes in place; an unchanged PUT changes nothing. An answered or revoked
  estimate refuses changes with 409.
* `POST /estimates/{external_id}/link` returns a new customer link `{"url", "expires_at"}`
  (201), also before the estimate's data have arrived (the page then says the estimate
  follows shortly). With `send`, Theke sends the link by e-mail and/or SMS with the
  tenant's texts; that needs the estimate's data, and SMS the contact's consent (else 422).
  Earlier links stay valid unless `revoke_previous`; `DELETE .../link` revokes them all.
* An estimate is never deleted: `DELETE /estimates/{external_id}` *revokes* it (its links
  stop working, the customer page says so) and answers `{"result": "revoked"}`.
* Photos: `POST /estimates/{external_id}/photos` (multipart: `file`, optional `caption` and
  `external_id` — sending the same `external_id` again replaces that photo), JPEG, PNG or
  WebP checked by content, at most THEKE_API_MAX_UPLOAD_BYTES (413).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view
from pydantic import Field

from theke.api.errors import FieldError, Problem, problem, problem_response
from theke.api.idempotency import idempotent
from theke.api.resources import (
    ExternalId,
    StrictIn,
    add_bulk_endpoint,
    add_upsert_and_read,
    api_scope,
    find,
    not_found,
    service_problem,
    unknown_reference,
)
from theke.api.types import Date, IntegerRange, Percent, Quantity, Required, SingleLine, UnitPrice
from theke.api.uploads import MULTIPART_OVERHEAD, too_large
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.customers.models import Article, Contact, Customer, Vehicle
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateDecision, EstimateLink, EstimatePhoto
from theke.estimates.services.decision import event_payload
from theke.tenants.models import Tenant

router = Router(tags=["estimates"])

MAX_POSITIONS = 500


# --- schemas --------------------------------------------------------------------------------


class TechnicianIn(StrictIn):
    name: Annotated[str, SingleLine(200)] = ""
    email: str = Field("", max_length=254, description="Matched to a staff user of the tenant.")


class PositionIn(StrictIn):
    article_external_id: str | None = Field(
        None,
        max_length=100,
        description="An article of the article master; fills text, unit, price and VAT rate "
        "that are left out.",
    )
    text: Annotated[str, Required(500)] | None = Field(
        None, description="Left out or null: the article's text. Sent: not empty."
    )
    quantity: Annotated[Decimal, Quantity]
    unit: str | None = Field(None, max_length=20)
    unit_price: Annotated[Decimal, UnitPrice] | None = Field(
        None, description='Net unit price, "49.90".'
    )
    discount_percent: Annotated[Decimal, Percent] = Decimal("0")
    vat_rate: Annotated[Decimal, Percent] | None = Field(None, description='"19.00"')
    optional: bool = Field(False, description="The customer may leave this position out.")


class EstimateIn(StrictIn):
    customer_external_id: str | None = Field(
        None, min_length=1, max_length=100, description="Required on the first PUT."
    )
    contact_external_id: str | None = Field(
        None, max_length=100, description="The customer's contact the estimate is addressed to."
    )
    vehicle_external_id: str | None = Field(None, max_length=100)
    order_external_id: str = Field("", max_length=100)
    number: str = Field("", max_length=40)
    object_description: str = Field(
        "", max_length=300, description='What is repaired, e.g. "Smartphone XY".'
    )
    defect_description: str = Field("", max_length=5000)
    technician: TechnicianIn | None = None
    currency: Literal["EUR"] = "EUR"
    valid_until: Date | None = None
    terms: str = Field("", max_length=10000)
    notes: str = Field("", max_length=5000)
    positions: list[PositionIn] | None = Field(
        None,
        max_length=MAX_POSITIONS,
        description="The complete list of positions; left out: the positions stay unchanged.",
    )


class EstimateBulkItem(EstimateIn):
    external_id: str = ExternalId


class LinkSendIn(StrictIn):
    channels: list[Literal["email", "sms"]] = Field(min_length=1, max_length=2)
    contact_external_id: str | None = Field(
        None,
        max_length=100,
        description="Left out: the estimate's contact, else the customer's primary contact.",
    )


class LinkIn(StrictIn):
    expires_in_days: Annotated[int, IntegerRange(1, 365)] | None = Field(
        None, description="Left out: the tenant's setting (default 30 days)."
    )
    revoke_previous: bool = Field(False, description="Make earlier links stop working.")
    send: LinkSendIn | None = Field(
        None, description="Send the link with the tenant's texts (needs the estimate's data)."
    )


class TechnicianOut(Schema):
    name: str
    email: str
    is_staff_user: bool


class PositionOut(Schema):
    position: int
    article_external_id: str | None
    text: str
    quantity: str
    unit: str
    unit_price: str
    discount_percent: str
    vat_rate: str
    optional: bool
    net: str
    vat: str
    gross: str


class RateTotalOut(Schema):
    vat_rate: str
    net: str
    vat: str
    gross: str


class TotalsOut(Schema):
    net: str
    vat: str
    gross: str
    by_vat_rate: list[RateTotalOut]


class PhotoOut(Schema):
    external_id: str
    content_type: str
    size: int
    width: int
    height: int
    caption: str
    position: int
    created_at: datetime


class DecisionFeeOut(Schema):
    article_number: str | None
    text: str
    net: str
    vat: str
    gross: str


class ReturnAddressOut(Schema):
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    corrected: bool


class DecisionTotalsOut(Schema):
    net: str
    vat: str
    gross: str


class DecisionOut(Schema):
    """The customer's answer to this version (the same as the estimate.accepted/declined event)."""

    answer: Literal["accepted", "declined"]
    choice: Literal["return_shipping", "disposal", "pickup_unrepaired", "scrapping"] | None = Field(
        description="What the declining customer chose: a device is sent back (return_shipping) "
        "or disposed of (disposal); a vehicle is picked up unrepaired (pickup_unrepaired) or "
        "disposed of and scrapped (scrapping). Null for an accepted estimate."
    )
    version: int
    selected_positions: list[int] = Field(
        description="Position numbers the answer covers (an accepted estimate without the "
        "optional positions the customer left out)."
    )
    totals: DecisionTotalsOut
    fee: DecisionFeeOut | None
    return_address: ReturnAddressOut | None
    name: str
    decided_at: datetime
    terms_version: int | None = Field(
        description="The version of the tenant's terms the customer confirmed (null: Theke's "
        "default text, the tenant had published none)."
    )
    privacy_version: int | None = Field(
        description="The version of the privacy policy shown (null: the default text)."
    )
    consented_at: datetime | None = Field(
        description="When the customer confirmed the terms (null for answers given before "
        "versions were recorded)."
    )


class EstimateOut(Schema):
    external_id: str
    version: int
    status: str
    has_data: bool
    number: str
    customer_external_id: str | None
    contact_external_id: str | None
    vehicle_external_id: str | None
    order_external_id: str
    object_description: str
    defect_description: str
    technician: TechnicianOut | None
    currency: str
    valid_until: date | None
    terms: str
    notes: str
    positions: list[PositionOut]
    totals: TotalsOut
    photos: list[PhotoOut]
    sent_at: datetime | None
    first_viewed_at: datetime | None
    last_viewed_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    decision: DecisionOut | None


class MessageOut(Schema):
    channel: str
    recipient: str


class LinkOut(Schema):
    url: str
    expires_at: datetime
    has_data: bool
    sent: list[MessageOut]


class RevokedLinksOut(Schema):
    external_id: str
    revoked_links: int


class EstimateDeleteOut(Schema):
    external_id: str
    result: Literal["revoked"]


class PhotoDeleteOut(Schema):
    external_id: str
    result: Literal["deleted"]


# --- output ---------------------------------------------------------------------------------


def _ref(obj: Any) -> str | None:
    return obj.external_id or None if obj is not None else None


def _price(value: Decimal) -> str:
    """A unit price with two decimals, or more where it has them ("0.3333")."""
    cents = value.quantize(Decimal("0.01"))
    return str(cents if cents == value else value.normalize())


def _position_out(position: Any) -> dict[str, Any]:
    return {
        "position": position.position,
        "article_external_id": _ref(position.article),
        "text": position.text,
        "quantity": str(position.quantity.normalize()),
        "unit": position.unit,
        "unit_price": _price(position.unit_price),
        "discount_percent": str(position.discount_percent),
        "vat_rate": str(position.vat_rate),
        "optional": position.is_optional,
        "net": str(position.net_amount),
        "vat": str(position.vat_amount),
        "gross": str(position.gross_amount),
    }


def _photo_out(photo: EstimatePhoto) -> dict[str, Any]:
    fields = ("external_id", "content_type", "size", "width", "height", "caption", "position")
    data = {name: getattr(photo, name) for name in fields}
    data["created_at"] = photo.created_at
    return data


def _estimate_out(estimate: Estimate) -> dict[str, Any]:
    positions = list(estimate.positions.select_related("article"))
    totals = services.compute_totals(positions)
    fields = [
        "external_id",
        "version",
        "status",
        "has_data",
        "number",
        "order_external_id",
        "object_description",
        "defect_description",
        "currency",
        "valid_until",
        "terms",
        "notes",
        "sent_at",
        "first_viewed_at",
        "last_viewed_at",
        "revoked_at",
        "created_at",
        "updated_at",
    ]
    data = {name: getattr(estimate, name) for name in fields}
    data["customer_external_id"] = _ref(estimate.customer)
    data["contact_external_id"] = _ref(estimate.contact)
    data["vehicle_external_id"] = _ref(estimate.vehicle)
    technician = None
    if estimate.technician_name or estimate.technician_email:
        technician = {
            "name": estimate.technician_name,
            "email": estimate.technician_email,
            "is_staff_user": estimate.technician_user_id is not None,
        }
    data["technician"] = technician
    data["positions"] = [_position_out(p) for p in positions]
    data["totals"] = {
        "net": str(totals.net),
        "vat": str(totals.vat),
        "gross": str(totals.gross),
        "by_vat_rate": [
            {
                "vat_rate": str(r.vat_rate),
                "net": str(r.net),
                "vat": str(r.vat),
                "gross": str(r.gross),
            }
            for r in totals.by_rate
        ],
    }
    data["photos"] = [_photo_out(p) for p in estimate.photos.all()]
    decision = EstimateDecision.objects.filter(estimate=estimate).first()
    data["decision"] = event_payload(estimate, decision) if decision is not None else None
    return data


# --- helpers --------------------------------------------------------------------------------


def _live(external_id: str) -> Estimate:
    estimate = services.live_estimate(external_id)
    if estimate is None:
        raise not_found("estimate", external_id)
    return estimate


# Service field names -> the path the client sent (besides theke.api.resources.API_FIELD).
API_PATHS = {
    "contact": "contact_external_id",
    "technician_name": "technician.name",
    "technician_email": "technician.email",
}


def _conflict_or_invalid(exc: ServiceError, prefix: str = "") -> Problem:
    """An answered or revoked estimate is a conflict (409); anything else a 422."""
    if exc.code in {"answered", "revoked"}:
        return Problem(409, "Conflict", exc.messages[0])
    exc.field = API_PATHS.get(exc.field or "", exc.field)
    return service_problem(exc, prefix)


def _values(data: EstimateIn) -> dict[str, Any]:
    """The sent fields as service values, references resolved (unknown ones: 422)."""
    sent = data.model_fields_set
    plain = ["order_external_id", "number", "object_description", "defect_description"]
    plain += ["currency", "valid_until", "terms", "notes"]
    values: dict[str, Any] = {name: getattr(data, name) for name in plain if name in sent}
    customer = None
    if data.customer_external_id:
        customer = find(Customer.objects.all(), data.customer_external_id)
        if customer is None:
            raise unknown_reference("customer", "customer_external_id", data.customer_external_id)
        values["customer"] = customer
    if "contact_external_id" in sent:
        contact = None
        if data.contact_external_id:
            contacts = Contact.objects.filter(external_id=data.contact_external_id)
            if customer is not None:
                contacts = contacts.filter(customer=customer)
            contact = contacts.order_by("pk").first()
            if contact is None:
                raise unknown_reference(
                    "contact of this customer", "contact_external_id", data.contact_external_id
                )
        values["contact"] = contact
    if "vehicle_external_id" in sent:
        vehicle = None
        if data.vehicle_external_id:
            vehicle = find(Vehicle.objects.all(), data.vehicle_external_id)
            if vehicle is None:
                raise unknown_reference("vehicle", "vehicle_external_id", data.vehicle_external_id)
        values["vehicle"] = vehicle
    if "technician" in sent:
        technician = data.technician
        values["technician_name"] = technician.name if technician else ""
        values["technician_email"] = technician.email if technician else ""
    return values


def _positions(data: EstimateIn) -> list[dict[str, Any]] | None:
    if data.positions is None:
        return None
    articles: dict[str, Article] = {}
    wanted = {p.article_external_id for p in data.positions if p.article_external_id}
    if wanted:
        for found in Article.objects.filter(external_id__in=wanted).order_by("pk"):
            articles.setdefault(found.external_id, found)
    positions = []
    for index, position in enumerate(data.positions):
        article: Article | None = None
        if position.article_external_id:
            article = articles.get(position.article_external_id)
            if article is None:
                raise unknown_reference(
                    "article",
                    f"positions.{index}.article_external_id",
                    position.article_external_id,
                )
        positions.append(
            {
                "article": article,
                "text": position.text,
                "quantity": position.quantity,
                "unit": position.unit,
                "unit_price": position.unit_price,
                "discount_percent": position.discount_percent,
                "vat_rate": position.vat_rate,
                "is_optional": position.optional,
            }
        )
    return positions


@transaction.atomic
def _upsert_estimate(
    tenant: Tenant, actor: Actor, external_id: str, data: EstimateIn
) -> tuple[Estimate, bool]:
    values = _values(data)
    positions = _positions(data)
    try:
        return services.save_estimate(tenant, actor, external_id, values, positions)
    except ServiceError as exc:
        raise _conflict_or_invalid(exc) from exc


def upload_guard(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Refuse what is no multipart upload (415) or far too large (413) before anything reads
    the body, and answer a broken multipart body with 400 instead of an error."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request, "api_key", None) is None:
            return run(request, *args, **kwargs)  # ninja answers 401
        if request.content_type != "multipart/form-data":
            return problem_response(
                problem(415, "Send the photo as multipart/form-data with the field 'file'.")
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            return problem_response(_too_large())
        try:
            request.FILES  # noqa: B018  # parse now, so a broken body is answered here
        except RequestDataTooBig:
            return problem_response(_too_large())
        except (MultiPartParserError, SuspiciousOperation):
            return problem_response(problem(400, "The multipart body could not be read."))
        return run(request, *args, **kwargs)

    return wrapped


upload_guard_view = decorate_view(upload_guard)


def _too_large() -> Problem:
    return too_large(settings.API_MAX_UPLOAD_BYTES)


# --- estimates ------------------------------------------------------------------------------

add_bulk_endpoint(router, "estimates", EstimateBulkItem, _upsert_estimate)


add_upsert_and_read(
    router,
    "estimates",
    singular="estimate",
    in_schema=EstimateIn,
    out_schema=EstimateOut,
    upsert=_upsert_estimate,
    read=_live,
    out=_estimate_out,
    put_summary="Create or update an estimate with its positions and technician",
    get_summary="Read an estimate (its live version) with positions, totals and photos",
)


@router.delete(
    "/estimates/{external_id}",
    response=EstimateDeleteOut,
    operation_id="revoke_estimate",
    summary="Revoke an estimate (estimates are never deleted; its links stop working)",
)
def revoke_estimate(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        estimate = _live(external_id)
        try:
            services.revoke_estimate(estimate, actor)
        except ServiceError as exc:
            raise _conflict_or_invalid(exc) from exc
        return {"external_id": external_id, "result": "revoked"}


# --- links ----------------------------------------------------------------------------------


@router.post(
    "/estimates/{external_id}/link",
    response={201: LinkOut},
    operation_id="create_estimate_link",
    summary="Create the customer's link (also before the data), optionally send it",
)
@idempotent
def create_link(request: Any, external_id: str, data: LinkIn | None = None) -> Status:
    data = data or LinkIn.model_validate({})
    with api_scope(request) as (tenant, actor), transaction.atomic():
        try:
            link, token = services.create_link(
                tenant,
                actor,
                external_id,
                days=data.expires_in_days,
                revoke_previous=data.revoke_previous,
            )
        except ServiceError as exc:
            raise _conflict_or_invalid(exc) from exc
        sent = []
        if data.send is not None:
            sent = _send(link, token, actor, data.send)
        return Status(
            201,
            {
                "url": services.link_url(token),
                "expires_at": link.expires_at,
                "has_data": link.estimate.has_data,
                "sent": [{"channel": m.channel, "recipient": m.recipient} for m in sent],
            },
        )


def _send(link: EstimateLink, token: str, actor: Actor, send: LinkSendIn) -> list[Any]:
    contact = None
    if send.contact_external_id:
        contact = (
            Contact.objects.filter(
                external_id=send.contact_external_id, customer=link.estimate.customer
            )
            .order_by("pk")
            .first()
        )
        if contact is None:
            raise unknown_reference(
                "contact of the estimate's customer",
                "send.contact_external_id",
                send.contact_external_id,
            )
    try:
        return services.send_link(link, token, actor, send.channels, contact)
    except ServiceError as exc:
        if exc.code == "no_data":
            raise Problem(
                422,
                "Unprocessable Content",
                exc.messages[0],
                errors=[FieldError("send", exc.messages[0], "no_data")],
            ) from exc
        field = "send.contact_external_id" if exc.field == "contact" else f"send.{exc.field}"
        raise Problem(
            422,
            "Unprocessable Content",
            exc.messages[0],
            errors=[FieldError(field, exc.messages[0], exc.code or "invalid")],
        ) from exc


@router.delete(
    "/estimates/{external_id}/link",
    response=RevokedLinksOut,
    operation_id="revoke_estimate_links",
    summary="Revoke every link to an estimate (a new one can be created afterwards)",
)
def revoke_links(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        count = services.revoke_links(_live(external_id), actor)
        return {"external_id": external_id, "revoked_links": count}


# --- photos ---------------------------------------------------------------------------------


@router.post(
    "/estimates/{external_id}/photos",
    response={200: PhotoOut, 201: PhotoOut},
    operation_id="upload_estimate_photo",
    summary="Upload a defect photo (JPEG, PNG, WebP or HEIC); the same external_id replaces it",
    description=(
        "The type is decided by the content. At most THEKE_IMAGE_MAX_PIXELS pixels (40 "
        "megapixels unless configured), checked from the header before decoding; more is "
        "refused with 422 (code `too_many_pixels`), an unreadable image with 422 (code "
        "`unreadable`). Theke stores the photo as a JPEG of at most 2560 px, turned upright "
        "and without metadata (no EXIF, no GPS position); `content_type` and `size` describe "
        "the upload as sent, `width` and `height` the preview (at most 1600 px)."
    ),
)
@upload_guard_view
@idempotent
def upload_photo(
    request: Any,
    external_id: str,
    file: File[UploadedFile],
    caption: Form[str] = "",
    photo_external_id: str = Form("", alias="external_id", max_length=100),
) -> Status:
    with api_scope(request) as (_tenant, actor):
        estimate = _live(external_id)
        if file.size is not None and file.size > settings.API_MAX_UPLOAD_BYTES:
            raise _too_large()
        try:
            photo, added = services.add_photo(
                estimate,
                actor,
                data=file.read(),
                caption=caption,
                external_id=photo_external_id,
            )
        except ServiceError as exc:
            if exc.code == "too_large":
                raise _too_large() from exc
            raise _conflict_or_invalid(exc) from exc
        return Status(201 if added else 200, _photo_out(photo))


@router.get(
    "/estimates/{external_id}/photos",
    response=list[PhotoOut],
    operation_id="list_estimate_photos",
    summary="List the photos of an estimate in their order",
)
def list_photos(request: Any, external_id: str) -> Any:
    with api_scope(request):
        return [_photo_out(p) for p in _live(external_id).photos.all()]


@router.delete(
    "/estimates/{external_id}/photos/{photo_external_id}",
    response=PhotoDeleteOut,
    operation_id="delete_estimate_photo",
    summary="Delete a photo of an estimate",
)
def delete_photo(request: Any, external_id: str, photo_external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        estimate = _live(external_id)
        photo = EstimatePhoto.objects.filter(
            estimate=estimate, external_id=photo_external_id
        ).first()
        if photo is None:
            raise not_found("photo", photo_external_id)
        try:
            services.remove_photo(photo, actor)
        except ServiceError as exc:
            raise _conflict_or_invalid(exc) from exc
        return {"external_id": photo_external_id, "result": "deleted"}
