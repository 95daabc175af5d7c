import pytest
from django.urls import reverse

from conftest import make_staff
from theke.audit.services import Actor, record
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_audit_log_lists_the_tenants_events_newest_first(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        record(tenant_a, Actor.staff(owner), "branch.created", tenant_a, {"name": "Nord"})
        record(
            tenant_a,
            Actor.staff(owner),
            "tenant.updated",
            tenant_a,
            {"changes": {"city": ["Berlin", "Potsdam"]}},
        )
    response = owner_client.get(reverse("audit:log"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Stammdaten geändert") < body.index("Betrieb angelegt")
    assert "Ort: Berlin → Potsdam" in body


def test_audit_log_filters_by_area_and_actor(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        record(tenant_a, Actor.staff(owner), "branch.created", tenant_a)
        record(tenant_a, Actor.staff(owner), "tenant.updated", tenant_a)
    body = owner_client.get(reverse("audit:log"), {"area": "branch"}).content.decode()
    assert "Betrieb angelegt" in body
    assert "Stammdaten geändert" not in body
    body = owner_client.get(reverse("audit:log"), {"actor": "api_key"}).content.decode()
    assert "Betrieb angelegt" not in body


def test_audit_log_of_tenant_b_shows_nothing_of_tenant_a(outsider_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        record(tenant_a, Actor.staff(owner), "tenant.updated", tenant_a, {"label": "geheim-alpha"})
    body = outsider_client.get(reverse("audit:log")).content.decode()
    assert "geheim-alpha" not in body
    assert "Autohaus Alpha" not in body


def test_audit_log_needs_the_audit_permission(client, tenant_a):
    client.force_login(make_staff(tenant_a, "t@alpha.test", "Tom Technik", "Techniker"))
    assert client.get(reverse("audit:log")).status_code == 403


def test_tenant_settings_page_shows_its_timeline(owner_client, tenant_a):
    body = owner_client.get(reverse("tenants:tenant_edit")).content.decode()
    assert "Verlauf" in body
    assert "Mandant angelegt" in body


def test_a_long_timeline_shows_the_newest_ten_and_folds_the_rest(owner_client, tenant_a, owner):
    with tenant_scope(tenant_a):
        for number in range(12):
            record(
                tenant_a,
                Actor.staff(owner),
                "tenant.updated",
                tenant_a,
                {"label": f"Nr{number:02}"},
            )
    body = owner_client.get(reverse("tenants:tenant_edit")).content.decode()
    open_part, folded = body.split('<details class="timeline-older">')
    assert "Nr11" in open_part and "Nr02" in open_part and "Nr01" not in open_part
    # 12 updates and the creation: the three oldest are folded.
    assert "3 ältere Einträge anzeigen" in folded
    assert "Nr01" in folded and "Nr00" in folded and "Mandant angelegt" in folded
