"""Indexes for admin searches on a register of millions (accounts.admin_scale).

Names are searched by part (``icontains``, which Django writes as
``UPPER(col::text) LIKE UPPER(...)`` on PostgreSQL); a pg_trgm GIN index on
exactly that expression serves it. The extension and those indexes exist
only on PostgreSQL: on SQLite (the local demo) both steps do nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "person_name_en_trgm": "name_en",
    "person_name_ar_trgm": "name_ar",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON accounts_person "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_outbox_attempts")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["mobile"], name="person_mobile"),
        ),
        migrations.AddIndex(
            model_name="accountchangerequest",
            index=models.Index(fields=["-created_at", "-id"], name="accountchangerequest_recent"),
        ),
    ]
