"""`manage.py jobmanager on|off|status --tenant <slug>`: the operator books the job manager
for a tenant (seed 004: "nach seiner Aktivierung"). `on` installs the standard workflow
once; `off` hides the job manager's pages and keeps every job."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from theke.audit.services import SYSTEM
from theke.jobs.models import Job, Workflow
from theke.jobs.services.setup import disable_job_manager, enable_job_manager
from theke.tenants.models import Tenant
from theke.tenants.scoping import tenant_scope


class Command(BaseCommand):
    help = "Switch the job manager on or off for a tenant, or show whether it is on."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["on", "off", "status"])
        parser.add_argument("--tenant", required=True, help="Slug of the tenant")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = Tenant.objects.get(slug=options["tenant"])
        except Tenant.DoesNotExist as exc:
            raise CommandError(f"No tenant with slug {options['tenant']!r}.") from exc
        action = options["action"]
        if action == "on":
            was_on = tenant.jobs_enabled
            enable_job_manager(tenant, SYSTEM)
            self.stdout.write(
                f"The job manager of {tenant.slug} was on already."
                if was_on
                else f"The job manager of {tenant.slug} is on, with the standard workflow."
            )
        elif action == "off":
            if disable_job_manager(tenant, SYSTEM):
                self.stdout.write(f"The job manager of {tenant.slug} is off; its jobs are kept.")
            else:
                self.stdout.write(f"The job manager of {tenant.slug} was off already.")
        with tenant_scope(tenant):
            workflows = Workflow.objects.filter(tenant=tenant).count()
            jobs = Job.objects.filter(tenant=tenant, is_test=False).count()
        state = "on" if tenant.jobs_enabled else "off"
        self.stdout.write(
            f"{tenant.slug}: job manager {state}, {workflows} workflow(s), {jobs} job(s)"
        )
