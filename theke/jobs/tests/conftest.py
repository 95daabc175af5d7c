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


# --- parking (customer side) ---
from theke.core.tests.browser import open_page  # noqa: E402, F401  # fixture of the browser tests
