"""The appointments section on the staff customer page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.appointments import services
from theke.appointments.models import Appointment
from theke.audit.services import SYSTEM
from theke.tenants.scoping import tenant_scope

from .conftest import Workshop, at

pytestmark = pytest.mark.django_db


def test_customer_page_lists_the_appointments(
    owner_client: Any, tenant_a: Any, workshop: Workshop, appointment: Appointment
) -> None:
    with tenant_scope(tenant_a):
        services.update_appointment(appointment, SYSTEM, customer_waits=True)
        services.create_appointment(
            tenant_a,
            SYSTEM,
            customer=workshop.customer,
            start=at(20, 8),
            end=at(21, 17),
            status="cancelled",
        )
    page = owner_client.get(reverse("customers:detail", args=[workshop.customer.pk]))
    html = page.content.decode()
    section = html[html.index('id="appointments"') :]
    assert "14.10.2025 09:30–11:00" in section
    assert "Geplant" in section and "Kunde wartet" in section and "Inspektion" in section
    assert "B-EB 1" in section and "Alpha Mitte" in section
    assert "20.10.2025 08:00–Di 21.10.2025 17:00" in section and "Storniert" in section


def test_customer_without_appointments_says_so(owner_client: Any, workshop: Workshop) -> None:
    html = owner_client.get(reverse("customers:detail", args=[workshop.customer.pk])).content
    assert "Keine Termine." in html.decode()


def test_section_needs_the_appointments_right(
    client: Any, tenant_a: Any, workshop: Workshop, appointment: Appointment
) -> None:
    client.force_login(make_staff(tenant_a, "tech@alpha.test", "Tina Technik", "Techniker"))
    response = client.get(reverse("customers:detail", args=[workshop.customer.pk]))
    assert response.status_code == 200
    assert 'id="appointments"' not in response.content.decode()


def test_platform_operator_sees_appointments_in_the_admin(
    client: Any, django_user_model: Any, appointment: Appointment
) -> None:
    root = django_user_model.objects.create_superuser("root@theke.test", "pw", full_name="Root")
    client.force_login(root)
    listing = client.get(reverse("admin:appointments_appointment_changelist"))
    assert listing.status_code == 200 and "T-1" in listing.content.decode()
    detail = client.get(reverse("admin:appointments_appointment_change", args=[appointment.pk]))
    assert detail.status_code == 200
