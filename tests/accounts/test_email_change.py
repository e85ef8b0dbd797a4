"""Changing the own email address: password check, link to the new address, no enumeration."""
import re
from datetime import timedelta

import pytest

from sozialplanung.admin.services import suspend_user
from sozialplanung.auth.models import TokenPurpose
from sozialplanung.extensions import db
from sozialplanung.timeutil import utcnow

from ..auth.support import (
    NEW_PASSWORD, PASSWORD, admin_request, audit_actions, is_signed_in, new_client, page,
    reload, tokens,
)
from ..conftest import link_from_mail, login, outbox
from ..factories import make_user

REQUESTED = "Wir haben einen Bestätigungslink an die neue Adresse geschickt."
CONFIRMED = "Ihre neue E-Mail-Adresse ist bestätigt und gilt ab sofort für die Anmeldung."


@pytest.fixture
def member(client):
    user = make_user(email="alt@example.org", display_name="Emil Wechsel")
    login(client, user)
    client.get("/")  # shows the welcome message
    return user


def request_change(client, email="neu@example.org", password=PASSWORD):
    return client.post("/profil/email", data={"email": email, "current_password": password})


def change_link(email="neu@example.org"):
    mails = [m for m in outbox(to=email) if "/email-bestaetigen/" in m.body_text]
    assert mails, f"no confirmation mail to {email}"
    return link_from_mail(mails[-1], "/email-bestaetigen/")


def can_login(app, email, password=PASSWORD):
    return new_client(app).post("/anmelden", data={"email": email, "password": password}
                                ).status_code == 302


def test_page_shows_current_address(client, member):
    html = page(client.get("/profil/email"))
    assert "E-Mail-Adresse ändern" in html and "alt@example.org" in html


def test_wrong_password_is_refused(client, member):
    response = request_change(client, password="Falsches-Passwort-99")
    assert response.status_code == 200
    assert "Das Passwort ist nicht korrekt." in page(response)
    assert outbox() == []
    assert tokens(member, TokenPurpose.EMAIL_CHANGE) == []


def test_same_address_is_refused(client, member):
    response = request_change(client, email="ALT@example.org")
    assert "Das ist bereits Ihre E-Mail-Adresse." in page(response)
    assert outbox() == []


def test_invalid_address_is_refused_in_german(client, member):
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in \
        page(request_change(client, email="kein-at-zeichen"))


def test_link_goes_to_new_address_and_old_address_gets_notice(client, member):
    response = request_change(client, email="Neu@Example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    assert REQUESTED in page(client.get("/profil"))
    [confirm] = outbox(to="neu@example.org")
    assert confirm.subject == "Bitte bestätigen Sie Ihre neue E-Mail-Adresse"
    assert "/email-bestaetigen/" in confirm.body_text
    [notice] = outbox(to="alt@example.org")
    assert notice.subject == "Änderung Ihrer E-Mail-Adresse angefordert"
    assert "neu@example.org" in notice.body_text
    assert "/email-bestaetigen/" not in notice.body_text
    # Nothing changes before the link is used.
    assert reload(member).email == "alt@example.org"
    assert "email_change_requested" in audit_actions()


def test_confirming_changes_the_login_address(client, member, app):
    request_change(client)
    link = change_link()
    response = client.get(link)
    assert response.status_code == 200
    assert "Neue E-Mail-Adresse neu@example.org bestätigen" in page(response)
    assert reload(member).email == "alt@example.org"  # GET changes nothing
    response = client.post(link, follow_redirects=True)
    assert CONFIRMED in page(response)
    assert reload(member).email == "neu@example.org"
    assert can_login(app, "neu@example.org")
    assert can_login(app, "NEU@example.org")
    assert not can_login(app, "alt@example.org")
    assert is_signed_in(client)
    assert "email_changed" in audit_actions()


def test_link_can_be_confirmed_without_being_signed_in(app, member):
    client = new_client(app)
    login(client, member)
    request_change(client)
    link = change_link()
    anonymous = new_client(app)
    response = anonymous.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"
    assert reload(member).email == "neu@example.org"


def test_link_works_once(client, member):
    request_change(client)
    link = change_link()
    client.post(link)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 404 and "Link ungültig" in page(response)


def test_expired_link_is_refused(client, member):
    request_change(client)
    link = change_link()
    [token] = tokens(member, TokenPurpose.EMAIL_CHANGE)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.post(link).status_code == 404
    assert reload(member).email == "alt@example.org"


def without_csrf_token(html):
    # The token carries a timestamp: two pages a second apart differ in it alone.
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', html)


def test_taken_address_gives_same_answer_but_no_link(client, member):
    owner = make_user(email="vergeben@example.org")
    free = without_csrf_token(page(client.get(request_change(client, email="frei@example.org")
                                              .headers["Location"])))
    taken_response = request_change(client, email="Vergeben@example.org")
    assert taken_response.status_code == 302
    taken = without_csrf_token(page(client.get(taken_response.headers["Location"])))
    assert free == taken and REQUESTED in taken
    # No link to the taken address, only a hint for its owner.
    assert all("/email-bestaetigen/" not in m.body_text for m in outbox(to=owner.email))
    [hint] = outbox(to=owner.email)
    assert "/passwort-vergessen" in hint.body_text
    # The requester's own mailbox looks the same in both cases: one notice each.
    notices = outbox(to="alt@example.org")
    assert [m.subject for m in notices] == ["Änderung Ihrer E-Mail-Adresse angefordert"] * 2
    assert reload(member).email == "alt@example.org"
    assert reload(owner).email == "vergeben@example.org"


def test_address_taken_after_the_request_is_refused_at_confirmation(client, member):
    request_change(client)
    link = change_link()
    make_user(email="neu@example.org")
    response = client.post(link, follow_redirects=True)
    assert "Der Link ist ungültig" in page(response)
    assert reload(member).email == "alt@example.org"


def test_password_change_cancels_pending_email_change(client, member):
    """Someone who knew the old password must not move the account to their address."""
    request_change(client, email="angreifer@example.org")
    link = change_link("angreifer@example.org")
    response = client.post("/profil/passwort", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.post(link).status_code == 404
    assert reload(member).email == "alt@example.org"


def test_suspended_member_cannot_confirm(client, member):
    admin = make_user(role="admin")
    request_change(client)
    link = change_link()
    with admin_request():
        suspend_user(admin, member.id, "Prüfung")
    assert new_client(client.application).post(link).status_code == 404
    assert reload(member).email == "alt@example.org"


def test_email_change_needs_sign_in(app):
    anonymous = new_client(app)
    response = request_change(anonymous)
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert outbox() == []


def test_email_change_requests_are_rate_limited(client, member, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_FORM_LIMIT_PER_IP", "2 per hour")
    for n in range(2):
        assert request_change(client, email=f"neu{n}@example.org").status_code == 302
    response = request_change(client, email="neu9@example.org")
    assert response.status_code == 429 and "Zu viele Anfragen" in page(response)
    assert outbox(to="neu9@example.org") == []
