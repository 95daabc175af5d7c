"""Migration 0002: a tenant's text stored before named texts stays what is sent."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("messaging", "0001_messaging")]
AFTER = [("messaging", "0002_named_templates")]


@pytest.mark.django_db(transaction=True)
def test_existing_texts_become_the_default_named_standard(tenant_a: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("messaging", "MessageTemplate")
        for channel in ("email", "sms"):
            old.objects.create(
                tenant_id=tenant_a.pk,
                purpose="estimate_link",
                channel=channel,
                language="de",
                subject="KV",
                text="Eigener Text {link}",
            )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("messaging", "MessageTemplate")
        stored = sorted(new.objects.values_list("channel", "name", "is_default", "text"))
        assert stored == [
            ("email", "Standard", True, "Eigener Text {link}"),
            ("sms", "Standard", True, "Eigener Text {link}"),
        ]
    finally:
        # Leave the database at the latest state for the tests that follow.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
