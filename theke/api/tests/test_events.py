from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core import signing
from django.db import connection, transaction
from django_scopes import scopes_disabled

from theke.api import events
from theke.api.events import encode_cursor
from theke.audit.feed import EVENT_LISTENERS, emit_event
from theke.audit.models import FeedEvent

from .test_api import assert_problem

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events"


def emit(tenant: Any, count: int, type: str = "estimate.accepted") -> list[FeedEvent]:
    with scopes_disabled():
        return [
            emit_event(tenant, type, subject_type="estimate", external_id=f"E{i}", payload={"n": i})
            for i in range(count)
        ]


def get(client: Any, **params: Any) -> Any:
    return client.get(EVENTS, params)


def test_pages_through_250_events_in_order(api_client: Any, tenant_a: Any) -> None:
    emit(tenant_a, 250)
    seen: list[int] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(3):
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["after"] = cursor
        response = get(api_client, **params)
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page)
        seen += [event["payload"]["n"] for event in page["events"]]
        cursor = page["next_cursor"]
    assert [len(p["events"]) for p in pages] == [100, 100, 50]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert seen == list(range(250))
    first = pages[0]["events"][0]
    assert set(first) == {"id", "type", "subject_type", "external_id", "payload", "created_at"}
    assert first["type"] == "estimate.accepted" and first["external_id"] == "E0"
    assert first["subject_type"] == "estimate" and isinstance(first["id"], str)
    ids = [e["id"] for p in pages for e in p["events"]]
    assert len(set(ids)) == 250


def test_default_limit_is_100(api_client: Any, tenant_a: Any) -> None:
    emit(tenant_a, 101)
    page = get(api_client).json()
    assert len(page["events"]) == 100 and page["has_more"] is True


def test_polling_an_empty_feed_keeps_the_cursor(api_client: Any, tenant_a: Any) -> None:
    first = get(api_client).json()
    assert first == {"events": [], "next_cursor": first["next_cursor"], "has_more": False}
    emit(tenant_a, 2)
    page = get(api_client, after=first["next_cursor"]).json()
    assert len(page["events"]) == 2
    cursor = page["next_cursor"]
    empty = get(api_client, after=cursor).json()
    assert empty["events"] == [] and empty["has_more"] is False
    assert empty["next_cursor"] == cursor
    emit(tenant_a, 1, "booking.requested")
    later = get(api_client, after=cursor).json()
    assert [e["type"] for e in later["events"]] == ["booking.requested"]


def test_tenant_isolation(
    client: Any, tenant_a: Any, tenant_b: Any, key_a: Any, key_b: Any
) -> None:
    emit(tenant_a, 3)
    emit(tenant_b, 1, "message.received")
    as_b = {"Authorization": f"Bearer {key_b[1]}"}
    as_a = {"Authorization": f"Bearer {key_a[1]}"}
    page_b = client.get(EVENTS, headers=as_b).json()
    assert [e["type"] for e in page_b["events"]] == ["message.received"]
    cursor_a = client.get(EVENTS, {"limit": 1}, headers=as_a).json()["next_cursor"]
    response = client.get(EVENTS, {"after": cursor_a}, headers=as_b)
    body = assert_problem(response, 400)
    assert body["errors"][0]["path"] == "after"
    assert "estimate" not in response.content.decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        base64.urlsafe_b64encode(b"v1:1:5").decode(),  # unsigned
        base64.urlsafe_b64encode(signing.Signer(salt="other").sign("v1:1:0").encode()).decode(),
        base64.urlsafe_b64encode(events._SIGNER.sign("v2:1:0").encode()).decode(),
        base64.urlsafe_b64encode(events._SIGNER.sign("v1:1:-3").encode()).decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_malformed_cursor_is_a_400_problem(api_client: Any, cursor: str) -> None:
    assert_problem(get(api_client, after=cursor), 400)


def test_cursor_round_trip(tenant_a: Any) -> None:
    cursor = encode_cursor(tenant_a.pk, 42)
    # Opaque to clients: neither the plain id nor the version prefix shows (base64url, no padding).
    assert "=" not in cursor and not cursor.isdigit() and "v1:" not in cursor
    assert events.decode_cursor(cursor, tenant_a.pk) == 42
    with pytest.raises(events.InvalidCursor):
        events.decode_cursor(cursor, tenant_a.pk + 1)


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "many"])
def test_limit_out_of_range_is_a_problem(api_client: Any, limit: str) -> None:
    body = assert_problem(get(api_client, limit=limit), 422)
    assert body["errors"][0]["path"] == "limit"


def test_limit_bounds_are_accepted(api_client: Any, tenant_a: Any) -> None:
    emit(tenant_a, 2)
    assert len(get(api_client, limit=1).json()["events"]) == 1
    assert len(get(api_client, limit=1000).json()["events"]) == 2


def test_events_of_a_rolled_back_transaction_do_not_appear(api_client: Any, tenant_a: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(tenant_a, 2)
        raise RuntimeError("rollback")
    emit(tenant_a, 1, "lead.cancelled")
    assert [e["type"] for e in get(api_client).json()["events"]] == ["lead.cancelled"]


def test_requires_a_key(client: Any) -> None:
    assert_problem(client.get(EVENTS), 401)


def test_listeners_are_called_with_the_new_event(tenant_a: Any) -> None:
    received: list[FeedEvent] = []
    EVENT_LISTENERS.append(received.append)
    try:
        (event,) = emit(tenant_a, 1)
    finally:
        EVENT_LISTENERS.remove(received.append)
    assert received == [event]


def test_openapi_lists_the_endpoint(client: Any) -> None:
    document = json.loads(client.get("/api/v1/openapi.json").content)
    operation = document["paths"]["/api/v1/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"after", "limit"}
    assert operation["operationId"] == "list_events"


def test_customer_api_writes_emit_events(api_client: Any) -> None:
    url = "/api/v1/customers/K1"
    body = json.dumps({"kind": "company", "company_name": "Muster GmbH"})
    assert api_client.put(url, body, content_type="application/json").status_code == 201
    assert api_client.put(url, body, content_type="application/json").status_code == 200
    assert api_client.delete(url).status_code == 200
    page = get(api_client).json()
    assert [(e["type"], e["external_id"]) for e in page["events"]] == [
        ("customer.created", "K1"),
        ("customer.updated", "K1"),
        ("customer.deleted", "K1"),
    ]
    assert {e["subject_type"] for e in page["events"]} == {"customer"}


def test_refused_customer_delete_emits_nothing(api_client: Any, tenant_a: Any) -> None:
    with scopes_disabled():
        before = FeedEvent.objects.count()
    assert api_client.delete("/api/v1/customers/nope").status_code == 404
    with scopes_disabled():
        assert FeedEvent.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_event_writers_of_one_tenant_commit_in_id_order(tenant_a: Any) -> None:
    """A second writer waits for the first to commit, so a cursor never skips an event."""
    import threading

    from theke.audit.feed import emit_event
    from theke.tenants.scoping import tenant_scope

    order: list[str] = []

    def second_writer() -> None:
        try:
            with tenant_scope(tenant_a), transaction.atomic():
                emit_event(tenant_a, "x.second", subject_type="x")
                order.append("second")
        finally:
            connection.close()

    with tenant_scope(tenant_a), transaction.atomic():
        emit_event(tenant_a, "x.first", subject_type="x")
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive()  # waiting on the tenant's advisory lock
        order.append("first")
    thread.join(10)
    assert order == ["first", "second"]
