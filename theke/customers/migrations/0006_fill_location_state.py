"""Existing locations get their federal state from their postcode (German addresses with a
known postcode); the state stays editable."""

from django.db import migrations

from theke.tenants.federal_states import state_for_postcode


def fill_states(apps, schema_editor):
    Location = apps.get_model("customers", "Location")
    changed = []
    rows = Location.objects.filter(state="").only("pk", "postal_code", "country", "state")
    for location in rows.iterator(chunk_size=2000):
        state = state_for_postcode(location.postal_code, location.country)
        if state:
            location.state = state
            changed.append(location)
        if len(changed) >= 2000:
            Location.objects.bulk_update(changed, ["state"])
            changed = []
    Location.objects.bulk_update(changed, ["state"])


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0005_location_state"),
    ]

    operations = [
        migrations.RunPython(fill_states, migrations.RunPython.noop),
    ]
