"""Changes made by staff reach the back office's webhooks: the feed is below the domains, the
door delivers it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from theke.api.tests.conftest import make_endpoint
from theke.messaging.models import Channel, OutboundMessage
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db

CUSTOMER_FORM = {
    **{"kind": "company", "company_name": "Neu AG", "number": "N-1", "notes": ""},
    **{"last_name": "Neumann", "email": "info@neu.test"},
}


def test_a_staff_change_reaches_the_webhooks(owner_client: Any, tenant_a: Any) -> None:
    tenant_a.webhooks_allow_private_targets = True
    tenant_a.save(update_fields=["webhooks_allow_private_targets"])
    endpoint = make_endpoint(tenant_a, "http://127.0.0.1:9/hook", event_types=["customer.*"])
    owner_client.post(reverse("customers:create"), CUSTOMER_FORM)
    with tenant_scope(tenant_a):
        (message,) = OutboundMessage.objects.filter(channel=Channel.WEBHOOK)
    assert (message.object_id, message.subject) == (str(endpoint.pk), "customer.created")
    assert json.loads(message.body_text)["data"]["payload"] == {"number": "N-1"}
