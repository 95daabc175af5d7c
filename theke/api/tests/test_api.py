from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from theke.api.idempotency import cleanup_idempotency_records
from theke.api.models import ApiKey, IdempotencyRecord
from theke.api.services import hash_key, revoke_api_key
from theke.audit.models import AuditEvent
from theke.audit.services import SYSTEM

from .conftest import make_key

pytestmark = pytest.mark.django_db

PING = "/api/v1/ping"


def post_json(client: Any, url: str, data: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


# --- keys ------------------------------------------------------------------------------


def test_created_key_is_stored_only_as_hash(tenant_a: Any) -> None:
    key, plaintext = make_key(tenant_a, "Warenwirtschaft")
    assert plaintext.startswith(f"thk_{key.prefix}_")
    assert len(plaintext) >= 4 + 8 + 1 + 43
    with scopes_disabled():
        stored = ApiKey.objects.get(pk=key.pk)
        assert stored.key_hash == hash_key(plaintext)
        assert plaintext not in {str(v) for v in stored.__dict__.values()}
        event = AuditEvent.objects.get(action="api_key.created")
    assert plaintext not in json.dumps(event.data)


def test_apikey_command_prints_key_as_last_line(tenant_a: Any) -> None:
    out = StringIO()
    call_command("apikey", "create", "--tenant", "alpha", "--name", "ERP", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    with scopes_disabled():
        assert ApiKey.objects.get(key_hash=hash_key(last)).tenant == tenant_a
    listing = StringIO()
    call_command("apikey", "list", "--tenant", "alpha", stdout=listing)
    assert last[4:12] in listing.getvalue() and "active" in listing.getvalue()
    call_command("apikey", "revoke", "--tenant", "alpha", "--prefix", last[4:12], stdout=StringIO())
    with scopes_disabled():
        assert ApiKey.objects.get(key_hash=hash_key(last)).revoked_at is not None


# --- authentication and tenancy ----------------------------------------------------------


def test_valid_key_sees_its_tenant(api_client: Any, key_a: Any) -> None:
    response = api_client.get(PING)
    assert response.status_code == 200
    assert response.json()["tenant"] == "alpha"
    assert response.json()["key"] == key_a[0].prefix


def test_key_of_tenant_b_sees_tenant_b(client: Any, key_a: Any, key_b: Any) -> None:
    response = client.get(PING, headers={"Authorization": f"Bearer {key_b[1]}"})
    assert response.json()["tenant"] == "beta"


@pytest.mark.parametrize("header", [None, "Bearer thk_nope_nope", "Basic abc", "Bearer "])
def test_missing_or_wrong_key_is_401_problem(client: Any, key_a: Any, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    body = assert_problem(client.get(PING, headers=headers), 401)
    assert "Bearer" in body["detail"]


def test_revoked_key_is_401(api_client: Any, key_a: Any) -> None:
    with scopes_disabled():
        assert revoke_api_key(key_a[0], SYSTEM)
        assert not revoke_api_key(key_a[0], SYSTEM)
    assert_problem(api_client.get(PING), 401)


def test_last_used_is_written_at_most_once_a_minute(api_client: Any, key_a: Any) -> None:
    api_client.get(PING)
    with scopes_disabled():
        first = ApiKey.objects.get(pk=key_a[0].pk).last_used_at
    assert first is not None
    api_client.get(PING)
    with scopes_disabled():
        assert ApiKey.objects.get(pk=key_a[0].pk).last_used_at == first
        ApiKey.objects.filter(pk=key_a[0].pk).update(last_used_at=first - timedelta(minutes=2))
    api_client.get(PING)
    with scopes_disabled():
        touched = ApiKey.objects.get(pk=key_a[0].pk).last_used_at
    assert touched is not None and touched > first - timedelta(minutes=1)


def test_view_runs_inside_the_key_tenant_scope(api_client: Any, key_a: Any) -> None:
    # The POST ping reads the key's tenant through a scoped query (IdempotencyRecord).
    response = post_json(api_client, PING, {"message": "hi"}, **{"Idempotency-Key": "scope-1"})
    assert response.status_code == 200
    with scopes_disabled():
        assert IdempotencyRecord.objects.get(key="scope-1").tenant_id == key_a[0].tenant_id


# --- problem documents -----------------------------------------------------------------


def test_bad_body_is_422_with_field_paths(api_client: Any) -> None:
    body = assert_problem(post_json(api_client, PING, {"message": ["not", "text"]}), 422)
    assert body["errors"][0]["path"] == "message"
    assert body["errors"][0]["code"] == "string_type"


def test_non_json_body_is_415(api_client: Any) -> None:
    response = api_client.post(PING, "message=hi", content_type="text/plain")
    assert_problem(response, 415)


def test_broken_json_is_400(api_client: Any) -> None:
    response = api_client.post(PING, "{", content_type="application/json")
    assert_problem(response, 400)


def test_too_large_body_is_413(api_client: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post_json(api_client, PING, {"message": "x" * 500})
    assert_problem(response, 413)


def test_unexpected_error_is_500_problem_without_details(api_client: Any, monkeypatch: Any) -> None:
    from theke.api import ping

    def boom(request: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ping, "_pong", boom)
    body = assert_problem(api_client.get(PING), 500)
    assert "secret" not in json.dumps(body)


# --- idempotency -----------------------------------------------------------------------


def test_same_key_same_body_replays_the_stored_response(api_client: Any) -> None:
    first = post_json(api_client, PING, {"message": "a"}, **{"Idempotency-Key": "k1"})
    second = post_json(api_client, PING, {"message": "a"}, **{"Idempotency-Key": "k1"})
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


def test_same_key_other_body_is_422(api_client: Any) -> None:
    post_json(api_client, PING, {"message": "a"}, **{"Idempotency-Key": "k2"})
    response = post_json(api_client, PING, {"message": "b"}, **{"Idempotency-Key": "k2"})
    assert_problem(response, 422)


def test_same_key_while_first_runs_is_409(api_client: Any, key_a: Any) -> None:
    body = json.dumps({"message": "a"}).encode()
    import hashlib

    digest = hashlib.sha256(f"POST {PING}\n".encode() + body).hexdigest()
    with scopes_disabled():
        IdempotencyRecord.objects.create(
            tenant=key_a[0].tenant,
            key="k3",
            method="POST",
            path=PING,
            request_hash=digest,
            created_at=timezone.now(),
        )
    response = api_client.post(
        PING, body, content_type="application/json", headers={"Idempotency-Key": "k3"}
    )
    assert_problem(response, 409)


def test_keys_are_per_tenant(api_client: Any, client: Any, key_b: Any) -> None:
    post_json(api_client, PING, {"message": "a"}, **{"Idempotency-Key": "shared"})
    other = post_json(
        client,
        PING,
        {"message": "a"},
        **{"Idempotency-Key": "shared", "Authorization": f"Bearer {key_b[1]}"},
    )
    assert other.json()["tenant"] == "beta" and "Idempotent-Replayed" not in other


def test_records_are_kept_for_24_hours(api_client: Any) -> None:
    post_json(api_client, PING, {"message": "a"}, **{"Idempotency-Key": "k4"})
    assert cleanup_idempotency_records() == 0
    with scopes_disabled():
        IdempotencyRecord.objects.filter(key="k4").update(
            created_at=timezone.now() - timedelta(hours=23)
        )
        assert cleanup_idempotency_records() == 0
        IdempotencyRecord.objects.filter(key="k4").update(
            created_at=timezone.now() - timedelta(hours=25)
        )
    out = StringIO()
    call_command("api_cleanup_idempotency", stdout=out)
    assert "Deleted 1" in out.getvalue()


def test_without_idempotency_key_post_runs_each_time(api_client: Any) -> None:
    post_json(api_client, PING, {"message": "a"})
    post_json(api_client, PING, {"message": "a"})
    with scopes_disabled():
        assert not IdempotencyRecord.objects.exists()


# --- documentation ---------------------------------------------------------------------


def test_docs_page_loads_nothing_from_third_parties(client: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "data-openapi-url" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "<script>" not in html  # only external scripts, each with the CSP nonce


def test_openapi_is_31_with_bearer_scheme(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    schemes = spec["components"]["securitySchemes"]
    assert any(s == {**s, "type": "http", "scheme": "bearer"} for s in schemes.values())
    assert "/api/v1/ping" in spec["paths"]


def test_unknown_api_path_is_a_problem_not_html(api_client: Any) -> None:
    body = assert_problem(api_client.get("/api/v1/nothing-here"), 404)
    assert "/api/v1/nothing-here" in body["detail"]
    assert_problem(api_client.post("/api/v2/customers", {}), 404)


def test_openapi_documents_problem_answers(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    put = schema["paths"]["/api/v1/customers/{external_id}"]["put"]["responses"]
    assert put["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    bulk = schema["paths"]["/api/v1/customers/bulk"]["post"]["requestBody"]
    body_ref = bulk["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    items = schema["components"]["schemas"][body_ref]["properties"]["items"]["items"]["anyOf"][0]
    assert "last_name" in items["properties"]["contacts"]["anyOf"][0]["items"]["properties"]


def test_a_lost_race_on_a_unique_key_is_a_409_the_client_may_retry(
    api_client: Any, monkeypatch: Any
) -> None:
    from django.db import IntegrityError

    from theke.customers import services as customer_services

    def lost_race(*args: Any, **kwargs: Any) -> Any:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(customer_services, "create_customer", lost_race)
    item = {"external_id": "K-1", "last_name": "Berg"}
    response = post_json(
        api_client, "/api/v1/customers/bulk", {"items": [item]}, **{"Idempotency-Key": "race-1"}
    )
    assert_problem(response, 409)
    with scopes_disabled():
        assert not IdempotencyRecord.objects.filter(key="race-1").exists()
    monkeypatch.undo()
    retried = post_json(
        api_client, "/api/v1/customers/bulk", {"items": [item]}, **{"Idempotency-Key": "race-1"}
    )
    assert retried.json()["results"][0]["status"] == "created"


def test_nul_characters_are_refused_with_their_path_not_a_500(api_client: Any) -> None:
    response = api_client.put(
        "/api/v1/customers/K-1",
        json.dumps({"last_name": "Be\u0000rg", "contacts": [{"last_name": "x\u0000"}]}),
        content_type="application/json",
    )
    body = assert_problem(response, 422)
    assert {error["path"] for error in body["errors"]} == {"last_name", "contacts.0.last_name"}
    lookup = api_client.get("/api/v1/customers/K%00")
    assert lookup.status_code in {400, 404}  # PostgreSQL cannot search for NUL: 400
    assert lookup["Content-Type"] == "application/problem+json"
