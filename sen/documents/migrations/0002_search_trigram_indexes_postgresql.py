"""On PostgreSQL, trigram GIN indexes serve the accent-insensitive `LIKE '%…%'` on the folded search
text of outgoing and incoming documents; SQLite has no trigram indexes and scans."""

from django.db import migrations

INDEXES = (
    ("documents_outgoing_search_trgm", "documents_outgoingdocument"),
    ("documents_incoming_search_trgm", "documents_incomingdocument"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_documents")]

    operations = [migrations.RunPython(forwards, backwards)]
