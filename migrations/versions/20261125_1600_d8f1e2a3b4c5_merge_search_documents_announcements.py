"""merge the documents, announcements and search branches; full-text indexes for both

Revision ID: d8f1e2a3b4c5
Revises: c7e2d9a1f3b4, 60ff3985be50, 4938c793edc2
Create Date: 2026-11-25 16:00:00

Same scheme as c7e2d9a1f3b4 (see sozialplanung/search/schema.py): PostgreSQL generated
tsvector columns with GIN indexes, SQLite FTS5 tables kept current by triggers.
"""
from alembic import op

revision = "d8f1e2a3b4c5"
down_revision = ("c7e2d9a1f3b4", "60ff3985be50", "4938c793edc2")
branch_labels = None
depends_on = None

# table -> [(column, PostgreSQL weight)]
SOURCES = {
    "announcements": [("title", "A"), ("teaser", "B"), ("body", "C")],
    "documents": [("title", "A"), ("description", "B")],
    "document_versions": [("extracted_text", "C")],
}


def _pg_vector(columns):
    return " || ".join(
        f"setweight(to_tsvector('sozialplanung_de'::regconfig, coalesce({c}, '')), '{w}')"
        for c, w in columns)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in SOURCES.items():
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                       f"({_pg_vector(columns)}) STORED")
            op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
        return
    for table, columns in SOURCES.items():
        names = [c for c, _w in columns]
        cols, new, old = ", ".join(names), ", ".join(f"new.{c}" for c in names), \
            ", ".join(f"old.{c}" for c in names)
        fts = f"{table}_fts"
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
                   f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade():
    for table in SOURCES:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        else:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
