from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import make_staff
from theke.api.models import ApiKey
from theke.api.services import hash_key

from .conftest import make_key

pytestmark = pytest.mark.django_db


def test_create_shows_the_key_once(owner_client: Any, tenant_a: Any) -> None:
    response = owner_client.post(reverse("api:key_create"), {"name": "Warenwirtschaft"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = response.context["plaintext"]
    assert plaintext in response.content.decode()
    with scopes_disabled():
        key = ApiKey.objects.get(key_hash=hash_key(plaintext))
    assert key.tenant == tenant_a and key.name == "Warenwirtschaft"
    listing = owner_client.get(reverse("api:key_list")).content.decode()
    assert key.prefix in listing and plaintext not in listing


def test_create_refuses_empty_name(owner_client: Any) -> None:
    response = owner_client.post(reverse("api:key_create"), {"name": ""})
    assert response.status_code == 200 and "form" in response.context
    with scopes_disabled():
        assert not ApiKey.objects.exists()


def test_revoke_asks_then_revokes(owner_client: Any, tenant_a: Any) -> None:
    key, plaintext = make_key(tenant_a)
    url = reverse("api:key_revoke", args=[key.pk])
    assert "wirklich widerrufen" in owner_client.get(url).content.decode()
    with scopes_disabled():
        assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert owner_client.post(url).status_code == 302
    with scopes_disabled():
        assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    response = owner_client.get("/api/v1/ping", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 401


def test_outsider_gets_404_on_revoke_of_tenant_a_key(outsider_client: Any, tenant_a: Any) -> None:
    key, _ = make_key(tenant_a)
    assert outsider_client.post(reverse("api:key_revoke", args=[key.pk])).status_code == 404
    with scopes_disabled():
        assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_technician_is_refused(client: Any, tenant_a: Any) -> None:
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tim Technik", "Techniker"))
    assert client.get(reverse("api:key_list")).status_code == 403
    assert client.post(reverse("api:key_create"), {"name": "x"}).status_code == 403


def test_settings_page_links_to_keys(owner_client: Any) -> None:
    html = owner_client.get(reverse("tenants:settings")).content.decode()
    assert reverse("api:key_list") in html
