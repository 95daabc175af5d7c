"""Two bulk upserts of overlapping new orders at once (PostgreSQL: real locks, two sessions)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.orders import services
from theke.orders.models import Order
from theke.tenants.scoping import tenant_scope

from .conftest import Master

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_overlapping_bulk_upserts_at_once_both_succeed(tenant_a: Any, master: Master) -> None:
    ids = [f"O-{n:03d}" for n in range(200)]
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def push(order_ids: list[str], status: str) -> None:
        try:
            items = [
                (
                    external_id,
                    {"number": external_id, "customer": master.customer, "status": status},
                )
                for external_id in order_ids
            ]
            with tenant_scope(tenant_a), transaction.atomic():
                barrier.wait()
                results = services.upsert_orders(tenant_a, SYSTEM, items)
            outcomes.append(sorted({r[0] for r in results if isinstance(r, tuple)}))
        except Exception as exc:  # the test reports it below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=push, args=(ids, "open")),
        threading.Thread(target=push, args=(ids[::-1], "planned")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(map(tuple, outcomes)) == [("created",), ("updated",)]
    with tenant_scope(tenant_a):
        assert Order.objects.count() == 200
        assert AuditEvent.objects.filter(action="order.created").count() == 200
