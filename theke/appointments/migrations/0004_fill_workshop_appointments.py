"""The back office's "confirmed" becomes a planned appointment confirmed to the customer;
its single `work_description`/`estimated_cost` becomes one work item."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Appointment = apps.get_model("appointments", "Appointment")
    WorkItem = apps.get_model("appointments", "AppointmentWorkItem")
    Appointment.objects.filter(status="confirmed").update(
        status="planned", confirmed_at=F("updated_at")
    )
    rows = Appointment.objects.exclude(work_description="").values_list(
        "pk", "tenant_id", "work_description", "estimated_cost"
    )
    batch = []
    for pk, tenant_id, text, cost in rows.iterator(chunk_size=2000):
        batch.append(
            WorkItem(appointment_id=pk, tenant_id=tenant_id, position=0, text=text, cost=cost)
        )
        if len(batch) >= 2000:
            WorkItem.objects.bulk_create(batch)
            batch = []
    WorkItem.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    Appointment = apps.get_model("appointments", "Appointment")
    WorkItem = apps.get_model("appointments", "AppointmentWorkItem")
    Appointment.objects.filter(status="planned", confirmed_at__isnull=False).update(
        status="confirmed"
    )
    for item in WorkItem.objects.order_by("appointment_id", "position"):
        Appointment.objects.filter(pk=item.appointment_id, work_description="").update(
            work_description=item.text
        )


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_workshop_appointments")]
    operations = [migrations.RunPython(forwards, backwards)]
