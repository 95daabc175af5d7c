"""The container order kinds: the same values as the catalog's, with their German labels."""

from __future__ import annotations

from theke.customers.models import ContainerOrderKind
from theke.orders.models import OrderKind


def test_container_kinds_are_order_kinds_with_german_labels() -> None:
    assert set(ContainerOrderKind.values) <= set(OrderKind.values)
    labels = dict(OrderKind.choices)
    assert [str(labels[v]) for v in ContainerOrderKind.values] == [
        "Gestellung",
        "Tausch",
        "Leerung",
        "Abzug",
    ]
