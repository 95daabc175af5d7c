"""Stored idempotent responses encrypted at rest: the answer of POST /estimates/{id}/link
holds a live customer link (issue 11, item 13).

The existing rows are encrypted while the column is still a plain binary field, then the
field becomes EncryptedBinaryField (same column type, so the schema does not change).
"""

from django.db import migrations

import theke.core.crypto

BATCH = 500


def _convert(apps, convert):
    record_model = apps.get_model("api", "IdempotencyRecord")
    theke.core.crypto.convert_stored(
        record_model, ["response_body"], lambda body: convert(bytes(body)), BATCH
    )


def encrypt(apps, schema_editor):
    _convert(apps, theke.core.crypto.encrypt_bytes)


def decrypt(apps, schema_editor):
    _convert(apps, theke.core.crypto.decrypt_bytes)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0004_feed_moves_to_audit"),
    ]

    operations = [
        migrations.RunPython(encrypt, decrypt),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="response_body",
            field=theke.core.crypto.EncryptedBinaryField(default=b""),
        ),
    ]
