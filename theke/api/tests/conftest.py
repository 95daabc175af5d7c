from __future__ import annotations

from typing import Any

import pytest

from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.tenants.scoping import tenant_scope


def make_key(tenant: Any, name: str = "ERP") -> tuple[Any, str]:
    with tenant_scope(tenant):
        return create_api_key(tenant, SYSTEM, name)


@pytest.fixture
def key_a(tenant_a: Any) -> tuple[Any, str]:
    return make_key(tenant_a)


@pytest.fixture
def key_b(tenant_b: Any) -> tuple[Any, str]:
    return make_key(tenant_b)


@pytest.fixture
def api_client(client: Any, key_a: tuple[Any, str]) -> Any:
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key_a[1]}"
    return client
