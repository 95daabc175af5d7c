"""Encryption at rest (theke.core.crypto): first key encrypts, every key decrypts."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from theke.core import crypto

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def test_text_round_trips_and_is_not_readable_stored() -> None:
    token = crypto.encrypt_text("https://theke.example/k/geheim/")
    assert "geheim" not in token
    assert crypto.decrypt_text(token) == "https://theke.example/k/geheim/"
    assert crypto.encrypt_text("x") != crypto.encrypt_text("x")  # a random IV every time


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    with override_settings(ENCRYPTION_KEYS=[OLD]):
        old_token = crypto.encrypt_bytes(b"daten")
    with override_settings(ENCRYPTION_KEYS=[NEW, OLD]):
        assert crypto.decrypt_bytes(old_token) == b"daten"
        rotated = crypto.rotate_bytes(old_token)
    with override_settings(ENCRYPTION_KEYS=[NEW]):
        assert crypto.decrypt_bytes(rotated) == b"daten"
        with pytest.raises(crypto.UnreadableValue):
            crypto.decrypt_bytes(old_token)


@override_settings(ENCRYPTION_KEYS=[], SECRET_KEY="lokal-" * 10)
def test_without_keys_a_key_is_derived_from_the_secret_key() -> None:
    assert crypto.configured_keys() == (crypto.derived_key("lokal-" * 10),)
    assert crypto.derived_key("a") != crypto.derived_key("b")
    Fernet(crypto.derived_key("a"))  # a valid Fernet key
