"""Re-encrypt every encrypted value with the first key of THEKE_ENCRYPTION_KEYS.

Rotation: put a new key first in THEKE_ENCRYPTION_KEYS (keep the old ones behind it),
restart, run this command, then remove the old keys. `--new-key` prints a fresh key.
"""

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandParser
from django_scopes import scopes_disabled

from theke.core import crypto


class Command(BaseCommand):
    help = "Re-encrypts every stored encrypted value with the first key of THEKE_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key", action="store_true", help="Only print a new key and change nothing."
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, new_key: bool, batch_size: int, **options: Any) -> None:
        if new_key:
            self.stdout.write(Fernet.generate_key().decode("ascii"))
            return
        total = 0
        with scopes_disabled():
            for model, names in crypto.encrypted_fields():
                count = crypto.rotate_model(model, names, batch_size=batch_size)
                total += count
                self.stdout.write(f"{model._meta.label}: {count} ({', '.join(names)})")
        self.stdout.write(self.style.SUCCESS(f"{total} rows re-encrypted with the first key."))
