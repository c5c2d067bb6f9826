"""On PostgreSQL, a trigram GIN index makes the accent-insensitive `LIKE '%…%'` on the folded name
fast; SQLite keeps the plain index of 0001 (it has no trigram indexes)."""

from django.db import migrations

INDEX = "procedures_version_name_folded_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON procedures_procedureversion USING gin (name_folded gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_catalogue")]

    operations = [migrations.RunPython(forwards, backwards)]
