"""Outbox bodies encrypted at rest: a body may hold a live customer link (issue 11, item 13).

The existing rows are encrypted while the columns are still plain text fields, then the
fields become EncryptedTextField (same column type, so the schema does not change).
"""

from django.db import migrations

import theke.core.crypto

BATCH = 500


def _convert(apps, convert):
    message_model = apps.get_model("messaging", "OutboundMessage")
    theke.core.crypto.convert_stored(message_model, ["body_text", "body_html"], convert, BATCH)


def encrypt(apps, schema_editor):
    _convert(apps, theke.core.crypto.encrypt_text)


def decrypt(apps, schema_editor):
    _convert(apps, theke.core.crypto.decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_named_templates"),
    ]

    operations = [
        migrations.RunPython(encrypt, decrypt),
        migrations.AlterField(
            model_name="outboundmessage",
            name="body_html",
            field=theke.core.crypto.EncryptedTextField(blank=True, verbose_name="HTML"),
        ),
        migrations.AlterField(
            model_name="outboundmessage",
            name="body_text",
            field=theke.core.crypto.EncryptedTextField(blank=True, verbose_name="Text"),
        ),
    ]
