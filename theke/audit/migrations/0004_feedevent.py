# The event feed moves from the API app to audit (below the domains). The table stays what
# it is: this migration only tells Django's state that audit.FeedEvent owns `api_apievent`;
# api.0004 drops api.ApiEvent from the state. No row is copied, no table is created.

import django.core.serializers.json
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_tenant_field_editable'),
        ('tenants', '0006_branch_external_id'),
        # api.0002 created the table that FeedEvent takes over.
        ('api', '0002_apievent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FeedEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('type', models.CharField(max_length=100, verbose_name='Typ')),
                        ('subject_type', models.CharField(max_length=50, verbose_name='Objektart')),
                        ('external_id', models.CharField(blank=True, max_length=100, verbose_name='Externe ID')),
                        ('payload', models.JSONField(default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='Daten')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='Erstellt am')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenants.tenant', verbose_name='Mandant')),
                    ],
                    options={
                        'verbose_name': 'Ereignis',
                        'verbose_name_plural': 'Ereignisse',
                        'db_table': 'api_apievent',
                        'ordering': ['pk'],
                        'indexes': [models.Index(fields=['tenant', 'id'], name='api_event_tenant_id')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
