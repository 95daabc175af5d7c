"""The registry of message purposes: each domain declares its own, messaging names none."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from theke.estimates import messages as estimate_messages
from theke.messaging import messages as messaging_messages
from theke.messaging import purposes
from theke.messaging.purposes import PURPOSES, get_purpose, manual_purposes, register


def test_a_domains_purpose_is_found_by_its_code() -> None:
    assert get_purpose("estimate_link") is estimate_messages.ESTIMATE_LINK
    assert get_purpose("estimate_reminder") is estimate_messages.ESTIMATE_REMINDER
    assert get_purpose("estimate_answer_company") is estimate_messages.ESTIMATE_ANSWER_COMPANY
    assert get_purpose("message_to_customer") is messaging_messages.MESSAGE_TO_CUSTOMER


def test_unknown_code_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        get_purpose("lead_rejected")


def test_the_registry_module_names_no_domains_purpose() -> None:
    source = inspect.getsource(purposes)
    assert "ESTIMATE_" not in source
    assert not re.search("estimate", source, re.IGNORECASE)
    # Nor messaging's own: they live in messaging/messages.py like any domain's.
    assert "MESSAGE_TO_CUSTOMER" not in source and "message_to_customer" not in source


def test_registering_the_same_purpose_again_is_harmless_another_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(purposes, "PURPOSES", dict(PURPOSES))
    link = estimate_messages.ESTIMATE_LINK
    assert register(link) is link
    impostor = dataclasses.replace(link, label="Anderer Zweck")
    with pytest.raises(ImproperlyConfigured):
        register(impostor)
    assert purposes.PURPOSES["estimate_link"] is link


def test_every_registered_purpose_is_declared_in_a_domains_messages_module() -> None:
    declared: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("theke."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.messages")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, purposes.Purpose):
                declared[value.code] = config.label
    assert set(declared) == set(PURPOSES)
    assert declared["estimate_link"] == "estimates"
    assert declared["conversation_reply"] == "messaging"


def test_staff_may_pick_only_manual_purposes() -> None:
    assert [p.code for p in manual_purposes()] == ["message_to_customer"]
