"""The search's full-text document becomes a stored column on PostgreSQL (``search_document``, generated from the
title and description, with its GIN index) in place of 0006's index on the expression.

With the expression index, a word found in nearly every dataset ("requests") made the planner compute the document
of every row (0.8 s at 100,000 datasets); the stored column is read instead (55 ms), and no slower for a rare word
(``benchmarks/inventory_search.py``). Adding the column rewrites the table once, under its lock (seconds at 100,000
datasets). PostgreSQL keeps the column up to date on every insert and update, so
no code writes it; Django's model does not know it (``inventory.selectors.SearchDocument`` reads it). Nothing on
SQLite, where the search compares text row by row.
"""

from django.db import migrations

ADD_COLUMN = (
    "ALTER TABLE inventory_dataset ADD COLUMN IF NOT EXISTS search_document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, title || ' ' || description)) STORED"
)
COLUMN_INDEX = (
    "CREATE INDEX IF NOT EXISTS dataset_search_document_idx ON inventory_dataset USING gin (search_document)"
)
# 0006's index on the expression, under the same name (made again when this migration is reversed).
EXPRESSION_INDEX = (
    "CREATE INDEX IF NOT EXISTS dataset_search_document_idx ON inventory_dataset "
    "USING gin ((to_tsvector('english'::regconfig, title || ' ' || description)))"
)


def store_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dataset_search_document_idx")
    schema_editor.execute(ADD_COLUMN)
    schema_editor.execute(COLUMN_INDEX)


def compute_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dataset_search_document_idx")
    schema_editor.execute("ALTER TABLE inventory_dataset DROP COLUMN IF EXISTS search_document")
    schema_editor.execute(EXPRESSION_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_dataset_search_indexes"),
    ]

    operations = [migrations.RunPython(store_document, compute_document)]
