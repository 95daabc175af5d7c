"""Signals of the tenant services, for the domains above `tenants` to hook into."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `create_tenant` inside its transaction and tenant scope, before "tenant.created" is
# recorded; arguments `tenant` and `actor`. Accounts seeds the default roles here, so
# `tenants` need not import the roles (it imports nothing above `core` and `audit`).
tenant_created = Signal()
