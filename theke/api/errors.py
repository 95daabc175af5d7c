"""RFC 9457 problem documents: the one error shape of the API."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from theke.core.errors import ServiceError
from theke.tenants.scoping import ScopeError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)


@dataclass
class FieldError:
    """One invalid input, e.g. path "contacts.0.email" (items of bulk requests: "items.3.vin")."""

    path: str
    message: str
    code: str = "invalid"


@dataclass
class Problem(Exception):
    """Raise anywhere in an API view; the API turns it into application/problem+json."""

    status: int
    title: str
    detail: str = ""
    type: str = "about:blank"
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def problem_response(problem: Problem) -> HttpResponse:
    """Serialize a Problem as application/problem+json (RFC 9457)."""
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
    }
    if problem.detail:
        body["detail"] = problem.detail
    if problem.errors:
        body["errors"] = [
            {"path": e.path, "message": e.message, "code": e.code} for e in problem.errors
        ]
    body.update(problem.extra)
    response = HttpResponse(
        json.dumps(body), status=problem.status, content_type=PROBLEM_CONTENT_TYPE
    )
    if problem.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def problem(status: int, detail: str = "", errors: list[FieldError] | None = None) -> Problem:
    return Problem(
        status=status, title=TITLES.get(status, "Error"), detail=detail, errors=errors or []
    )


def _path(loc: Any) -> str:
    # ninja prefixes the parameter source ("body", "query", ...); the path starts after it.
    return ".".join(str(p) for p in tuple(loc)[1:])


def _validation_errors(exc: NinjaValidationError) -> list[FieldError]:
    return [
        FieldError(
            path=str(err.get("path") or _path(err.get("loc", ()))),
            message=str(err.get("msg", "")),
            code=str(err.get("type", "invalid")),
        )
        for err in exc.errors
    ]


def install(api: NinjaAPI) -> None:
    """Register the problem+json handlers on the API (replacing ninja's defaults)."""

    def handle(exc_class: type[Exception]) -> Any:
        def decorator(fn: Any) -> Any:
            api.add_exception_handler(exc_class, lambda request, exc: fn(exc))
            return fn

        return decorator

    @handle(Problem)
    def _problem(exc: Problem) -> HttpResponse:
        return problem_response(exc)

    @handle(NinjaValidationError)
    def _validation(exc: NinjaValidationError) -> HttpResponse:
        return problem_response(
            problem(422, "The request did not validate.", _validation_errors(exc))
        )

    @handle(AuthenticationError)
    def _auth(exc: Exception) -> HttpResponse:
        return problem_response(
            problem(401, "A valid API key is required (Authorization: Bearer <key>).")
        )

    @handle(HttpError)
    def _http_error(exc: HttpError) -> HttpResponse:
        # ninja wraps any failure of body parsing in a 400; keep the precise answer.
        cause = exc.__cause__
        if isinstance(cause, Problem):
            return problem_response(cause)
        if isinstance(cause, RequestDataTooBig):
            return _too_big(cause)
        return problem_response(problem(exc.status_code, str(exc)))

    @handle(Http404)
    def _not_found(exc: Exception) -> HttpResponse:
        return problem_response(problem(404, "No such object."))

    @handle(PermissionDenied)
    def _denied(exc: Exception) -> HttpResponse:
        return problem_response(problem(403, "This key may not do that."))

    @handle(RequestDataTooBig)
    def _too_big(exc: Exception) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return problem_response(problem(413, f"The request body exceeds {limit} bytes."))

    @handle(ServiceError)
    def _service_error(exc: ServiceError) -> HttpResponse:
        message = " ".join(str(m) for m in exc.messages)
        errors = (
            [FieldError(path=exc.field, message=message, code=exc.code or "invalid")]
            if exc.field
            else []
        )
        return problem_response(problem(422, message, errors))

    @handle(IntegrityError)
    def _conflict(exc: Exception) -> HttpResponse:
        # Two requests creating the same external_id at the same moment (PostgreSQL): the
        # loser's unique constraint fires. Its transaction was rolled back; a retry updates.
        logger.info("Concurrent write refused by a constraint: %s", exc)
        return problem_response(
            problem(409, "A concurrent request changed the same object; please retry.")
        )

    @handle(DataError)
    def _unstorable(exc: Exception) -> HttpResponse:
        # A value the database refuses (a NUL character in the URL, a number out of range)
        # is the client's input, not our failure.
        logger.info("Value refused by the database: %s", exc)
        return problem_response(
            problem(400, "The request contains a value that cannot be stored or searched.")
        )

    @handle(ScopeError)
    def _scope(exc: Exception) -> HttpResponse:
        logger.error("Tenant scope error in API request", exc_info=exc)
        return problem_response(problem(500, "An internal error occurred."))

    @handle(Exception)
    def _unexpected(exc: Exception) -> HttpResponse:
        logger.error("Unhandled error in API request", exc_info=exc)
        return problem_response(problem(500, "An internal error occurred."))


@csrf_exempt
def unknown_path(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any /api/ URL no operation matches: a problem document, not the HTML 404 page.

    CSRF-exempt like every API operation: a PUT/POST/DELETE with a bearer key and no cookie
    would otherwise get Django's HTML CSRF page instead of the 404."""
    return problem_response(problem(404, f"No API operation at {request.path}."))


def method_not_allowed(allowed: Iterable[str]) -> HttpResponse:
    """405 as a problem document whose `Allow` header lists the path's documented methods."""
    methods = ", ".join(sorted(allowed))
    response = problem_response(problem(405, f"Allowed methods on this path: {methods}."))
    response["Allow"] = methods
    return response
