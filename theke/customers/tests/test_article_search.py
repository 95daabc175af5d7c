"""search_articles: the one article search (the article list and the estimate editor)."""

from __future__ import annotations

from typing import Any

import pytest

from theke.audit.services import SYSTEM
from theke.customers import services
from theke.tenants.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_every_word_in_number_or_text_exact_number_first_active_only(
    tenant_a: Any, tenant_b: Any
) -> None:
    with tenant_scope(tenant_a):
        for number, text, active in [
            ("BR-10", "Bremsbelag vorne", True),
            ("BR-1", "Bremsscheibe vorne", True),
            ("BR-2", "Bremsscheibe hinten", True),
            ("BR-3", "Bremsscheibe alt", False),
        ]:
            services.create_article(tenant_a, SYSTEM, number=number, text=text, is_active=active)
    with tenant_scope(tenant_b):
        services.create_article(tenant_b, SYSTEM, number="BR-1B", text="Bremsscheibe fremd")
    with tenant_scope(tenant_a):
        numbers = lambda query, **kw: [  # noqa: E731
            a.number for a in services.search_articles(tenant_a, query, **kw)
        ]
        assert numbers("scheibe vorne") == ["BR-1"]
        assert numbers("br-1") == ["BR-1", "BR-10"], "the exact number first"
        assert numbers("scheibe") == ["BR-1", "BR-2"]
        assert numbers("scheibe", include_inactive=True) == ["BR-1", "BR-2", "BR-3"]
        assert numbers("") == ["BR-1", "BR-10", "BR-2"]
