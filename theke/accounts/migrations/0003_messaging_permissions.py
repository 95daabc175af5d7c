"""Give the default roles of existing tenants the messaging rights added with the outbox.

New tenants get them from DEFAULT_ROLES; roles an admin renamed or created are left alone.
"""

from django.db import migrations

ADDED = {
    "Admin": ["messaging.use_conversations", "messaging.manage_quarantine", "messaging.view_deliveries"],
    "Serviceberater": [
        "messaging.use_conversations",
        "messaging.manage_quarantine",
        "messaging.view_deliveries",
    ],
    "Techniker": ["messaging.use_conversations"],
    "Vertrieb": ["messaging.use_conversations", "messaging.view_deliveries"],
    "Disposition": ["messaging.use_conversations"],
}


def add_codes(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(name__in=ADDED):
        codes = sorted(set(role.permissions) | set(ADDED[role.name]))
        if codes != sorted(role.permissions):
            role.permissions = codes
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_tenant_field_editable")]

    operations = [migrations.RunPython(add_codes, migrations.RunPython.noop)]
