"""Named texts under concurrency against PostgreSQL: however many clicks at once, one
default per purpose, channel and language, and one "Standard" made from the shipped text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from theke.audit.services import Actor
from theke.core.tests.concurrency import run_at_once
from theke.messaging.models import MessageTemplate
from theke.messaging.services import templates

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

KEY = ("estimate_link", "sms", "de")


def test_concurrent_switches_leave_one_default(tenant_a: Any, owner: Any) -> None:
    actor = Actor.staff(owner)
    names = ["A", "B", "C", "D"]
    rows = [templates.create_template(tenant_a, actor, *KEY, name) for name in names]

    def switch(pk: int) -> Callable[[], Any]:
        return lambda: templates.make_default(tenant_a, actor, pk)

    assert run_at_once(*(switch(row.pk) for row in rows)) == []
    with scopes_disabled():
        assert MessageTemplate.objects.filter(is_default=True).count() == 1
        assert MessageTemplate.objects.count() == len(names) + 1  # and "Standard"


def test_concurrent_first_texts_share_one_standard(tenant_a: Any, owner: Any) -> None:
    actor = Actor.staff(owner)

    def create(name: str) -> Callable[[], Any]:
        return lambda: templates.create_template(tenant_a, actor, *KEY, name)

    assert run_at_once(*(create(f"Text {n}") for n in range(4))) == []
    with scopes_disabled():
        assert list(
            MessageTemplate.objects.filter(is_default=True).values_list("name", flat=True)
        ) == ["Standard"]
        assert MessageTemplate.objects.count() == 5
