""" "Neuer Job": choosing the customer (search or a new person with the duplicate check), then
contact, vehicle, workflow, title and assignee; the job starts in its first phase."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from theke.accounts.models import User
from theke.customers.models import Customer
from theke.jobs.models import Job, Origin
from theke.jobs.tests.world import JobWorld
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_the_customer_is_found_then_the_job_starts(
    world: JobWorld, owner: User, owner_client: Any
) -> None:
    search = owner_client.get(reverse("jobs:new"), {"q": "Neumann"})
    assert search.status_code == 200
    assert f"?customer={world.customer.pk}" in search.content.decode()

    form = owner_client.get(reverse("jobs:new"), {"customer": world.customer.pk})
    page = form.content.decode()
    assert "Petra Neumann" in page
    assert "Standard-Workflow Fahrzeugverkauf" in page
    assert form.context["form"].initial["vehicle"] == str(world.vehicle.pk)  # the only one
    assert form.context["form"].initial["assignee"] == str(owner.pk)

    response = owner_client.post(
        reverse("jobs:new"),
        {
            "customer": world.customer.pk,
            "contact": world.contact.pk,
            "vehicle": world.vehicle.pk,
            "workflow": world.standard.pk,
            "title": "",
            "assignee": owner.pk,
        },
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    assert job.title == "VW Golf 8 Variant"  # from the vehicle
    assert job.origin == Origin.STAFF
    assert job.phase_key == "rueckruf"
    assert job.assignee_id == owner.pk
    assert job.vehicle_id == world.vehicle.pk


def test_a_vehicle_from_stock_may_be_chosen(world: JobWorld, owner_client: Any) -> None:
    from theke.customers.models import Vehicle

    with tenant_scope(world.tenant):
        stock = Vehicle.objects.create(
            tenant=world.tenant, make="Skoda", model="Octavia", license_plate="B-ST 1"
        )
    form = owner_client.get(reverse("jobs:new"), {"customer": world.customer.pk})
    assert "Fahrzeuge im Bestand" in form.content.decode()
    owner_client.post(
        reverse("jobs:new"),
        {
            "customer": world.customer.pk,
            "vehicle": stock.pk,
            "workflow": world.standard.pk,
            "title": "Octavia Kombi",
        },
    )
    with tenant_scope(world.tenant):
        job = Job.objects.get()
    assert job.vehicle_id == stock.pk
    assert job.title == "Octavia Kombi"


def test_posting_without_a_customer_asks_for_one(world: JobWorld, owner_client: Any) -> None:
    response = owner_client.post(reverse("jobs:new"), {"workflow": world.standard.pk})
    assert response.status_code == 400
    assert "Bitte wählen Sie zuerst den Kunden." in response.content.decode()


def test_another_tenants_customer_cannot_be_chosen(
    world: JobWorld, tenant_b: Any, owner_client: Any
) -> None:
    from theke.audit.services import SYSTEM
    from theke.customers import services as customers

    with tenant_scope(tenant_b):
        foreign = customers.create_customer(
            tenant_b, SYSTEM, kind="person", first_name="Fritz", last_name="Fremd"
        )
    response = owner_client.get(reverse("jobs:new"), {"customer": foreign.pk})
    assert response.context["customer"] is None
    assert "Fremd" not in response.content.decode()


def test_a_new_customer_on_the_way_with_the_duplicate_check(
    world: JobWorld, owner_client: Any
) -> None:
    data = {
        "kind": "person",
        "first_name": "Petra",
        "last_name": "Neumann",
        "email": "petra.neumann@example.org",
    }
    duplicate = owner_client.post(reverse("jobs:new_customer"), data)
    assert duplicate.status_code == 200
    page = duplicate.content.decode()
    assert "Diesen Kunden gibt es vielleicht schon" in page
    assert f"?customer={world.customer.pk}" in page

    created = owner_client.post(reverse("jobs:new_customer"), {**data, "confirmed": "1"})
    assert created.status_code == 302
    with tenant_scope(world.tenant):
        newest = Customer.objects.order_by("-pk").first()
    assert newest is not None and newest.pk != world.customer.pk
    assert created["Location"] == reverse("jobs:new") + f"?customer={newest.pk}"

    fresh = owner_client.post(
        reverse("jobs:new_customer"),
        {"kind": "person", "first_name": "Jonas", "last_name": "Quast", "email": "jq@example.org"},
    )
    assert fresh.status_code == 302
