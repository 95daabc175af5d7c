"""What the back office needs of a container order placed in the portal to prefill its
dispatch job: customer, location with address and access notes, container and waste type,
wish date, note, permit. One builder, so the feed event `portal.order.created` and the API's
list of portal orders (`GET /api/v1/portal-orders`) say the same."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from theke.orders.models import Order


def permit_url(order: Order) -> str | None:
    """Where the back office downloads the permit the customer uploaded (API key needed)."""
    if not order.permit:
        return None
    return f"{settings.BASE_URL}/api/v1/portal-orders/{order.pk}/permit"


def reference(order: Order) -> dict[str, Any]:
    """Every reference of a portal order, as plain JSON values."""
    customer = order.customer
    location = order.location
    container_type = order.container_type
    waste_type = order.waste_type
    account = order.ordered_by
    return {
        "portal_order_id": order.pk,
        "external_id": order.external_id,
        "number": order.number,
        "kind": order.kind,
        "status": order.status,
        "customer": {
            "external_id": customer.external_id,
            "number": customer.number,
            "name": customer.display_name,
        },
        "location": None
        if location is None
        else {
            "external_id": location.external_id,
            "name": location.name,
            "street": location.street,
            "postal_code": location.postal_code,
            "city": location.city,
            "country": location.country,
            "state": location.state,
            "access_notes": location.access_notes,
        },
        "container_type": None
        if container_type is None
        else {
            "external_id": container_type.external_id,
            "name": str(container_type),
            "volume_m3": str(container_type.volume_m3),
            "variant": container_type.variant,
        },
        "waste_type": None
        if waste_type is None
        else {
            "external_id": waste_type.external_id,
            "name": waste_type.name,
            "code": waste_type.code,
        },
        "asset_id": order.asset_id,
        "asset_external_id": order.asset.external_id if order.asset_id and order.asset else None,
        "follows_portal_order_id": order.follows_id,
        "wish_date": order.wish_date.isoformat() if order.wish_date else None,
        "planned_date": order.planned_date.isoformat() if order.planned_date else None,
        "note": order.customer_note,
        "public_ground": order.public_ground,
        "permit_by_service": order.permit_by_service,
        "permit_url": permit_url(order),
        "ordered_by": None
        if account is None
        else {
            "email": account.email,
            "name": " ".join(p for p in (account.first_name, account.last_name) if p),
            "phone": account.phone,
        },
        "released_at": order.released_at,
        "created_at": order.created_at,
    }
