"""A customer pays a payment link on a phone through the test provider's checkout page and
comes back to the job's page; the payment is settled by the provider's signed notification."""

from __future__ import annotations

from typing import Any

import pytest

from theke.core.tests.browser import (  # noqa: F401  (open_page: fixture)
    PHONE,
    open_page,
    real,
    screenshot,
    watch_errors,
    wider_than_viewport,
)
from theke.jobs.models import Payment, PaymentStatus
from theke.jobs.services import payments
from theke.jobs.services.jobs import Who, activate_phase
from theke.jobs.services.links import job_link_url
from theke.jobs.tests.world import make_job_world
from theke.tenants.scoping import scopes_disabled, tenant_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_pays_through_the_test_checkout_on_a_phone(
    open_page: Any,  # noqa: F811
    live_server: Any,
    tenant_a: Any,
    owner: Any,
    settings: Any,
) -> None:
    settings.BASE_URL = live_server.url
    world = make_job_world(tenant_a)
    job = world.start(assignee=owner)
    job = activate_phase(job, "bestellung", Who.staff(owner), expected_phase="rueckruf")
    payment = payments.create_payment(
        job, "bezahlung", "18.990,00", "Rechnung R-2026-17", Who.staff(owner)
    )
    with tenant_scope(tenant_a):
        page_url = job_link_url(job)
        # What the job page's pay button answers with (job_pages:pay).
        checkout = payments.start_checkout(payment, return_url=page_url)

    page = open_page(PHONE)
    errors = watch_errors(page)
    page.goto(checkout)
    page.get_by_role("heading", name="Zahlung an Autohaus Alpha").wait_for()
    assert "18.990,00" in page.locator("#checkout-amount").inner_text()
    page.get_by_text("Rechnung R-2026-17").wait_for()
    assert wider_than_viewport(page) == []
    screenshot(page, "jobs-test-checkout")

    page.get_by_role("button", name="Bezahlen (Test)").click()
    page.wait_for_url(page_url)  # back on the job's page
    with scopes_disabled():
        paid = Payment.objects.get(pk=payment.pk)
    assert paid.status == PaymentStatus.PAID

    page.goto(checkout)
    page.get_by_text("Diese Zahlung ist eingegangen.").wait_for()
    screenshot(page, "jobs-test-checkout-paid")
    assert real(errors) == []
