"""What every upsert-by-external-id resource of the API shares.

Conventions (all resources):

* `PUT /<resource>/{external_id}` creates (201) or updates (200). Fields left out of the
  body keep their stored value; unknown fields are refused (422).
* References to other objects are by the back office's id: `customer_external_id`, …
* `POST /<resource>/bulk` takes `{"items": [...]}` (at most 1,000, else 413); every item is
  validated and stored on its own and gets one result; error paths look like "items.3.vin".

A domain's `api.py` defines its schemas (subclasses of `StrictIn`), one upsert function per
resource `(tenant, actor, external_id, data) -> (row, created)` and registers the bulk
endpoint with `add_bulk_endpoint`. A resource with a faster set-based path passes
`batch_upsert`, which receives all valid items at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import Model, QuerySet
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, WithJsonSchema
from pydantic import ValidationError as PydanticValidationError

from theke.api.errors import FieldError, Problem
from theke.api.idempotency import idempotent
from theke.audit.services import Actor
from theke.core.errors import ServiceError
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope

BULK_LIMIT = 1000
ExternalId = Field(min_length=1, max_length=100)

# Service field names that the API spells differently (domains add theirs).
API_FIELD: dict[str, str] = {
    "customer": "customer_external_id",
    "location": "location_external_id",
    "vehicle": "vehicle_external_id",
    "order": "order_external_id",
}

Upsert = Callable[[Tenant, Actor, str, Any], tuple[Model, bool]]
# A set-based upsert: valid items by index -> per index "created"/"updated" or a Problem.
BatchUpsert = Callable[[Tenant, Actor, list[tuple[int, Any]]], dict[int, "str | Problem"]]


class StrictIn(Schema):
    """Input schemas refuse unknown fields, so a typo is a 422 and not silently dropped, and
    validate strictly (no 0 for false, no "5" for 5): the OpenAPI document is the contract.
    Decimals, dates and date-times use the types of theke.api.types.
    (Text no column can store, NUL or lone surrogates, is refused for every body at once
    by theke.api.input before a schema sees it.)"""

    model_config = ConfigDict(extra="forbid", strict=True)


class DeleteOut(Schema):
    external_id: str
    result: Literal["deleted", "detached", "deactivated", "cancelled"]


class BulkFieldError(Schema):
    path: str
    message: str
    code: str


class BulkItemResult(Schema):
    external_id: str | None
    status: Literal["created", "updated", "error"]
    errors: list[BulkFieldError] = []


class BulkOut(Schema):
    results: list[BulkItemResult]


# --- request context ----------------------------------------------------------------------


def caller(request: Any) -> tuple[Tenant, Actor]:
    """The tenant and audit actor of the request's API key."""
    key = getattr(request, "auth", None)
    if key is None:
        raise Problem(401, "Unauthorized", "An API key is required.")
    return key.tenant, Actor.api_key(key.pk, key.name)


@contextmanager
def api_scope(request: Any) -> Iterator[tuple[Tenant, Actor]]:
    """Run the block in the tenant scope of the request's API key."""
    tenant, actor = caller(request)
    with tenant_scope(tenant):
        yield tenant, actor


# --- problems -----------------------------------------------------------------------------


def field_path(field: str | None, prefix: str = "") -> str:
    name = API_FIELD.get(field or "", field or "")
    return ".".join(part for part in (prefix, name) if part)


def service_problem(exc: ServiceError, prefix: str = "") -> Problem:
    """A refused state change as 422 with the field path the client sent."""
    return Problem(
        422,
        "Unprocessable Content",
        exc.messages[0],
        errors=[FieldError(field_path(exc.field, prefix), exc.messages[0], exc.code or "")],
    )


def not_found(what: str, external_id: str) -> Problem:
    return Problem(404, "Not Found", f"No {what} with external_id {external_id!r}.")


def unknown_reference(what: str, field: str, external_id: str) -> Problem:
    message = f"No {what} with external_id {external_id!r}."
    return Problem(
        422, "Unprocessable Content", message, errors=[FieldError(field, message, "unknown")]
    )


def find[M: Model](queryset: QuerySet[M], external_id: str) -> M | None:
    return queryset.filter(external_id=external_id).order_by("pk").first()


def values_of(data: StrictIn, *exclude: str) -> dict[str, Any]:
    """The fields the client actually sent (left-out fields keep their stored value)."""
    return data.model_dump(exclude_unset=True, exclude=set(exclude))


# --- bulk ---------------------------------------------------------------------------------


def _errors_with_prefix(problem: Problem, prefix: str) -> list[dict[str, str]]:
    errors = problem.errors or [FieldError("", problem.detail, "invalid")]
    return [
        {
            "path": ".".join(p for p in (prefix, error.path) if p),
            "message": error.message,
            "code": error.code,
        }
        for error in errors
    ]


def _validation_errors(exc: PydanticValidationError, prefix: str) -> list[dict[str, str]]:
    return [
        {
            "path": ".".join([prefix, *(str(part) for part in error["loc"])]),
            "message": error["msg"],
            "code": error["type"],
        }
        for error in exc.errors()
    ]


def _upsert_one(tenant: Tenant, actor: Actor, item: Any, upsert: Upsert, prefix: str) -> Any:
    try:
        with transaction.atomic():
            _row, created = upsert(tenant, actor, item.external_id, item)
    except Problem as exc:
        return exc
    except ServiceError as exc:
        return service_problem(exc)
    return "created" if created else "updated"


