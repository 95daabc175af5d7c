"""Live customer links never lie readable in the database (issue 11, item 13).

Outbox bodies and stored idempotent responses are encrypted at rest (theke.core.crypto);
`manage.py rotate_encryption_keys` moves every stored value to the first key; the data
migrations encrypt the rows written before.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Cast
from django.test import override_settings
from django_scopes import scopes_disabled

from theke.api.models import IdempotencyRecord
from theke.api.tests.conftest import make_key
from theke.audit.services import SYSTEM
from theke.core import crypto
from theke.customers import services as customers
from theke.messaging.models import OutboundMessage
from theke.tenants.scoping import tenant_scope
from theke.tests.link_cases import cases

pytestmark = pytest.mark.django_db

ESTIMATE_KIND = next(case for case in cases() if case.kind == "estimate")
KEY_1 = Fernet.generate_key().decode()
KEY_2 = Fernet.generate_key().decode()


def stored(model: type[models.Model], pk: int, name: str) -> Any:
    """The value as it lies in the column (no decryption)."""
    field = model._meta.get_field(name)
    raw = models.BinaryField() if isinstance(field, models.BinaryField) else models.TextField()
    with scopes_disabled():
        value = (
            model._base_manager.filter(pk=pk)
            .annotate(raw=Cast(name, output_field=raw))
            .values_list("raw", flat=True)
            .get()
        )
    return bytes(value).decode("ascii") if isinstance(value, bytes | memoryview) else value


@pytest.fixture
def customer(tenant_a: Any) -> Any:
    with tenant_scope(tenant_a):
        customer = customers.create_customer(
            tenant_a, SYSTEM, kind="person", first_name="Eva", last_name="Berg", external_id="K-1"
        )
        customers.add_contact(
            customer, SYSTEM, first_name="Eva", last_name="Berg", email="eva@kunde.test"
        )
    return customer


def test_outbox_body_with_a_customer_link_is_encrypted_at_rest(
    tenant_a: Any, customer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        issued = ESTIMATE_KIND.issue(tenant_a, customer)
    with scopes_disabled():
        message = OutboundMessage.objects.get(purpose="estimate_link", channel="email")
    assert issued.token in message.body_text and issued.token in message.body_html
    raw_text = stored(OutboundMessage, message.pk, "body_text")
    raw_html = stored(OutboundMessage, message.pk, "body_html")
    assert issued.token not in raw_text and issued.token not in raw_html
    assert crypto.decrypt_text(raw_text) == message.body_text
    # The worker still sends the link itself.
    assert any(issued.token in sent.body for sent in mail.outbox)


def test_idempotent_link_response_is_stored_encrypted_and_replays(
    client: Any, tenant_a: Any
) -> None:
    _key, secret = make_key(tenant_a)
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "link-1"}
    url = "/api/v1/estimates/KV-9/link"
    first = client.post(url, "{}", content_type="application/json", headers=headers)
    assert first.status_code in (200, 201), first.content
    token = first.json()["url"].rstrip("/").rsplit("/", 1)[-1]
    with scopes_disabled():
        record = IdempotencyRecord.objects.get(key="link-1")
    assert token in bytes(record.response_body).decode()
    assert token not in stored(IdempotencyRecord, record.pk, "response_body")
    again = client.post(url, "{}", content_type="application/json", headers=headers)
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()


def test_encrypted_fields_refuse_lookups_that_cannot_match() -> None:
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError), scopes_disabled():
        list(OutboundMessage.objects.filter(body_text__icontains="x"))


def test_rotation_moves_every_value_to_the_first_key(tenant_a: Any, customer: Any) -> None:
    with override_settings(ENCRYPTION_KEYS=[KEY_1]):
        ESTIMATE_KIND.issue(tenant_a, customer)
        with scopes_disabled():
            message = OutboundMessage.objects.filter(purpose="estimate_link").first()
        assert message is not None
        before = stored(OutboundMessage, message.pk, "body_text")
    with override_settings(ENCRYPTION_KEYS=[KEY_2, KEY_1]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    after = stored(OutboundMessage, message.pk, "body_text")
    assert after != before
    with override_settings(ENCRYPTION_KEYS=[KEY_2]), scopes_disabled():
        assert OutboundMessage.objects.get(pk=message.pk).body_text == message.body_text
    with override_settings(ENCRYPTION_KEYS=[KEY_1]), pytest.raises(crypto.UnreadableValue):
        crypto.decrypt_text(after)


def test_a_new_key_is_a_valid_fernet_key(capsys: Any) -> None:
    call_command("rotate_encryption_keys", "--new-key")
    Fernet(capsys.readouterr().out.strip())


# --- the data migrations --------------------------------------------------------------------


@pytest.fixture
def migrator() -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    yield executor
    # Leave the database at the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migrations_encrypt_the_rows_written_before(
    tenant_a: Any, migrator: MigrationExecutor
) -> None:
    before = [("messaging", "0002_named_templates"), ("api", "0004_feed_moves_to_audit")]
    after = [
        ("messaging", "0003_encrypt_outbound_bodies"),
        ("api", "0005_encrypt_idempotency_responses"),
    ]
    migrator.migrate(before)
    state = migrator.loader.project_state(before).apps
    link = "https://theke.example/k/AbCdEfGhIjKlMnOpQrStUvWxYz012345/"
    message = state.get_model("messaging", "OutboundMessage").objects.create(
        tenant_id=tenant_a.pk,
        channel="email",
        purpose="estimate_link",
        recipient="eva@kunde.test",
        body_text=f"Ihr Link: {link}",
        body_html=f'<a href="{link}">Link</a>',
        dedupe_key="old",
    )
    record = state.get_model("api", "IdempotencyRecord").objects.create(
        tenant_id=tenant_a.pk,
        key="old",
        method="POST",
        path="/api/v1/estimates/KV-1/link",
        request_hash="x" * 64,
        status="done",
        response_status=201,
        response_body=json.dumps({"url": link}).encode(),
        created_at="2026-01-01T00:00:00Z",
    )
    migrator = MigrationExecutor(connection)
    migrator.migrate(after)
    assert link not in stored(OutboundMessage, message.pk, "body_text")
    assert link not in stored(OutboundMessage, message.pk, "body_html")
    assert link not in stored(IdempotencyRecord, record.pk, "response_body")
    with scopes_disabled():
        assert OutboundMessage.objects.get(pk=message.pk).body_text == f"Ihr Link: {link}"
        body = bytes(IdempotencyRecord.objects.get(pk=record.pk).response_body)
    assert json.loads(body) == {"url": link}
