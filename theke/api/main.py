"""The versioned REST API (django-ninja): /api/v1/, OpenAPI 3.1 at /api/v1/openapi.json.

Authentication: `Authorization: Bearer <key>`. `ApiKeyMiddleware` resolves the key and runs
the request inside the key's tenant scope; `ApiKeyAuth` here only declares the scheme
(for OpenAPI) and hands ninja the key found by the middleware. Every error is an RFC 9457
problem document (theke.api.errors).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import ValidationError, ValidationErrorContext
from ninja.openapi.docs import DocsBase
from ninja.operation import PathView
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from ninja.types import DictStrAny

from theke.api import errors
from theke.api.input import unstorable_text
from theke.api.models import ApiKey
from theke.core.timestamps import format_timestamp

JSON_CONTENT_TYPES = {"application/json"}


class ApiKeyAuth(HttpBearer):
    """Bearer API key; the lookup itself happened in ApiKeyMiddleware."""

    openapi_description = "An API key of your tenant: `Authorization: Bearer thk_…`."

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        return getattr(request, "api_key", None)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return getattr(request, "api_key", None)


class StrictJsonParser(Parser):
    """JSON bodies only: any other Content-Type answers 415 instead of a guess. The one input
    check of every body: text no database or e-mail can carry is refused here (422)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        content_type = (request.content_type or "").lower()
        if content_type not in JSON_CONTENT_TYPES and not content_type.endswith("+json"):
            raise errors.problem(415, "Send the request body as application/json.")
        body = request.body  # may raise RequestDataTooBig: answered 413
        try:
            data = super().parse_body(request) if body else {}
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.problem(400, "The request body is not valid JSON.") from exc
        if found := unstorable_text(data):
            raise errors.problem(422, "The request contains text that cannot be stored.", found)
        return data


class ApiJSONEncoder(NinjaJSONEncoder):
    """ninja's encoder with every datetime in the one timestamp format (`…10:11:12.840Z`)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return format_timestamp(o)
        return super().default(o)


class ApiJSONRenderer(JSONRenderer):
    encoder_class = ApiJSONEncoder


class ProblemPathView(PathView):
    """A path whose request method has no operation answers 405 as a problem document, and
    its `Allow` lists only documented operations (a hidden operation that itself answers 405,
    like DELETE of an invoice, is not advertised)."""

    def _not_allowed(self) -> HttpResponse:
        allowed = {
            method
            for operation in self.operations
            if operation.include_in_schema
            for method in operation.methods
        }
        return errors.method_not_allowed(allowed)


def _answer_wrong_methods_with_problems(api: NinjaAPI) -> None:
    # ninja binds a copy of every router's paths to the API; those copies serve the requests.
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            path_view.__class__ = ProblemPathView


class LocalSwagger(DocsBase):
    """Swagger UI from our own static files: no third-party request, no inline script."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        response = render(request, "api/docs.html", context)
        response["Referrer-Policy"] = "no-referrer"
        return response


API_DESCRIPTION = """\
The contract between a business's back-office system and Theke.

* **Authentication**: `Authorization: Bearer <key>`; a key sees only its own tenant.
* **Upsert by your id**: `PUT /<resource>/{external_id}` creates (201) or updates (200);
  fields left out keep their value, unknown fields are refused. `POST /<resource>/bulk`
  takes up to 1,000 items and answers one result per item.
* **Errors** are RFC 9457 problem documents (`application/problem+json`) whose `errors`
  name the invalid fields by path (`contacts.0.email`, `items.3.vin`).
* **Strict input**: this document is the contract. Booleans are `true`/`false`, integers
  JSON integers; decimals are strings as their `pattern` states (or integers); dates
  `YYYY-MM-DD`; date-times RFC 3339 with offset. Names are one line (no control characters).
  Text with NUL or a lone surrogate is refused (422) in any body.
* **Timestamps** in answers, event payloads and webhooks: UTC with milliseconds and `Z`,
  `2026-12-05T10:11:12.840Z`.
* **Idempotency-Key** on every POST: the same key and body replay the stored answer
  (`Idempotent-Replayed: true`), another body is 422, a request still running is 409.
  Keys are kept for 24 hours.
* **Events**: `GET /events?after=<cursor>` pages through what happened in Theke, in order
  and at least once (deduplicate by `id`). The same events are delivered as webhooks signed
  per [Standard Webhooks](https://www.standardwebhooks.com/) (`webhook-id`,
  `webhook-timestamp`, `webhook-signature`) to the endpoints set up in Theke under
  Einstellungen → Webhooks; the body is `{"type", "timestamp", "data"}` with `data` the
  event as `/events` shows it.
"""

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem document; `errors` name the invalid fields by path.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message", "code"],
                "properties": {
                    "path": {"type": "string", "examples": ["contacts.0.email"]},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
# Every operation may answer these; documenting them lets clients (and the contract test)
# rely on the shape of every non-2xx answer.
PROBLEM_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429)


def _document_problems(schema: dict[str, Any]) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem_content = {
        errors.PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in PROBLEM_STATUSES:
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": errors.TITLES[status],
                        "content": problem_content,
                    }


def _flatten_item_paths(
    error_contexts: list[ValidationErrorContext], error: ValidationError
) -> None:
    """ninja flattens a query schema's field paths ("status") but not those of its list
    items ("query.status.0"); flatten them by their longest known prefix ("status.0")."""
    originals = [
        (context.model, tuple(item["loc"]))
        for context in error_contexts
        for item in context.pydantic_validation_error.errors(include_url=False)
    ]
    for item, (model, loc) in zip(error.errors, originals, strict=True):
        reverse = model.__ninja_flatten_map_reverse__
        for size in range(len(loc) - 1, 0, -1):
            if loc[:size] in reverse:
                item["loc"] = (model.__ninja_param_source__, *reverse[loc[:size]], *loc[size:])
                break


class ThekeAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _document_problems(schema)
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        # Field paths as the client wrote them: without ninja's source and, for a single
        # body schema, without the parameter's name ("contacts.0.email").
        error = super().validation_error_from_error_contexts(error_contexts)
        _flatten_item_paths(error_contexts, error)
        single_body = {
            name
            for context in error_contexts
            if context.model.__ninja_param_source__ == "body"
            and len(fields := context.model.model_fields) == 1
            for name in fields
        }
        for item in error.errors:
            loc = tuple(item.get("loc", ()))[1:]
            if loc and loc[0] in single_body:
                loc = loc[1:]
            item["path"] = ".".join(str(part) for part in loc)
        return error


api = ThekeAPI(
    title="Theke API",
    version="1",
    urls_namespace="api-v1",
    description=API_DESCRIPTION,
    auth=ApiKeyAuth(),
    parser=StrictJsonParser(),
    renderer=ApiJSONRenderer(),
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


def _register_routers() -> None:
    from theke.api.events_api import router as events_router
    from theke.api.ping import router as ping_router
    from theke.appointments.api import router as appointments_router
    from theke.customers.api import router as customers_router
    from theke.estimates.api import router as estimates_router
    from theke.jobs.api import router as jobs_router  # --- jobs ---
    from theke.orders.api import router as orders_router
    from theke.portal.api import router as portal_router

    api.add_router("/", ping_router)
    api.add_router("/", customers_router)
    api.add_router("/", orders_router)
    api.add_router("/", estimates_router)
    api.add_router("/", appointments_router)
    api.add_router("/", portal_router)
    api.add_router("/", jobs_router)  # --- jobs ---
    api.add_router("/", events_router)


_register_routers()
_answer_wrong_methods_with_problems(api)

__all__ = ["api"]
