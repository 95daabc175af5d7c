"""State changes of API keys, and the key lookup used by the API's authentication."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from theke.api.models import ApiKey
from theke.audit.services import Actor, record
from theke.core.errors import ServiceError
from theke.tenants.scoping import scopes_disabled

if TYPE_CHECKING:
    from theke.tenants.models import Tenant

KEY_PREFIX = "thk_"
SECRET_BYTES = 32
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(tenant: Tenant, actor: Actor, name: str) -> tuple[ApiKey, str]:
    """Create a key; the plaintext is returned here once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError("Bitte geben Sie eine Bezeichnung an.", field="name")
    prefix = secrets.token_hex(4)
    plaintext = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            tenant=tenant,
            name=name[:100],
            prefix=prefix,
            key_hash=hash_key(plaintext),
            created_by_id=actor.user_id,
        )
        record(tenant, actor, "api_key.created", key, {"name": key.name, "prefix": prefix})
    return key, plaintext


def revoke_api_key(key: ApiKey, actor: Actor) -> bool:
    """Revoke a key (once); False if it was already revoked."""
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            record(key.tenant, actor, "api_key.revoked", key, {"prefix": key.prefix})
    key.refresh_from_db(fields=["revoked_at"])
    return bool(changed)


def authenticate(plaintext: str) -> ApiKey | None:
    """The active key for a presented secret, or None. Looked up by hash, across tenants."""
    if not plaintext.startswith(KEY_PREFIX) or len(plaintext) > 200:
        return None
    with scopes_disabled():
        key = (
            ApiKey.objects.select_related("tenant")
            .filter(key_hash=hash_key(plaintext), revoked_at__isnull=True, tenant__is_active=True)
            .first()
        )
        if key is None:
            return None
        now = timezone.now()
        if key.last_used_at is None or key.last_used_at < now - TOUCH_INTERVAL:
            # Conditional: many parallel requests write at most one update per minute.
            ApiKey.objects.filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL), pk=key.pk
            ).update(last_used_at=now)
            key.last_used_at = now
    return key
