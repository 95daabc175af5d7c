"""The Django admin is for platform operators (superusers) only, across tenants."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from theke.customers.models import Contact, Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client, django_user_model):
    root = django_user_model.objects.create_superuser("root@theke.test", "pw", full_name="Root")
    client.force_login(root)
    return client


def test_superuser_adds_a_customer_with_a_contact_in_the_admin(root_client, tenant_a):
    response = root_client.post(
        reverse("admin:customers_customer_add"),
        {
            "tenant": tenant_a.pk,
            "kind": "person",
            "last_name": "Adminkunde",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-last_name": "Adminkontakt",
            "contacts-0-language": "de",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        customer = Customer.objects.get(last_name="Adminkunde")
        contact = Contact.objects.get(customer=customer)
    assert customer.tenant == tenant_a
    assert contact.tenant == tenant_a
    assert "adminkontakt" in customer.search_text


@pytest.mark.parametrize(
    "url", ["admin:customers_customer_changelist", "admin:audit_auditevent_changelist"]
)
def test_admin_lists_rows_of_all_tenants_for_superusers(root_client, tenant_a, url):
    assert root_client.get(reverse(url)).status_code == 200


def test_tenant_staff_without_superuser_flag_cannot_use_the_admin(owner_client):
    response = owner_client.get(reverse("admin:customers_customer_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