def run_bulk(
    request: Any,
    items: list[Any],
    schema: type[StrictIn],
    upsert: Upsert,
    batch_upsert: BatchUpsert | None = None,
) -> dict[str, Any]:
    """Validate every item, store the valid ones, answer one result per item in order."""
    if len(items) > BULK_LIMIT:
        raise Problem(
            413, "Content Too Large", f"At most {BULK_LIMIT} items per request ({len(items)} sent)."
        )
    results: list[dict[str, Any]] = []
    valid: list[tuple[int, Any]] = []
    for index, raw in enumerate(items):
        external_id = raw.get("external_id") if isinstance(raw, dict) else None
        result: dict[str, Any] = {
            "external_id": external_id if isinstance(external_id, str) else None,
            "status": "error",
            "errors": [],
        }
        try:
            valid.append((index, schema.model_validate(raw)))
        except PydanticValidationError as exc:
            result["errors"] = _validation_errors(exc, f"items.{index}")
        results.append(result)
    with api_scope(request) as (tenant, actor), transaction.atomic():
        # One transaction for the request (one commit instead of 1,000), a savepoint per item.
        if batch_upsert is not None:
            outcomes = batch_upsert(tenant, actor, valid)
        else:
            outcomes = {
                index: _upsert_one(tenant, actor, item, upsert, f"items.{index}")
                for index, item in valid
            }
    for index, outcome in outcomes.items():
        if isinstance(outcome, Problem):
            results[index]["errors"] = _errors_with_prefix(outcome, f"items.{index}")
        else:
            results[index]["status"] = outcome
    return {"results": results}


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local `$defs` written in place (pydantic would try to resolve
    `$ref`s of a WithJsonSchema against its own definitions and fail)."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return dict(resolve(schema))


def _bulk_body_schema(resource: str, item_schema: type[StrictIn]) -> type[Schema]:
    """`{"items": [...]}`: items are validated one by one in `run_bulk` (a malformed item gets
    an error result, the others are stored), so the document states exactly that: an item is
    the item schema or any other object, which is answered with status "error"."""
    item_json = _inline_refs(item_schema.model_json_schema())
    other = {
        "type": "object",
        "description": "Any other object is answered with status error and its field errors.",
    }
    Item = Annotated[dict[str, Any], WithJsonSchema({"anyOf": [item_json, other]})]
    name = f"{item_schema.__name__}List"
    return type(
        name,
        (StrictIn,),
        {
            "__annotations__": {"items": list[Item]},
            "items": Field(
                description=f"At most {BULK_LIMIT} {resource}, each the PUT body plus its "
                "external_id; every item is validated and stored on its own."
            ),
        },
    )


def add_upsert_and_read(
    router: Router,
    resource: str,
    *,
    singular: str,
    in_schema: type[StrictIn],
    out_schema: type[Schema],
    upsert: Upsert,
    read: Callable[[str], Model | None],
    out: Callable[[Any], dict[str, Any]],
    put_summary: str,
    get_summary: str,
) -> None:
    """PUT /<resource>/{external_id} (201 created, 200 updated) and GET of the same path.

    `read` finds the object in the request's tenant scope (None answers 404); `out` makes
    the response body. Operation ids are upsert_<singular> and get_<singular>.
    """
    path = f"/{resource}/{{external_id}}"

    def put(request: Any, external_id: str, data: Any) -> Status:
        with api_scope(request) as (tenant, actor):
            obj, created = upsert(tenant, actor, external_id, data)
            return Status(201 if created else 200, out(obj))

    def get(request: Any, external_id: str) -> Any:
        with api_scope(request):
            obj = read(external_id)
            if obj is None:
                raise not_found(singular, external_id)
            return out(obj)

    put.__annotations__ = {"request": Any, "external_id": str, "data": in_schema, "return": Status}
    put.__name__ = put.__qualname__ = f"upsert_{singular}"
    get.__annotations__ = {"request": Any, "external_id": str, "return": Any}
    get.__name__ = get.__qualname__ = f"get_{singular}"
    router.put(
        path,
        response={200: out_schema, 201: out_schema},
        operation_id=f"upsert_{singular}",
        summary=put_summary,
    )(put)
    router.get(path, response=out_schema, operation_id=f"get_{singular}", summary=get_summary)(get)


def add_bulk_endpoint(
    router: Router,
    resource: str,
    item_schema: type[StrictIn],
    upsert: Upsert,
    batch_upsert: BatchUpsert | None = None,
) -> None:
    """POST /<resource>/bulk: up to 1,000 items, idempotent. Register it before
    "/<resource>/{external_id}" routes of the same method, which would match "bulk"."""
    body_schema = _bulk_body_schema(resource, item_schema)

    def bulk(request: Any, body: Any) -> Any:
        return run_bulk(request, body.items, item_schema, upsert, batch_upsert)

    bulk.__annotations__ = {"request": Any, "body": body_schema, "return": Any}
    bulk.__name__ = bulk.__qualname__ = f"bulk_upsert_{resource}"
    router.post(
        f"/{resource}/bulk",
        response=BulkOut,
        operation_id=f"bulk_upsert_{resource}",
        summary=f"Create or update up to 1,000 {resource}",
    )(idempotent(bulk))
