"""The customer's page behind an estimate link, and the photos behind it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.audit.models import AuditEvent, FeedEvent
from theke.estimates.models import Estimate, EstimateLink, EstimateStatus

from .conftest import ESTIMATE, estimate_body, image_bytes, post_json, put_json

pytestmark = pytest.mark.django_db


def new_link(api_client: Any, **body: Any) -> str:
    response = post_json(api_client, ESTIMATE + "/link", body)
    assert response.status_code == 201, response.content
    url: str = response.json()["url"]
    return url.removeprefix("https://theke.example")


def html(response: Any) -> str:
    return str(response.content.decode())


def test_link_before_data_says_available_shortly_and_polls(api_client: Any, client: Any) -> None:
    path = new_link(api_client)
    response = client.get(path)
    assert response.status_code == 200
    page = html(response)
    assert "Ihr Kostenvoranschlag steht in Kürze zur Verfügung" in page
    assert 'hx-trigger="every 10s"' in page and f'hx-get="{path}"' in page
    assert '<meta http-equiv="refresh"' in page  # inside <noscript>
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert "Autohaus Alpha" in page
    with scopes_disabled():
        estimate = Estimate.objects.get()
        assert estimate.first_viewed_at is None and not FeedEvent.objects.exists()


def test_background_poll_answers_204_until_data_arrive_then_asks_for_reload(
    api_client: Any, client: Any, customer: Any
) -> None:
    path = new_link(api_client)
    waiting = client.get(path, headers={"HX-Request": "true"})
    assert waiting.status_code == 204 and "HX-Refresh" not in waiting
    put_json(api_client, ESTIMATE, estimate_body())
    ready = client.get(path, headers={"HX-Request": "true"})
    assert ready.status_code == 200 and ready["HX-Refresh"] == "true"
    assert ready["Referrer-Policy"] == "same-origin"
    with scopes_disabled():
        assert Estimate.objects.get().first_viewed_at is None  # the reload's GET is the view


def test_link_then_data_shows_the_estimate(api_client: Any, client: Any, customer: Any) -> None:
    path = new_link(api_client)
    assert "in Kürze" in html(client.get(path))
    put_json(api_client, ESTIMATE, estimate_body(notes="Abholung ab Freitag möglich."))
    response = client.get(path)
    page = html(response)
    assert response.status_code == 200
    assert "in Kürze" not in page and 'hx-trigger="every' not in page
    assert "Smartphone Galaxy S21" in page and "Display gebrochen" in page
    assert "Display tauschen" in page and "Ersatzdisplay Original" in page
    assert "238,90\N{NO-BREAK SPACE}€" in page  # net
    assert "45,39\N{NO-BREAK SPACE}€" in page  # VAT
    assert "284,29\N{NO-BREAK SPACE}€" in page  # gross
    assert "31. Dezember 2030" in page
    assert "Tom Technik" in page and "tom@alpha.test" not in page
    assert "Abholung ab Freitag möglich." in page
    assert "für Eva Berg" in page
    assert response["Referrer-Policy"] == "same-origin"


def test_photos_are_served_only_through_the_token(
    api_client: Any, client: Any, customer: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    file = SimpleUploadedFile("a.png", image_bytes(size=(2400, 1200)), content_type="image/png")
    api_client.post(ESTIMATE + "/photos", {"file": file, "caption": "Riss im Display"})
    path = new_link(api_client)
    page = html(client.get(path))
    assert "Riss im Display" in page
    with scopes_disabled():
        photo = Estimate.objects.get().photos.get()
    preview = client.get(f"{path}fotos/{photo.key}")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert preview["Referrer-Policy"] == "same-origin"
    thumbnail = client.get(f"{path}fotos/{photo.key}/klein")
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/webp"
    assert thumbnail["Referrer-Policy"] == "same-origin"
    assert f'src="{path}fotos/{photo.key}/klein"' in page
    assert f"{path}fotos/{photo.key} 1600w" in page and 'width="480" height="240"' in page
    original = client.get(f"{path}fotos/{photo.key}/original")
    # The photo as stored: a JPEG made from the PNG (at most 2560 px, no metadata).
    assert original.status_code == 200 and original["Content-Type"] == "image/jpeg"
    assert b"".join(original.streaming_content) == photo.file.open("rb").read()
    assert "/media/" not in page
    assert client.get(f"/k/{'x' * 32}/fotos/{photo.key}").status_code == 404
    assert client.get(f"{path}fotos/other-key").status_code == 404
    api_client.delete(ESTIMATE + "/link")
    assert client.get(f"{path}fotos/{photo.key}").status_code == 404


def test_unknown_token_gets_neutral_404(api_client: Any, client: Any, customer: Any) -> None:
    new_link(api_client)
    response = client.get("/k/" + "A" * 32 + "/")
    assert response.status_code == 404
    page = html(response)
    assert "Dieser Link ist nicht gültig" in page
    assert "Autohaus Alpha" not in page
    assert response["Referrer-Policy"] == "same-origin"


def test_revoked_link_says_so_with_the_shop_contact(
    api_client: Any, client: Any, customer: Any, tenant_a: Any
) -> None:
    tenant_a.phone = "030 1234567"
    tenant_a.save()
    put_json(api_client, ESTIMATE, estimate_body())
    path = new_link(api_client)
    api_client.delete(ESTIMATE + "/link")
    response = client.get(path)
    assert response.status_code == 410
    page = html(response)
    assert "nicht mehr verfügbar" in page and "030 1234567" in page
    assert "Display tauschen" not in page


def test_revoked_estimate_page(api_client: Any, client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    path = new_link(api_client)
    api_client.delete(ESTIMATE)
    response = client.get(path)
    assert response.status_code == 410 and "nicht mehr verfügbar" in html(response)


def test_expired_link_says_so(api_client: Any, client: Any, customer: Any) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    path = new_link(api_client, expires_in_days=3)
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.get(path)
    assert response.status_code == 410
    assert "Dieser Link ist abgelaufen" in html(response)
    with scopes_disabled():
        assert Estimate.objects.get().first_viewed_at is None


def test_first_view_emits_viewed_event_exactly_once(
    api_client: Any, client: Any, customer: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    path = new_link(api_client)
    start = timezone.now()
    assert client.head(path).status_code == 200  # HEAD (link checkers) is no view
    with scopes_disabled():
        assert Estimate.objects.get().first_viewed_at is None
    with time_machine.travel(start, tick=False):
        client.get(path)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        client.get(path)
    with scopes_disabled():
        estimate = Estimate.objects.get()
        events = list(FeedEvent.objects.filter(type="estimate.viewed"))
        audit = AuditEvent.objects.filter(action="estimate.viewed").count()
    assert len(events) == 1 and audit == 1
    assert events[0].external_id == "KV-1" and events[0].payload["number"] == "KV-4711"
    assert estimate.status == EstimateStatus.VIEWED
    assert estimate.first_viewed_at == start
    assert estimate.last_viewed_at == start + timedelta(minutes=5)
    assert api_client.get(ESTIMATE).json()["status"] == "viewed"


def test_page_view_within_a_minute_writes_nothing(
    api_client: Any, client: Any, customer: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    path = new_link(api_client)
    client.get(path)
    with scopes_disabled():
        before = Estimate.objects.get().last_viewed_at
    client.get(path)
    with scopes_disabled():
        assert Estimate.objects.get().last_viewed_at == before


def test_page_follows_the_contacts_language(
    api_client: Any, client: Any, customer: Any, tenant_a: Any
) -> None:
    with scopes_disabled():
        contact = customer.contacts.get()
        contact.language = "en"
        contact.save()
    put_json(api_client, ESTIMATE, estimate_body(contact_external_id="C-1"))
    response = client.get(new_link(api_client), HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html(response)
    assert "€284.29" in html(response)


def test_post_to_the_page_is_refused(api_client: Any, client: Any) -> None:
    path = new_link(api_client)
    assert client.post(path).status_code == 405


def test_links_of_other_tenants_do_not_mix(
    api_client: Any, client: Any, customer: Any, tenant_b: Any
) -> None:
    from theke.api.tests.conftest import make_key

    put_json(api_client, ESTIMATE, estimate_body())
    path_a = new_link(api_client)
    other = {"Authorization": f"Bearer {make_key(tenant_b)[1]}"}
    response = client.post(ESTIMATE + "/link", "{}", content_type="application/json", headers=other)
    path_b = response.json()["url"].removeprefix("https://theke.example")
    assert "Display tauschen" in html(client.get(path_a))
    page_b = html(client.get(path_b))
    assert "in Kürze" in page_b and "Werkstatt Beta" in page_b and "Display" not in page_b
    with scopes_disabled():
        assert EstimateLink.objects.count() == 2
