"""Flask commands: create-admin, seed-demo, outbox send/status."""
import logging
import time

import click
from flask import current_app
from sqlalchemy import func, select

from .accounts.models import User
from .admin.services import create_admin_account
from .demo import demo_logins, seed_demo_data
from .errors import ValidationError
from .extensions import db
from .notifications.mail import deliver_due
from .notifications.models import OutboxMail
from .notifications.services import send_digests
from .announcements.cli import announcements_cli
from .search.cli import search_cli

log = logging.getLogger(__name__)


def register_cli(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(outbox)
    app.cli.add_command(search_cli)
    app.cli.add_command(announcements_cli)
    app.cli.add_command(notifications)


@click.command("create-admin")
@click.option("--email", prompt="E-Mail-Adresse")
@click.option("--name", "display_name", prompt="Name")
@click.option("--password", prompt="Passwort", hide_input=True, confirmation_prompt=True)
def create_admin(email, display_name, password):
    """Legt ein aktives Administrationskonto an (oder macht ein bestehendes zum Admin)."""
    try:
        user, created = create_admin_account(email, display_name, password)
    except ValidationError as exc:
        raise click.ClickException(exc.message) from exc
    if created:
        click.echo(f"Administrationskonto {user.email} ist angelegt.")
    else:
        click.echo(f"Das Konto {user.email} hat jetzt Administrationsrechte "
                   "und ein neues Passwort.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Nur ausführen, wenn es noch keine Mitglieder gibt.")
def seed_demo(if_empty):
    """Füllt die Datenbank mit realistischen Demodaten (Arbeitskreise, Mitglieder)."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Datenbank enthält bereits Mitglieder – keine Demodaten angelegt.")
        logins = demo_logins()
    else:
        logins = seed_demo_data(progress=click.echo)
    if not logins:
        return
    click.echo("\nDemo-Zugänge:")
    for role, email, password in logins:
        click.echo(f"  {role:<14} {email:<42} {password}")


@click.group("outbox")
def outbox():
    """E-Mail-Postausgang."""


@outbox.command("send")
@click.option("--loop", is_flag=True, help="Dauerhaft laufen und regelmäßig zustellen.")
@click.option("--interval", default=10, show_default=True, help="Sekunden zwischen Durchläufen.")
@click.option("--limit", default=200, show_default=True, help="Höchstens so viele E-Mails je Lauf.")
def outbox_send(loop, interval, limit):
    """Stellt fällige E-Mails zu; Fehlschläge werden mit wachsendem Abstand wiederholt."""
    if not loop:
        _deliver_and_report(limit)
        return
    while True:
        try:
            _deliver_and_report(limit, quiet=True)
        except Exception:  # a database outage must not end the worker; the mails wait
            log.exception("Postausgang: Durchlauf abgebrochen, nächster Versuch folgt.")
        db.session.remove()
        time.sleep(interval)


def _deliver_and_report(limit, quiet=False):
    sent, failed = deliver_due(limit=limit)
    if sent or failed or not quiet:
        click.echo(f"{sent} zugestellt, {failed} fehlgeschlagen "
                   f"(Backend: {current_app.config['MAIL_BACKEND']}).")


@outbox.command("status")
def outbox_status():
    """Zeigt, wie viele E-Mails warten, zugestellt oder endgültig fehlgeschlagen sind."""
    queued = db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None)))
    sent = db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.sent_at.isnot(None)))
    failed = db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.failed_at.isnot(None)))
    click.echo(f"wartend: {queued}, zugestellt: {sent}, fehlgeschlagen: {failed}")


@click.group("notifications")
def notifications():
    """Benachrichtigungen."""


@notifications.command("digest")
@click.argument("period", type=click.Choice(["daily", "weekly"]))
def notifications_digest(period):
    """Verschickt die Zusammenfassungen an Mitglieder mit täglicher bzw. wöchentlicher Einstellung."""
    sent = send_digests(period)
    click.echo(f"{sent} Zusammenfassung(en) in den Postausgang gestellt.")
