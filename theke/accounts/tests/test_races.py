"""Concurrent changes of one tenant's memberships (PostgreSQL: real row locks, two sessions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from conftest import make_staff
from theke.accounts import services
from theke.accounts.models import Membership, Role
from theke.audit.services import Actor
from theke.tenants.scoping import tenant_scope

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_at_once(*jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job):
        try:
            barrier.wait()
            job()
            outcomes.append("done")
        except services.ServiceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_admins_demoting_each_other_at_once_leave_one_admin(tenant_a):
    first = make_staff(tenant_a, "first@alpha.test", "Erste", "Admin")
    second = make_staff(tenant_a, "second@alpha.test", "Zweite", "Admin")
    with tenant_scope(tenant_a):
        techniker = Role.objects.get(name="Techniker")

    def demote(actor, target):
        membership = Membership.objects.get(user=target, tenant=tenant_a)
        return lambda: services.update_membership(
            membership, Actor.staff(actor), role=techniker, branches=[], is_active=True
        )

    assert run_at_once(demote(first, second), demote(second, first)) == ["done", "refused"]
    admins = Membership.objects.filter(tenant=tenant_a, role__is_admin=True, is_active=True)
    assert admins.count() == 1


def test_two_admins_deleting_and_assigning_a_role_at_once(tenant_a, owner, colleague):
    """Deleting a role while someone is given it: either the delete or the assignment wins."""
    lager = services.create_role(tenant_a, Actor.staff(owner), name="Lager", permissions=[])
    membership = Membership.objects.get(user=colleague, tenant=tenant_a)

    def assign():
        services.update_membership(
            membership, Actor.staff(owner), role=lager, branches=[], is_active=True
        )

    def delete():
        services.delete_role(lager, Actor.staff(owner))

    outcomes = run_at_once(assign, delete)
    assert len(outcomes) == 2
    with tenant_scope(tenant_a):
        role_exists = Role.objects.filter(pk=lager.pk).exists()
    holder = Membership.objects.get(pk=membership.pk)
    assert role_exists == (holder.role_id == lager.pk)
