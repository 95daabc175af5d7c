from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from theke.api.services import create_api_key
from theke.audit.services import SYSTEM
from theke.tenants.scoping import tenant_scope

from .receiver import Receiver


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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (a real HTTP server in a thread)."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def loopback_tenant(tenant_a: Any) -> Any:
    """Tenant A with the operator's switch that lets webhooks reach 127.0.0.1."""
    tenant_a.webhooks_allow_private_targets = True
    tenant_a.save(update_fields=["webhooks_allow_private_targets"])
    return tenant_a


def make_endpoint(tenant: Any, url: str, **values: Any) -> Any:
    from theke.api.webhooks.services import create_endpoint

    with tenant_scope(tenant):
        return create_endpoint(tenant, SYSTEM, url=url, **values)
