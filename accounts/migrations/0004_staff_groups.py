"""Create the staff groups of accounts.roles.

Their permissions are given by the same function after every ``migrate``
(post_migrate, once every app's permissions exist), so the groups follow the
code when permissions are added later.
"""

from django.db import migrations


def create_groups(apps, schema_editor):
    from accounts.roles import roles_sync

    roles_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_audit_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
