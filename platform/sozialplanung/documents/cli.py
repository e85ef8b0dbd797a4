"""`flask documents check` and `flask documents extract`."""
from datetime import timedelta

import click
from flask.cli import AppGroup

from .maintenance import check_blobs, reextract

documents_cli = AppGroup("documents", help="Dokumente und ihre Dateien.")


@documents_cli.command("check")
@click.option("--quick", is_flag=True, help="Nur prüfen, ob die Dateien da sind (ohne Prüfsumme).")
@click.option("--delete-orphans", is_flag=True,
              help="Verwaiste Dateien und alte Zwischendateien löschen.")
@click.option("--grace-hours", default=24, show_default=True,
              help="Jüngere unreferenzierte Dateien gelten als Uploads in Arbeit.")
def check(quick, delete_orphans, grace_hours):
    """Prüft, ob jede Dokumentversion ihre Datei hat und die SHA-256-Prüfsumme stimmt, und
    meldet verwaiste Dateien. Beendet sich mit Status 1, wenn Dateien fehlen oder beschädigt
    sind."""
    report = check_blobs(verify_hashes=not quick, delete_orphans=delete_orphans,
                         grace=timedelta(hours=grace_hours))
    click.echo(f"{report.checked} Dateien geprüft.")
    for key in report.missing:
        click.echo(f"FEHLT: {key}")
    for key in report.corrupt:
        click.echo(f"BESCHÄDIGT (Prüfsumme oder Größe falsch): {key}")
    for key in report.orphans:
        click.echo(f"VERWAIST: {key}")
    for path in report.stale_staging:
        click.echo(f"ALTE ZWISCHENDATEI: {path}")
    click.echo(f"fehlend: {len(report.missing)}, beschädigt: {len(report.corrupt)}, "
               f"verwaist: {len(report.orphans)}, alte Zwischendateien: "
               f"{len(report.stale_staging)}, neu und noch ohne Version: "
               f"{report.recent_unreferenced}")
    if delete_orphans:
        click.echo(f"{report.deleted} verwaiste Dateien gelöscht.")
    if not report.ok:
        raise SystemExit(1)


@documents_cli.command("extract")
@click.option("--limit", default=100, show_default=True, help="Höchstens so viele Versionen.")
def extract(limit):
    """Wiederholt die Textextraktion für Versionen, bei denen sie fehlschlug oder zu lange
    dauerte (z. B. nach Erhöhen von DOCUMENT_EXTRACT_TIMEOUT)."""
    click.echo(f"{reextract(limit=limit)} Versionen neu ausgewertet.")
