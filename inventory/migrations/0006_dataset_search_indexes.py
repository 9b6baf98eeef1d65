"""The inventory's search reads indexes on PostgreSQL (``inventory.selectors.datasets_matching``): a GIN index on the
full-text document of title and description, and a trigram GIN index on the upper-cased title for "the title
contains the text". Nothing on SQLite, where the search compares text row by row.

The trigram index needs the ``pg_trgm`` extension (trusted since PostgreSQL 13: the database's owner may create
it). A role that may not create it gets the full-text index alone, and the search stays right, only slower for
the "title contains" part.
"""

from django.db import DatabaseError, migrations, transaction

# The very expressions the search queries use (SearchDocument; Django's icontains on PostgreSQL): the planner reads an
# expression index only for an identical expression.
DOCUMENT_INDEX = (
    "CREATE INDEX IF NOT EXISTS dataset_search_document_idx ON inventory_dataset "
    "USING gin ((to_tsvector('english'::regconfig, title || ' ' || description)))"
)
TITLE_TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS dataset_title_trigram_idx ON inventory_dataset "
    "USING gin ((UPPER(title::text)) gin_trgm_ops)"
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DOCUMENT_INDEX)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # no privilege, or no contrib package: the search works without the index
        return
    schema_editor.execute(TITLE_TRIGRAM_INDEX)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dataset_title_trigram_idx")
    schema_editor.execute("DROP INDEX IF EXISTS dataset_search_document_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_spatial_whole"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
