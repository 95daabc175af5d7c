"""Concurrent clicks on the portal's users (PostgreSQL: real row locks, two sessions)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from theke.audit.services import SYSTEM
from theke.core.errors import ServiceError
from theke.portal.models import PortalRole, PortalUser
from theke.portal.services import users as services
from theke.portal.tests.helpers_users import invitations_to, last_token
from theke.portal.tests.test_users import new_customer, register
from theke.portal.tests.world import World
from theke.tenants.scoping import scopes_disabled

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_at_once(*jobs: Callable[[], Any]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            job()
            outcomes.append("done")
        except ServiceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_activation_clicks_at_once_make_one_user_and_one_invitation(world: World) -> None:
    customer = new_customer(world)

    def activate() -> None:
        services.activate_customer(customer, SYSTEM, first_user_email="chef@neu.test")

    assert run_at_once(activate, activate) == ["done", "done"]
    with scopes_disabled():
        assert PortalUser.objects.filter(customer=customer).count() == 1
    assert len(invitations_to("chef@neu.test")) == 1


def test_two_registrations_with_one_invitation_register_once(world: World) -> None:
    services.invite_user(world.customer, SYSTEM, "neu@bau-berg.test")
    token = last_token("neu@bau-berg.test")

    def sign_up() -> None:
        register(token, world.tenant)

    assert run_at_once(sign_up, sign_up) == ["done", "refused"]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(world: World) -> None:
    services.update_user(
        world.reader,
        SYSTEM,
        role=PortalRole.ADMIN,
        sees_invoices=True,
        sees_prices=True,
        all_locations=True,
    )

    def demote(target: PortalUser, editor: PortalUser) -> Callable[[], Any]:
        return lambda: services.update_user(
            target,
            SYSTEM,
            editor=editor,
            role=PortalRole.READ_ONLY,
            sees_invoices=False,
            sees_prices=False,
            all_locations=True,
        )

    outcomes = run_at_once(demote(world.admin, world.reader), demote(world.reader, world.admin))
    assert outcomes == ["done", "refused"]
    with scopes_disabled():
        admins = PortalUser.objects.filter(customer=world.customer, role=PortalRole.ADMIN)
        assert admins.count() == 1
