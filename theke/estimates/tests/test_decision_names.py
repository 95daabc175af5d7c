"""The name a customer signs a decision with goes into e-mails: control characters are
refused with a message at the name field (line breaks are folded into spaces)."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from theke.core.errors import ServiceError
from theke.estimates import services
from theke.estimates.models import EstimateLink
from theke.estimates.services import hash_token

from .conftest import ESTIMATE, estimate_body, post_json, put_json

pytestmark = pytest.mark.django_db


def open_link(api_client: Any) -> EstimateLink:
    assert put_json(api_client, ESTIMATE, estimate_body()).status_code == 201
    url = post_json(api_client, f"{ESTIMATE}/link", {}).json()["url"]
    with scopes_disabled():
        return EstimateLink.objects.get(token_hash=hash_token(url.rstrip("/").split("/")[-1]))


@pytest.mark.parametrize("name", ["Eva\x1bBerg", "Eva\x00Berg", "Eva\x7fBerg"])
def test_signed_name_with_a_control_character_is_refused_at_the_field(
    api_client: Any, customer: Any, name: str
) -> None:
    link = open_link(api_client)
    with scopes_disabled(), pytest.raises(ServiceError) as refused:
        services.accept_estimate(link, name=name, terms_accepted=True, ip="203.0.113.5")
    assert refused.value.field == "name" and refused.value.code == "control_characters"


def test_line_breaks_in_the_signed_name_become_spaces(api_client: Any, customer: Any) -> None:
    link = open_link(api_client)
    with scopes_disabled():
        decision = services.accept_estimate(
            link, name="Eva\r\nBerg", terms_accepted=True, ip="203.0.113.5"
        )
    assert decision.signed_name == "Eva Berg"
