"""Poll an IMAP mailbox for replies: `manage.py fetch_mail [--once] [--interval 60]`.

Every unseen message is handed to the one inbound parser and marked seen only after it is
stored, so a crash or a database outage leaves it unseen for the next round.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from imap_tools import AND, BaseMailBox, MailBox, MailBoxUnencrypted, MailMessage, MailMessageFlags

from theke.messaging.services.inbound import receive_email

logger = logging.getLogger("theke.inbound")


class RawMailMessage(MailMessage):
    """imap-tools' message, keeping the bytes exactly as the server sent them."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


def connect() -> BaseMailBox:
    """Log in to the mailbox of settings IMAP_* (TLS unless IMAP_SSL is off)."""
    if not settings.IMAP_HOST:
        raise CommandError("THEKE_IMAP_HOST is not set.")
    box_class = MailBox if settings.IMAP_SSL else MailBoxUnencrypted
    mailbox = box_class(settings.IMAP_HOST, settings.IMAP_PORT, timeout=60)
    mailbox.email_message_class = RawMailMessage
    return mailbox.login(
        settings.IMAP_USER or "", settings.IMAP_PASSWORD or "", initial_folder=settings.IMAP_FOLDER
    )


def fetch_once(mailbox: Any) -> int:
    """Receive every unseen message; returns how many were stored."""
    stored = 0
    for message in mailbox.fetch(AND(seen=False), mark_seen=False, bulk=False):
        raw = getattr(message, "raw", b"") or message.obj.as_bytes()
        row = receive_email(raw, "imap")  # raises when not stored: the message stays unseen
        mailbox.flag(message.uid, MailMessageFlags.SEEN, True)
        logger.info("imap message %s stored as #%s: %s", message.uid, row.pk, row.status)
        stored += 1
    return stored


def _drop_stale_connections() -> None:
    """Between rounds, as Django does between requests (never inside a caller's transaction)."""
    if not connection.in_atomic_block:
        close_old_connections()


def poll(
    connector: Callable[[], Any] = connect,
    *,
    interval: float = 60,
    rounds: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Fetch every `interval` seconds until stopped (or for `rounds` rounds).

    A failed round (server away, database down) is logged and tried again next round.
    """
    stop = stop or threading.Event()
    total = 0
    done = 0
    while not stop.is_set():
        _drop_stale_connections()
        try:
            with connector() as mailbox:
                total += fetch_once(mailbox)
        except Exception:
            logger.exception("fetching mail failed; trying again in %s s", interval)
        finally:
            _drop_stale_connections()
        done += 1
        if rounds is not None and done >= rounds:
            break
        stop.wait(interval)
    return total


class Command(BaseCommand):
    help = "Fetch unseen e-mail from the IMAP mailbox (settings THEKE_IMAP_*) and file it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Fetch once and exit.")
        parser.add_argument(
            "--interval", type=float, default=60, help="Seconds between rounds (default 60)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.IMAP_HOST:
            raise CommandError("THEKE_IMAP_HOST is not set.")
        if options["once"]:
            try:
                with connect() as mailbox:
                    count = fetch_once(mailbox)
            except CommandError:
                raise
            except Exception as error:
                raise CommandError(f"fetching mail failed: {error}") from error
            if options["verbosity"] > 0:
                self.stdout.write(f"fetch_mail: {count} message(s) stored")
            return
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            poll(connect, interval=max(1.0, options["interval"]), stop=stop)
