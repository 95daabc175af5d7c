"""`manage.py api_cleanup_idempotency`: forget Idempotency-Keys older than 24 hours."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from theke.api.idempotency import cleanup_idempotency_records


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than the retention period (24 h)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = cleanup_idempotency_records()
        self.stdout.write(f"Deleted {deleted} idempotency record(s).")
