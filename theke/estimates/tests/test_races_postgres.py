"""Estimates under concurrency against PostgreSQL: one estimate per external id, one
`estimate.viewed` event however many first views arrive at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from theke.audit.models import FeedEvent
from theke.audit.services import SYSTEM
from theke.core.tests.concurrency import run_at_once
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateLink
from theke.tenants.scoping import tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

POSITION = {"text": "Arbeit", "quantity": "1", "unit_price": "10", "vat_rate": "19"}


def test_concurrent_first_puts_make_one_estimate(tenant_a: Any, customer: Any) -> None:
    created: list[bool] = []

    def put(number: str) -> Callable[[], None]:
        def job() -> None:
            with tenant_scope(tenant_a):
                _estimate, was_created = services.save_estimate(
                    tenant_a, SYSTEM, "KV-1", {"customer": customer, "number": number}, [POSITION]
                )
            created.append(was_created)

        return job

    assert run_at_once(*(put(f"N-{n}") for n in range(4))) == []
    assert sorted(created) == [False, False, False, True]
    with scopes_disabled():
        assert Estimate.objects.filter(external_id="KV-1").count() == 1


def test_concurrent_links_before_data_share_one_placeholder(tenant_a: Any) -> None:
    def link() -> None:
        with tenant_scope(tenant_a):
            services.create_link(tenant_a, SYSTEM, "KV-1")

    assert run_at_once(*([link] * 4)) == []
    with scopes_disabled():
        assert Estimate.objects.count() == 1
        assert EstimateLink.objects.count() == 4


def test_concurrent_first_views_emit_one_event(tenant_a: Any, customer: Any) -> None:
    with tenant_scope(tenant_a):
        services.save_estimate(tenant_a, SYSTEM, "KV-1", {"customer": customer}, [POSITION])
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    found = [services.find_link(token) for _ in range(6)]  # all loaded before any view

    def view(index: int) -> Callable[[], None]:
        def job() -> None:
            item = found[index]
            assert item.link is not None and item.estimate is not None
            services.record_view(item.link, item.estimate)

        return job

    assert run_at_once(*(view(i) for i in range(6))) == []
    with scopes_disabled():
        assert FeedEvent.objects.filter(type="estimate.viewed").count() == 1
        assert Estimate.objects.get().status == "viewed"


def test_two_concurrent_accepts_make_exactly_one_decision(tenant_a: Any, customer: Any) -> None:
    from theke.core.errors import ServiceError
    from theke.estimates.models import EstimateDecision

    with tenant_scope(tenant_a):
        services.save_estimate(tenant_a, SYSTEM, "KV-1", {"customer": customer}, [POSITION])
        link, _token = services.create_link(tenant_a, SYSTEM, "KV-1")
    refused: list[str] = []

    def accept() -> None:
        with scopes_disabled():
            found = EstimateLink.objects.select_related("tenant", "contact")
            own = found.get(pk=link.pk)
        try:
            services.accept_estimate(own, name="Eva Berg", terms_accepted=True)
        except ServiceError as error:
            refused.append(str(error.code))

    errors = run_at_once(accept, accept)
    assert errors == []
    assert refused == ["already_decided"]
    with scopes_disabled():
        assert EstimateDecision.objects.count() == 1
        assert FeedEvent.objects.filter(type="estimate.accepted").count() == 1
        assert Estimate.objects.get().status == "accepted"


def test_concurrent_staff_saves_never_share_a_number(tenant_a: Any, customer: Any) -> None:
    """Theke's own numbers (KV-2026-0001 …): a counter row raised under its lock."""

    def save(index: int) -> Callable[[], None]:
        def job() -> None:
            with tenant_scope(tenant_a):
                services.save_estimate(
                    tenant_a, SYSTEM, f"THEKE-RACE{index}", {"customer": customer}, [POSITION]
                )

        return job

    assert run_at_once(*(save(n) for n in range(6))) == []
    with scopes_disabled():
        numbers = sorted(Estimate.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 6
    assert [n.rsplit("-", 1)[1] for n in numbers] == [f"{n:04d}" for n in range(1, 7)]
