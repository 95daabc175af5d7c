from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings

from theke.core.tests.browser import open_page  # noqa: F401  # fixture of the browser tests
from theke.core.tests.shared_rows import copied, shared_rows
from theke.portal.tests.world import World, make_world
from theke.tenants.models import Tenant

LOCMEM_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def locmem_mail(settings: Any) -> None:
    """The worker's mailer is Django's test outbox (mail.outbox)."""
    settings.MAILERS = LOCMEM_MAILERS


def make_tenant_a() -> Tenant:
    from theke.tenants.services import create_tenant

    return create_tenant("Autohaus Alpha", "alpha", city="Berlin", email="info@alpha.test")


def _transactional(node: Any) -> bool:
    marker = node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))


@pytest.fixture(scope="module")
def world_rows(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[World | None]:
    """One portal world for the module's tests that use it (each test in its own transaction
    inside, see theke/core/tests/shared_rows.py). None in a module of transactional tests
    (browser tests, races): those build their world per test."""
    if _transactional(request.node):
        yield None
        return
    with override_settings(MAILERS=LOCMEM_MAILERS):
        yield from shared_rows(django_db_blocker, "world_rows", lambda: make_world(make_tenant_a()))


@pytest.fixture
def world(request: pytest.FixtureRequest, world_rows: World | None) -> World:
    """The portal world of theke/portal/tests/world.py on tenant A: the module's shared one
    (a copy of its objects: a test's changes stay its own), or a new one in transactional
    tests."""
    if world_rows is None:
        return make_world(request.getfixturevalue("tenant_a"))
    if _transactional(request.node) or "transactional_db" in request.fixturenames:
        pytest.fail("a transactional test in a module of shared worlds: mark its module instead")
    request.getfixturevalue("db")
    return copied(world_rows)


@pytest.fixture
def tenant_a(request: pytest.FixtureRequest, db: None) -> Tenant:
    """Tenant A; in a test with the module's shared world, the world's tenant."""
    if "world_rows" in request.fixturenames and request.getfixturevalue("world_rows"):
        world: World = request.getfixturevalue("world")
        return world.tenant
    return make_tenant_a()


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    """Login throttling counts in the cache: every test starts without failures."""
    cache.clear()
    yield
    cache.clear()
