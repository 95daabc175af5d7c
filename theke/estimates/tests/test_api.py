"""The estimates API: upsert, read, bulk, revoke, photos, links."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from theke.api.models import IdempotencyRecord
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM
from theke.estimates.models import Estimate, EstimateLink, EstimatePhoto, EstimateStatus
from theke.estimates.services import hash_token
from theke.messaging.models import OutboundMessage

from .conftest import ESTIMATE, estimate_body, image_bytes, post_json, put_json

pytestmark = pytest.mark.django_db


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def paths(body: dict[str, Any]) -> list[str]:
    return [error["path"] for error in body.get("errors", [])]


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


# --- PUT / GET ------------------------------------------------------------------------------


def test_put_creates_estimate_with_positions_and_computed_totals(
    api_client: Any, customer: Any, owner: Any
) -> None:
    body = estimate_body(technician={"name": "Olga", "email": "OWNER@alpha.test"})
    response = put_json(api_client, ESTIMATE, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["external_id"] == "KV-1"
    assert data["status"] == "draft" and data["has_data"] is True and data["version"] == 1
    assert data["customer_external_id"] == "K-1" and data["order_external_id"] == "A-1"
    assert [p["net"] for p in data["positions"]] == ["89.00", "149.90"]
    assert [p["gross"] for p in data["positions"]] == ["105.91", "178.38"]
    assert data["totals"] == {
        "net": "238.90",
        "vat": "45.39",
        "gross": "284.29",
        "by_vat_rate": [{"vat_rate": "19.00", "net": "238.90", "vat": "45.39", "gross": "284.29"}],
    }
    assert data["technician"] == {
        "name": "Olga",
        "email": "owner@alpha.test",
        "is_staff_user": True,
    }
    with scopes_disabled():
        estimate = Estimate.objects.get(external_id="KV-1")
        assert estimate.technician_user == owner
        assert estimate.gross_total == estimate.net_total + estimate.vat_total
        assert AuditEvent.objects.filter(action="estimate.data_received").count() == 1


def test_put_again_updates_and_get_reads_it_back(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    response = put_json(
        api_client,
        ESTIMATE,
        {
            "defect_description": "Akku defekt",
            "positions": [{"text": "Akku", "quantity": 1, "unit_price": 59, "vat_rate": 19}],
        },
    )
    assert response.status_code == 200, response.content
    read = api_client.get(ESTIMATE).json()
    assert read == response.json()
    assert read["defect_description"] == "Akku defekt"
    assert read["object_description"] == "Smartphone Galaxy S21"  # left out: kept
    assert [p["text"] for p in read["positions"]] == ["Akku"]
    assert read["totals"]["gross"] == "70.21"


def test_put_to_a_sent_estimate_makes_a_new_version_the_link_shows(
    api_client: Any, client: Any, customer: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    url = post_json(api_client, ESTIMATE + "/link", {}).json()["url"]
    page = url.removeprefix("https://theke.example")
    assert put_json(api_client, ESTIMATE, estimate_body()).json()["version"] == 1  # unchanged
    changed = estimate_body(defect_description="Akku defekt")
    response = put_json(api_client, ESTIMATE, changed)
    assert response.status_code == 200, response.content
    read = api_client.get(ESTIMATE).json()
    assert (read["version"], read["status"]) == (2, "sent")
    assert read["defect_description"] == "Akku defekt"
    assert put_json(api_client, ESTIMATE, changed).json()["version"] == 2
    assert "Akku defekt" in client.get(page).content.decode()
    with scopes_disabled():
        versions = list(Estimate.objects.order_by("version").values_list("version", "status"))
        assert AuditEvent.objects.filter(action="estimate.new_version").count() == 1
    assert versions == [(1, "superseded"), (2, "viewed")]


def test_positions_left_out_stay(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    response = put_json(api_client, ESTIMATE, {"notes": "Abholung ab Freitag"})
    assert len(response.json()["positions"]) == 2


def test_rounding_half_up_per_position(api_client: Any, customer: Any) -> None:
    positions = [
        {"text": "Kleinteil", "quantity": "3", "unit_price": "0.333", "vat_rate": "19"},
        {"text": "Schraube", "quantity": "0.333", "unit_price": "3", "vat_rate": "7"},
        {
            "text": "Rabattiert",
            "quantity": "1",
            "unit_price": "10.05",
            "discount_percent": "50",
            "vat_rate": "19",
        },
    ]
    data = put_json(api_client, ESTIMATE, estimate_body(positions=positions)).json()
    # 3 × 0.333 = 0.999 -> 1.00 net, 0.19 VAT; 0.333 × 3 at 7 %: 1.00 net, 0.07 VAT;
    # 10.05 × 50 % = 5.025 -> 5.03 net (half up), 0.9557 -> 0.96 VAT.
    assert [(p["net"], p["vat"], p["gross"]) for p in data["positions"]] == [
        ("1.00", "0.19", "1.19"),
        ("1.00", "0.07", "1.07"),
        ("5.03", "0.96", "5.99"),
    ]
    assert data["positions"][0]["unit_price"] == "0.333"
    assert data["totals"]["net"] == "7.03"
    assert data["totals"]["vat"] == "1.22"
    assert data["totals"]["gross"] == "8.25"
    assert [r["vat_rate"] for r in data["totals"]["by_vat_rate"]] == ["7.00", "19.00"]


def test_article_fills_left_out_position_fields(
    api_client: Any, customer: Any, article: Any
) -> None:
    positions = [{"article_external_id": "ART-1", "quantity": "2"}]
    data = put_json(api_client, ESTIMATE, estimate_body(positions=positions)).json()
    position = data["positions"][0]
    assert position["article_external_id"] == "ART-1"
    assert (position["text"], position["unit"], position["unit_price"]) == (
        "Displayeinheit",
        "Stk",
        "120.00",
    )
    assert position["net"] == "240.00" and position["gross"] == "285.60"


def test_other_tenants_key_sees_404(
    api_client: Any, customer: Any, client: Any, tenant_b: Any
) -> None:
    from theke.api.tests.conftest import make_key

    put_json(api_client, ESTIMATE, estimate_body())
    other = {"Authorization": f"Bearer {make_key(tenant_b)[1]}"}
    assert_problem(client.get(ESTIMATE, headers=other), 404)
    assert_problem(
        client.post(
            ESTIMATE + "/photos",
            {"file": SimpleUploadedFile("a.png", image_bytes())},
            headers=other,
        ),
        404,
    )
    assert_problem(client.delete(ESTIMATE, headers=other), 404)
    # Tenant B's PUT with A's customer id does not see A's customer either.
    assert paths(assert_problem(put_json(client, ESTIMATE, estimate_body(), **other), 422)) == [
        "customer_external_id"
    ]
    with scopes_disabled():
        assert Estimate.objects.filter(external_id="KV-1").count() == 1


def test_validation_errors_name_the_field_path(api_client: Any, customer: Any) -> None:
    positions = [
        {"text": "a", "quantity": "1", "unit_price": "1", "vat_rate": "19"},
        {"text": "b", "quantity": "1", "unit_price": "1", "vat_rate": "19"},
        {"text": "c", "quantity": "0", "unit_price": "1", "vat_rate": "19"},
    ]
    body = assert_problem(put_json(api_client, ESTIMATE, estimate_body(positions=positions)), 422)
    assert paths(body) == ["positions.2.quantity"]
    body = assert_problem(
        put_json(api_client, ESTIMATE, estimate_body(valid_until="31.12.2030", colour="red")), 422
    )
    assert sorted(paths(body)) == ["colour", "valid_until"]
    with scopes_disabled():
        assert not Estimate.objects.exists()


def test_service_refusals_are_422_with_paths(api_client: Any, customer: Any) -> None:
    no_price = [{"text": "Arbeit", "quantity": "1", "vat_rate": "19"}]
    body = assert_problem(put_json(api_client, ESTIMATE, estimate_body(positions=no_price)), 422)
    assert paths(body) == ["positions.0.unit_price"]
    unknown_article = [{"article_external_id": "nope", "quantity": "1"}]
    body = assert_problem(
        put_json(api_client, ESTIMATE, estimate_body(positions=unknown_article)), 422
    )
    assert paths(body) == ["positions.0.article_external_id"]
    body = assert_problem(
        put_json(api_client, ESTIMATE, estimate_body(customer_external_id=None)), 422
    )
    assert paths(body) == ["customer_external_id"]
    body = assert_problem(
        put_json(api_client, ESTIMATE, estimate_body(contact_external_id="C-9")), 422
    )
    assert paths(body) == ["contact_external_id"]
    body = assert_problem(
        put_json(api_client, ESTIMATE, estimate_body(technician={"email": "x"})), 422
    )
    assert paths(body) == ["technician.email"]


def test_bulk_stores_good_items_and_reports_bad_ones(api_client: Any, customer: Any) -> None:
    put_json(api_client, "/api/v1/estimates/KV-2", estimate_body())
    items = [
        {**estimate_body(), "external_id": "KV-1"},
        {**estimate_body(number="KV-2b"), "external_id": "KV-2"},
        {
            **estimate_body(
                positions=[{"text": "x", "quantity": "-1", "unit_price": "1", "vat_rate": "19"}]
            ),
            "external_id": "KV-3",
        },
        {**estimate_body(customer_external_id="K-404"), "external_id": "KV-4"},
    ]
    response = post_json(api_client, "/api/v1/estimates/bulk", {"items": items})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "updated", "error", "error"]
    assert results[2]["errors"][0]["path"] == "items.2.positions.0.quantity"
    assert results[3]["errors"][0]["path"] == "items.3.customer_external_id"
    with scopes_disabled():
        assert sorted(Estimate.objects.values_list("external_id", flat=True)) == ["KV-1", "KV-2"]


def test_delete_revokes_instead_of_deleting(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    url = post_json(api_client, ESTIMATE + "/link", {}).json()["url"]
    response = api_client.delete(ESTIMATE)
    assert response.json() == {"external_id": "KV-1", "result": "revoked"}
    data = api_client.get(ESTIMATE).json()
    assert data["status"] == "revoked" and data["revoked_at"]
    assert_problem(put_json(api_client, ESTIMATE, {"notes": "x"}), 409)
    assert_problem(post_json(api_client, ESTIMATE + "/link", {}), 409)
    with scopes_disabled():
        link = EstimateLink.objects.get(token_hash=hash_token(token_of(url)))
    assert link.revoked_at is not None


# --- photos ---------------------------------------------------------------------------------


def upload(client: Any, data: bytes, name: str = "foto.png", **fields: str) -> Any:
    file = SimpleUploadedFile(name, data, content_type="image/png")
    return client.post(ESTIMATE + "/photos", {"file": file, **fields})


def test_photo_upload_list_replace_delete(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    first = upload(api_client, image_bytes("PNG"), caption="Display", external_id="P-1")
    assert first.status_code == 201, first.content
    assert first.json()["content_type"] == "image/png" and first.json()["caption"] == "Display"
    second = upload(api_client, image_bytes("JPEG"), name="b.jpg")
    assert second.status_code == 201
    replaced = upload(api_client, image_bytes("WEBP", (80, 60)), caption="Neu", external_id="P-1")
    assert replaced.status_code == 200
    listed = api_client.get(ESTIMATE + "/photos").json()
    assert [(p["external_id"], p["content_type"], p["position"]) for p in listed] == [
        ("P-1", "image/webp", 1),
        (second.json()["external_id"], "image/jpeg", 2),
    ]
    assert api_client.get(ESTIMATE).json()["photos"] == listed
    deleted = api_client.delete(ESTIMATE + "/photos/P-1")
    assert deleted.json() == {"external_id": "P-1", "result": "deleted"}
    assert len(api_client.get(ESTIMATE + "/photos").json()) == 1
    assert_problem(api_client.delete(ESTIMATE + "/photos/P-1"), 404)


def test_photo_is_stored_under_a_path_nobody_can_guess(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    upload(api_client, image_bytes(), name="kunde-berg.png", external_id="P-1")
    with scopes_disabled():
        photo = EstimatePhoto.objects.get()
    name, preview = str(photo.file.name), str(photo.preview.name)
    assert "berg" not in name and "P-1" not in name
    assert len(name.rsplit("/", 1)[-1]) >= 32
    assert preview.endswith(".jpg") and photo.width == 64


def test_text_file_named_jpg_is_refused(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    body = assert_problem(upload(api_client, b"<html>not an image</html>", name="x.jpg"), 422)
    assert paths(body) == ["file"] and body["errors"][0]["code"] == "file_type"
    pdf = assert_problem(upload(api_client, b"%PDF-1.4 hello", name="x.png"), 422)
    assert pdf["errors"][0]["code"] == "file_type"


def test_oversize_photo_is_413(api_client: Any, customer: Any, settings: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    settings.API_MAX_UPLOAD_BYTES = 1000
    body = assert_problem(upload(api_client, image_bytes(size=(400, 400)) + b"\0" * 2000), 413)
    assert paths(body) == ["file"]
    huge = assert_problem(upload(api_client, b"\0" * 200_000), 413)
    assert huge["status"] == 413


def test_photo_needs_multipart(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    assert_problem(post_json(api_client, ESTIMATE + "/photos", {"file": "abc"}), 415)
    assert_problem(api_client.post(ESTIMATE + "/photos", b"\x89PNG", content_type="image/png"), 415)
    missing = assert_problem(api_client.post(ESTIMATE + "/photos", {"caption": "ohne Datei"}), 422)
    assert paths(missing) == ["file"]
    broken = api_client.post(
        ESTIMATE + "/photos", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"
    )
    assert broken.status_code in {400, 422}


def test_photo_for_unknown_estimate_is_404(api_client: Any) -> None:
    assert_problem(upload(api_client, image_bytes()), 404)


def test_photo_upload_replays_with_same_key_despite_new_boundary(
    api_client: Any, customer: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    headers = {"Idempotency-Key": "photo-1"}
    first = api_client.post(
        ESTIMATE + "/photos", {"file": SimpleUploadedFile("a.png", image_bytes())}, headers=headers
    )
    # The test client's boundary is fixed; a real client's differs on each try: send our own.
    from django.test.client import encode_multipart

    body = encode_multipart(
        "another-boundary", {"file": SimpleUploadedFile("a.png", image_bytes())}
    )
    again = api_client.post(
        ESTIMATE + "/photos",
        body,
        content_type="multipart/form-data; boundary=another-boundary",
        headers=headers,
    )
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = api_client.post(
        ESTIMATE + "/photos",
        {"file": SimpleUploadedFile("a.png", image_bytes(size=(10, 10)))},
        headers=headers,
    )
    assert_problem(other, 422)
    with scopes_disabled():
        assert EstimatePhoto.objects.count() == 1


# --- links ----------------------------------------------------------------------------------


def test_link_before_data_creates_placeholder(api_client: Any) -> None:
    response = post_json(api_client, ESTIMATE + "/link", {})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["url"].startswith("https://theke.example/k/")
    assert data["has_data"] is False and data["sent"] == []
    assert len(token_of(data["url"])) >= 32
    estimate = api_client.get(ESTIMATE).json()
    assert estimate["has_data"] is False and estimate["status"] == "sent"
    assert estimate["customer_external_id"] is None
    with scopes_disabled():
        link = EstimateLink.objects.get()
        audit = json.dumps(list(AuditEvent.objects.values_list("data", flat=True)))
    assert link.token_hash == hash_token(token_of(data["url"]))
    assert token_of(data["url"]) not in audit
    assert (link.expires_at - link.created_at).days == 30


def test_link_without_body_works_too(api_client: Any) -> None:
    # As `curl -X POST` sends it: no body, no content type.
    response = api_client.generic("POST", ESTIMATE + "/link", b"", content_type="")
    assert response.status_code == 201, response.content


def test_link_then_data_keeps_the_placeholder(api_client: Any, customer: Any) -> None:
    post_json(api_client, ESTIMATE + "/link", {})
    response = put_json(api_client, ESTIMATE, estimate_body())
    assert response.status_code == 200
    assert response.json()["has_data"] is True and response.json()["status"] == "sent"
    assert response.json()["version"] == 1  # the first data fill the placeholder in place


def test_link_expiry_follows_the_tenant_setting_or_the_request(
    api_client: Any, tenant_a: Any
) -> None:
    from theke.estimates.models import EstimateSettings

    with scopes_disabled():
        EstimateSettings.objects.create(tenant=tenant_a, link_days=7)
    post_json(api_client, ESTIMATE + "/link", {})
    post_json(api_client, ESTIMATE + "/link", {"expires_in_days": 2})
    with scopes_disabled():
        links = EstimateLink.objects.all()
        days = sorted((link.expires_at - link.created_at).days for link in links)
    assert days == [2, 7]


def test_new_link_keeps_old_unless_revoke_previous(api_client: Any) -> None:
    first = token_of(post_json(api_client, ESTIMATE + "/link", {}).json()["url"])
    second = token_of(post_json(api_client, ESTIMATE + "/link", {}).json()["url"])
    third = token_of(
        post_json(api_client, ESTIMATE + "/link", {"revoke_previous": True}).json()["url"]
    )
    with scopes_disabled():
        revoked = {
            token: EstimateLink.objects.get(token_hash=hash_token(token)).revoked_at is not None
            for token in (first, second, third)
        }
    assert revoked == {first: True, second: True, third: False}
    assert api_client.delete(ESTIMATE + "/link").json() == {
        "external_id": "KV-1",
        "revoked_links": 1,
    }


def test_link_sent_by_email_queues_message_with_url(
    api_client: Any, customer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(api_client, ESTIMATE + "/link", {"send": {"channels": ["email"]}})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["sent"] == [{"channel": "email", "recipient": "eva@kunde.test"}]
    with scopes_disabled():
        message = OutboundMessage.objects.get()
    assert message.purpose == "estimate_link" and message.channel == "email"
    assert data["url"] in message.body_text and data["url"] in message.body_html
    assert "KV-4711" in message.subject
    assert "Smartphone Galaxy S21" in message.body_text
    assert "Guten Tag Frau Berg" in message.body_text
    assert "31. Dezember 2030" in message.body_text
    assert len(mail.outbox) == 1 and data["url"] in mail.outbox[0].body  # sent by the worker


def test_sms_refused_without_consent_and_nothing_is_created(
    api_client: Any, customer: Any, tenant_a: Any
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    put_json(api_client, ESTIMATE, estimate_body())
    body = assert_problem(
        post_json(api_client, ESTIMATE + "/link", {"send": {"channels": ["email", "sms"]}}), 422
    )
    assert paths(body) == ["send.channels"]
    assert "nicht zugestimmt" in body["detail"]
    with scopes_disabled():
        assert not EstimateLink.objects.exists()
        assert not OutboundMessage.objects.exists()


def test_sms_sent_with_consent(
    api_client: Any,
    customer: Any,
    tenant_a: Any,
    sms_outbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    with scopes_disabled():
        contact = customer.contacts.get()
        contact.consent_sms = True
        contact.save()
    put_json(api_client, ESTIMATE, estimate_body())
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            api_client,
            ESTIMATE + "/link",
            {"send": {"channels": ["sms"], "contact_external_id": "C-1"}},
        )
    assert response.status_code == 201, response.content
    assert response.json()["sent"] == [{"channel": "sms", "recipient": "+4915123456789"}]
    assert len(sms_outbox) == 1 and response.json()["url"] in sms_outbox[0].text


def test_sms_refused_when_tenant_has_no_sms(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    body = assert_problem(
        post_json(api_client, ESTIMATE + "/link", {"send": {"channels": ["sms"]}}), 422
    )
    assert "nicht freigeschaltet" in body["detail"]


def test_sending_before_data_is_422_and_creates_nothing(api_client: Any) -> None:
    body = assert_problem(
        post_json(api_client, ESTIMATE + "/link", {"send": {"channels": ["email"]}}), 422
    )
    assert paths(body) == ["send"]
    assert "Daten" in body["detail"]
    with scopes_disabled():
        assert not Estimate.objects.exists() and not EstimateLink.objects.exists()


def test_link_post_replays_with_idempotency_key(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    headers = {"Idempotency-Key": "link-1"}
    body = {"send": {"channels": ["email"]}}
    first = post_json(api_client, ESTIMATE + "/link", body, **headers)
    again = post_json(api_client, ESTIMATE + "/link", body, **headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    with scopes_disabled():
        assert EstimateLink.objects.count() == 1
        assert OutboundMessage.objects.count() == 1
        assert IdempotencyRecord.objects.get(key="link-1").status == "done"
    assert_problem(post_json(api_client, ESTIMATE + "/link", {}, **headers), 422)


def test_unknown_send_contact_is_422(api_client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    body = assert_problem(
        post_json(
            api_client,
            ESTIMATE + "/link",
            {"send": {"channels": ["email"], "contact_external_id": "C-9"}},
        ),
        422,
    )
    assert paths(body) == ["send.contact_external_id"]


def test_status_values_are_english_with_german_labels() -> None:
    assert EstimateStatus.ACCEPTED.value == "accepted"
    assert str(EstimateStatus.ACCEPTED.label) == "Angenommen"
    assert set(EstimateStatus.values) == {
        "draft",
        "sent",
        "viewed",
        "accepted",
        "declined",
        "expired",
        "revoked",
        "superseded",
    }


def test_order_is_linked_when_known_and_must_be_the_customers(
    api_client: Any, customer: Any, tenant_a: Any
) -> None:
    from theke.customers import services as customers
    from theke.tenants.scoping import tenant_scope

    put_json(api_client, ESTIMATE, estimate_body(order_external_id="A-later"))
    with scopes_disabled():
        assert Estimate.objects.get().order is None  # the order has not arrived yet: fine
    order = put_json(
        api_client, "/api/v1/orders/A-1", {"number": "RA-1", "customer_external_id": "K-1"}
    )
    assert order.status_code == 201, order.content
    put_json(api_client, ESTIMATE, {"order_external_id": "A-1"})
    with scopes_disabled():
        assert Estimate.objects.get().order.number == "RA-1"  # type: ignore[union-attr]
    with tenant_scope(tenant_a):
        customers.create_customer(tenant_a, SYSTEM, last_name="Andere", external_id="K-2")
    put_json(api_client, "/api/v1/orders/A-2", {"number": "RA-2", "customer_external_id": "K-2"})
    body = assert_problem(put_json(api_client, ESTIMATE, {"order_external_id": "A-2"}), 422)
    assert paths(body) == ["order_external_id"]


def test_contact_must_be_the_estimates_customers(
    api_client: Any, customer: Any, tenant_a: Any
) -> None:
    from theke.customers import services as customers
    from theke.tenants.scoping import tenant_scope

    with tenant_scope(tenant_a):
        other = customers.create_customer(tenant_a, SYSTEM, last_name="Andere", external_id="K-2")
        customers.add_contact(other, SYSTEM, last_name="Andere", external_id="C-2")
    put_json(api_client, ESTIMATE, estimate_body(contact_external_id="C-1"))
    body = assert_problem(put_json(api_client, ESTIMATE, {"contact_external_id": "C-2"}), 422)
    assert paths(body) == ["contact_external_id"]
    assert api_client.get(ESTIMATE).json()["contact_external_id"] == "C-1"


def test_get_carries_the_customers_decision(api_client: Any, customer: Any) -> None:
    from theke.estimates import services

    body = estimate_body()
    body["positions"].append(
        {
            "text": "Panzerglas",
            "quantity": "1",
            "unit_price": "20.00",
            "vat_rate": "19",
            "optional": True,
        }
    )
    created = put_json(api_client, ESTIMATE, body)
    assert created.status_code == 201, created.content
    first = api_client.get(ESTIMATE)
    assert first.status_code == 200, first.content
    assert first.json()["decision"] is None
    link_url = post_json(api_client, f"{ESTIMATE}/link", {}).json()["url"]
    token = link_url.rstrip("/").rsplit("/", 1)[1]
    with scopes_disabled():
        link = EstimateLink.objects.get(token_hash=hash_token(token))
        optional = Estimate.objects.get().positions.get(is_optional=True)
        services.accept_estimate(
            link,
            name="Eva Berg",
            terms_accepted=True,
            ip="203.0.113.5",
            user_agent="T",
            optional_position_ids=[],
        )
    decision = api_client.get(ESTIMATE).json()["decision"]
    assert optional.position == 3
    assert decision["answer"] == "accepted"
    assert decision["selected_positions"] == [1, 2]
    assert decision["totals"] == {"net": "238.90", "vat": "45.39", "gross": "284.29"}
    assert decision["name"] == "Eva Berg"
    assert decision["fee"] is None and decision["return_address"] is None
