"""Contract test: schemathesis generates requests from /api/v1/openapi.json for every
operation, valid and invalid ones, and sends them with a valid key through the whole Django
stack (WSGI, middleware, ninja). No answer may be a 5xx, have an undocumented status or
content type, or a body that does not match the documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from theke.api.tests.conftest import make_key

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(tenant_a: Any) -> str:
    return f"Bearer {make_key(tenant_a)[1]}"


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction (on PostgreSQL: "the connection is closed"); Django's own test
    client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_as_documented(case: Any, bearer: str) -> None:
    case.call_and_validate(headers={"Authorization": bearer}, checks=CHECKS)
