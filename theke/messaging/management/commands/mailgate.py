"""Read one RFC 822 message from standard input and file it: `manage.py mailgate < mail`.

Meant for an MTA pipe (e.g. Postfix `reply: "|/path/manage.py mailgate"`). Exit code 0
once the message is stored, quarantined or not; 75 (EX_TEMPFAIL) when it could not be
stored because the database (or the disk) is unavailable, so the MTA keeps the message
and tries again later.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from theke.messaging.services.inbound import receive_email

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one e-mail (RFC 822) from standard input and file it into its conversation."
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin.buffer
        raw = stream.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            row = receive_email(raw, "mailgate")
        except (DatabaseError, OSError) as error:
            self.stderr.write(f"mailgate: message not stored, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        if options["verbosity"] > 0:
            self.stdout.write(f"mailgate: stored as #{row.pk}: {row.status}")
