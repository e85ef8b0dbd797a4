"""`flask search reindex`: rebuild the full-text indexes."""
import click
from flask.cli import AppGroup

from . import indexing

search_cli = AppGroup("search", help="Volltextsuche.")


@search_cli.command("reindex")
def reindex():
    """Baut alle Suchindizes aus den Inhalten neu auf (Beiträge, Themen, Dokumente, Mitteilungen)."""
    with click.progressbar(length=indexing.rows_to_index(), label="Suchindex wird neu aufgebaut",
                           show_pos=True) as bar:
        result = indexing.rebuild(bar.update)
    click.echo(f"Suchindex ist aktuell: {result.rows} Einträge neu aufgebaut.")
    if not result.folds_umlauts:
        click.echo("Hinweis: Die PostgreSQL-Erweiterung unaccent fehlt; „Café“ findet dann "
                   "nicht „Cafe“ (Umlaute und ß gleicht die deutsche Stammformbildung selbst an). "
                   "Installieren Sie sie (Paket postgresql-contrib) und führen Sie den Befehl "
                   "erneut aus.")
