"""HTTP-level tests of /api/v1/orders, /invoices and /quotes with real bearer API keys."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.audit.models import ActorType, AuditEvent, FeedEvent
from theke.orders.models import Invoice, Order, OrderStatus, Quote

from .conftest import BASE, HTML, PDF, post, problem_of, put, upload

pytestmark = pytest.mark.django_db

ORDER: dict[str, Any] = {
    "kind": "repair",
    "number": "RA-4711",
    "customer_external_id": "K-1",
    "vehicle_external_id": "V-1",
    "title": "Inspektion 60.000 km",
    "planned_date": "2026-12-01",
}
INVOICE: dict[str, Any] = {
    "number": "RE-2026-001",
    "customer_external_id": "K-1",
    "issue_date": "2026-11-20",
    "due_date": "2026-12-04",
    "net_total": "100.00",
    "gross_total": "119.00",
}
QUOTE: dict[str, Any] = {
    "number": "AN-77",
    "customer_external_id": "K-1",
    "location_external_id": "L-1",
    "date": "2026-11-20",
    "valid_until": "2026-12-20",
    "title": "Neuer Standort: 2 Absetzcontainer",
    "net_total": "840.00",
    "gross_total": "999.60",
}


# --- orders ---------------------------------------------------------------------------------


def test_put_creates_order_then_updates_and_reads_it_back(api: Any) -> None:
    response = put(api, "/orders/O-1", ORDER)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["vehicle_external_id"]) == (
        "RA-4711",
        "open",
        "V-1",
    )
    assert body["planned_date"] == "2026-12-01"

    response = put(api, "/orders/O-1", {**ORDER, "status": "planned", "planned_date": "2026-12-03"})
    assert response.status_code == 200, response.content

    body = api.get(f"{BASE}/orders/O-1").json()
    assert (body["status"], body["planned_date"], body["customer_external_id"]) == (
        "planned",
        "2026-12-03",
        "K-1",
    )
    with scopes_disabled():
        assert Order.objects.filter(external_id="O-1").count() == 1
        actions = list(
            AuditEvent.objects.filter(action__startswith="order.").values_list("action", flat=True)
        )
    assert sorted(actions) == ["order.created", "order.updated"]


def test_service_order_at_a_customer_site(api: Any) -> None:
    body = {
        "kind": "service",
        "number": "FA-9",
        "customer_external_id": "K-1",
        "location_external_id": "L-1",
        "asset_external_id": "A-1",
        "title": "Tausch Absetzcontainer 7 m³",
    }
    response = put(api, "/orders/O-2", body)
    assert response.status_code == 201, response.content
    assert response.json()["location_external_id"] == "L-1"
    assert response.json()["asset_external_id"] == "A-1"


def test_left_out_fields_keep_their_values_and_null_clears_a_reference(api: Any) -> None:
    put(api, "/orders/O-1", ORDER)
    body = put(api, "/orders/O-1", {"number": "RA-4711", "customer_external_id": "K-1"}).json()
    assert body["vehicle_external_id"] == "V-1" and body["title"] == ORDER["title"]
    body = put(api, "/orders/O-1", {**ORDER, "vehicle_external_id": None}).json()
    assert body["vehicle_external_id"] is None


def test_order_changes_are_audited_with_the_api_key_and_emit_no_api_event(
    api_as: Any, tenant_a: Any, master: Any
) -> None:
    client = api_as(tenant_a, name="Warenwirtschaft")
    put(client, "/orders/O-1", ORDER)
    with scopes_disabled():
        event = AuditEvent.objects.get(action="order.created")
        assert not FeedEvent.objects.filter(tenant=tenant_a).exists()
    assert (event.actor_type, event.actor_label) == (ActorType.API_KEY, "Warenwirtschaft")
    assert event.data["values"]["number"] == "RA-4711"


def test_delete_cancels_the_order(api: Any) -> None:
    put(api, "/orders/O-1", ORDER)
    response = api.delete(f"{BASE}/orders/O-1")
    assert response.json() == {"external_id": "O-1", "result": "cancelled"}
    assert api.delete(f"{BASE}/orders/O-1").json()["result"] == "cancelled"
    assert api.get(f"{BASE}/orders/O-1").json()["status"] == "cancelled"
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="order.cancelled").count() == 1
    problem_of(api.delete(f"{BASE}/orders/nope"), 404)


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        ({"customer_external_id": "K-404"}, "customer_external_id", "unknown"),
        ({"vehicle_external_id": "V-404"}, "vehicle_external_id", "unknown"),
        ({"vehicle_external_id": "V-2"}, "vehicle_external_id", "other_customer"),
        ({"location_external_id": "L-2"}, "location_external_id", "other_customer"),
        ({"branch_external_id": "B-404"}, "branch_external_id", "unknown"),
        ({"status": "done"}, "status", "literal_error"),
        ({"number": ""}, "number", "string_too_short"),
        ({"number": "  "}, "number", "required"),
        ({"planned_date": "01.12.2026"}, "planned_date", "date_type"),
        ({"colour": "red"}, "colour", "extra_forbidden"),
    ],
)
def test_bad_order_is_422_naming_the_field(
    api: Any, change: dict[str, Any], path: str, code: str
) -> None:
    body = problem_of(put(api, "/orders/O-1", {**ORDER, **change}), 422)
    assert (body["errors"][0]["path"], body["errors"][0]["code"]) == (path, code)
    with scopes_disabled():
        assert not Order.objects.exists()


def test_too_long_external_id_in_the_path_is_422(api: Any) -> None:
    body = problem_of(put(api, "/orders/" + "x" * 101, ORDER), 422)
    assert body["errors"][0]["path"] == "external_id"


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        ({"due_date": "2026-11-19"}, "due_date", "before_issue_date"),
        ({"net_total": "-1.00"}, "net_total", "decimal_format"),
        ({"gross_total": "99.00"}, "gross_total", "gross_below_net"),
        ({"currency": "euro"}, "currency", "string_pattern_mismatch"),
        ({"order_external_id": "O-404"}, "order_external_id", "unknown"),
        ({"paid_at": "2026-11-21T10:00:00+01:00"}, "paid_at", "not_paid"),
    ],
)
def test_bad_invoice_is_422_naming_the_field(
    api: Any, change: dict[str, Any], path: str, code: str
) -> None:
    body = problem_of(put(api, "/invoices/I-1", {**INVOICE, **change}), 422)
    assert (body["errors"][0]["path"], body["errors"][0]["code"]) == (path, code)


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        ({"valid_until": "2026-11-19"}, "valid_until", "before_date"),
        ({"location_external_id": "L-2"}, "location_external_id", "other_customer"),
        ({"status": "paid"}, "status", "literal_error"),
    ],
)
def test_bad_quote_is_422_naming_the_field(
    api: Any, change: dict[str, Any], path: str, code: str
) -> None:
    body = problem_of(put(api, "/quotes/Q-1", {**QUOTE, **change}), 422)
    assert (body["errors"][0]["path"], body["errors"][0]["code"]) == (path, code)


# --- invoices and quotes --------------------------------------------------------------------


def test_invoice_create_update_read(api: Any) -> None:
    put(api, "/orders/O-1", ORDER)
    response = put(api, "/invoices/I-1", {**INVOICE, "order_external_id": "O-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["gross_total"], body["currency"], body["status"]) == ("119.00", "EUR", "open")
    assert (body["has_pdf"], body["pdf_url"], body["order_external_id"]) == (False, None, "O-1")

    response = put(api, "/invoices/I-1", {**INVOICE, "status": "paid"})
    assert response.status_code == 200
    assert response.json()["paid_at"] is not None
    body = api.get(f"{BASE}/invoices/I-1").json()
    assert body["status"] == "paid" and body["order_external_id"] == "O-1"


def test_invoice_cannot_be_deleted_or_move_to_another_customer(api: Any) -> None:
    put(api, "/invoices/I-1", INVOICE)
    response = api.delete(f"{BASE}/invoices/I-1")
    body = problem_of(response, 405)
    assert "cancelled" in body["detail"] and response["Allow"] == "GET, PUT"
    body = problem_of(put(api, "/invoices/I-1", {**INVOICE, "customer_external_id": "K-2"}), 422)
    assert body["errors"][0]["path"] == "customer_external_id"
    with scopes_disabled():
        assert Invoice.objects.get().customer.external_id == "K-1"


def test_quote_create_update_read_delete(api: Any) -> None:
    assert put(api, "/quotes/Q-1", QUOTE).status_code == 201
    response = put(api, "/quotes/Q-1", {**QUOTE, "status": "accepted"})
    assert response.status_code == 200
    body = api.get(f"{BASE}/quotes/Q-1").json()
    assert (body["status"], body["location_external_id"], body["valid_until"]) == (
        "accepted",
        "L-1",
        "2026-12-20",
    )
    assert api.delete(f"{BASE}/quotes/Q-1").json() == {"external_id": "Q-1", "result": "deleted"}
    problem_of(api.get(f"{BASE}/quotes/Q-1"), 404)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="quote.deleted").exists()


# --- tenant isolation -----------------------------------------------------------------------


def test_other_tenant_key_sees_nothing(api: Any, api_as: Any, tenant_b: Any) -> None:
    put(api, "/orders/O-1", ORDER)
    put(api, "/invoices/I-1", INVOICE)
    put(api, "/quotes/Q-1", QUOTE)
    upload(api, "/invoices/I-1/pdf", PDF)
    other = api_as(tenant_b)
    for path in ("/orders/O-1", "/invoices/I-1", "/quotes/Q-1", "/invoices/I-1/pdf"):
        problem_of(other.get(BASE + path), 404)
    problem_of(other.delete(f"{BASE}/orders/O-1"), 404)
    problem_of(other.delete(f"{BASE}/quotes/Q-1"), 404)
    problem_of(upload(other, "/invoices/I-1/pdf", PDF), 404)
    # Tenant A's customer is unknown to tenant B.
    body = problem_of(put(other, "/orders/O-1", ORDER), 422)
    assert body["errors"][0]["path"] == "customer_external_id"
    with scopes_disabled():
        assert Order.objects.get().status == OrderStatus.OPEN
        assert Quote.objects.count() == 1


# --- bulk -----------------------------------------------------------------------------------


def test_bulk_keeps_good_items_when_some_are_bad(api: Any) -> None:
    put(api, "/orders/O-0", ORDER)
    items = [
        {**ORDER, "external_id": "O-0", "status": "in_progress"},
        {**ORDER, "external_id": "O-1"},
        {**ORDER, "external_id": "O-2", "vehicle_external_id": "V-2"},
        {**ORDER, "external_id": "O-3", "customer_external_id": "K-404"},
        {**ORDER, "external_id": "O-4", "number": ""},
        {**ORDER, "external_id": "O-5", "number": " "},
        {**ORDER, "external_id": "O-1", "status": "completed"},
        {"number": "X"},
    ]
    response = post(api, "/orders/bulk", {"items": items})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "updated",
        "created",
        "error",
        "error",
        "error",
        "error",
        "updated",
        "error",
    ]
    assert [r["external_id"] for r in results][:7] == [item["external_id"] for item in items[:7]]
    assert results[2]["errors"][0]["path"] == "items.2.vehicle_external_id"
    assert results[3]["errors"][0]["path"] == "items.3.customer_external_id"
    assert results[4]["errors"][0]["path"] == "items.4.number"
    assert results[5]["errors"][0]["path"] == "items.5.number"
    assert {e["path"] for e in results[7]["errors"]} == {
        "items.7.external_id",
        "items.7.customer_external_id",
    }
    with scopes_disabled():
        stored = dict(Order.objects.values_list("external_id", "status"))
        created = AuditEvent.objects.filter(action="order.created").count()
    assert stored == {"O-0": "in_progress", "O-1": "completed"}
    assert created == 2


def test_bulk_invoices_and_quotes(api: Any) -> None:
    invoices = [
        {**INVOICE, "external_id": "I-1"},
        {**INVOICE, "external_id": "I-2", "due_date": "2026-01-01"},
    ]
    results = post(api, "/invoices/bulk", {"items": invoices}).json()["results"]
    assert [r["status"] for r in results] == ["created", "error"]
    assert results[1]["errors"][0]["path"] == "items.1.due_date"
    quotes = [{**QUOTE, "external_id": "Q-1"}, {**QUOTE, "external_id": "Q-2", "net_total": "x"}]
    results = post(api, "/quotes/bulk", {"items": quotes}).json()["results"]
    assert [r["status"] for r in results] == ["created", "error"]
    assert results[1]["errors"][0]["path"] == "items.1.net_total"


def test_bulk_over_1000_items_is_413(api: Any) -> None:
    items = [{**ORDER, "external_id": f"O-{i}"} for i in range(1001)]
    problem_of(post(api, "/orders/bulk", {"items": items}), 413)
    with scopes_disabled():
        assert not Order.objects.exists()


def test_bulk_with_the_same_idempotency_key_runs_once(api: Any) -> None:
    items = [{**ORDER, "external_id": "O-1"}, {**ORDER, "external_id": "O-2"}]
    first = post(api, "/orders/bulk", {"items": items}, **{"Idempotency-Key": "b-1"})
    second = post(api, "/orders/bulk", {"items": items}, **{"Idempotency-Key": "b-1"})
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    assert [r["status"] for r in second.json()["results"]] == ["created", "created"]
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="order.created").count() == 2
    other_body = post(api, "/orders/bulk", {"items": items[:1]}, **{"Idempotency-Key": "b-1"})
    problem_of(other_body, 422)


# --- PDFs -----------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("resource", ["invoices", "quotes"])
def test_pdf_upload_and_download(api: Any, media: Any, resource: str) -> None:
    put(api, f"/{resource}/D-1", INVOICE if resource == "invoices" else QUOTE)
    response = upload(api, f"/{resource}/D-1/pdf", PDF, name="scan.jpg")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["has_pdf"] is True
    assert body["pdf_url"].endswith(f"/api/v1/{resource}/D-1/pdf")
    assert api.get(f"{BASE}/{resource}/D-1").json()["has_pdf"] is True

    response = api.get(f"{BASE}/{resource}/D-1/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    stored = list(media.rglob("*.pdf"))
    assert len(stored) == 1 and "D-1" not in str(stored[0]) and "scan" not in str(stored[0])


def test_html_named_pdf_is_refused_with_422(api: Any, media: Any) -> None:
    put(api, "/invoices/I-1", INVOICE)
    body = problem_of(upload(api, "/invoices/I-1/pdf", HTML, name="rechnung.pdf"), 422)
    assert (body["errors"][0]["path"], body["errors"][0]["code"]) == ("file", "file_type")
    assert api.get(f"{BASE}/invoices/I-1").json()["has_pdf"] is False
    problem_of(api.get(f"{BASE}/invoices/I-1/pdf"), 404)


def test_oversized_pdf_is_413(api: Any, media: Any, settings: Any) -> None:
    put(api, "/invoices/I-1", INVOICE)
    settings.API_MAX_UPLOAD_BYTES = 200
    body = problem_of(upload(api, "/invoices/I-1/pdf", PDF + b"%" * 300), 413)
    assert body["errors"][0]["path"] == "file"
    body = problem_of(upload(api, "/invoices/I-1/pdf", PDF + b"%" * 100_000), 413)
    assert not list(media.rglob("*.pdf"))


def test_upload_needs_multipart_with_a_file_field(api: Any, media: Any) -> None:
    put(api, "/invoices/I-1", INVOICE)
    problem_of(put(api, "/invoices/I-1/pdf", {"file": "JVBERi0="}), 415)
    response = api.put(f"{BASE}/invoices/I-1/pdf", PDF, content_type="application/pdf")
    problem_of(response, 415)
    response = api.put(
        f"{BASE}/invoices/I-1/pdf",
        "--x\r\nContent-Disposition: form-data; name=other\r\n\r\nhi\r\n--x--\r\n",
        content_type="multipart/form-data; boundary=x",
    )
    assert problem_of(response, 422)["errors"][0]["path"] == "file"
    response = api.put(
        f"{BASE}/invoices/I-1/pdf", "garbage", content_type="multipart/form-data; boundary="
    )
    problem_of(response, 400)
    problem_of(upload(api, "/invoices/I-404/pdf", PDF), 404)
    response = api.put(
        f"{BASE}/invoices/I-1/pdf",
        "",
        headers={"Transfer-Encoding": "chunked"},
        CONTENT_TYPE="multipart/form-data; boundary=x",  # WSGI: no length for chunked bodies
    )
    assert "Content-Length" in problem_of(response, 400)["detail"]


def test_new_pdf_replaces_the_old_file(
    api: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    put(api, "/quotes/Q-1", QUOTE)
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, "/quotes/Q-1/pdf", PDF)
    first = list(media.rglob("*.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, "/quotes/Q-1/pdf", PDF + b"% v2\n")
    second = list(media.rglob("*.pdf"))
    assert len(second) == 1 and second != first
    assert b"".join(api.get(f"{BASE}/quotes/Q-1/pdf").streaming_content).endswith(b"% v2\n")
    with django_capture_on_commit_callbacks(execute=True):
        api.delete(f"{BASE}/quotes/Q-1")
    assert not list(media.rglob("*.pdf"))


def test_openapi_documents_the_upload_and_the_pdf(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    upload_op = paths["/api/v1/invoices/{external_id}/pdf"]["put"]
    schema = upload_op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"]["format"] == "binary"
    download = paths["/api/v1/quotes/{external_id}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in download["content"]
    assert "delete" not in paths["/api/v1/invoices/{external_id}"]
    bulk = paths["/api/v1/orders/bulk"]["post"]["requestBody"]["content"]["application/json"]
    body = spec["components"]["schemas"][bulk["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert "planned_date" in body["properties"]["items"]["items"]["anyOf"][0]["properties"]
