"""The estimate's own link table goes; EstimateLink is a proxy of the customer links.

A migration of its own: on PostgreSQL the copied rows' pending constraint checks must be
committed before the tables they touch are altered.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_customer_link"),
        ("estimates", "0005_copy_links_to_customer_links"),
    ]

    operations = [
        migrations.AlterField(
            model_name="estimatedecision",
            name="link",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="customers.customerlink",
            ),
        ),
        migrations.DeleteModel(name="EstimateLink"),
        migrations.CreateModel(
            name="EstimateLink",
            fields=[],
            options={
                "verbose_name": "Link zum Kostenvoranschlag",
                "verbose_name_plural": "Links zu Kostenvoranschlägen",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("customers.customerlink",),
        ),
    ]
