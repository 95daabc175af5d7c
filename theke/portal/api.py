"""API of the portal (see theke.api.resources for the shared conventions).

* `PUT /customers/{external_id}/portal` activates the customer for the portal ("Online-Portal"
  ticked in the back office) and invites its first user, who becomes the customer's admin
  (all locations, invoices and prices): body `first_user_email`, optional `first_name`,
  `last_name`. Idempotent: the same call again answers 200 and sends no second invitation;
  201 when the portal was switched on by this call. The invitation e-mail ("Jetzt anmelden")
  is valid 7 days.
* `DELETE /customers/{external_id}/portal` switches the portal off for the customer (its users
  no longer reach it, open invitations stop working; logins and data stay).
* A tenant without the portal product answers 409 (`portal_disabled`).
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Router, Schema, Status
from pydantic import Field

from theke.api.errors import Problem
from theke.api.resources import StrictIn, api_scope, find, not_found, service_problem
from theke.core.errors import ServiceError
from theke.customers.models import Customer
from theke.portal.models import PortalCustomer
from theke.portal.services import users as services

router = Router(tags=["portal"])


class PortalIn(StrictIn):
    first_user_email: str = Field(min_length=1, max_length=254)
    first_name: str = Field(default="", max_length=150)
    last_name: str = Field(default="", max_length=150)


class PortalOut(Schema):
    customer_external_id: str
    is_active: bool
    first_user_email: str
    invited_at: str | None
    registered_at: str | None


class PortalDeleteOut(Schema):
    customer_external_id: str
    result: Literal["deactivated", "not_activated"]


def _customer(external_id: str) -> Customer:
    customer = find(Customer.objects.select_related("tenant"), external_id)
    if customer is None:
        raise not_found("customer", external_id)
    return customer


def _moment(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@router.put(
    "/customers/{external_id}/portal",
    response={200: PortalOut, 201: PortalOut},
    operation_id="activate_customer_portal",
    summary="Activate a customer for the portal and invite its first user (idempotent)",
)
def activate_portal(request: Any, external_id: str, data: PortalIn) -> Status:
    with api_scope(request) as (_tenant, actor):
        customer = _customer(external_id)
        was_active = PortalCustomer.objects.filter(customer=customer, is_active=True).exists()
        try:
            user = services.activate_customer(
                customer,
                actor,
                first_user_email=str(data.first_user_email),
                first_name=data.first_name,
                last_name=data.last_name,
            )
        except ServiceError as exc:
            if exc.code == "portal_disabled":
                raise Problem(409, "Conflict", exc.messages[0]) from exc
            raise service_problem(exc) from exc
        body = {
            "customer_external_id": external_id,
            "is_active": True,
            "first_user_email": user.account.email,
            "invited_at": _moment(user.invited_at),
            "registered_at": _moment(user.registered_at),
        }
        return Status(200 if was_active else 201, body)


@router.delete(
    "/customers/{external_id}/portal",
    response=PortalDeleteOut,
    operation_id="deactivate_customer_portal",
    summary="Switch the portal off for a customer",
)
def deactivate_portal(request: Any, external_id: str) -> Any:
    with api_scope(request) as (_tenant, actor):
        customer = _customer(external_id)
        portal = services.deactivate_customer(customer, actor)
        result = "not_activated" if portal is None else "deactivated"
        return {"customer_external_id": external_id, "result": result}
