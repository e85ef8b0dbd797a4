"""search: German full-text indexes (PostgreSQL tsvector + GIN, SQLite FTS5 + triggers)

Revision ID: c7e2d9a1f3b4
Revises: b4471147abab
Create Date: 2026-11-25 15:00:00

Not modelled in the ORM (see sozialplanung/search/schema.py). SQLite batch migrations that
rebuild `posts` or `threads` drop these triggers: such a migration must recreate them.
"""
from alembic import op

revision = "c7e2d9a1f3b4"
down_revision = "b4471147abab"
branch_labels = None
depends_on = None

# (table, indexed column)
SOURCES = [("posts", "source"), ("threads", "title")]

PG_CONFIG = """
DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'unaccent not available: umlauts and ß are not folded';
  END;
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'sozialplanung_de') THEN
    CREATE TEXT SEARCH CONFIGURATION sozialplanung_de (COPY = german);
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
      ALTER TEXT SEARCH CONFIGURATION sozialplanung_de
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, german_stem;
    END IF;
  END IF;
END
$$;
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_CONFIG)
        for table, column in SOURCES:
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                       f"(to_tsvector('sozialplanung_de'::regconfig, coalesce({column}, ''))) STORED")
            op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
    else:
        for table, column in SOURCES:
            create_sqlite_fts(table, column)


def create_sqlite_fts(table, column):
    fts = f"{table}_fts"
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
               f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
               f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END")
    op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
               f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, _column in SOURCES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS sozialplanung_de")
    else:
        for table, _column in SOURCES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
