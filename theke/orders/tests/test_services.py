"""Services of the orders domain: the happy paths, every refusal, and the set-based upsert."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError

from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM, record_many
from theke.core.errors import ServiceError
from theke.customers import services as customers
from theke.orders import services
from theke.orders.models import Invoice, InvoiceStatus, Order, OrderStatus, Quote
from theke.tenants.scoping import tenant_scope
from theke.tenants.services import create_branch

from .conftest import HTML, PDF, Master

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)


@pytest.fixture
def scoped(tenant_a: Any, master: Master) -> Any:
    with tenant_scope(tenant_a):
        yield master


def order_values(master: Master, **values: Any) -> dict[str, Any]:
    return {"number": "RA-1", "customer": master.customer, **values}


def invoice_values(master: Master, **values: Any) -> dict[str, Any]:
    base = {
        "number": "RE-1",
        "customer": master.customer,
        "issue_date": DAY,
        "net_total": "100",
        "gross_total": "119",
    }
    return base | values


def quote_values(master: Master, **values: Any) -> dict[str, Any]:
    return {"number": "AN-1", "customer": master.customer, "date": DAY, **values}


def refusal(call: Any, *args: Any, **kwargs: Any) -> tuple[str | None, str | None]:
    with pytest.raises(ServiceError) as info:
        call(*args, **kwargs)
    return info.value.field, info.value.code


# --- orders ---------------------------------------------------------------------------------


def test_create_and_update_order_record_journal_events(tenant_a: Any, scoped: Master) -> None:
    branch = create_branch(tenant_a, SYSTEM, "Nord")
    order = services.create_order(
        tenant_a,
        SYSTEM,
        external_id="O-1",
        **order_values(scoped, vehicle=scoped.vehicle, branch=branch, planned_date="2026-12-01"),
    )
    assert order.planned_date == datetime.date(2026, 12, 1) and order.status == OrderStatus.OPEN
    services.update_order(order, SYSTEM, status="planned", title=" Inspektion ")
    order.refresh_from_db()
    assert (order.status, order.title) == ("planned", "Inspektion")
    services.update_order(order, SYSTEM, status="planned")  # no change, no event
    events = list(AuditEvent.objects.for_object(order).order_by("id"))
    assert [e.action for e in events] == ["order.created", "order.updated"]
    assert events[1].data["changes"]["status"] == ["open", "planned"]


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"number": ""}, "number", "required"),
        ({"customer": None}, "customer", "required"),
        ({"kind": "towing"}, "kind", "invalid"),
        ({"status": "done"}, "status", "invalid"),
        ({"number": "x" * 41}, "number", "max_length"),
        ({"planned_date": "1.12.2026"}, "planned_date", "invalid_date"),
    ],
)
def test_order_refusals(
    tenant_a: Any, scoped: Master, values: dict[str, Any], field: str, code: str
) -> None:
    data = order_values(scoped) | values
    assert refusal(services.create_order, tenant_a, SYSTEM, external_id="O-1", **data) == (
        field,
        code,
    )
    assert not Order.objects.exists()


@pytest.mark.parametrize("field", ["vehicle", "location", "asset"])
def test_order_refuses_a_reference_of_another_customer(
    tenant_a: Any, scoped: Master, field: str
) -> None:
    foreign = {
        "vehicle": scoped.other_vehicle,
        "location": scoped.other_location,
        "asset": customers.add_asset(scoped.other, SYSTEM, kind="Mulde"),
    }[field]
    data = order_values(scoped, **{field: foreign})
    assert refusal(services.create_order, tenant_a, SYSTEM, external_id="O-1", **data) == (
        field,
        "other_customer",
    )


def test_vehicle_changing_keeper_later_does_not_block_order_updates(
    tenant_a: Any, scoped: Master
) -> None:
    order = services.create_order(
        tenant_a, SYSTEM, external_id="O-1", **order_values(scoped, vehicle=scoped.vehicle)
    )
    customers.transfer_vehicle(scoped.vehicle, SYSTEM, scoped.other)
    scoped.vehicle.refresh_from_db()
    order = services.update_order(order, SYSTEM, status="completed", vehicle=scoped.vehicle)
    assert order.status == "completed"
    # Moving the order to another customer checks its references again.
    order = services.update_order(order, SYSTEM, location=scoped.location)
    assert refusal(services.update_order, order, SYSTEM, customer=scoped.other) == (
        "location",
        "other_customer",
    )


def test_duplicate_external_id_is_refused_on_create(tenant_a: Any, scoped: Master) -> None:
    services.create_order(tenant_a, SYSTEM, external_id="O-1", **order_values(scoped))
    assert refusal(
        services.create_order, tenant_a, SYSTEM, external_id="O-1", **order_values(scoped)
    ) == ("external_id", "duplicate")


def test_customer_of_another_tenant_is_refused(
    tenant_a: Any, tenant_b: Any, scoped: Master
) -> None:
    with tenant_scope(tenant_b):
        stranger = customers.create_customer(tenant_b, SYSTEM, kind="person", last_name="B")
    data = order_values(scoped, customer=stranger)
    assert refusal(services.create_order, tenant_a, SYSTEM, external_id="O-1", **data) == (
        "customer",
        "unknown",
    )


def test_cancel_order_records_one_event(tenant_a: Any, scoped: Master) -> None:
    order = services.create_order(tenant_a, SYSTEM, external_id="O-1", **order_values(scoped))
    services.cancel_order(order, SYSTEM)
    services.cancel_order(order, SYSTEM)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert AuditEvent.objects.filter(action="order.cancelled").count() == 1


def test_customer_with_orders_cannot_be_removed(tenant_a: Any, scoped: Master) -> None:
    customer = customers.create_customer(tenant_a, SYSTEM, kind="person", last_name="Neu")
    services.create_order(tenant_a, SYSTEM, external_id="O-1", number="1", customer=customer)
    assert refusal(customers.remove_customer, customer, SYSTEM) == (None, "referenced")


# --- set-based upsert -----------------------------------------------------------------------


def test_upsert_orders_keeps_good_items_and_the_order_of_results(
    tenant_a: Any, scoped: Master
) -> None:
    services.create_order(tenant_a, SYSTEM, external_id="O-0", **order_values(scoped))
    outcomes = services.upsert_orders(
        tenant_a,
        SYSTEM,
        [
            ("O-0", {"status": "in_progress"}),
            ("O-1", order_values(scoped)),
            ("O-2", order_values(scoped, number="")),
            ("O-1", {"status": "completed", "planned_date": DAY}),
            ("O-3", order_values(scoped, vehicle=scoped.other_vehicle)),
            ("", order_values(scoped)),
            ("O-0", {"status": "bogus"}),
        ],
    )
    kinds = [o[0] if isinstance(o, tuple) else o.field for o in outcomes]
    assert kinds == ["updated", "created", "number", "updated", "vehicle", "external_id", "status"]
    stored = {o.external_id: (o.status, o.planned_date) for o in Order.objects.all()}
    assert stored == {"O-0": ("in_progress", None), "O-1": ("completed", DAY)}
    actions = sorted(
        AuditEvent.objects.values_list("action", flat=True).filter(action__startswith="order.")
    )
    assert actions == ["order.created", "order.created", "order.updated", "order.updated"]


def test_upsert_orders_starts_again_after_losing_an_insert_race(
    tenant_a: Any, scoped: Master, monkeypatch: Any
) -> None:
    real = services._upsert_many_once
    calls: list[int] = []

    def racing(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # another writer committed one of our new ids first
            real(*args)
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(*args)

    monkeypatch.setattr(services, "_upsert_many_once", racing)
    (outcome,) = services.upsert_orders(tenant_a, SYSTEM, [("O-1", order_values(scoped))])
    assert isinstance(outcome, tuple) and outcome[0] == "created"
    assert len(calls) == 2 and Order.objects.count() == 1
    assert AuditEvent.objects.filter(action="order.created").count() == 1


def test_upsert_orders_gives_up_after_three_lost_races(
    tenant_a: Any, scoped: Master, monkeypatch: Any
) -> None:
    def always(*args: Any) -> Any:
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(services, "_upsert_many_once", always)
    with pytest.raises(IntegrityError):
        services.upsert_orders(tenant_a, SYSTEM, [("O-1", order_values(scoped))])


# --- invoices -------------------------------------------------------------------------------


def test_invoice_paid_at_follows_the_status(tenant_a: Any, scoped: Master) -> None:
    invoice = services.create_invoice(tenant_a, SYSTEM, external_id="I-1", **invoice_values(scoped))
    assert (invoice.net_total, invoice.gross_total) == (Decimal("100.00"), Decimal("119.00"))
    assert invoice.currency == "EUR" and invoice.paid_at is None
    invoice = services.update_invoice(invoice, SYSTEM, status=InvoiceStatus.PAID)
    assert invoice.paid_at is not None
    invoice.refresh_from_db()
    assert invoice.paid_at is not None
    invoice = services.update_invoice(invoice, SYSTEM, status=InvoiceStatus.OPEN)
    invoice.refresh_from_db()
    assert invoice.paid_at is None
    last = AuditEvent.objects.filter(action="invoice.updated").order_by("id").last()
    assert last is not None and last.data["changes"]["paid_at"][1] is None


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"number": " "}, "number", "required"),
        ({"issue_date": None}, "issue_date", "required"),
        ({"due_date": DAY - datetime.timedelta(days=1)}, "due_date", "before_issue_date"),
        ({"net_total": "-0.01"}, "net_total", "negative"),
        ({"gross_total": "-5"}, "gross_total", "negative"),
        ({"gross_total": "99.99"}, "gross_total", "gross_below_net"),
        ({"net_total": "abc"}, "net_total", "invalid_number"),
        ({"net_total": "1e30", "gross_total": "1e30"}, "net_total", "too_large"),
        ({"currency": "EURO"}, "currency", "invalid"),
        ({"status": "open", "paid_at": "2026-11-21T10:00"}, "paid_at", "not_paid"),
        ({"status": "refunded"}, "status", "invalid"),
    ],
)
def test_invoice_refusals(
    tenant_a: Any, scoped: Master, values: dict[str, Any], field: str, code: str
) -> None:
    data = invoice_values(scoped) | values
    assert refusal(services.create_invoice, tenant_a, SYSTEM, external_id="I-1", **data) == (
        field,
        code,
    )
    assert not Invoice.objects.exists()


def test_order_of_another_tenant_is_refused(tenant_a: Any, tenant_b: Any, scoped: Master) -> None:
    with tenant_scope(tenant_b):
        stranger = customers.create_customer(tenant_b, SYSTEM, kind="person", last_name="B")
        foreign = services.create_order(
            tenant_b, SYSTEM, external_id="O-1", number="1", customer=stranger
        )
    for create, values in (
        (services.create_invoice, invoice_values(scoped, order=foreign)),
        (services.create_quote, quote_values(scoped, order=foreign)),
    ):
        assert refusal(create, tenant_a, SYSTEM, external_id="D-1", **values) == (
            "order",
            "unknown",
        )


def test_invoice_never_moves_to_another_customer(tenant_a: Any, scoped: Master) -> None:
    invoice = services.create_invoice(tenant_a, SYSTEM, external_id="I-1", **invoice_values(scoped))
    assert refusal(services.update_invoice, invoice, SYSTEM, customer=scoped.other) == (
        "customer",
        "immutable",
    )


# --- quotes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"number": ""}, "number", "required"),
        ({"date": None}, "date", "required"),
        ({"valid_until": DAY - datetime.timedelta(days=1)}, "valid_until", "before_date"),
        ({"net_total": "10", "gross_total": "9"}, "gross_total", "gross_below_net"),
        ({"status": "paid"}, "status", "invalid"),
        ({"title": "x" * 201}, "title", "max_length"),
    ],
)
def test_quote_refusals(
    tenant_a: Any, scoped: Master, values: dict[str, Any], field: str, code: str
) -> None:
    data = quote_values(scoped) | values
    assert refusal(services.create_quote, tenant_a, SYSTEM, external_id="Q-1", **data) == (
        field,
        code,
    )


def test_quote_location_must_belong_to_the_customer(tenant_a: Any, scoped: Master) -> None:
    data = quote_values(scoped, location=scoped.other_location)
    assert refusal(services.create_quote, tenant_a, SYSTEM, external_id="Q-1", **data) == (
        "location",
        "other_customer",
    )
    quote = services.create_quote(
        tenant_a, SYSTEM, external_id="Q-1", **quote_values(scoped, location=scoped.location)
    )
    assert quote.location == scoped.location


# --- files ----------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_attach_pdf_checks_the_content(tenant_a: Any, scoped: Master, media: Any) -> None:
    invoice = services.create_invoice(tenant_a, SYSTEM, external_id="I-1", **invoice_values(scoped))
    assert refusal(services.attach_pdf, invoice, SYSTEM, HTML) == ("file", "file_type")
    assert refusal(services.attach_pdf, invoice, SYSTEM, b"") == ("file", "empty")
    name = services.attach_pdf(invoice, SYSTEM, PDF).pdf.name or ""
    assert name.startswith("orders/invoices/") and name.endswith(".pdf")
    assert len(name) > len("orders/invoices/") + 30
    event = AuditEvent.objects.get(action="invoice.pdf_attached")
    assert event.data["size"] == len(PDF)


def test_attach_pdf_refuses_oversized_files(
    tenant_a: Any, scoped: Master, media: Any, settings: Any
) -> None:
    quote = services.create_quote(tenant_a, SYSTEM, external_id="Q-1", **quote_values(scoped))
    settings.API_MAX_UPLOAD_BYTES = 10
    assert refusal(services.attach_pdf, quote, SYSTEM, PDF) == ("file", "too_large")


def test_delete_quote_removes_row_and_file_after_commit(
    tenant_a: Any, scoped: Master, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    quote = services.create_quote(tenant_a, SYSTEM, external_id="Q-1", **quote_values(scoped))
    with django_capture_on_commit_callbacks(execute=True):
        quote = services.attach_pdf(quote, SYSTEM, PDF)
    assert list(media.rglob("*.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_quote(quote, SYSTEM)
    assert not Quote.objects.exists() and not list(media.rglob("*.pdf"))
    assert AuditEvent.objects.get(action="quote.deleted").data["label"] == "AN-1"


# --- audit ----------------------------------------------------------------------------------


def test_record_many_appends_events_that_stay_immutable(tenant_a: Any, scoped: Master) -> None:
    order = services.create_order(tenant_a, SYSTEM, external_id="O-1", **order_values(scoped))
    before = AuditEvent.objects.count()
    data = {"changes": {"planned_date": [None, DAY], "total": [None, Decimal("1.50")]}}
    assert record_many(tenant_a, SYSTEM, [("order.updated", order, data), ("x.y", None, None)]) == 2
    first, second = AuditEvent.objects.order_by("id")[before:]
    assert (first.object_id, first.object_label, first.subject) == (str(order.pk), "RA-1", order)
    assert first.data == {
        "changes": {"planned_date": [None, "2026-11-20"], "total": [None, "1.50"]}
    }
    assert (first.actor_type, first.actor_label, first.tenant_id) == (
        "system",
        "System",
        tenant_a.pk,
    )
    assert (second.object_id, second.content_type_id, second.data) == ("", None, {})
    assert record_many(tenant_a, SYSTEM, []) == 0
    from theke.audit.models import AuditEventImmutableError

    with pytest.raises(AuditEventImmutableError):
        first.save()
    with pytest.raises(ValueError, match="saved"):
        record_many(tenant_a, SYSTEM, [("x", Order(tenant=tenant_a), None)])
