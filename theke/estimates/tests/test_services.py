"""Services of online estimates: amounts, refusals, links, views, photos."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scopes_disabled
from PIL import Image

from conftest import make_staff
from theke.audit.models import FeedEvent
from theke.audit.services import SYSTEM
from theke.estimates import services
from theke.estimates.models import Estimate, EstimateLink, EstimateStatus
from theke.estimates.services import EstimateError, LinkState, position_amounts
from theke.tenants.scoping import tenant_scope

from .conftest import image_bytes

pytestmark = pytest.mark.django_db

D = Decimal


def position(text: str = "Arbeit", **values: Any) -> dict[str, Any]:
    return {"text": text, "quantity": "1", "unit_price": "10", "vat_rate": "19", **values}


def save(tenant: Any, customer: Any, external_id: str = "KV-1", **values: Any) -> Estimate:
    positions = values.pop("positions", [position()])
    with tenant_scope(tenant):
        estimate, _created = services.save_estimate(
            tenant, SYSTEM, external_id, {"customer": customer, **values}, positions
        )
    return estimate


# --- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "rate", "expected"),
    [
        ("3", "0.333", "0", "19", ("1.00", "0.19", "1.19")),
        ("1", "0.125", "0", "0", ("0.13", "0.00", "0.13")),  # half up, not to even
        ("1", "10.05", "50", "19", ("5.03", "0.96", "5.99")),
        ("2.5", "19.99", "10", "7", ("44.98", "3.15", "48.13")),
        ("1", "-10.005", "0", "19", ("-10.01", "-1.90", "-11.91")),  # a credit rounds away from 0
        ("1", "100", "100", "19", ("0.00", "0.00", "0.00")),
    ],
)
def test_position_amounts_round_half_up_to_the_cent(
    quantity: str, price: str, discount: str, rate: str, expected: tuple[str, str, str]
) -> None:
    amounts = position_amounts(D(quantity), D(price), D(discount), D(rate))
    assert tuple(str(a) for a in amounts) == expected


def test_totals_are_the_sums_of_the_positions(tenant_a: Any, customer: Any) -> None:
    positions = [
        position("a", quantity="3", unit_price="0.333"),
        position("b", quantity="3", unit_price="0.333"),
        position("c", unit_price="5", vat_rate="7"),
    ]
    estimate = save(tenant_a, customer, positions=positions)
    assert (estimate.net_total, estimate.vat_total, estimate.gross_total) == (
        D("7.00"),
        D("0.73"),
        D("7.73"),
    )
    with tenant_scope(tenant_a):
        totals = services.compute_totals(estimate.positions.all())
    assert [(r.vat_rate, r.net, r.vat) for r in totals.by_rate] == [
        (D("7.00"), D("5.00"), D("0.35")),
        (D("19.00"), D("2.00"), D("0.38")),
    ]


# --- the back office's data -----------------------------------------------------------------


def test_positions_are_replaced_as_a_whole_and_left_out_stay(tenant_a: Any, customer: Any) -> None:
    save(tenant_a, customer, positions=[position("a"), position("b")])
    estimate = save(tenant_a, customer, positions=[position("c")])
    with tenant_scope(tenant_a):
        assert [p.text for p in estimate.positions.all()] == ["c"]
        estimate, created = services.save_estimate(tenant_a, SYSTEM, "KV-1", {"notes": "x"})
        assert not created and [p.text for p in estimate.positions.all()] == ["c"]


def test_unchanged_data_write_no_audit_event(tenant_a: Any, customer: Any) -> None:
    from theke.audit.models import AuditEvent

    first = save(tenant_a, customer, number="KV-1")
    again = save(tenant_a, customer, number="KV-1")
    assert again.updated_at == first.updated_at
    with scopes_disabled():
        actions = list(
            AuditEvent.objects.filter(action__startswith="estimate.").values_list(
                "action", flat=True
            )
        )
    assert actions == ["estimate.data_received"]


@pytest.mark.parametrize("status", [EstimateStatus.ACCEPTED, EstimateStatus.DECLINED])
def test_answered_estimate_refuses_changes(tenant_a: Any, customer: Any, status: str) -> None:
    estimate = save(tenant_a, customer)
    with scopes_disabled():
        Estimate.objects.filter(pk=estimate.pk).update(status=status)
    with pytest.raises(EstimateError) as refused:
        save(tenant_a, customer, notes="neu")
    assert refused.value.code == "answered"


def test_first_data_need_a_customer(tenant_a: Any) -> None:
    with tenant_scope(tenant_a), pytest.raises(EstimateError) as refused:
        services.save_estimate(tenant_a, SYSTEM, "KV-1", {"number": "1"}, [])
    assert refused.value.field == "customer"


def test_technician_is_matched_only_among_the_tenants_staff(
    tenant_a: Any, tenant_b: Any, customer: Any, owner: Any
) -> None:
    make_staff(tenant_b, "fremd@beta.test", "Fremd", "Admin")
    estimate = save(tenant_a, customer, technician_email="fremd@beta.test")
    assert estimate.technician_user is None
    estimate = save(tenant_a, customer, technician_email="owner@alpha.test")
    assert estimate.technician_user == owner


def test_position_text_comes_from_the_article_or_is_required(
    tenant_a: Any, customer: Any, article: Any
) -> None:
    estimate = save(tenant_a, customer, positions=[{"article": article, "quantity": "1"}])
    with tenant_scope(tenant_a):
        stored = estimate.positions.get()
    assert (stored.text, stored.unit_price, stored.vat_rate) == (
        "Displayeinheit",
        D("120"),
        D("19"),
    )
    with pytest.raises(EstimateError) as refused:
        save(tenant_a, customer, positions=[position(), {"quantity": "1", "unit_price": "1"}])
    assert refused.value.field == "positions.1.text"


# --- links ----------------------------------------------------------------------------------


def test_link_token_is_long_random_and_only_its_hash_is_stored(tenant_a: Any) -> None:
    with tenant_scope(tenant_a):
        link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
        _other_link, other = services.create_link(tenant_a, SYSTEM, "KV-1")
    assert len(token) >= 32 and token != other  # 192 bits, URL-safe
    with scopes_disabled():
        stored = EstimateLink.objects.get(pk=link.pk)
    assert stored.token_hash == services.hash_token(token) and token not in stored.token_hash
    found = services.find_link(token)
    assert found.state == LinkState.VALID and found.link == link
    assert found.estimate is not None and found.estimate.has_data is False
    assert services.find_link(token[:-1] + ("A" if token[-1] != "A" else "B")).state == "unknown"
    assert services.find_link("").state == "unknown"


def test_link_of_an_inactive_tenant_is_unknown(tenant_a: Any) -> None:
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    tenant_a.is_active = False
    tenant_a.save()
    assert services.find_link(token).state == LinkState.UNKNOWN


def test_sending_needs_the_data(tenant_a: Any) -> None:
    with tenant_scope(tenant_a):
        link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
        with pytest.raises(EstimateError) as refused:
            services.send_link(link, token, SYSTEM, ["email"])
    assert refused.value.code == "no_data"


def test_view_of_the_placeholder_records_nothing(tenant_a: Any) -> None:
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    found = services.find_link(token)
    assert found.link is not None and found.estimate is not None
    assert services.record_view(found.link, found.estimate) is False
    with scopes_disabled():
        assert not FeedEvent.objects.exists()


def test_second_view_of_a_stale_copy_emits_no_second_event(tenant_a: Any, customer: Any) -> None:
    """Two requests that both loaded the estimate before either recorded the view."""
    save(tenant_a, customer)
    with tenant_scope(tenant_a):
        _link, token = services.create_link(tenant_a, SYSTEM, "KV-1")
    first, second = services.find_link(token), services.find_link(token)
    assert first.link and first.estimate and second.link and second.estimate
    assert services.record_view(first.link, first.estimate) is True
    assert services.record_view(second.link, second.estimate) is False
    with scopes_disabled():
        assert FeedEvent.objects.filter(type="estimate.viewed").count() == 1


def test_revoked_estimate_keeps_its_data_and_refuses_new_links(
    tenant_a: Any, customer: Any
) -> None:
    estimate = save(tenant_a, customer)
    with tenant_scope(tenant_a):
        assert services.revoke_estimate(estimate, SYSTEM) is True
        assert services.revoke_estimate(estimate, SYSTEM) is False
        with pytest.raises(EstimateError):
            services.create_link(tenant_a, SYSTEM, "KV-1")
        assert Estimate.objects.get().positions.count() == 1


# --- photos ---------------------------------------------------------------------------------


def test_photo_preview_is_upright_small_jpeg_without_metadata(tenant_a: Any, customer: Any) -> None:
    estimate = save(tenant_a, customer)
    original = Image.new("RGB", (3200, 1600), "#3a6ea5")
    exif = original.getexif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010F] = "Kamera GmbH"
    buffer = io.BytesIO()
    original.save(buffer, "JPEG", exif=exif)
    with tenant_scope(tenant_a):
        photo, added = services.add_photo(estimate, SYSTEM, data=buffer.getvalue())
    assert added and (photo.width, photo.height) == (800, 1600)
    with Image.open(photo.preview.open("rb")) as preview:
        assert preview.format == "JPEG" and preview.size == (800, 1600)
        assert not preview.getexif()


def test_replacing_a_photo_keeps_its_place(tenant_a: Any, customer: Any) -> None:
    estimate = save(tenant_a, customer)
    with tenant_scope(tenant_a):
        services.add_photo(estimate, SYSTEM, data=image_bytes(), external_id="P-1")
        services.add_photo(estimate, SYSTEM, data=image_bytes(), external_id="P-2")
        photo, added = services.add_photo(
            estimate, SYSTEM, data=image_bytes("WEBP"), external_id="P-1", caption="neu"
        )
        order = list(estimate.photos.values_list("external_id", "position", "caption"))
    assert not added and photo.content_type == "image/webp"
    assert order == [("P-1", 1, "neu"), ("P-2", 2, "")]


def mark_viewed(estimate: Estimate) -> None:
    with scopes_disabled():
        Estimate.objects.filter(pk=estimate.pk).update(status=EstimateStatus.VIEWED)


def test_changing_a_sent_estimate_makes_a_new_version(tenant_a: Any, customer: Any) -> None:
    from theke.audit.models import AuditEvent

    first = save(tenant_a, customer, defect_description="Display")
    with tenant_scope(tenant_a):
        services.add_photo(first, SYSTEM, data=image_bytes(), external_id="P-1")
    mark_viewed(first)
    second = save(tenant_a, customer, defect_description="Akku", positions=[position("Akku")])
    assert (second.version, second.status) == (2, EstimateStatus.SENT)
    assert second.pk != first.pk and second.first_viewed_at is None
    with scopes_disabled():
        old = Estimate.objects.get(pk=first.pk)
        assert (old.version, old.status) == (1, EstimateStatus.SUPERSEDED)
        assert old.defect_description == "Display"
        assert [p.text for p in old.positions.all()] == ["Arbeit"]
        assert [p.text for p in second.positions.all()] == ["Akku"]
        old_photo, new_photo = old.photos.get(), second.photos.get()
        assert old_photo.file.name == new_photo.file.name and old_photo.key != new_photo.key
        event = AuditEvent.objects.filter(action="estimate.new_version").get()
    assert event.data["previous_version"] == 1
    assert event.data["changes"]["defect_description"] == ["Display", "Akku"]
    with tenant_scope(tenant_a):
        assert services.live_estimate("KV-1") == second
        # Removing the photo from version 2 keeps the file version 1 still shows.
        services.remove_photo(new_photo, SYSTEM)
    assert old_photo.file.storage.exists(str(old_photo.file.name))


def test_unchanged_data_make_no_new_version(tenant_a: Any, customer: Any) -> None:
    first = save(tenant_a, customer, number="KV-1")
    mark_viewed(first)
    again = save(tenant_a, customer, number="KV-1")
    assert (again.pk, again.version, again.status) == (first.pk, 1, EstimateStatus.VIEWED)
    with scopes_disabled():
        assert Estimate.objects.count() == 1


def test_a_draft_is_changed_in_place(tenant_a: Any, customer: Any) -> None:
    first = save(tenant_a, customer, notes="alt")
    again = save(tenant_a, customer, notes="neu", positions=[position("Akku")])
    assert (again.pk, again.version, again.status) == (first.pk, 1, EstimateStatus.DRAFT)
    with scopes_disabled():
        assert Estimate.objects.count() == 1
        assert Estimate.objects.get().notes == "neu"
