"""Estimate links become customer links of kind "estimate" (theke.customers.links).

Rows keep their ids, so decisions keep pointing at the link they were made through; the
estimate's external id becomes the link's object id (links always open the live version).
"""

from django.core.management.color import no_style
from django.db import migrations

KIND = "estimate"


def copy_to_customer_links(apps, schema_editor):
    old_model = apps.get_model("estimates", "EstimateLink")
    new_model = apps.get_model("customers", "CustomerLink")
    rows = [
        new_model(
            id=old.id,
            tenant_id=old.tenant_id,
            kind=KIND,
            object_id=old.estimate.external_id,
            token_hash=old.token_hash,
            contact_id=old.contact_id,
            created_at=old.created_at,
            expires_at=old.expires_at,
            revoked_at=old.revoked_at,
        )
        for old in old_model.objects.select_related("estimate").iterator(chunk_size=1000)
    ]
    new_model.objects.bulk_create(rows, batch_size=500)
    _reset_sequence(schema_editor, new_model)


def copy_back(apps, schema_editor):
    old_model = apps.get_model("estimates", "EstimateLink")
    new_model = apps.get_model("customers", "CustomerLink")
    estimate_model = apps.get_model("estimates", "Estimate")
    rows = []
    for link in new_model.objects.filter(kind=KIND).iterator(chunk_size=1000):
        estimate = (
            estimate_model.objects.filter(tenant_id=link.tenant_id, external_id=link.object_id)
            .order_by("-version")
            .first()
        )
        if estimate is not None:
            rows.append(
                old_model(
                    id=link.id,
                    tenant_id=link.tenant_id,
                    estimate=estimate,
                    token_hash=link.token_hash,
                    contact_id=link.contact_id,
                    created_at=link.created_at,
                    expires_at=link.expires_at,
                    revoked_at=link.revoked_at,
                )
            )
    old_model.objects.bulk_create(rows, batch_size=500)
    new_model.objects.filter(kind=KIND).delete()
    _reset_sequence(schema_editor, old_model)


def _reset_sequence(schema_editor, model):
    """Rows were inserted with explicit ids: move PostgreSQL's id sequence past them."""
    for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_customer_link"),
        ("estimates", "0004_reminders"),
    ]

    operations = [migrations.RunPython(copy_to_customer_links, copy_back)]
