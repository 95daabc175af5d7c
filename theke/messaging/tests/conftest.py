"""Fixtures of the messaging tests: a real SMTP peer (aiosmtpd); the SMS outbox fixture
is in the root conftest."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    """An aiosmtpd handler that keeps what it accepted.

    Recipients starting with "reject" are refused for good (550), "later" for now (450).
    With `block_next`, the next DATA waits until `release` is set (a send in progress) and
    is then refused, as a server does when the client went away before the final reply.
    With `data_seconds`, every DATA takes that long (a server at work, so a client can be
    stopped in the middle of a batch).
    """

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.peers: list[Any] = []
        self.block_next = False
        self.data_seconds = 0.0
        self.arrived = threading.Event()
        self.release = threading.Event()

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(envelope.original_content, policy=policy.default)
            for envelope in self.envelopes
        ]

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("later"):
            return "450 4.2.1 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.block_next:
            self.block_next = False
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 transaction aborted"
        if self.data_seconds:
            await asyncio.sleep(self.data_seconds)
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 2.0.0 queued"


class SmtpPeer:
    """An SMTP server on 127.0.0.1:<port> that can be stopped and started again."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def start(self) -> SmtpPeer:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def mailers(self) -> dict[str, Any]:
        """settings.MAILERS for Django's SMTP backend talking to this peer."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


@pytest.fixture
def smtp_peer(settings: Any) -> Iterator[SmtpPeer]:
    """A running SMTP peer; the default mailer talks to it."""
    peer = SmtpPeer().start()
    settings.MAILERS = peer.mailers()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def smtp_down(settings: Any) -> Iterator[SmtpPeer]:
    """An SMTP peer that is not running yet (connections are refused); `.start()` it later."""
    peer = SmtpPeer()
    settings.MAILERS = peer.mailers()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sample_purposes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the purposes of tests/sample_purposes.py for one test."""
    from theke.messaging.purposes import PURPOSES
    from theke.messaging.tests.sample_purposes import SAMPLE_PURPOSES

    for purpose in SAMPLE_PURPOSES:
        monkeypatch.setitem(PURPOSES, purpose.code, purpose)
