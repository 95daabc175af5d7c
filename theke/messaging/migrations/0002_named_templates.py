"""Several named texts per purpose, channel and language, one of them the default.

The text a tenant had so far stays what is sent: it becomes the default, named "Standard".
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_messaging"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="messagetemplate",
            options={
                "ordering": ["purpose", "channel", "language", "-is_default", "name"],
                "verbose_name": "Textbaustein",
                "verbose_name_plural": "Textbausteine",
            },
        ),
        migrations.RemoveConstraint(
            model_name="messagetemplate",
            name="template_unique",
        ),
        migrations.AddField(
            model_name="messagetemplate",
            name="name",
            field=models.CharField(default="Standard", max_length=100, verbose_name="Name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="messagetemplate",
            name="is_default",
            field=models.BooleanField(default=True, verbose_name="Standard"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="is_default",
            field=models.BooleanField(default=False, verbose_name="Standard"),
        ),
        migrations.AddConstraint(
            model_name="messagetemplate",
            constraint=models.UniqueConstraint(
                fields=("tenant", "purpose", "channel", "language", "name"),
                name="template_name_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="messagetemplate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)),
                fields=("tenant", "purpose", "channel", "language"),
                name="template_one_default",
            ),
        ),
    ]
