"""Hostile input and wrong paths get problem documents, never a 500 or an HTML page:
text no database can store (lone surrogates, NUL) in any body, unknown paths with any
method (also without a CSRF cookie), wrong methods on known paths (405 with `Allow`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .test_api import assert_problem

pytestmark = pytest.mark.django_db

# A lone surrogate: valid JSON ("\ud800" escaped), but no UTF-8 text.
SURROGATE_BODY = '{"items": [{"name": "a\\ud800"}], "text": "b\\u0000", "c\\ud800": 1}'
EXPECTED_PATHS = {"items.0.name", "text", "c\\ud800"}


def _write_operations(client: Client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").json()
    return [
        (method, path.replace("{external_id}", "X-1"))
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.fixture
def csrf_client(api_client: Any) -> Client:
    """A client like an integrator's: bearer key, no CSRF cookie, CSRF checks enforced."""
    return Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=api_client.defaults["HTTP_AUTHORIZATION"]
    )


def test_unstorable_text_in_any_body_is_422_with_its_paths(csrf_client: Client) -> None:
    operations = _write_operations(csrf_client)
    assert len(operations) >= 20  # every PUT and POST with a JSON body
    for method, path in operations:
        response = getattr(csrf_client, method)(
            path, SURROGATE_BODY, content_type="application/json"
        )
        body = assert_problem(response, 422)
        assert {error["path"] for error in body["errors"]} == EXPECTED_PATHS, (method, path)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("put", "/api/v1/customers/K-1", '{"last_name": "a\\ud800"}', "last_name"),
        (
            "post",
            "/api/v1/customers/bulk",
            '{"items": [{"external_id": "K-1", "contacts": [{"last_name": "\\udfff"}]}]}',
            "items.0.contacts.0.last_name",
        ),
        ("put", "/api/v1/articles/A-1", '{"number": "1", "text": "a\\ud800"}', "text"),
    ],
)
def test_lone_surrogate_in_a_real_field_is_422_not_500(
    csrf_client: Client, method: str, path: str, body: str, field: str
) -> None:
    response = getattr(csrf_client, method)(path, body, content_type="application/json")
    problem = assert_problem(response, 422)
    assert [error["path"] for error in problem["errors"]] == [field]
    assert problem["errors"][0]["code"] == "invalid_unicode"


@pytest.mark.parametrize("method", ["put", "post", "delete", "patch"])
def test_unknown_api_path_is_a_404_problem_for_every_method(
    csrf_client: Client, method: str
) -> None:
    response = getattr(csrf_client, method)(
        "/api/v1/no-such-thing/1", "{}", content_type="application/json"
    )
    assert_problem(response, 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("delete", "/api/v1/ping", "GET, POST"),
        ("patch", "/api/v1/customers/K-1", "DELETE, GET, PUT"),
        ("options", "/api/v1/invoices/R-1", "GET, PUT"),
        ("patch", "/api/v1/invoices/R-1", "GET, PUT"),
        ("put", "/api/v1/customers/bulk", "POST"),
    ],
)
def test_wrong_method_is_a_405_problem_with_the_documented_allow(
    csrf_client: Client, method: str, path: str, allow: str
) -> None:
    response = getattr(csrf_client, method)(path, "{}", content_type="application/json")
    assert_problem(response, 405)
    assert response["Allow"] == allow
