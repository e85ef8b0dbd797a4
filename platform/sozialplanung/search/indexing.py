"""Rebuilding the full-text indexes from the content (`flask search reindex`): after restoring
a backup, after the `unaccent` extension became available, or when an index is suspected to
be damaged. Day to day the database keeps them current by itself (see schema.py)."""
from dataclasses import dataclass

from sqlalchemy import text

from ..extensions import db
from .schema import SEARCH_CONFIG

# table -> a column of its indexed text (writing it recomputes PostgreSQL's search_vector)
INDEXED_TABLES = {"posts": "source", "threads": "title", "announcements": "title",
                  "documents": "title", "document_versions": "extracted_text"}
BATCH_ROWS = 10_000

_PG_CONFIGURATION = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
    BEGIN
      CREATE EXTENSION unaccent;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'unaccent not available: accents such as é are not folded';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
    ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG}
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, german_stem;
  END IF;
END
$$;
"""


@dataclass
class Rebuild:
    rows: int              # rows whose index entries are rebuilt
    folds_umlauts: bool    # PostgreSQL: unaccent in use (SQLite always folds)


def rows_to_index():
    return sum(db.session.scalar(text(f"SELECT count(*) FROM {table}"))
               for table in INDEXED_TABLES)


def rebuild(progress=lambda rows: None):
    """Rebuild every full-text index; `progress(n)` is called as n more rows are done."""
    if db.engine.dialect.name == "postgresql":
        return _rebuild_postgres(progress)
    total = 0
    for table in INDEXED_TABLES:
        rows = db.session.scalar(text(f"SELECT count(*) FROM {table}"))
        db.session.execute(text(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')"))
        db.session.commit()
        total += rows
        progress(rows)
    return Rebuild(total, folds_umlauts=True)


def _rebuild_postgres(progress):
    """Write every row's indexed text again, in batches, so the generated search_vector is
    computed with the current configuration; then rebuild the GIN indexes and tidy up."""
    db.session.execute(text(_PG_CONFIGURATION))
    db.session.commit()
    total = 0
    for table, column in INDEXED_TABLES.items():
        last_id = 0
        while True:
            upper = db.session.scalar(text(
                f"SELECT max(id) FROM (SELECT id FROM {table} WHERE id > :after "
                f"ORDER BY id LIMIT {BATCH_ROWS}) AS batch"), {"after": last_id})
            if upper is None:
                break
            done = db.session.execute(text(
                f"UPDATE {table} SET {column} = {column} WHERE id > :after AND id <= :upper"),
                {"after": last_id, "upper": upper}).rowcount
            db.session.commit()
            last_id, total = upper, total + done
            progress(done)
    # The updates kept the indexes current; rebuilding them compacts what the updates left
    # behind, CONCURRENTLY so that members can go on writing meanwhile. It waits for every
    # open transaction, this session's last read included: end it first.
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in INDEXED_TABLES:
            conn.execute(text(f"REINDEX INDEX CONCURRENTLY ix_{table}_search_vector"))
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    folds = db.session.scalar(text(
        "SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'")) > 0
    return Rebuild(total, folds_umlauts=folds)
