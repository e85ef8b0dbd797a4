"""The outbox: services enqueue mails in their transaction; a worker delivers them with retries."""
import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from .models import OutboxMail

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)


def enqueue_mail(to_address, template, locale="de", **context):
    """Render templates/email/<template>.txt (first line = subject) and queue it; flush only."""
    rendered = _render(template, locale, context)
    subject, _, body = rendered.strip("\n").partition("\n")
    mail = OutboxMail(to_address=to_address, subject=subject.strip()[:300],
                      body_text=body.strip() + "\n")
    db.session.add(mail)
    db.session.flush()
    return mail


def _render(template, locale, context):
    def render():
        with force_locale(locale or "de"):
            return render_template(f"email/{template}.txt", site_url=_site_url(), **context)
    if has_request_context():
        return render()
    # CLI and worker code have no request; url_for needs one for relative links.
    with current_app.test_request_context("/"):
        return render()


def _site_url():
    return current_app.config["SITE_URL"].rstrip("/")


def build_message(mail):
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=f"outbox{mail.id}", domain="sozialplanung.local")
    msg["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps umlauts intact on servers that do not announce 8BITMIME.
    msg.set_content(mail.body_text, cte="quoted-printable")
    return msg


class FileTransport:
    """Development default: every mail becomes an .eml file under instance/mail/."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def send(self, msg, mail):
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{utcnow():%Y%m%d-%H%M%S}-{mail.id:06d}.eml"
        target.write_bytes(bytes(msg))


class SMTPTransport:
    def __init__(self, config):
        self.config = config

    def send(self, msg, mail):
        cfg = self.config
        if cfg["SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"],
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"])
        with smtp:
            if cfg["SMTP_STARTTLS"] and not cfg["SMTP_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if cfg["SMTP_USERNAME"]:
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
            smtp.send_message(msg)


class MemoryTransport:
    """Tests: delivered messages are kept in a list."""

    def __init__(self):
        self.sent = []

    def send(self, msg, mail):
        self.sent.append(msg)


def get_transport(app=None):
    app = app or current_app
    backend = app.config["MAIL_BACKEND"]
    if backend == "smtp":
        return SMTPTransport(app.config)
    if backend == "memory":
        return app.extensions.setdefault("mail_memory", MemoryTransport())
    return FileTransport(app.config["MAIL_FILE_DIR"])


def backoff_for(attempts):
    base = timedelta(seconds=current_app.config["OUTBOX_BACKOFF_SECONDS"])
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_due(limit=100, transport=None):
    """Send due mails one by one, committing each result; returns (sent, failed) counts."""
    transport = transport or get_transport()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    sent = failed = 0
    for _ in range(limit):
        now = utcnow()
        # SKIP LOCKED lets several workers share the outbox on PostgreSQL.
        mail = db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None),
                   OutboxMail.next_attempt_at <= now)
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(1).with_for_update(skip_locked=True)).first()
        if mail is None:
            break
        mail.attempts += 1
        try:
            transport.send(build_message(mail), mail)
        except Exception as exc:  # any transport error is recorded and retried later
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.next_attempt_at = now + backoff_for(mail.attempts)
            if mail.attempts >= max_attempts:
                mail.failed_at = now
            failed += 1
            log.warning("Mail %s an %s nicht zugestellt (Versuch %s): %s",
                        mail.id, mail.to_address, mail.attempts, mail.last_error)
        else:
            mail.sent_at = now
            mail.last_error = ""
            sent += 1
        db.session.commit()
    return sent, failed
