"""Inviting people: the mail with its link, refusals that create nothing, resending."""
import pytest
from sqlalchemy import func, select

from sozialplanung.accounts.models import User
from sozialplanung.extensions import db

from ..conftest import link_from_mail, login, outbox
from ..factories import make_user, organisation
from .conftest import audit_codes, reload


def invite(client, **overrides):
    data = {"email": "i.wagner@suhl.example", "display_name": "Ines Wagner",
            "organisation_id": str(organisation("Stadt Suhl").id), "role": "member"}
    data.update(overrides)
    return client.post("/verwaltung/mitglieder/einladen", data=data)


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_invite_creates_account_and_mails_link(app, admin_client, admin):
    response = invite(admin_client, email="  I.Wagner@Suhl.Example ", role="moderator")
    invited = db.session.scalar(select(User).where(User.email == "i.wagner@suhl.example"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verwaltung/mitglieder/{invited.id}"
    assert (invited.status, invited.role) == ("invited", "moderator")
    assert invited.organisation.name == "Stadt Suhl"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Die Einladung an i.wagner@suhl.example ist verschickt." in page
    assert "eingeladen" in page and "Einladung erneut senden" in page

    [mail] = outbox("i.wagner@suhl.example")
    assert mail.subject == "Einladung zur Sozialplanungsplattform"
    assert "Dr. Katrin Vogel lädt Sie zur Sozialplanungsplattform ein" in mail.body_text
    assert "Der Link gilt 7 Tage und nur einmal." in mail.body_text
    assert audit_codes() == ["user_invited"]

    # The invited person follows the link, sets a password and is signed in.
    guest = app.test_client()
    link = link_from_mail(mail, "/einladung/")
    assert "Ines Wagner" in guest.get(link).get_data(as_text=True)
    password = "Ein-langes-Passwort"
    accepted = guest.post(link, data={"display_name": "Ines Wagner", "password": password,
                                      "confirm": password})
    assert accepted.status_code == 302
    assert reload(invited).status == "active"


def test_invite_without_name_and_organisation(admin_client):
    invite(admin_client, display_name="", organisation_id="0")
    invited = db.session.scalar(select(User).where(User.email == "i.wagner@suhl.example"))
    assert invited.display_name == "i.wagner@suhl.example"
    assert invited.organisation is None


@pytest.mark.parametrize("name, message", [
    ("ines  WAGNER\u200b", "Dieser Name wird bereits von einem anderen Mitglied verwendet."),
    ("Ehemaliges Mitglied 123456", "Dieser Name ist für gelöschte Konten vorgesehen."),
    ("---", "Der Name muss mindestens einen Buchstaben enthalten."),
])
def test_invitation_name_follows_the_name_rules(admin_client, name, message):
    make_user(display_name="Ines Wagner", email="andere.ines@example.org")
    before = user_count()
    response = invite(admin_client, display_name=name)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and 'id="display_name-error"' in html
    assert user_count() == before
    assert outbox() == [] and audit_codes() == []


def test_invitation_name_is_stored_cleaned(admin_client):
    invite(admin_client, display_name=" Ines\u00ad  Wagner\u202e ")
    invited = db.session.scalar(select(User).where(User.email == "i.wagner@suhl.example"))
    assert invited.display_name == "Ines Wagner"


def test_duplicate_email_refused_with_field_message(admin_client):
    make_user(email="i.wagner@suhl.example")
    before = user_count()
    response = invite(admin_client, email="I.Wagner@suhl.example")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Für diese E-Mail-Adresse gibt es bereits ein Konto." in html
    assert 'id="email-error"' in html and 'aria-invalid="true"' in html
    assert user_count() == before
    assert outbox() == [] and audit_codes() == []


@pytest.mark.parametrize("field, value", [
    ("role", "superadmin"),
    ("organisation_id", "999999"),
    ("organisation_id", "keine-zahl"),
    ("email", "keine-adresse"),
    ("email", ""),
])
def test_invalid_input_refused_and_nothing_created(admin_client, field, value):
    before = user_count()
    response = invite(admin_client, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bitte korrigieren Sie die markierten Angaben." in html
    assert f'id="{field}-error"' in html
    assert "Not a valid" not in html and "Invalid" not in html
    assert user_count() == before
    assert outbox() == [] and audit_codes() == []


def test_unknown_role_refused_by_service(admin):
    from sozialplanung.admin.services import invite_user
    from sozialplanung.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        invite_user(admin, email="x@example.org", display_name="X", organisation_id=None,
                    role="superadmin")
    assert exc.value.errors == {"role": "Unbekannte Rolle."}
    db.session.rollback()
    assert user_count() == 1 and outbox() == []


def test_resend_invitation_replaces_the_link(app, admin_client):
    invite(admin_client)
    invited = db.session.scalar(select(User).where(User.email == "i.wagner@suhl.example"))
    response = admin_client.post(f"/verwaltung/mitglieder/{invited.id}/einladung-erneut")
    assert response.status_code == 302
    assert "Die Einladung wurde erneut verschickt." in \
        admin_client.get(response.headers["Location"]).get_data(as_text=True)
    first, second = outbox("i.wagner@suhl.example")
    old_link, new_link = link_from_mail(first, "/einladung/"), link_from_mail(second, "/einladung/")
    assert old_link != new_link
    guest = app.test_client()
    assert guest.get(old_link).status_code == 404
    assert guest.get(new_link).status_code == 200
    assert audit_codes() == ["user_invited", "invitation_resent"]


def test_resend_for_active_account_is_conflict(admin_client):
    user = make_user()
    response = admin_client.post(f"/verwaltung/mitglieder/{user.id}/einladung-erneut")
    assert response.status_code == 409
    assert "Für dieses Konto ist keine Einladung offen." in response.get_data(as_text=True)
    assert outbox() == [] and audit_codes() == []


def test_invited_person_cannot_sign_in_before_accepting(client):
    user = make_user(status="invited")
    response = client.post("/anmelden", data={"email": user.email,
                                              "password": "Geheimes-Passwort-1"})
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist nicht korrekt." in response.get_data(as_text=True)
    with pytest.raises(AssertionError):
        login(client, user)
