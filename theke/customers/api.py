"""API of the customer master: upsert by the back office's own id (external_id).

Conventions of every resource here:

* `PUT /<resource>/{external_id}` creates (201) or updates (200). Fields left out of the
  body keep their stored value; unknown fields are refused (422).
* Customers carry their contacts. When `contacts` is sent, it is the complete list:
  contacts are matched by their own `external_id` and updated in place, stored contacts
  missing from the list are removed, and contacts without `external_id` are replaced on
  every upsert. When `contacts` is left out, the stored contacts stay untouched.
* Locations, vehicles and assets name their customer by `customer_external_id`;
  a location or asset cannot move to another customer (422), a vehicle can (keeper change).
* The container catalog: `waste-types` (with an AVV `code`) and `container-types`, which
  name the waste types they may be used for by `waste_type_external_ids` (the complete list)
  and the order kinds they allow. Catalog rows are not deleted but deactivated
  (`is_active: false`); `GET /waste-types` and `GET /container-types` list them. An asset
  (a placed container) names its `container_type_external_id`, `waste_type_external_id`
  and `placed_on`; `kind` is needed only for an asset without a container type.
* `DELETE` answers `{"external_id", "result"}`: "deleted", "detached" (a vehicle still
  referenced elsewhere loses its keeper) or "deactivated" (a referenced article).
  A customer that still has vehicles is refused with 409.
* The shared conventions (PUT/GET, bulk, errors) are in theke.api.resources.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Router, Schema
from phonenumber_field.phonenumber import PhoneNumber
from pydantic import Field

from theke.api.errors import Problem
from theke.api.resources import (
    API_FIELD,
    DeleteOut,
    ExternalId,
    StrictIn,
    add_bulk_endpoint,
    add_upsert_and_read,
    api_scope,
    find,
    not_found,
    service_problem,
    unknown_reference,
    values_of,
)
from theke.api.types import (
    Date,
    DecimalText,
    IntegerRange,
    Money,
    Percent,
    Required,
    RequiredLine,
    SingleLine,
)
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.customers import services
from theke.customers.models import (
    Article,
    Asset,
    Contact,
    ContainerType,
    Customer,
    Location,
    Vehicle,
    WasteType,
)
from theke.customers.services import catalog
from theke.tenants.models import Tenant

router = Router(tags=["customers"])

API_FIELD.setdefault("container_type", "container_type_external_id")
API_FIELD.setdefault("waste_type", "waste_type_external_id")
API_FIELD.setdefault("waste_types", "waste_type_external_ids")

ContainerOrderKindCode = Literal["placement", "exchange", "emptying", "withdrawal"]
# ContainerType.volume_m3: above 0, up to 4 digits before the point, 2 after ("7", "1.1").
Volume = DecimalText(r"^(?=.*[1-9])[0-9]{1,4}(\.[0-9]{1,2})?$", "7", 1, 9999)

FederalStateCode = Literal[
    "",
    "BW",
    "BY",
    "BE",
    "BB",
    "HB",
    "HH",
    "HE",
    "MV",
    "NI",
    "NW",
    "RP",
    "SL",
    "SN",
    "ST",
    "SH",
    "TH",
]


# --- schemas --------------------------------------------------------------------------------


class ContactIn(StrictIn):
    external_id: str = Field("", max_length=100)
    salutation: Annotated[str, SingleLine(40)] = ""
    first_name: Annotated[str, SingleLine(100)] = ""
    last_name: Annotated[str, SingleLine(100, min_length=1)]
    role: Annotated[str, SingleLine(100)] = ""
    email: str = Field("", max_length=254, description="An e-mail address, or empty.")
    mobile_phone: str = Field("", max_length=40, description="Dialable, e.g. +49 171 1234567.")
    phone: str = Field("", max_length=40, description="Dialable, e.g. +49 30 1234567.")
    language: Literal["de", "en"] = "de"
    is_primary: bool = False
    consent_email: bool = False
    consent_sms: bool = False


class CustomerIn(StrictIn):
    kind: Literal["person", "company"] = "person"
    number: str = Field("", max_length=40)
    company_name: Annotated[str, SingleLine(200)] = ""
    salutation: Annotated[str, SingleLine(40)] = ""
    first_name: Annotated[str, SingleLine(100)] = ""
    last_name: Annotated[str, SingleLine(100)] = ""
    notes: str = ""
    contacts: list[ContactIn] | None = Field(
        None, description="The complete list of contacts; left out: contacts stay unchanged."
    )


class CustomerBulkItem(CustomerIn):
    external_id: str = ExternalId


class LocationIn(StrictIn):
    customer_external_id: str = ExternalId
    name: str = Field("", max_length=200)
    street: Annotated[str, Required(200)]
    postal_code: Annotated[str, Required(12)]
    city: Annotated[str, Required(100)]
    country: str = Field("DE", pattern=r"^[A-Z]{2}$")
    state: FederalStateCode = Field(
        "",
        description="German federal state, as the `holidays` library names it (BW, BY, BE, "
        "BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH). Empty or left out: derived from "
        "the postcode (also when the postcode changes and the state does not).",
    )
    is_billing: bool = False
    access_notes: str = Field(
        "",
        max_length=2000,
        description="Access notes for drivers (gate, clearance height, contact on site).",
    )


class LocationBulkItem(LocationIn):
    external_id: str = ExternalId


class VehicleIn(StrictIn):
    customer_external_id: str = ExternalId
    vin: str = Field(
        "",
        pattern=r"^([A-HJ-NPR-Z0-9]{17})?$",
        description="ISO 3779: 17 characters without I, O and Q, or empty.",
    )
    license_plate: Annotated[str, SingleLine(20)] = ""
    make: str = Field("", max_length=60)
    model: str = Field("", max_length=100)
    first_registration: Date | None = None
    mileage_km: Annotated[int, IntegerRange(0, 2_147_483_647)] | None = None


class VehicleBulkItem(VehicleIn):
    external_id: str = ExternalId


class AssetIn(StrictIn):
    customer_external_id: str = ExternalId
    location_external_id: str | None = None
    kind: str = Field(
        "",
        max_length=100,
        description="Free-text type, e.g. Mulde; needed when no container type is named.",
    )
    size: str = Field("", max_length=60)
    container_type_external_id: str | None = Field(
        None, max_length=100, description="The container type (see /container-types), or null."
    )
    waste_type_external_id: str | None = Field(
        None, max_length=100, description="The waste type it holds (see /waste-types), or null."
    )
    placed_on: Date | None = Field(None, description="Placed at the site on (Gestellt am).")
    serial_number: str = Field("", max_length=100)
    description: str = Field("", max_length=200)


class AssetBulkItem(AssetIn):
    external_id: str = ExternalId


class WasteTypeIn(StrictIn):
    name: Annotated[str, RequiredLine(200)]
    code: str = Field(
        "",
        pattern=r"^([0-9]{6}\*?|[0-9]{2} [0-9]{2} [0-9]{2}\*?)?$",
        description='AVV waste code, six digits, "*" for hazardous waste: "170107", '
        '"17 06 05*"; stored and answered without spaces. Empty: none.',
    )
    description: str = ""
    is_active: bool = True
    sort_order: Annotated[int, IntegerRange(0, 2_147_483_647)] = 0


class WasteTypeBulkItem(WasteTypeIn):
    external_id: str = ExternalId


class ContainerTypeIn(StrictIn):
    name: Annotated[str, RequiredLine(200)]
    volume_m3: Annotated[Decimal, Volume] = Field(description='Size in m³, "7" or "1.1".')
    variant: Annotated[str, SingleLine(100)] = Field("", description="E.g. offen, mit Deckel.")
    order_kinds: list[ContainerOrderKindCode] = Field(
        default_factory=list,
        description="The orders customers may place for a container of this type.",
    )
    price: Annotated[Decimal, Money] | None = Field(
        None, description='Net price as a decimal string, "189.00"; null: not shown.'
    )
    waste_type_external_ids: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list,
        description="The complete list of waste types it may be used for (their external ids).",
    )
    is_active: bool = True


class ContainerTypeBulkItem(ContainerTypeIn):
    external_id: str = ExternalId


class ArticleIn(StrictIn):
    number: Annotated[str, Required(60)]
    text: Annotated[str, Required(300)]
    unit: Annotated[str, Required(20)] = "Stk"
    price: Annotated[Decimal, Money] = Field(
        Decimal("0.00"), description='Net price as a decimal string, "49.90".'
    )
    vat_rate: Annotated[Decimal, Percent] = Field(
        Decimal("19.00"), description='VAT in percent, "19.00".'
    )
    is_special: bool = False
    is_active: bool = True


class ArticleBulkItem(ArticleIn):
    external_id: str = ExternalId


class ContactOut(Schema):
    external_id: str
    salutation: str
    first_name: str
    last_name: str
    role: str
    email: str
    mobile_phone: str
    phone: str
    language: str
    is_primary: bool
    consent_email: bool
    consent_sms: bool


class CustomerOut(Schema):
    external_id: str
    kind: str
    number: str
    company_name: str
    salutation: str
    first_name: str
    last_name: str
    notes: str
    contacts: list[ContactOut]


class LocationOut(Schema):
    external_id: str
    customer_external_id: str
    name: str
    street: Annotated[str, Required(200)]
    postal_code: Annotated[str, Required(12)]
    city: Annotated[str, Required(100)]
    country: str
    state: str = Field(description="German federal state (code), empty when unknown.")
    is_billing: bool
    access_notes: str
    needs_confirmation: bool = Field(
        description="Entered by a customer in the portal; waits for staff to confirm it."
    )


class VehicleOut(Schema):
    external_id: str
    customer_external_id: str | None
    vin: str
    license_plate: str
    make: str
    model: str
    first_registration: str | None
    mileage_km: int | None


class AssetOut(Schema):
    external_id: str
    customer_external_id: str
    location_external_id: str | None
    kind: str
    size: str
    container_type_external_id: str | None
    waste_type_external_id: str | None
    placed_on: str | None
    serial_number: str
    description: str


class WasteTypeOut(Schema):
    external_id: str
    name: str
    code: str
    description: str
    is_active: bool
    sort_order: int


class ContainerTypeOut(Schema):
    external_id: str
    name: str
    volume_m3: str
    variant: str
    order_kinds: list[str]
    price: str | None
    waste_type_external_ids: list[str]
    is_active: bool


class ArticleOut(Schema):
    external_id: str
    number: Annotated[str, Required(60)]
    text: Annotated[str, Required(300)]
    unit: str
    price: str
    vat_rate: str
    is_special: bool
    is_active: bool


# --- helpers ---------------------------------------------------------------------------


def _customer_ref(external_id: str) -> Customer:
    customer = find(Customer.objects.all(), external_id)
    if customer is None:
        raise unknown_reference("customer", "customer_external_id", external_id)
    return customer


def _phone(value: Any) -> str:
    if isinstance(value, PhoneNumber):
        return value.as_e164 if value.is_valid() else str(value)
    return str(value or "")


# --- output ---------------------------------------------------------------------------------


def _contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "external_id": contact.external_id,
        "salutation": contact.salutation,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "role": contact.role,
        "email": contact.email,
        "mobile_phone": _phone(contact.mobile_phone),
        "phone": _phone(contact.phone),
        "language": contact.language,
        "is_primary": contact.is_primary,
        "consent_email": contact.consent_email,
        "consent_sms": contact.consent_sms,
    }


def _customer_out(customer: Customer) -> dict[str, Any]:
    fields: tuple[str, ...] = ("external_id", "kind", "number", "company_name", "salutation")
    fields += ("first_name", "last_name", "notes")
    data = {name: getattr(customer, name) for name in fields}
    data["contacts"] = [_contact_out(c) for c in Contact.objects.filter(customer=customer)]
    return data


def _location_out(location: Location) -> dict[str, Any]:
    fields = (
        "external_id",
        "name",
        "street",
        "postal_code",
        "city",
        "country",
        "state",
        "is_billing",
        "access_notes",
        "needs_confirmation",
    )
    data = {name: getattr(location, name) for name in fields}
    data["customer_external_id"] = location.customer.external_id
    return data


def _vehicle_out(vehicle: Vehicle) -> dict[str, Any]:
    fields = ("external_id", "vin", "license_plate", "make", "model", "mileage_km")
    data = {name: getattr(vehicle, name) for name in fields}
    data["customer_external_id"] = vehicle.customer.external_id if vehicle.customer else None
    registration = vehicle.first_registration
    data["first_registration"] = registration.isoformat() if registration else None
    return data


def _asset_out(asset: Asset) -> dict[str, Any]:
    fields = ("external_id", "kind", "size", "serial_number", "description")
    data = {name: getattr(asset, name) for name in fields}
    data["customer_external_id"] = asset.customer.external_id
    data["location_external_id"] = asset.location.external_id if asset.location else None
    data["container_type_external_id"] = (
        asset.container_type.external_id or None if asset.container_type else None
    )
    data["waste_type_external_id"] = (
        asset.waste_type.external_id or None if asset.waste_type else None
    )
    data["placed_on"] = asset.placed_on.isoformat() if asset.placed_on else None
    return data


def _waste_type_out(waste_type: WasteType) -> dict[str, Any]:
    fields = ("external_id", "name", "code", "description", "is_active", "sort_order")
    return {name: getattr(waste_type, name) for name in fields}


def _container_type_out(container_type: ContainerType) -> dict[str, Any]:
    fields = ("external_id", "name", "variant", "order_kinds", "is_active")
    data = {name: getattr(container_type, name) for name in fields}
    data["volume_m3"] = str(container_type.volume_m3)
    data["price"] = str(container_type.price) if container_type.price is not None else None
    data["waste_type_external_ids"] = sorted(
        w.external_id for w in container_type.waste_types.all() if w.external_id
    )
    return data


def _article_out(article: Article) -> dict[str, Any]:
    fields = ("external_id", "number", "text", "unit", "is_special", "is_active")
    data = {name: getattr(article, name) for name in fields}
    data["price"] = str(article.price)
    data["vat_rate"] = str(article.vat_rate)
    return data


# --- upserts: the customer services decide; here only references and answers -------------


def _answer(outcomes: list[services.Outcome]) -> tuple[Any, bool]:
    """The one outcome of a one-item upsert as (row, created), or its refusal as a Problem."""
    (outcome,) = outcomes
    if isinstance(outcome, ServiceError):
        raise service_problem(outcome)
    status, row = outcome
    return row, status == "created"


def _customer_values(data: CustomerIn) -> dict[str, Any]:
    values = values_of(data, "contacts", "external_id")
    if data.contacts is not None:
        values["contacts"] = [c.model_dump(exclude_unset=True) for c in data.contacts]
    return values


def _upsert_customer(
    tenant: Tenant, actor: Actor, external_id: str, data: CustomerIn
) -> tuple[Customer, bool]:
    item = (external_id, _customer_values(data))
    customer: Customer
    customer, created = _answer(services.upsert_customers(tenant, actor, [item]))
    return customer, created


def _bulk_customers(
    tenant: Tenant, actor: Actor, valid: list[tuple[int, CustomerBulkItem]]
) -> dict[int, str | Problem]:
    items = [(item.external_id, _customer_values(item)) for _index, item in valid]
    outcomes = services.upsert_customers(tenant, actor, items)
    return {
        index: service_problem(outcome) if isinstance(outcome, ServiceError) else outcome[0]
        for (index, _item), outcome in zip(valid, outcomes, strict=True)
    }


def _upsert_location(
    tenant: Tenant, actor: Actor, external_id: str, data: LocationIn
) -> tuple[Location, bool]:
    values = values_of(data, "customer_external_id", "external_id")
    values["customer"] = _customer_ref(data.customer_external_id)
    location: Location
    location, created = _answer(services.upsert_locations(tenant, actor, [(external_id, values)]))
    return location, created


def _upsert_vehicle(
    tenant: Tenant, actor: Actor, external_id: str, data: VehicleIn
) -> tuple[Vehicle, bool]:
    values = values_of(data, "customer_external_id", "external_id")
    values["customer"] = _customer_ref(data.customer_external_id)
    vehicle: Vehicle
    vehicle, created = _answer(services.upsert_vehicles(tenant, actor, [(external_id, values)]))
    return vehicle, created


def _upsert_asset(
    tenant: Tenant, actor: Actor, external_id: str, data: AssetIn
) -> tuple[Asset, bool]:
    customer = _customer_ref(data.customer_external_id)
    values = values_of(
        data,
        "customer_external_id",
        "location_external_id",
        "container_type_external_id",
        "waste_type_external_id",
        "external_id",
    )
    if "location_external_id" in data.model_fields_set:
        location = None
        if data.location_external_id:
            location = find(Location.objects.filter(customer=customer), data.location_external_id)
            if location is None:
                raise unknown_reference(
                    "location of this customer", "location_external_id", data.location_external_id
                )
        values["location"] = location
    for field, model, what in (
        ("container_type", ContainerType, "container type"),
        ("waste_type", WasteType, "waste type"),
    ):
        api_field = f"{field}_external_id"
        if api_field in data.model_fields_set:
            reference = getattr(data, api_field)
            row = None
            if reference:
                row = find(model.objects.all(), reference)
                if row is None:
                    raise unknown_reference(what, api_field, reference)
            values[field] = row
    values["customer"] = customer
    asset: Asset
    asset, created = _answer(services.upsert_assets(tenant, actor, [(external_id, values)]))
    return asset, created


def _upsert_article(
    tenant: Tenant, actor: Actor, external_id: str, data: ArticleIn
) -> tuple[Article, bool]:
    values = values_of(data, "external_id")
    article: Article
    article, created = _answer(services.upsert_articles(tenant, actor, [(external_id, values)]))
    return article, created


def _upsert_waste_type(
    tenant: Tenant, actor: Actor, external_id: str, data: WasteTypeIn
) -> tuple[WasteType, bool]:
    values = values_of(data, "external_id")
    waste_type: WasteType
    waste_type, created = _answer(
        catalog.upsert_waste_types(tenant, actor, [(external_id, values)])
    )
    return waste_type, created


def _upsert_container_type(
    tenant: Tenant, actor: Actor, external_id: str, data: ContainerTypeIn
) -> tuple[ContainerType, bool]:
    values = values_of(data, "external_id", "waste_type_external_ids")
    if "waste_type_external_ids" in data.model_fields_set:
        wanted = list(dict.fromkeys(data.waste_type_external_ids))
        by_id = {w.external_id: w for w in WasteType.objects.filter(external_id__in=wanted)}
        for index, reference in enumerate(wanted):
            if reference not in by_id:
                raise unknown_reference("waste type", f"waste_type_external_ids.{index}", reference)
        values["waste_types"] = [by_id[reference] for reference in wanted]
    container_type: ContainerType
    container_type, created = _answer(
        catalog.upsert_container_types(tenant, actor, [(external_id, values)])
    )
    return container_type, created


# --- bulk endpoints (registered before "/<resource>/{external_id}", which would match "bulk")

add_bulk_endpoint(router, "customers", CustomerBulkItem, _upsert_customer, _bulk_customers)
for _resource, _item_schema, _upsert in (
    ("locations", LocationBulkItem, _upsert_location),
    ("vehicles", VehicleBulkItem, _upsert_vehicle),
    ("assets", AssetBulkItem, _upsert_asset),
    ("articles", ArticleBulkItem, _upsert_article),
    ("waste-types", WasteTypeBulkItem, _upsert_waste_type),
    ("container-types", ContainerTypeBulkItem, _upsert_container_type),
):
    add_bulk_endpoint(router, _resource, _item_schema, _upsert)


# --- customers ------------------------------------------------------------------------------


add_upsert_and_read(
    router,
    "customers",
    singular="customer",
    in_schema=CustomerIn,
    out_schema=CustomerOut,
    upsert=_upsert_customer,
    read=lambda external_id: find(Customer.objects.all(), external_id),
    out=_customer_out,
    put_summary="Create or update a customer with its contacts",
    get_summary="Read a customer with its contacts",
)


@router.delete(
    "/customers/{external_id}",
    response=DeleteOut,
    operation_id="delete_customer",
    summary="Delete a customer (refused with 409 while it still has vehicles)",
)
def delete_customer(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        customer = find(Customer.objects.all(), external_id)
        if customer is None:
            raise not_found("customer", external_id)
        try:
            services.remove_customer(customer, actor)
        except ServiceError as exc:
            raise Problem(409, "Conflict", exc.messages[0]) from exc
        return {"external_id": external_id, "result": "deleted"}


# --- locations ------------------------------------------------------------------------------


add_upsert_and_read(
    router,
    "locations",
    singular="location",
    in_schema=LocationIn,
    out_schema=LocationOut,
    upsert=_upsert_location,
    read=lambda external_id: find(Location.objects.select_related("customer"), external_id),
    out=_location_out,
    put_summary="Create or update a location of a customer",
    get_summary="Read a location",
)


@router.delete(
    "/locations/{external_id}",
    response=DeleteOut,
    operation_id="delete_location",
    summary="Delete a location (its assets stay, without location)",
)
def delete_location(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        location = find(Location.objects.select_related("customer"), external_id)
        if location is None:
            raise not_found("location", external_id)
        services.remove_location(location, actor)
        return {"external_id": external_id, "result": "deleted"}


# --- vehicles -------------------------------------------------------------------------------


add_upsert_and_read(
    router,
    "vehicles",
    singular="vehicle",
    in_schema=VehicleIn,
    out_schema=VehicleOut,
    upsert=_upsert_vehicle,
    read=lambda external_id: find(Vehicle.objects.select_related("customer"), external_id),
    out=_vehicle_out,
    put_summary="Create or update a vehicle; another customer_external_id changes its keeper",
    get_summary="Read a vehicle",
)


@router.delete(
    "/vehicles/{external_id}",
    response=DeleteOut,
    operation_id="delete_vehicle",
    summary="Delete a vehicle (one referenced elsewhere only loses its keeper)",
)
def delete_vehicle(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        vehicle = find(Vehicle.objects.select_related("customer"), external_id)
        if vehicle is None:
            raise not_found("vehicle", external_id)
        if vehicle.customer is None:
            return {"external_id": external_id, "result": "detached"}
        deleted = services.remove_vehicle(vehicle, actor)
        return {"external_id": external_id, "result": "deleted" if deleted else "detached"}


# --- assets ---------------------------------------------------------------------------------


add_upsert_and_read(
    router,
    "assets",
    singular="asset",
    in_schema=AssetIn,
    out_schema=AssetOut,
    upsert=_upsert_asset,
    read=lambda external_id: find(
        Asset.objects.select_related("customer", "location", "container_type", "waste_type"),
        external_id,
    ),
    out=_asset_out,
    put_summary="Create or update an asset of a customer",
    get_summary="Read an asset",
)


@router.delete(
    "/assets/{external_id}",
    response=DeleteOut,
    operation_id="delete_asset",
    summary="Delete an asset",
)
def delete_asset(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        asset = find(Asset.objects.select_related("customer"), external_id)
        if asset is None:
            raise not_found("asset", external_id)
        services.remove_asset(asset, actor)
        return {"external_id": external_id, "result": "deleted"}


# --- articles -------------------------------------------------------------------------------


add_upsert_and_read(
    router,
    "articles",
    singular="article",
    in_schema=ArticleIn,
    out_schema=ArticleOut,
    upsert=_upsert_article,
    read=lambda external_id: find(Article.objects.all(), external_id),
    out=_article_out,
    put_summary="Create or update an article or flat fee",
    get_summary="Read an article",
)


@router.delete(
    "/articles/{external_id}",
    response=DeleteOut,
    operation_id="delete_article",
    summary="Delete an article (a referenced one is deactivated instead)",
)
def delete_article(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        article = find(Article.objects.all(), external_id)
        if article is None:
            raise not_found("article", external_id)
        deleted = services.remove_article(article, actor)
        return {"external_id": external_id, "result": "deleted" if deleted else "deactivated"}


# --- container catalog ----------------------------------------------------------------------


@router.get(
    "/waste-types",
    response=list[WasteTypeOut],
    operation_id="list_waste_types",
    summary="List the waste types (inactive ones too)",
)
def list_waste_types(request: Any) -> list[dict[str, Any]]:
    with api_scope(request):
        return [_waste_type_out(w) for w in WasteType.objects.all()]


@router.get(
    "/container-types",
    response=list[ContainerTypeOut],
    operation_id="list_container_types",
    summary="List the container types (inactive ones too)",
)
def list_container_types(request: Any) -> list[dict[str, Any]]:
    with api_scope(request):
        rows = ContainerType.objects.prefetch_related("waste_types")
        return [_container_type_out(c) for c in rows]


add_upsert_and_read(
    router,
    "waste-types",
    singular="waste_type",
    in_schema=WasteTypeIn,
    out_schema=WasteTypeOut,
    upsert=_upsert_waste_type,
    read=lambda external_id: find(WasteType.objects.all(), external_id),
    out=_waste_type_out,
    put_summary="Create or update a waste type (Abfallart)",
    get_summary="Read a waste type",
)

add_upsert_and_read(
    router,
    "container-types",
    singular="container_type",
    in_schema=ContainerTypeIn,
    out_schema=ContainerTypeOut,
    upsert=_upsert_container_type,
    read=lambda external_id: find(ContainerType.objects.all(), external_id),
    out=_container_type_out,
    put_summary="Create or update a container type (Behältertyp) with its waste types",
    get_summary="Read a container type",
)
