"""Existing branches get their federal state from their postcode (where it is German and
known); the state stays editable."""

from django.db import migrations

from theke.tenants.federal_states import state_for_postcode


def fill_states(apps, schema_editor):
    Branch = apps.get_model("tenants", "Branch")
    changed = []
    for branch in Branch.objects.filter(state="").select_related("tenant").iterator():
        state = state_for_postcode(branch.postal_code, branch.tenant.country)
        if state:
            branch.state = state
            changed.append(branch)
    Branch.objects.bulk_update(changed, ["state"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0008_branch_state_legal_texts"),
    ]

    operations = [
        migrations.RunPython(fill_states, migrations.RunPython.noop),
    ]
