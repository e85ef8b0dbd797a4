"""Accepting an invitation: the invited person sets a password and is signed in."""
import pytest

from sozialplanung.admin.services import invite_user, resend_invitation
from sozialplanung.auth.models import TokenPurpose

from ..conftest import link_from_mail, login, outbox
from ..factories import make_user
from .support import (
    NEW_PASSWORD, admin_request, audit_actions, is_signed_in, new_client, page, reload, tokens,
)


@pytest.fixture
def admin():
    return make_user(role="admin", display_name="Ada Admin")


def invite(admin, email="neu@example.org", display_name="Neue Person", role="member"):
    with admin_request():
        user = invite_user(admin, email=email, display_name=display_name,
                           organisation_id=None, role=role)
    [mail] = outbox(to=user.email)
    return user, link_from_mail(mail, "/einladung/")


def accept(client, link, display_name="Neue Person", password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"display_name": display_name, "password": password,
                                   "confirm": password if confirm is None else confirm})


def test_invitation_mail_names_the_inviter(admin):
    with admin_request():
        user = invite_user(admin, email="Neu@Example.org", display_name="Neue Person",
                           organisation_id=None, role="member")
    assert user.email == "neu@example.org"
    [mail] = outbox(to="neu@example.org")
    assert mail.subject == "Einladung zur Sozialplanungsplattform"
    assert "Ada Admin lädt Sie zur Sozialplanungsplattform ein" in mail.body_text
    assert "Der Link gilt 7 Tage und nur einmal." in mail.body_text


def test_invitation_page_shows_address_and_prefilled_name(client, admin):
    _user, link = invite(admin)
    response = client.get(link)
    html = page(response)
    assert response.status_code == 200
    assert "Einladung annehmen" in html and "neu@example.org" in html
    assert 'value="Neue Person"' in html


def test_accepting_sets_password_activates_and_signs_in(client, admin, app):
    user, link = invite(admin)
    response = accept(client, link, display_name="  Nora Neu  ")
    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    html = page(client.get("/profil"))
    assert "Willkommen auf der Plattform! Ihr Zugang ist eingerichtet." in html
    user = reload(user)
    assert user.status == "active"
    assert user.display_name == "Nora Neu"
    assert user.email_confirmed_at is not None
    assert "invitation_accepted" in audit_actions()
    # The new password works on another device.
    other = new_client(app)
    login(other, user, password=NEW_PASSWORD)


def test_invitation_link_works_only_once(client, admin):
    _user, link = invite(admin)
    assert accept(client, link).status_code == 302
    other = new_client(client.application)
    for response in (other.get(link), accept(other, link, password="Anderes-Passwort-77")):
        assert response.status_code == 404
        assert "Link ungültig" in page(response)
    assert not is_signed_in(other)


def test_resent_invitation_replaces_the_first_link(client, admin):
    user, first = invite(admin)
    with admin_request():
        resend_invitation(admin, user.id)
    second = link_from_mail(outbox(to=user.email)[-1], "/einladung/")
    response = client.get(first)
    assert response.status_code == 404
    assert "Sie haben inzwischen eine neuere Einladung erhalten" in page(response)
    assert accept(client, second).status_code == 302


@pytest.mark.parametrize("name, password, confirm, message", [
    ("Nora Neu", "kurz", "kurz", "Mindestens 10 Zeichen."),
    ("Nora Neu", NEW_PASSWORD, "Anders-als-oben-1", "Die Passwörter stimmen nicht überein."),
    ("", NEW_PASSWORD, NEW_PASSWORD, "Bitte füllen Sie dieses Feld aus."),
    ("   ", NEW_PASSWORD, NEW_PASSWORD, "Bitte füllen Sie dieses Feld aus."),
    ("N" * 121, NEW_PASSWORD, NEW_PASSWORD, "120"),
])
def test_bad_input_keeps_invitation_open(client, admin, name, password, confirm, message):
    user, link = invite(admin)
    response = accept(client, link, name, password, confirm)
    assert response.status_code == 200
    assert message in page(response)
    assert reload(user).status == "invited"
    assert not is_signed_in(client)
    assert client.get(link).status_code == 200


def test_accepting_while_signed_in_as_someone_else_switches_account(client, admin):
    login(client, admin)
    user, link = invite(admin)
    assert accept(client, link).status_code == 302
    assert reload(user).status == "active"
    client.get("/profil")  # shows the welcome messages
    html = page(client.get("/profil"))
    assert f'href="/mitglieder/{user.id}"' in html and "Ada Admin" not in html


TAKEN = "Dieser Name wird bereits von einem anderen Mitglied verwendet."


@pytest.mark.parametrize("name", [
    "Anja \u200bHoffmann",           # zero-width space
    "anja  hoffmann",                 # two spaces, lower case
    "ANJA HOFFMANN",
    "Anja Hoff\u00admann",            # soft hyphen
    "Anja Hoffmann\U000e0041",        # tag character
    "Ａｎｊａ Hoffmann",                 # full-width letters
    "Anja\u00a0Hoffmann",             # no-break space
])
def test_another_members_name_is_refused_however_it_is_written(client, admin, name):
    make_user(display_name="Anja Hoffmann")
    user, link = invite(admin)
    response = accept(client, link, display_name=name)
    assert response.status_code == 200
    assert TAKEN in page(response)
    assert reload(user).status == "invited"
    assert client.get(link).status_code == 200


@pytest.mark.parametrize("name, message", [
    ("Ehemaliges Mitglied 123456", "Dieser Name ist für gelöschte Konten vorgesehen."),
    ("ehemaliges  MITGLIED", "Dieser Name ist für gelöschte Konten vorgesehen."),
    ("---", "Der Name muss mindestens einen Buchstaben enthalten."),
    ("\u200b\u00ad", "Bitte geben Sie einen Namen mit höchstens 120 Zeichen an."),
])
def test_reserved_and_empty_names_are_refused(client, admin, name, message):
    user, link = invite(admin)
    response = accept(client, link, display_name=name)
    assert response.status_code == 200 and message in page(response)
    assert reload(user).status == "invited"


def test_name_is_stored_as_it_was_checked(client, admin):
    make_user(display_name="Anja Hoffmann", status="pending")  # a registration holds no name
    user, link = invite(admin)
    assert accept(client, link, display_name=" Anja\u200b  Hoff\u00admann ").status_code == 302
    assert reload(user).display_name == "Anja Hoffmann"


def test_unknown_invitation_token_is_404(client):
    response = client.get("/einladung/unbekannt")
    assert response.status_code == 404 and "Link ungültig" in page(response)
    # The way forward for an invitee: ask again or sign in, not a password reset.
    assert "damit Sie eine neue Einladung erhalten" in page(response)
    assert "Zurücksetzen des Passworts" not in page(response)


def test_invitation_token_is_not_a_reset_token(client, admin):
    user, link = invite(admin)
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/passwort-zuruecksetzen/{token}").status_code == 404
    assert len(tokens(user, TokenPurpose.INVITATION)) == 1
