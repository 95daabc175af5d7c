# ApiEvent became audit.FeedEvent (see audit.0004_feedevent), keeping its table
# `api_apievent` and its rows: remove the model from this app's state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0003_webhooks'),
        ('audit', '0004_feedevent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ApiEvent')],
            database_operations=[],
        ),
    ]
