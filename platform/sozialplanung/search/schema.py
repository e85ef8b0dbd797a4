"""Database-side search structures that the ORM does not model.

PostgreSQL: generated `search_vector` tsvector columns with GIN indexes, using the text search
configuration `sozialplanung_de` (German stemming, plus unaccent where the extension exists).
SQLite: FTS5 tables kept up to date by triggers. Both are created by migrations; Alembic's
autogenerate and the migrations-match-models test ignore them via `include_object`.
"""

FTS_SUFFIXES = ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config", "_fts_content")
SEARCH_CONFIG = "sozialplanung_de"


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name and name.endswith(FTS_SUFFIXES):
        return False
    if type_ == "column" and name == "search_vector":
        return False
    if type_ == "index" and name and "search_vector" in name:
        return False
    return True
