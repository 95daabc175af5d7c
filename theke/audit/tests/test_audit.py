import pytest
from django.db import DatabaseError, connection, transaction

from theke.audit.models import AuditEvent, AuditEventImmutableError
from theke.audit.services import SYSTEM, Actor, record, timeline
from theke.tenants.scoping import ScopeError, tenant_scope

pytestmark = pytest.mark.django_db


def test_record_stores_actor_action_subject_and_data(tenant_a, owner):
    with tenant_scope(tenant_a):
        event = record(tenant_a, Actor.staff(owner), "tenant.renamed", tenant_a, {"to": "Neu"})
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_type == "staff"
    assert stored.actor_user == owner
    assert stored.action == "tenant.renamed"
    assert stored.subject == tenant_a
    assert stored.object_label == "Autohaus Alpha"
    assert stored.data == {"to": "Neu"}


def test_timeline_is_newest_first_and_only_for_its_object(tenant_a, owner):
    with tenant_scope(tenant_a):
        first = record(tenant_a, SYSTEM, "a.first", owner)
        second = record(tenant_a, SYSTEM, "a.second", owner)
        record(tenant_a, SYSTEM, "other.object", tenant_a)
        events = timeline(owner)
    assert [e.pk for e in events] == [second.pk, first.pk]


def test_timeline_of_tenant_b_does_not_show_events_of_tenant_a(tenant_a, tenant_b, owner):
    with tenant_scope(tenant_a):
        record(tenant_a, SYSTEM, "a.only", owner)
    with tenant_scope(tenant_b):
        assert timeline(owner) == []


def test_event_cannot_be_saved_again(tenant_a):
    with tenant_scope(tenant_a):
        event = record(tenant_a, SYSTEM, "x.happened", tenant_a)
        event.action = "x.rewritten"
        with pytest.raises(AuditEventImmutableError):
            event.save()


def test_event_cannot_be_deleted_one_by_one_or_in_bulk(tenant_a):
    with tenant_scope(tenant_a):
        event = record(tenant_a, SYSTEM, "x.happened", tenant_a)
        with pytest.raises(AuditEventImmutableError):
            event.delete()
        with pytest.raises(AuditEventImmutableError):
            AuditEvent.objects.all().delete()
        with pytest.raises(AuditEventImmutableError):
            AuditEvent.objects.filter(pk=event.pk).update(action="x.rewritten")
        assert AuditEvent.objects.get(pk=event.pk).action == "x.happened"


def test_database_refuses_update_that_bypasses_the_orm(tenant_a):
    with tenant_scope(tenant_a):
        event = record(tenant_a, SYSTEM, "x.happened", tenant_a)
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x.rewritten", event.pk]
        )
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.get(pk=event.pk).action == "x.happened"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger on PostgreSQL")
def test_postgresql_refuses_delete_that_bypasses_the_orm(tenant_a):
    with tenant_scope(tenant_a):
        event = record(tenant_a, SYSTEM, "x.happened", tenant_a)
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_audit_query_without_tenant_scope_fails(tenant_a):
    with pytest.raises(ScopeError):
        list(AuditEvent.objects.all())


def test_admin_offers_no_way_to_change_or_delete_events(client, tenant_a, django_user_model):
    admin = django_user_model.objects.create_superuser("root@theke.test", "pw", full_name="Root")
    client.force_login(admin)
    with tenant_scope(tenant_a):
        event = record(tenant_a, SYSTEM, "x.happened", tenant_a)
    response = client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "x.bad"})
    assert response.status_code == 403
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.get(pk=event.pk).action == "x.happened"
