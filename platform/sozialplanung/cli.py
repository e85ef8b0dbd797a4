"""Flask commands: create-admin, seed-demo, outbox send/status."""
import time

import click
from flask import current_app
from sqlalchemy import func, select

from .accounts.models import SiteRole, User, UserStatus
from .admin.audit import record_audit
from .auth.passwords import hash_password
from .auth.services import find_user_by_email, normalize_email, validate_password_strength
from .errors import ValidationError
from .extensions import db
from .notifications.mail import deliver_due
from .notifications.models import OutboxMail
from .timeutil import utcnow


def register_cli(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(outbox)


@click.command("create-admin")
@click.option("--email", prompt="E-Mail-Adresse")
@click.option("--name", "display_name", prompt="Name")
@click.option("--password", prompt="Passwort", hide_input=True, confirmation_prompt=True)
def create_admin(email, display_name, password):
    """Legt ein aktives Administrationskonto an (oder macht ein bestehendes zum Admin)."""
    email = normalize_email(email)
    try:
        validate_password_strength(password, email)
    except ValidationError as exc:
        raise click.ClickException(exc.message) from exc
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, display_name=display_name.strip() or email)
        db.session.add(user)
    user.role = SiteRole.ADMIN
    user.status = UserStatus.ACTIVE
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    db.session.flush()
    record_audit(None, "admin_created_cli", user, summary=email)
    db.session.commit()
    click.echo(f"Administrationskonto {email} ist bereit.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Nur ausführen, wenn es noch keine Mitglieder gibt.")
def seed_demo(if_empty):
    """Füllt die Datenbank mit realistischen Demodaten (Arbeitskreise, Mitglieder)."""
    from .demo import demo_logins, seed_demo_data

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
    while True:
        sent, failed = deliver_due(limit=limit)
        if sent or failed or not loop:
            click.echo(f"{sent} zugestellt, {failed} fehlgeschlagen "
                       f"(Backend: {current_app.config['MAIL_BACKEND']}).")
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


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
