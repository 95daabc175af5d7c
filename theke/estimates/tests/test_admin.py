"""Platform operators see estimates in the Django admin (read-mostly)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.estimates.models import Estimate

from .conftest import ESTIMATE, estimate_body, post_json, put_json

pytestmark = pytest.mark.django_db


def test_superuser_sees_estimates_with_positions_and_links(
    api_client: Any, customer: Any, django_user_model: Any
) -> None:
    put_json(api_client, ESTIMATE, estimate_body())
    post_json(api_client, ESTIMATE + "/link", {})
    root = django_user_model.objects.create_superuser("root@theke.test", "pw", full_name="Root")
    api_client.force_login(root)
    listing = api_client.get(reverse("admin:estimates_estimate_changelist"))
    assert listing.status_code == 200 and "KV-4711" in listing.content.decode()
    with scopes_disabled():
        pk = Estimate.objects.get().pk
    page = api_client.get(reverse("admin:estimates_estimate_change", args=[pk]))
    assert page.status_code == 200
    assert "Display tauschen" in page.content.decode()
    settings_page = api_client.get(reverse("admin:estimates_estimatesettings_add"))
    assert settings_page.status_code == 200
