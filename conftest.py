"""Shared test setup: fast hashing, tasks run in-process, Chromium from Debian, and the
shared cast of users: an owner and a colleague of tenant A, an outsider of tenant B."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from theke.core.tests.migrated_var import migrated_template, migrated_var_dir  # noqa: F401
from theke.core.tests.shared_rows import SHARED_ROW_FIXTURES, open_shared_rows

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery-staple"

# Playwright's sync API runs an event loop in the main thread; Django must allow ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.SMS_BACKEND = "theke.messaging.sms.LocmemSmsBackend"
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests using a module's shared rows (theke/core/tests/shared_rows.py) run after the
    module's other tests; otherwise the order stays as collected."""
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.nodeid.split("::")[0], index)

    def key(pair: tuple[int, pytest.Item]) -> tuple[int, bool, int]:
        index, item = pair
        shared = bool(SHARED_ROW_FIXTURES & set(getattr(item, "fixturenames", ())))
        return first[item.nodeid.split("::")[0]], shared, index

    items[:] = [item for _index, item in sorted(enumerate(items), key=key)]


@pytest.fixture(autouse=True)
def no_stray_shared_rows(request: pytest.FixtureRequest) -> None:
    """A test never runs inside shared rows it did not ask for (see shared_rows.py)."""
    stray = [name for name in open_shared_rows() if name not in request.fixturenames]
    if stray:
        pytest.fail(f"{request.node.nodeid} runs inside the shared rows of {stray}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser; no background network chatter."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def sms_outbox() -> Iterator[list[Any]]:
    """The SMS test backend's outbox (like mail.outbox), empty at the start of every test."""
    from theke.messaging import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def german_after_each_test() -> Iterator[None]:
    """Every test starts in the default language: a request through the test client runs
    LocaleMiddleware in this thread, and an English one would leave English active for the
    tests after it on the same worker."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def unscoped() -> Iterator[None]:
    with scopes_disabled():
        yield


@pytest.fixture
def tenant_a(db: None) -> Any:
    from theke.tenants.services import create_tenant

    return create_tenant("Autohaus Alpha", "alpha", city="Berlin", email="info@alpha.test")


@pytest.fixture
def tenant_b(db: None) -> Any:
    from theke.tenants.services import create_tenant

    return create_tenant("Werkstatt Beta", "beta", city="Hamburg", email="info@beta.test")


def make_staff(tenant: Any, email: str, full_name: str, role_name: str) -> Any:
    from theke.accounts.models import Membership, Role, User

    with scopes_disabled():
        user = User.objects.create_user(email, PASSWORD, full_name=full_name)
        role = Role.objects.get(tenant=tenant, name=role_name)
        Membership.objects.create(tenant=tenant, user=user, role=role)
    return user


def forget_setup_events() -> None:
    """Empty the event feed after a fixture's setup.

    Master data set up through the services reports itself on the feed (customer.created …);
    tests that look at the whole feed want only the events of what they do themselves.
    """
    from theke.audit.models import FeedEvent

    with scopes_disabled():
        FeedEvent.objects.all().delete()


@pytest.fixture
def owner(tenant_a: Any) -> Any:
    return make_staff(tenant_a, "owner@alpha.test", "Olga Owner", "Admin")


@pytest.fixture
def colleague(tenant_a: Any) -> Any:
    return make_staff(tenant_a, "colleague@alpha.test", "Carl Colleague", "Serviceberater")


@pytest.fixture
def outsider(tenant_b: Any) -> Any:
    return make_staff(tenant_b, "outsider@beta.test", "Otto Outsider", "Admin")


@pytest.fixture
def owner_client(client: Any, owner: Any) -> Any:
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client: Any, outsider: Any) -> Any:
    client.force_login(outsider)
    return client
