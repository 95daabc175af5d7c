"""`manage.py apikey create|list|revoke --tenant <slug>`: API keys from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from theke.api.models import ApiKey
from theke.api.services import create_api_key, revoke_api_key
from theke.audit.services import SYSTEM
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope


class Command(BaseCommand):
    help = "Create, list or revoke API keys of a tenant. `create` prints the key as its last line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it (shown only once).")
        create.add_argument("--tenant", required=True, help="Slug of the tenant")
        create.add_argument("--name", required=True, help="What the key is for")
        listing = sub.add_parser("list", help="List the keys of a tenant.")
        listing.add_argument("--tenant", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("--tenant", required=True)
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = Tenant.objects.get(slug=options["tenant"])
        except Tenant.DoesNotExist as exc:
            raise CommandError(f"No tenant with slug {options['tenant']!r}.") from exc
        with tenant_scope(tenant):
            getattr(self, f"_{options['action']}")(tenant, options)

    def _create(self, tenant: Tenant, options: dict[str, Any]) -> None:
        key, plaintext = create_api_key(tenant, SYSTEM, options["name"])
        self.stdout.write(f"Created API key {key.name!r} ({key.prefix}) for tenant {tenant.slug}.")
        self.stdout.write("Store it now; it cannot be shown again:")
        self.stdout.write(plaintext)

    def _list(self, tenant: Tenant, options: dict[str, Any]) -> None:
        for key in ApiKey.objects.all():
            used = key.last_used_at.isoformat() if key.last_used_at else "never used"
            state = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
            self.stdout.write(
                f"{key.prefix}  {key.name}  created {key.created_at:%Y-%m-%d}  {used}  {state}"
            )

    def _revoke(self, tenant: Tenant, options: dict[str, Any]) -> None:
        key = ApiKey.objects.filter(prefix=options["prefix"]).first()
        if key is None:
            raise CommandError(f"No API key with prefix {options['prefix']!r}.")
        if revoke_api_key(key, SYSTEM):
            self.stdout.write(f"Revoked API key {key.name!r} ({key.prefix}).")
        else:
            self.stdout.write(f"API key {key.name!r} ({key.prefix}) was already revoked.")
