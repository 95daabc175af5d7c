"""The customer page's orders, invoices and quotes, and the staff PDF downloads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_staff
from theke.accounts.models import Role
from theke.audit.services import SYSTEM
from theke.orders import services
from theke.tenants.scoping import tenant_scope

from .conftest import PDF, Master

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(tenant_a: Any, master: Master, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_scope(tenant_a):
        order = services.create_order(
            tenant_a,
            SYSTEM,
            external_id="O-1",
            number="RA-4711",
            customer=master.customer,
            status="planned",
            planned_date=datetime.date(2026, 12, 1),
            title="Inspektion",
        )
        invoice = services.create_invoice(
            tenant_a,
            SYSTEM,
            external_id="I-1",
            number="RE-2026-001",
            customer=master.customer,
            issue_date=datetime.date(2026, 11, 20),
            net_total="1000",
            gross_total="1190",
            status="paid",
        )
        invoice = services.attach_pdf(invoice, SYSTEM, PDF)
        quote = services.create_quote(
            tenant_a,
            SYSTEM,
            external_id="Q-1",
            number="AN-77",
            customer=master.customer,
            date=datetime.date(2026, 11, 20),
            title="Neuer Standort",
        )
    return {"order": order, "invoice": invoice, "quote": quote}


def test_customer_page_lists_orders_invoices_and_quotes(
    owner_client: Any, master: Master, documents: dict[str, Any]
) -> None:
    response = owner_client.get(reverse("customers:detail", args=[master.customer.pk]))
    html = response.content.decode()
    assert "Aufträge, Rechnungen, Angebote" in html
    assert "RA-4711" in html and "Geplant" in html and "01.12.2026" in html
    assert "RE-2026-001" in html and "Bezahlt" in html and "1.190,00" in html
    assert reverse("orders:invoice_pdf", args=[documents["invoice"].pk]) in html
    assert "AN-77" in html
    assert reverse("orders:quote_pdf", args=[documents["quote"].pk]) not in html  # no PDF


def test_customer_page_without_documents_says_so(owner_client: Any, master: Master) -> None:
    html = owner_client.get(reverse("customers:detail", args=[master.other.pk])).content.decode()
    assert "Keine Aufträge." in html and "Keine Rechnungen." in html


def test_staff_downloads_the_invoice_pdf(owner_client: Any, documents: dict[str, Any]) -> None:
    response = owner_client.get(reverse("orders:invoice_pdf", args=[documents["invoice"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "RE-2026-001" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_quote_without_pdf_is_404(owner_client: Any, documents: dict[str, Any]) -> None:
    response = owner_client.get(reverse("orders:quote_pdf", args=[documents["quote"].pk]))
    assert response.status_code == 404


def test_pdf_needs_the_customer_view_right(
    client: Any, tenant_a: Any, documents: dict[str, Any]
) -> None:
    with tenant_scope(tenant_a):
        Role.objects.create(
            tenant=tenant_a, name="Nur Termine", permissions=["appointments.manage"]
        )
    user = make_staff(tenant_a, "jobs@alpha.test", "Jo Jobs", "Nur Termine")
    client.force_login(user)
    response = client.get(reverse("orders:invoice_pdf", args=[documents["invoice"].pk]))
    assert response.status_code == 403


def test_outsider_gets_404_for_the_pdf(outsider_client: Any, documents: dict[str, Any]) -> None:
    response = outsider_client.get(reverse("orders:invoice_pdf", args=[documents["invoice"].pk]))
    assert response.status_code == 404
