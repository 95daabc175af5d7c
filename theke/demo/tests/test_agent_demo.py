"""The simulated back office runs its day against a real server over HTTP."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
import requests
from django.core.management import call_command

from theke.api.tests.conftest import make_key
from theke.demo.agent import Agent
from theke.estimates import services
from theke.estimates.models import Estimate
from theke.orders.models import Invoice, Order
from theke.tenants.scoping import tenant_scope


@pytest.mark.django_db(transaction=True)
def test_agent_demo_pushes_a_day_and_reads_the_answers(live_server: Any, tenant_a: Any) -> None:
    out = StringIO()
    call_command("agent_demo", "--url", live_server.url, "--tenant", "alpha", stdout=out)
    printed = out.getvalue()
    assert "POST   /orders/bulk" in printed and "4 created, 0 updated, 0 refused" in printed
    assert "refused" not in printed.replace("0 refused", "")
    assert printed.count("customer.created") == 3

    with tenant_scope(tenant_a):
        assert Order.objects.count() == 4
        assert Invoice.objects.get(external_id="RE-24-1203").pdf
        estimate = Estimate.objects.get(external_id="KV-24-0815")
        assert estimate.positions.count() == 4 and estimate.photos.count() == 1
        # The Golf is attached: a declining customer gets the vehicle's choices.
        assert estimate.vehicle is not None and estimate.vehicle.external_id == "FZ-501"
        assert services.decline_object(estimate) == "vehicle"

    # The customer opens the link; the back office sees it in the feed.
    url = re.search(r"Open the estimate as the customer would: (\S+)", printed)
    assert url is not None
    page = requests.get(url.group(1).replace("http://127.0.0.1:8000", live_server.url), timeout=10)
    assert page.status_code == 200 and "KV-24-0815" in page.text
    feed = StringIO()
    agent = Agent(live_server.url, make_key(tenant_a)[1], out=feed.write)
    agent.pull_events()
    assert "estimate.viewed" in feed.getvalue()


def test_agent_demo_explains_an_unreachable_server(tenant_a: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not reachable"):
        call_command(
            "agent_demo", "--url", "http://127.0.0.1:9", "--tenant", "alpha", stdout=StringIO()
        )
