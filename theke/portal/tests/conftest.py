from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from theke.core.tests.browser import open_page  # noqa: F401  # fixture of the browser tests
from theke.portal.tests.world import World, make_world


@pytest.fixture(autouse=True)
def locmem_mail(settings: Any) -> None:
    """The worker's mailer is Django's test outbox (mail.outbox)."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def world(tenant_a: Any) -> World:
    return make_world(tenant_a)


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    """Login throttling counts in the cache: every test starts without failures."""
    cache.clear()
    yield
    cache.clear()
