"""Large documents are compressed with lz4 instead of pglz, on a PostgreSQL built with it.

An assessment is about 32 KB of JSON, stored out of line (TOAST) and compressed. pglz spent more
time compressing a re-assessed chunk's documents than PostgreSQL spent parsing them; lz4 writes
the same documents in about 40% of the time, for about the same size (docs/PERFORMANCE.md).
Only the column's setting changes (no rewrite): documents already stored keep their
compression until they are written again, and either kind reads back the same.
"""

from django.db import migrations

# (table, column): the documents written in bulk or frozen whole.
DOCUMENTS = (
    ("advisor_recommendation", "assessment"),
    ("advisor_scenario", "assessment"),
    ("advisor_revision", "content"),
    ("projects_profileversion", "profile"),
)


def _lz4_available(schema_editor) -> bool:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _set(method: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if not _lz4_available(schema_editor):
            return
        quote = schema_editor.quote_name
        for table, column in DOCUMENTS:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET COMPRESSION {method}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0003_document_fields"),
        ("projects", "0004_document_fields"),
    ]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]
