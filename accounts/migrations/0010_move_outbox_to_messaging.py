"""The outbox and the sandbox tables now belong to ``messaging`` (no data moves)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_name_search_indexes'),
        ('messaging', '0001_move_outbox_to_messaging'),
    ]

    operations = [
        # The tables stay where they are; only the models' home changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                    migrations.RemoveField(
                        model_name='notification',
                        name='person',
                    ),
                    migrations.DeleteModel(
                        name='SandboxEmail',
                    ),
                    migrations.DeleteModel(
                        name='SandboxSMS',
                    ),
                    migrations.DeleteModel(
                        name='Notification',
                    ),
            ],
            database_operations=[],
        ),
    ]
