"""Encryption at rest for values that must not lie readable in the database or its backups.

Fernet (AES-128-CBC with HMAC-SHA256) through MultiFernet, with the keys of
THEKE_ENCRYPTION_KEYS (settings.ENCRYPTION_KEYS): the first key encrypts, every key
decrypts. To rotate, put a new key first, keep the old ones behind it, run
`manage.py rotate_encryption_keys` (re-encrypts every stored value with the first key), then
drop the old keys. A local setup without keys uses one derived from SECRET_KEY.

The model fields `EncryptedTextField` and `EncryptedBinaryField` store a Fernet token and
give the plain value back; an empty value stays empty (it says nothing). Being encrypted
with a random IV, their values cannot be searched or compared in a query.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Lookup

# Separates the derived key from every other use of SECRET_KEY.
_DERIVATION_SALT = b"theke.core.crypto.derived-key:"


class UnreadableValue(Exception):
    """A stored value none of the configured keys opens (a key missing from the setting)."""


def derived_key(secret_key: str) -> str:
    """The Fernet key of a local setup without THEKE_ENCRYPTION_KEYS."""
    digest = hashlib.sha256(_DERIVATION_SALT + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def configured_keys() -> tuple[str, ...]:
    """The keys in use, the encrypting one first."""
    return tuple(settings.ENCRYPTION_KEYS) or (derived_key(settings.SECRET_KEY),)


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    # Cached per key tuple: settings overridden in a test take effect at once.
    return _fernet(configured_keys())


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken as error:
        raise UnreadableValue(
            "An encrypted value opens with none of THEKE_ENCRYPTION_KEYS (was a key removed?)."
        ) from error


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode()


def rotate_bytes(token: bytes) -> bytes:
    """The same value encrypted with the first key (decrypted with whichever key opens it)."""
    try:
        return fernet().rotate(token)
    except InvalidToken as error:
        raise UnreadableValue("A stored value opens with none of the keys.") from error


# --- model fields --------------------------------------------------------------------------


class _EncryptedMixin:
    """No lookups but `isnull`: a random IV makes equal values differ in the database."""

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)  # type: ignore[misc]


class EncryptedTextField(_EncryptedMixin, models.TextField):
    """Text stored as a Fernet token (ASCII); reads and writes plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt_text(value)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is not None and not hasattr(value, "resolve_expression"):
            value = self.to_python(value)
            if value:
                value = encrypt_text(value)
        return super().get_db_prep_save(value, connection)


class EncryptedBinaryField(_EncryptedMixin, models.BinaryField):
    """Bytes stored as a Fernet token; reads and writes plain bytes."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> bytes | None:
        if value is None:
            return None
        stored = bytes(value)
        return decrypt_bytes(stored) if stored else b""

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is not None and not hasattr(value, "resolve_expression"):
            plain = bytes(value)
            value = encrypt_bytes(plain) if plain else b""
        return super().get_db_prep_save(value, connection)


# --- rotation ------------------------------------------------------------------------------


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and the names of those fields."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField | EncryptedBinaryField)
        ]
        if names:
            yield model, names


def convert_stored(
    model: type[models.Model],
    names: list[str],
    convert: Callable[[Any], Any],
    batch_size: int = 500,
) -> None:
    """Rewrite every non-empty value of the fields `names` through `convert`, a batch of rows
    at a time: the data migrations that encrypt a plain column (or decrypt it on the way
    back) before its field type changes. Works on a migration's historical model."""
    rows = model._base_manager.order_by("pk")
    last_pk: Any = None
    while True:
        batch = rows.filter(pk__gt=last_pk) if last_pk is not None else rows
        values = list(batch.values_list("pk", *names)[:batch_size])
        if not values:
            return
        for pk, *stored in values:
            changed = {
                name: convert(value) for name, value in zip(names, stored, strict=True) if value
            }
            if changed:
                rows.filter(pk=pk).update(**changed)
        last_pk = values[-1][0]


def rotate_model(model: type[models.Model], names: list[str], batch_size: int = 500) -> int:
    """Re-encrypt the fields `names` of every row of `model` with the first key, a batch per
    transaction; returns the number of rows rewritten."""
    rotated = 0
    manager = model._base_manager
    last_pk: Any = None
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        pks = list(rows.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return rotated
        with transaction.atomic():
            for row in manager.select_for_update().filter(pk__in=pks).only("pk", *names):
                # Loading decrypts with any key; writing encrypts with the first one. An
                # update, not save(): no signals, no auto_now, nothing else touched.
                values = {name: getattr(row, name) for name in names}
                manager.filter(pk=row.pk).update(**values)
                rotated += 1
        last_pk = pks[-1]
