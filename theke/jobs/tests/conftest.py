from typing import Any

import pytest

from theke.jobs.tests.world import JobWorld, make_job_world


@pytest.fixture(autouse=True)
def locmem_mail(settings: Any) -> None:
    """The worker's mailer is Django's test outbox (mail.outbox)."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def world(tenant_a: Any) -> JobWorld:
    return make_job_world(tenant_a)


# --- editor ---
from theke.core.tests.browser import open_page  # noqa: E402, F401  # a fixture of browser tests


@pytest.fixture(autouse=True)
def fresh_compiled_versions() -> None:
    """Compiled versions are cached by id; every test's database starts its ids anew (a
    rolled-back transaction resets the counters), so the cache is emptied per test."""
    from theke.jobs import definition

    definition._CACHE.clear()
