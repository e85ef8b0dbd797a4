"""flask announcements publish-due: announce scheduled announcements whose time has come."""
import logging
import time

import click
from flask.cli import AppGroup

from ..extensions import db
from .services import publish_due

log = logging.getLogger(__name__)

announcements_cli = AppGroup("announcements", help="Neuigkeiten und Termine des Instituts.")


@announcements_cli.command("publish-due")
@click.option("--loop", is_flag=True, help="Dauerhaft laufen und regelmäßig prüfen.")
@click.option("--interval", default=60, show_default=True, help="Sekunden zwischen Durchläufen.")
def publish_due_command(loop, interval):
    """Benachrichtigt die Zielgruppen fällig gewordener geplanter Mitteilungen (genau einmal)."""
    if not loop:
        click.echo(f"{publish_due()} geplante Mitteilung(en) veröffentlicht und angekündigt.")
        return
    while True:
        try:
            count = publish_due()
            if count:
                click.echo(f"{count} geplante Mitteilung(en) veröffentlicht und angekündigt.")
        except Exception:  # a database outage must not end the worker; the next run catches up
            log.exception("Geplante Mitteilungen: Durchlauf abgebrochen, nächster Versuch folgt.")
        db.session.remove()
        time.sleep(interval)
