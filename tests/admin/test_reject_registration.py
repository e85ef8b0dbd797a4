"""Admins turn down a registration or withdraw an open invitation: a confirmation step, nothing
of the person kept, an audit entry without personal data, a mail only to a confirmed address."""
import pytest
from sqlalchemy import select

from sozialplanung.admin.models import AuditLog
from sozialplanung.auth.models import AuthToken, TokenPurpose
from sozialplanung.auth.services import issue_token
from sozialplanung.extensions import db
from sozialplanung.notifications.models import OutboxMail

from ..auth.support import new_client, page
from ..auth.test_registration import confirm_link, register
from ..conftest import outbox
from ..factories import make_user
from .conftest import audit_codes, make_pending, reload

REJECTED = "Die Registrierung ist abgelehnt; die Angaben der Person wurden gelöscht."


def reject_url(user):
    return f"/verwaltung/mitglieder/{user.id}/ablehnen"


def registered_and_confirmed(app, admin):
    """Rita registers through the portal and confirms her address; the admins are told."""
    client = new_client(app)
    register(client)
    client.post(confirm_link("rita@example.org"))
    user = db.session.scalar(select(AuthToken).where(
        AuthToken.purpose == TokenPurpose.REGISTRATION)).user
    assert user.status == "pending" and outbox(admin.email)
    return user


def test_detail_pages_lead_to_a_confirmation_step(admin_client):
    pending, invited = make_pending(), make_user(status="invited", password=None)
    for user, label in ((pending, "Registrierung ablehnen"), (invited, "Einladung zurückziehen")):
        detail = page(admin_client.get(f"/verwaltung/mitglieder/{user.id}"))
        assert f'href="{reject_url(user)}"' in detail and f"{label} …" in detail
        assert "Konto löschen" not in detail
        html = page(admin_client.get(reject_url(user)))
        assert f"{label}: {user.display_name}" in html
        assert "Die E-Mail-Adresse kann danach neu registriert oder eingeladen werden." in html
        assert reload(user).status in ("pending", "invited")  # looking changes nothing
    active = make_user()
    assert "ablehnen" not in page(admin_client.get(f"/verwaltung/mitglieder/{active.id}"))


def test_rejection_keeps_nothing_of_the_person(app, admin_client, admin):
    user = registered_and_confirmed(app, admin)
    link = confirm_link("rita@example.org")
    response = admin_client.post(reject_url(user), data={"notify": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/verwaltung/mitglieder"
    assert REJECTED in page(admin_client.get("/verwaltung/mitglieder"))
    user = reload(user)
    assert user.status == "deleted" and user.display_name.startswith("Ehemaliges Mitglied ")
    assert "rita" not in user.email and user.password_hash is None
    assert (user.organisation_id, user.position) == (None, "")
    assert db.session.scalars(select(AuthToken).where(AuthToken.user_id == user.id)).all() == []
    # Neither the confirmation mail nor the admins' note about the registration is kept.
    assert [m.subject for m in outbox()] == ["Ihre Registrierung auf der Sozialplanungsplattform"]
    assert not any("Rita" in m.body_text for m in outbox(admin.email))
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action != "login")
                                 .order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == ["registered", "registration_confirmed",
                                           "registration_rejected"]
    assert all(e.summary == "" for e in entries)
    assert [e.ip_address for e in entries[:2]] == ["", ""]
    assert (entries[-1].actor_id, entries[-1].target_id) == (admin.id, user.id)
    log = page(admin_client.get("/verwaltung/protokoll"))
    assert "Registrierung abgelehnt" in log and f"Konto #{user.id}" in log
    assert "Rita" not in log and "rita@example.org" not in log
    assert new_client(app).get(link).status_code == 404


def test_the_person_gets_a_short_german_mail_with_the_admins_note(app, admin_client, admin):
    user = registered_and_confirmed(app, admin)
    admin_client.post(reject_url(user), data={
        "notify": "y", "reason": "Bitte registrieren Sie sich mit Ihrem zweiten Vornamen neu."})
    [mail] = outbox("rita@example.org")
    assert mail.subject == "Ihre Registrierung auf der Sozialplanungsplattform"
    assert "Guten Tag Rita Register," in mail.body_text
    assert "geprüft und nicht freigeschaltet" in mail.body_text
    assert "Bitte registrieren Sie sich mit Ihrem zweiten Vornamen neu." in mail.body_text
    assert "http://localhost/impressum" in mail.body_text
    assert db.session.scalar(select(AuditLog.summary).where(
        AuditLog.action == "registration_rejected")) == ""


def test_the_admin_may_reject_without_a_mail(app, admin_client, admin):
    user = registered_and_confirmed(app, admin)
    admin_client.post(reject_url(user), data={"reason": ""})  # the box unticked
    assert reload(user).status == "deleted"
    assert outbox("rita@example.org") == []


def test_an_unconfirmed_address_gets_no_mail(admin_client):
    """It may belong to someone who never registered."""
    pending = make_pending(confirmed=False, email="fremd@example.org")
    html = page(admin_client.get(reject_url(pending)))
    assert "die Adresse ist nicht bestätigt" in html and 'name="notify"' not in html
    admin_client.post(reject_url(pending), data={"notify": "y"})
    assert reload(pending).status == "deleted"
    assert outbox("fremd@example.org") == []
    assert audit_codes() == ["registration_rejected"]


def test_withdrawn_invitation_link_stops_working(app, admin_client):
    invited = make_user(status="invited", password=None, email="eingeladen@example.org")
    raw = issue_token(invited, TokenPurpose.INVITATION)
    db.session.commit()
    response = admin_client.post(reject_url(invited), data={"notify": "y"})
    assert response.status_code == 302
    html = page(admin_client.get(response.headers["Location"]))
    assert "Die Einladung ist zurückgezogen; die Angaben der Person wurden gelöscht." in html
    assert reload(invited).status == "deleted"
    assert outbox("eingeladen@example.org") == []
    assert audit_codes() == ["invitation_withdrawn"]
    assert new_client(app).get(f"/einladung/{raw}").status_code == 404


def test_mails_that_only_resemble_the_address_are_kept(app, admin_client, admin):
    user = registered_and_confirmed(app, admin)
    other = OutboxMail(to_address=admin.email, subject="Andere Registrierung",
                       body_text="Margarita (margarita@example.org) hat sich registriert.\n")
    db.session.add(other)
    db.session.commit()
    admin_client.post(reject_url(user), data={"reason": ""})
    assert [m.subject for m in outbox(admin.email)] == ["Andere Registrierung"]


def test_the_address_can_register_again(app, admin_client, admin):
    user = registered_and_confirmed(app, admin)
    admin_client.post(reject_url(user), data={})
    client = new_client(app)
    register(client, display_name="Rita Register-Neu")
    assert confirm_link("rita@example.org")


@pytest.mark.parametrize("status", ["active", "suspended"])
def test_accounts_in_use_are_not_rejected(admin_client, status):
    user = make_user(status=status)
    response = admin_client.post(reject_url(user), data={"notify": "y"}, follow_redirects=True)
    assert "Über dieses Konto ist bereits entschieden." in page(response)
    assert reload(user).status == status and audit_codes() == []


def test_second_click_reports_the_decision_once(admin_client):
    pending = make_pending()
    admin_client.post(reject_url(pending), data={})
    response = admin_client.post(reject_url(pending), data={}, follow_redirects=True)
    assert "Dieses Konto ist bereits gelöscht." in page(response)
    assert audit_codes() == ["registration_rejected"]

