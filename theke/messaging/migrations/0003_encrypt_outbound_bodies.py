"""Outbox bodies encrypted at rest: a body may hold a live customer link (issue 11, item 13).

The existing rows are encrypted while the columns are still plain text fields, then the
fields become EncryptedTextField (same column type, so the schema does not change).
"""

from django.db import migrations

import theke.core.crypto

BATCH = 500


def _convert(apps, convert):
    message_model = apps.get_model("messaging", "OutboundMessage")
    rows = message_model._base_manager.order_by("pk")
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk).values_list("pk", "body_text", "body_html")[:BATCH])
        if not batch:
            return
        for pk, text, html in batch:
            rows.filter(pk=pk).update(
                body_text=convert(text) if text else text,
                body_html=convert(html) if html else html,
            )
        last_pk = batch[-1][0]


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
