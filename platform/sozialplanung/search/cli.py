"""`flask search reindex`: rebuild the full-text indexes."""
import click
from flask.cli import AppGroup
from sqlalchemy import text

from ..extensions import db

search_cli = AppGroup("search", help="Volltextsuche.")

INDEXED_TABLES = ("posts", "threads", "announcements", "documents", "document_versions")


@search_cli.command("reindex")
def reindex():
    """Baut alle Suchindizes neu auf (SQLite: FTS5-Tabellen; PostgreSQL: GIN-Indizes)."""
    postgres = db.engine.dialect.name == "postgresql"
    with click.progressbar(INDEXED_TABLES, label="Suchindex wird neu aufgebaut") as tables:
        for table in tables:
            if postgres:
                db.session.execute(text(f"REINDEX INDEX ix_{table}_search_vector"))
            else:
                db.session.execute(text(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')"))
            db.session.commit()
    click.echo("Suchindex ist aktuell.")
