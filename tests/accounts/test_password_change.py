"""Changing the own password: current password required, other sessions end, mail sent."""
import pytest

from ..auth.support import (
    NEW_PASSWORD, PASSWORD, audit_actions, cookie_header, is_signed_in, new_client, page,
)
from ..conftest import login, outbox
from ..factories import make_user


@pytest.fixture
def member(client):
    user = make_user()
    login(client, user)
    return user


def change(client, current=PASSWORD, password=NEW_PASSWORD, confirm=None):
    return client.post("/profil/passwort", data={
        "current_password": current, "password": password,
        "confirm": password if confirm is None else confirm})


def can_login(app, email, password):
    return new_client(app).post("/anmelden", data={"email": email, "password": password}
                                ).status_code == 302


def test_page_is_german(client, member):
    html = page(client.get("/profil/passwort"))
    assert "Passwort ändern" in html and "Aktuelles Passwort" in html
    assert "Nach der Änderung werden Sie auf allen anderen Geräten abgemeldet." in html
    # Here there is an old password: the new one is called so (unlike on the registration form).
    assert '<label for="password">Neues Passwort</label>' in html


def test_wrong_current_password_is_refused(client, member, app):
    response = change(client, current="Falsches-Passwort-99")
    assert response.status_code == 200
    assert "Das aktuelle Passwort ist nicht korrekt." in page(response)
    assert can_login(app, member.email, PASSWORD)
    assert outbox() == []


@pytest.mark.parametrize("password, confirm, message", [
    ("kurz", "kurz", "Mindestens 10 Zeichen."),
    (NEW_PASSWORD, "Etwas-anderes-123", "Die Passwörter stimmen nicht überein."),
])
def test_weak_or_mismatching_new_password_is_refused(client, member, app, password, confirm,
                                                     message):
    response = change(client, password=password, confirm=confirm)
    assert response.status_code == 200 and message in page(response)
    assert can_login(app, member.email, PASSWORD)


def test_success_keeps_this_session_and_ends_the_others(client, other_client, member, app):
    login(other_client, member, remember=True)
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    assert "Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet." in \
        page(client.get("/profil"))
    assert is_signed_in(client)
    assert not is_signed_in(other_client)
    other_client.delete_cookie("sp_session")
    assert not is_signed_in(other_client)  # the remember cookie is void as well
    assert can_login(app, member.email, NEW_PASSWORD)
    assert not can_login(app, member.email, PASSWORD)
    assert "password_changed" in audit_actions()


def test_success_queues_notice_mail(client, member):
    change(client)
    [mail] = outbox(to=member.email)
    assert mail.subject == "Ihr Passwort wurde geändert"
    assert "Alle anderen Sitzungen wurden beendet." in mail.body_text
    assert "/passwort-vergessen" in mail.body_text


def test_remembered_session_stays_remembered_after_change(client, app):
    """Changing the password on a remembered device keeps "Angemeldet bleiben"."""
    user = make_user()
    login(client, user, remember=True)
    response = change(client)
    assert cookie_header(response, "sp_remember") is not None
    client.delete_cookie("sp_session")  # browser restart
    assert is_signed_in(client)


def test_password_change_needs_sign_in(app):
    response = change(new_client(app))
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
