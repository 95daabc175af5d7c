"""Staff pages of online estimates: list, open answers, detail, send, revoke, PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_staff
from theke.audit.services import SYSTEM
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateLink, EstimateStatus
from theke.estimates.pdf import estimate_pdf
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import scopes_disabled, tenant_scope

from .conftest import image_bytes

pytestmark = pytest.mark.django_db


def position(text: str = "Arbeit", **values: Any) -> dict[str, Any]:
    return {"text": text, "quantity": "1", "unit_price": "10", "vat_rate": "19", **values}


def save(tenant: Any, customer: Any, external_id: str = "KV-1", **values: Any) -> Estimate:
    positions = values.pop("positions", [position()])
    with tenant_scope(tenant):
        estimate, _created = services.save_estimate(
            tenant, SYSTEM, external_id, {"customer": customer, **values}, positions
        )
    return estimate


def sent(tenant: Any, estimate: Estimate, days_ago: int = 0) -> Estimate:
    """Give the estimate a link, as if sent `days_ago` days ago."""
    with tenant_scope(tenant):
        services.create_link(tenant, SYSTEM, estimate.external_id)
        Estimate.objects.filter(pk=estimate.pk).update(
            sent_at=timezone.now() - timedelta(days=days_ago, minutes=5)
        )
        estimate.refresh_from_db()
    return estimate


@pytest.fixture
def estimate(tenant_a: Any, customer: Any) -> Estimate:
    return save(
        tenant_a,
        customer,
        number="KV-4711",
        object_description="Golf VII Bremsen",
        defect_description="Bremsen quietschen.",
        positions=[
            position("Bremsbeläge", unit_price="149.00", unit="Satz"),
            position("Arbeitszeit", quantity="1.5", unit_price="95.00", unit="Std"),
            position("Prüfbuch", unit_price="10.00", vat_rate="7"),
        ],
    )


# --- permissions ----------------------------------------------------------------------------


def test_colleague_without_estimates_view_gets_403(client: Any, tenant_a: Any, estimate: Any):
    dispatcher = make_staff(tenant_a, "dispo@alpha.test", "Dora Dispo", "Disposition")
    client.force_login(dispatcher)
    assert client.get(reverse("estimates:list")).status_code == 403
    assert client.get(reverse("estimates:detail", args=[estimate.pk])).status_code == 403
    assert client.get(reverse("estimates:pdf", args=[estimate.pk])).status_code == 403


def test_navigation_shows_estimates_only_with_the_right(client: Any, tenant_a: Any, owner: Any):
    client.force_login(owner)
    assert "Kostenvoranschläge" in client.get(reverse("customers:list")).content.decode()
    dispatcher = make_staff(tenant_a, "dispo@alpha.test", "Dora Dispo", "Disposition")
    client.force_login(dispatcher)
    page = client.get(reverse("customers:list")).content.decode()
    assert reverse("estimates:list") not in page


def test_technician_sees_but_cannot_send_or_revoke(client: Any, tenant_a: Any, estimate: Any):
    technician = make_staff(tenant_a, "tech@alpha.test", "Tim Tech", "Techniker")
    client.force_login(technician)
    page = client.get(reverse("estimates:detail", args=[estimate.pk]))
    assert page.status_code == 200
    assert b"send-form" not in page.content
    url = reverse("estimates:send", args=[estimate.pk])
    assert client.post(url, {"channels": "email"}).status_code == 403
    assert client.post(reverse("estimates:revoke", args=[estimate.pk])).status_code == 403


def test_outsider_gets_404(outsider_client: Any, estimate: Any) -> None:
    for name in ("detail", "pdf", "decision_pdf"):
        assert (
            outsider_client.get(reverse(f"estimates:{name}", args=[estimate.pk])).status_code == 404
        )
    for name in ("send", "revoke", "revoke_links"):
        url = reverse(f"estimates:{name}", args=[estimate.pk])
        assert outsider_client.post(url, {"channels": "email"}).status_code == 404
    with scopes_disabled():
        assert Estimate.objects.get(pk=estimate.pk).status == EstimateStatus.DRAFT
    assert b"KV-4711" not in outsider_client.get(reverse("estimates:list")).content


# --- list -----------------------------------------------------------------------------------


def test_list_filters_by_status_and_searches_number_customer_and_object(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    other = save(tenant_a, customer, "KV-2", number="KV-0815", object_description="iPhone 12")
    sent(tenant_a, other)
    url = reverse("estimates:list")
    page = owner_client.get(url).content.decode()
    assert page.index("KV-0815") < page.index("KV-4711")  # newest first
    filtered = owner_client.get(url, {"status": "sent"}).content.decode()
    assert "KV-0815" in filtered
    assert "KV-4711" not in filtered
    assert "KV-0815" not in owner_client.get(url, {"status": "draft"}).content.decode()
    assert "KV-4711" in owner_client.get(url, {"q": "4711"}).content.decode()
    by_object = owner_client.get(url, {"q": "iphone"}).content.decode()
    assert "KV-0815" in by_object
    assert "KV-4711" not in by_object
    by_customer = owner_client.get(url, {"q": "berg"}).content.decode()
    assert "KV-0815" in by_customer
    assert "KV-4711" in by_customer
    assert "Keine Kostenvoranschläge" in owner_client.get(url, {"q": "nichts"}).content.decode()
    # Unknown filters and pages are ignored, not errors.
    assert owner_client.get(url, {"status": "bogus", "page": "x"}).status_code == 200


def test_list_paginates(owner_client: Any, tenant_a: Any, customer: Any) -> None:
    for i in range(27):
        save(tenant_a, customer, f"KV-{i}", number=f"N-{i:03}")
    page = owner_client.get(reverse("estimates:list"), {"page": 2}).content.decode()
    assert "Seite 2 von 2" in page
    assert "N-001" in page
    assert "N-026" not in page


# --- open answers ---------------------------------------------------------------------------


def test_open_answers_lists_unanswered_oldest_first_with_age_and_views(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    old = sent(tenant_a, save(tenant_a, customer, "KV-old", number="KV-ALT"), days_ago=3)
    new = sent(tenant_a, save(tenant_a, customer, "KV-new", number="KV-NEU"), days_ago=0)
    with tenant_scope(tenant_a):
        Estimate.objects.filter(pk=new.pk).update(
            status=EstimateStatus.VIEWED,
            first_viewed_at=timezone.now(),
            last_viewed_at=timezone.now(),
        )
        revoked = save(tenant_a, customer, "KV-rev", number="KV-WEG")
        sent(tenant_a, revoked)
        services.revoke_estimate(revoked, SYSTEM)
    page = owner_client.get(reverse("estimates:open_answers")).content.decode()
    assert page.index("KV-ALT") < page.index("KV-NEU")
    assert "seit 3 Tagen" in page
    assert "seit heute" in page
    assert "noch nicht angesehen" in page
    assert "zuerst" in page
    assert "KV-4711" not in page  # a draft waits for nobody
    assert "KV-WEG" not in page
    assert old.pk


# --- detail ---------------------------------------------------------------------------------


def test_detail_shows_positions_and_totals_per_rate(owner_client: Any, estimate: Any) -> None:
    page = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    page = page.replace("\N{NO-BREAK SPACE}", " ")  # amounts keep their unit on the line
    assert "Bremsbeläge" in page
    assert "Golf VII Bremsen" in page
    assert "Eva Berg" in page
    # 149.00 + 142.50 + 10.00 net; 19 % on 291.50 = 55.39, 7 % on 10.00 = 0.70
    assert "301,50 €" in page
    assert "MwSt. 19 % auf 291,50 €" in page
    assert "55,39 €" in page
    assert "0,70 €" in page
    assert "357,59 €" in page
    assert "Entwurf" in page
    assert "Verlauf" in page  # the audit history


def test_detail_of_a_placeholder_says_data_follow(owner_client: Any, tenant_a: Any) -> None:
    with tenant_scope(tenant_a):
        link, _token = services.create_link(tenant_a, SYSTEM, "KV-leer")
    page = owner_client.get(reverse("estimates:detail", args=[link.estimate_id]))
    assert page.status_code == 200
    assert "noch nicht übertragen" in page.content.decode()
    assert b"send-form" not in page.content


# --- send and revoke ------------------------------------------------------------------------


def test_send_by_email_queues_a_message_with_the_link(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    with tenant_scope(tenant_a):
        contact = customer.contacts.get()
    response = owner_client.post(
        reverse("estimates:send", args=[estimate.pk]),
        {"contact": contact.pk, "channels": ["email"]},
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        message = OutboundMessage.objects.get(purpose="estimate_link")
        link = EstimateLink.objects.get(object_id=estimate.external_id)
        estimate.refresh_from_db()
    assert message.recipient == "eva@kunde.test"
    url = re.search(r"https://theke\.example/k/[\w-]+/", message.body_text)
    assert url, message.body_text
    assert services.find_link(url.group(0).split("/")[-2]).link == link
    assert estimate.status == EstimateStatus.SENT
    page = owner_client.get(response["Location"]).content.decode()
    assert "eva@kunde.test" in page
    assert "Erneut senden" in page


def test_sms_is_refused_without_consent_and_nothing_is_queued(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    with tenant_scope(tenant_a):
        contact = customer.contacts.get()
    response = owner_client.post(
        reverse("estimates:send", args=[estimate.pk]),
        {"contact": contact.pk, "channels": ["email", "sms"]},
    )
    assert response.status_code == 400
    assert "nicht zugestimmt" in response.content.decode()
    with tenant_scope(tenant_a):
        assert not OutboundMessage.objects.exists()
        assert not EstimateLink.objects.exists()


def test_sms_is_not_offered_when_the_tenant_has_no_sms(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    with tenant_scope(tenant_a):
        contact = customer.contacts.get()
    response = owner_client.post(
        reverse("estimates:send", args=[estimate.pk]), {"contact": contact.pk, "channels": ["sms"]}
    )
    assert response.status_code == 400
    with tenant_scope(tenant_a):
        assert not OutboundMessage.objects.exists()


def test_send_by_sms_with_consent(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    tenant_a.sms_enabled = True
    tenant_a.save()
    with tenant_scope(tenant_a):
        contact = customer.contacts.get()
        contact.consent_sms = True
        contact.consent_sms_at = timezone.now()
        contact.save()
    owner_client.post(
        reverse("estimates:send", args=[estimate.pk]), {"contact": contact.pk, "channels": ["sms"]}
    )
    with tenant_scope(tenant_a):
        message = OutboundMessage.objects.get(purpose="estimate_link")
    assert message.channel == "sms"
    assert "https://theke.example/k/" in message.body_text


def test_resend_with_revoke_previous_makes_the_old_link_stop(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    sent(tenant_a, estimate)
    with tenant_scope(tenant_a):
        contact = customer.contacts.get()
    owner_client.post(
        reverse("estimates:send", args=[estimate.pk]),
        {"contact": contact.pk, "channels": ["email"], "revoke_previous": "on"},
    )
    with tenant_scope(tenant_a):
        links = list(EstimateLink.objects.order_by("created_at", "id"))
    assert len(links) == 2
    assert links[0].revoked_at is not None
    assert links[1].revoked_at is None


def test_revoke_links_and_estimate_via_ui(owner_client: Any, tenant_a: Any, estimate: Any) -> None:
    sent(tenant_a, estimate)
    response = owner_client.post(reverse("estimates:revoke_links", args=[estimate.pk]))
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        assert not EstimateLink.objects.filter(revoked_at__isnull=True).exists()
    owner_client.post(reverse("estimates:revoke", args=[estimate.pk]))
    with tenant_scope(tenant_a):
        estimate.refresh_from_db()
    assert estimate.status == EstimateStatus.REVOKED
    page = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    assert "Zurückgezogen" in page
    assert "send-form" not in page
    # A second revoke is harmless.
    assert owner_client.post(reverse("estimates:revoke", args=[estimate.pk])).status_code == 302


def test_get_on_an_action_changes_nothing(owner_client: Any, estimate: Any) -> None:
    assert owner_client.get(reverse("estimates:revoke", args=[estimate.pk])).status_code == 405


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_download(owner_client: Any, estimate: Any) -> None:
    response = owner_client.get(reverse("estimates:pdf", args=[estimate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"DejaVu" in response.content  # the Unicode font is embedded


def test_pdf_renders_umlauts_and_euro(tenant_a: Any, estimate: Any) -> None:
    with tenant_scope(tenant_a):
        text = "".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(estimate_pdf(estimate))).pages
        )
    assert "Bremsbeläge" in text
    assert "149,00 €" in text
    assert "357,59 €" in text


def test_decision_pdf_without_decision_redirects(owner_client: Any, estimate: Any) -> None:
    response = owner_client.get(reverse("estimates:decision_pdf", args=[estimate.pk]))
    assert response.status_code == 302


def test_detail_shows_photos_served_to_staff(
    owner_client: Any, tenant_a: Any, estimate: Any
) -> None:
    with tenant_scope(tenant_a):
        photo, _added = services.add_photo(
            estimate, SYSTEM, data=image_bytes(), caption="Bremsscheibe"
        )
    page = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    url = reverse("estimates:photo", args=[estimate.pk, photo.pk])
    assert url in page
    assert "Bremsscheibe" in page
    response = owner_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")


# --- the customer's decision ----------------------------------------------------------------


def test_accepted_estimate_shows_the_decision_and_its_pdf(
    owner_client: Any, tenant_a: Any, customer: Any
) -> None:
    from theke.estimates.services.decision import accept_estimate

    estimate = save(
        tenant_a,
        customer,
        number="KV-9",
        positions=[position("Reparatur"), position("Schutzfolie", is_optional=True)],
    )
    with tenant_scope(tenant_a):
        link, _token = services.create_link(tenant_a, SYSTEM, estimate.external_id)
        accept_estimate(
            link, name="Eva Berg", terms_accepted=True, optional_position_ids=[], ip="192.0.2.1"
        )
    page = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    assert "Antwort des Kunden" in page
    assert "Angenommen" in page
    assert "Bestätigt von" in page
    assert "2. Schutzfolie" in page  # left out by the customer
    assert "11,90\N{NO-BREAK SPACE}€" in page  # the answered total without the optional position
    assert "send-form" not in page
    response = owner_client.get(reverse("estimates:decision_pdf", args=[estimate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Angenommen" in text
    assert "Eva Berg" in text
    assert "Schutzfolie" in text
    assert "11,90 €" in text


def test_declined_estimate_shows_the_choice(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    from theke.estimates.services.decision import decline_estimate

    with tenant_scope(tenant_a):
        link, _token = services.create_link(tenant_a, SYSTEM, estimate.external_id)
        decline_estimate(link, choice="disposal", name="Eva Berg", terms_accepted=True)
    page = owner_client.get(reverse("estimates:detail", args=[estimate.pk])).content.decode()
    assert "Abgelehnt" in page
    assert "Entsorgung" in page
    assert (
        owner_client.get(reverse("estimates:decision_pdf", args=[estimate.pk])).status_code == 200
    )


def test_a_revoked_estimate_is_not_sent(
    owner_client: Any, tenant_a: Any, customer: Any, estimate: Any
) -> None:
    with tenant_scope(tenant_a):
        services.revoke_estimate(estimate, SYSTEM)
        contact = customer.contacts.get()
    response = owner_client.post(
        reverse("estimates:send", args=[estimate.pk]),
        {"contact": contact.pk, "channels": ["email"]},
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        assert not OutboundMessage.objects.exists()
        assert not EstimateLink.objects.exists()
