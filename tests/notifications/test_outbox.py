"""The mail outbox: queued with the change that caused it, delivered by `flask outbox send`
through a real SMTP server, retried with growing pauses, never lost."""
import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from sozialplanung import cli
from sozialplanung.accounts.models import User
from sozialplanung.admin.models import AuditLog
from sozialplanung.extensions import db
from sozialplanung.notifications import mail as mail_module
from sozialplanung.notifications.mail import backoff_for
from sozialplanung.notifications.models import OutboxMail
from sozialplanung.timeutil import utcnow

from ..conftest import link_from_mail, login, outbox
from ..factories import make_user
from .conftest import smtp_server

INVITE = {"email": "i.wagner@suhl.example", "display_name": "Ines Wagner",
          "organisation_id": "0", "role": "member"}


class Clock:
    """Stands in for the outbox worker's clock, so retries can be tested without waiting."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(mail_module, "utcnow", clock)
    return clock


@pytest.fixture
def admin_client(client):
    login(client, make_user(role="admin", display_name="Dr. Katrin Vogel"))
    return client


@pytest.fixture
def invitation(admin_client):
    """One invitation mail waiting in the outbox."""
    assert admin_client.post("/verwaltung/mitglieder/einladen", data=INVITE).status_code == 302
    [mail] = outbox()
    return mail


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["outbox", *args])
    db.session.expire_all()
    return result


def send(app, *args):
    result = run(app, "send", *args)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def table(response):
    html = response.get_data(as_text=True)
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""


def test_mail_is_queued_with_the_change_and_not_sent_yet(invitation):
    assert invitation.to_address == "i.wagner@suhl.example"
    assert invitation.state == "queued"
    assert invitation.attempts == 0 and invitation.sent_at is None
    assert re.search(r"^http://localhost/einladung/\S+$", invitation.body_text, re.M)
    assert invitation.body_text.rstrip().endswith("http://localhost/")


def test_failure_after_queueing_keeps_neither_account_nor_mail(admin_client, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr("sozialplanung.admin.services.record_audit", broken_audit)
    response = admin_client.post("/verwaltung/mitglieder/einladen", data=INVITE)
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Interner Fehler" in html and "Fehlerkennung" in html
    assert "Traceback" not in html and "Datenbank weg" not in html
    assert outbox() == []
    assert db.session.scalar(select(User).where(User.email == INVITE["email"])) is None


def test_send_delivers_through_real_smtp_server(app, invitation, mailserver):
    assert send(app) == "1 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
    [msg] = mailserver.wait_for(1)
    assert msg["Subject"] == "Einladung zur Sozialplanungsplattform"
    assert msg["To"] == "i.wagner@suhl.example"
    assert "noreply@sozialplanung.example" in msg["From"]
    assert msg["Message-ID"] and msg["Date"]
    assert mailserver.envelopes == [("noreply@sozialplanung.example", ["i.wagner@suhl.example"])]
    body = msg.get_content()
    assert "Guten Tag," in body
    assert "Dr. Katrin Vogel lädt Sie zur Sozialplanungsplattform ein" in body
    assert "Über diesen Link legen Sie Ihr Passwort fest" in body

    class Delivered:
        body_text = body

    link = link_from_mail(Delivered, "/einladung/")
    assert link == link_from_mail(invitation, "/einladung/")
    assert "Zugang" in app.test_client().get(link).get_data(as_text=True)

    assert invitation.state == "sent" and invitation.attempts == 1
    assert invitation.last_error == ""
    # Nothing is sent twice.
    assert send(app) == "0 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
    assert len(mailserver.messages) == 1


def test_outage_is_retried_with_growing_pauses_and_loses_nothing(app, invitation, smtp_port,
                                                                 clock):
    body = invitation.body_text
    first = clock.now
    assert send(app) == "0 zugestellt, 1 fehlgeschlagen (Backend: smtp)."
    assert invitation.attempts == 1
    assert invitation.last_error.startswith("ConnectionRefusedError")
    assert invitation.next_attempt_at == first + timedelta(seconds=60)
    assert invitation.state == "queued"

    # Not due yet: the worker leaves it alone.
    clock.advance(seconds=59)
    assert send(app) == "0 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
    assert invitation.attempts == 1

    clock.advance(seconds=1)
    assert send(app) == "0 zugestellt, 1 fehlgeschlagen (Backend: smtp)."
    assert invitation.attempts == 2
    assert invitation.next_attempt_at == clock.now + timedelta(seconds=120)

    clock.advance(seconds=120)
    send(app)
    assert invitation.attempts == 3
    assert invitation.next_attempt_at == clock.now + timedelta(seconds=240)

    with smtp_server(smtp_port) as server:
        clock.advance(seconds=240)
        assert send(app) == "1 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
        [msg] = server.wait_for(1)
    assert msg.get_content().replace("\r\n", "\n") == body
    assert invitation.state == "sent" and invitation.attempts == 4
    assert invitation.last_error == ""
    assert outbox() == [invitation]


def test_backoff_doubles_up_to_six_hours(app):
    assert [backoff_for(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff_for(30) == timedelta(hours=6)


def test_gives_up_after_max_attempts_and_admin_requeues(app, admin_client, invitation, smtp_port,
                                                        clock, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    for _ in range(3):
        send(app)
        clock.advance(hours=1)
    assert invitation.state == "failed" and invitation.attempts == 3
    clock.advance(days=1)
    assert send(app) == "0 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
    assert invitation.attempts == 3
    assert run(app, "status").output.strip() == "wartend: 0, zugestellt: 0, fehlgeschlagen: 1"

    page = admin_client.get("/verwaltung/postausgang?status=failed").get_data(as_text=True)
    assert "i.wagner@suhl.example" in page and "fehlgeschlagen" in page
    assert "ConnectionRefusedError" in page and "Erneut versuchen" in page
    assert "Keine E-Mails." in admin_client.get("/verwaltung/postausgang?status=queued") \
        .get_data(as_text=True)

    response = admin_client.post(f"/verwaltung/postausgang/{invitation.id}/erneut")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Die E-Mail wird erneut zugestellt." in page
    assert "i.wagner@suhl.example" in page and "wartend, nächster Versuch" in page
    db.session.expire_all()
    assert invitation.state == "queued" and invitation.attempts == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "mail_requeued")) == 1

    with smtp_server(smtp_port) as server:
        assert send(app) == "1 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
        server.wait_for(1)
    assert invitation.state == "sent"
    assert run(app, "status").output.strip() == "wartend: 0, zugestellt: 1, fehlgeschlagen: 0"


def test_requeue_of_mail_that_did_not_fail_is_conflict(admin_client, invitation):
    response = admin_client.post(f"/verwaltung/postausgang/{invitation.id}/erneut")
    assert response.status_code == 409
    assert "Diese E-Mail ist nicht fehlgeschlagen." in response.get_data(as_text=True)
    assert admin_client.post("/verwaltung/postausgang/999999/erneut").status_code == 404


def test_outbox_page_filters_by_state(app, admin_client, invitation, mailserver):
    send(app)
    make_user(email="zweite@example.org")
    admin_client.post("/verwaltung/mitglieder/einladen",
                      data={**INVITE, "email": "neu@example.org"})
    admin_client.get("/verwaltung/mitglieder")  # shows (and so clears) the flash message
    sent = table(admin_client.get("/verwaltung/postausgang?status=sent"))
    queued = table(admin_client.get("/verwaltung/postausgang?status=queued"))
    everything = table(admin_client.get("/verwaltung/postausgang"))
    assert "i.wagner@suhl.example" in sent and "neu@example.org" not in sent
    assert "neu@example.org" in queued and "i.wagner@suhl.example" not in queued
    assert "neu@example.org" in everything and "i.wagner@suhl.example" in everything


def test_file_backend_writes_eml_files(app, invitation, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "file")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))
    assert send(app) == "1 zugestellt, 0 fehlgeschlagen (Backend: file)."
    [path] = (tmp_path / "mail").glob("*.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "i.wagner@suhl.example"
    assert msg["Subject"] == "Einladung zur Sozialplanungsplattform"
    assert "lädt Sie zur Sozialplanungsplattform ein" in msg.get_content()
    assert invitation.state == "sent"


def test_limit_per_run(app, admin_client, mailserver):
    for n in range(3):
        admin_client.post("/verwaltung/mitglieder/einladen",
                          data={**INVITE, "email": f"person-{n}@example.org"})
    assert send(app, "--limit", "2") == "2 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
    assert run(app, "status").output.strip() == "wartend: 1, zugestellt: 2, fehlgeschlagen: 0"
    assert send(app) == "1 zugestellt, 0 fehlgeschlagen (Backend: smtp)."
    assert sorted(m["To"] for m in mailserver.wait_for(3)) == [
        "person-0@example.org", "person-1@example.org", "person-2@example.org"]


def test_status_on_empty_outbox(app):
    result = run(app, "status")
    assert result.exit_code == 0
    assert result.output.strip() == "wartend: 0, zugestellt: 0, fehlgeschlagen: 0"


def test_worker_loop_survives_a_failed_run(app, invitation, mailserver, monkeypatch):
    real = mail_module.deliver_due
    calls = []

    def flaky(limit):
        calls.append(limit)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("Datenbank nicht erreichbar"))
        return real(limit=limit)

    def sleep(seconds):
        if len(calls) >= 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "deliver_due", flaky)
    monkeypatch.setattr(cli.time, "sleep", sleep)
    result = run(app, "send", "--loop", "--interval", "1")
    assert "1 zugestellt, 0 fehlgeschlagen (Backend: smtp)." in result.output
    assert len(mailserver.wait_for(1)) == 1
    # The worker starts each run with a fresh session, so look the mail up again.
    assert db.session.get(OutboxMail, invitation.id).state == "sent"
