"""Self-registration: confirm the address, official domains approved at once, no enumeration."""
from datetime import timedelta

import pytest

from sozialplanung.auth.models import TokenPurpose
from sozialplanung.extensions import db
from sozialplanung.timeutil import utcnow

from ..conftest import link_from_mail, outbox
from ..factories import PASSWORD, make_user, organisation
from .support import (
    NEW_PASSWORD, audit_actions, count_users, new_client, page, tokens, user_by_email,
)

SENT = "Bitte bestätigen Sie Ihre E-Mail-Adresse"
PRIVACY = "Bitte bestätigen Sie, dass Sie die Datenschutzerklärung gelesen haben."


def form(**overrides):
    data = {"display_name": "Rita Register", "email": "rita@example.org",
            "organisation_id": str(organisation("Stadt Jena").id),
            "position": "Sozialplanung Jugendhilfe", "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD, "accept_privacy": "y"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def register(client, **overrides):
    return client.post("/registrieren", data=form(**overrides))


def confirm_link(email):
    return link_from_mail(outbox(to=email)[-1], "/registrieren/bestaetigen/")


def sign_in(app, email, password=NEW_PASSWORD):
    return new_client(app).post("/anmelden", data={"email": email, "password": password})


def test_registration_form_is_german(client):
    html = page(client.get("/registrieren"))
    assert "Registrieren" in html and "Dienstliche E-Mail-Adresse" in html
    assert "Ich habe die Datenschutzerklärung gelesen." in html
    assert "Stadt Jena" in html


def test_registration_creates_pending_account_and_sends_link(client):
    response = register(client, email="Rita@Example.org")
    html = page(response)
    assert response.status_code == 200
    assert SENT in html and "Wir haben eine E-Mail an Rita@Example.org geschickt." in html
    user = user_by_email("rita@example.org")
    assert user.status == "pending" and user.email_confirmed_at is None
    assert user.organisation.name == "Stadt Jena"
    assert user.position == "Sozialplanung Jugendhilfe"
    [mail] = outbox(to="rita@example.org")
    assert mail.subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert "registered" in audit_actions()


def test_confirm_page_get_shows_button_and_changes_nothing(client):
    register(client)
    link = confirm_link("rita@example.org")
    response = client.get(link)
    html = page(response)
    assert response.status_code == 200
    assert "<button" in html and "E-Mail-Adresse bestätigen" in html
    assert user_by_email("rita@example.org").email_confirmed_at is None
    # A second GET (mail scanner, then the person) still works.
    assert client.get(link).status_code == 200


def test_auto_approved_domain_is_active_after_confirming(client, app):
    admin = make_user(role="admin")
    register(client, email="rita@lra-weimarer-land.de")
    link = confirm_link("rita@lra-weimarer-land.de")
    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"
    assert "Ihr Zugang freigeschaltet" in page(client.get("/anmelden"))
    user = user_by_email("rita@lra-weimarer-land.de")
    assert user.status == "active" and user.email_confirmed_at is not None
    assert sign_in(app, "rita@lra-weimarer-land.de").status_code == 302
    assert outbox(to=admin.email) == []
    assert "registration_auto_approved" in audit_actions()


@pytest.mark.parametrize("email", ["rita@evil-lra-weimarer-land.de",
                                   "rita@lra-weimarer-land.de.example.org",
                                   "rita@sub.lra-weimarer-land.de"])
def test_lookalike_domains_are_not_auto_approved(client, email):
    register(client, email=email)
    client.post(confirm_link(email))
    assert user_by_email(email).status == "pending"


def test_other_domain_waits_for_admin_who_gets_a_mail(client, app):
    admins = [make_user(role="admin"), make_user(role="admin")]
    suspended_admin = make_user(role="admin", status="suspended")
    member = make_user()
    register(client)
    response = client.post(confirm_link("rita@example.org"))
    assert response.status_code == 302
    assert "Die Administration prüft Ihre Registrierung" in page(client.get("/anmelden"))
    user = user_by_email("rita@example.org")
    assert user.status == "pending" and user.email_confirmed_at is not None
    for admin in admins:
        [mail] = outbox(to=admin.email)
        assert mail.subject == "Neue Registrierung wartet auf Freischaltung"
        assert "Rita Register (rita@example.org)" in mail.body_text
        assert f"/verwaltung/mitglieder/{user.id}" in mail.body_text
    assert outbox(to=suspended_admin.email) == [] and outbox(to=member.email) == []
    html = page(sign_in(app, "rita@example.org"))
    assert "wartet noch auf die Freischaltung" in html


def test_confirm_link_works_once(client):
    register(client)
    link = confirm_link("rita@example.org")
    client.post(link)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 404 and "Link ungültig" in page(response)


def test_existing_address_gets_identical_page_and_a_hint_instead(client):
    owner = make_user(email="bestand@example.org", display_name="Berta Bestand")
    users_before = count_users()
    fresh = page(register(client, email="frisch@example.org"))
    existing = page(register(client, email="bestand@example.org"))
    assert existing.replace("bestand@example.org", "X") == fresh.replace("frisch@example.org", "X")
    assert count_users() == users_before + 1
    [hint] = outbox(to="bestand@example.org")
    assert hint.subject == "Registrierungsversuch mit Ihrer E-Mail-Adresse"
    assert "/passwort-vergessen" in hint.body_text
    assert "/registrieren/bestaetigen/" not in hint.body_text
    assert tokens(owner, TokenPurpose.REGISTRATION) == []
    # The owner's account is untouched.
    assert user_by_email("bestand@example.org").display_name == "Berta Bestand"


def test_existing_address_in_other_case_is_caught(client, app):
    register(client, email="Upper@Case.example")
    users_before = count_users()
    response = register(client, email="upper@CASE.example", password="Anderes-Passwort-77",
                        confirm="Anderes-Passwort-77")
    assert SENT in page(response)
    assert count_users() == users_before
    assert user_by_email("upper@case.example") is not None


def test_registration_disabled_shows_404_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_ENABLED", False)
    for response in (client.get("/registrieren"), register(client)):
        assert response.status_code == 404
        assert "Registrierung geschlossen" in page(response)
    assert user_by_email("rita@example.org") is None
    assert "Jetzt registrieren" not in page(client.get("/anmelden"))


@pytest.mark.parametrize("overrides, message", [
    ({"accept_privacy": None}, PRIVACY),
    ({"organisation_id": "0"}, "Bitte wählen Sie Ihre Organisation."),
    ({"password": "kurz", "confirm": "kurz"}, "Mindestens 10 Zeichen."),
    ({"confirm": "Etwas-anderes-1"}, "Die Passwörter stimmen nicht überein."),
    ({"email": "keine-adresse"}, "Bitte geben Sie eine gültige E-Mail-Adresse an."),
    ({"display_name": ""}, "Bitte füllen Sie dieses Feld aus."),
    ({"password": "rita@example.org", "confirm": "rita@example.org"},
     "Bitte wählen Sie ein anderes Passwort."),
])
def test_invalid_registration_is_refused_with_german_message(client, overrides, message):
    response = register(client, **overrides)
    html = page(response)
    assert response.status_code == 200
    assert message in html
    assert "Bitte korrigieren Sie die markierten Angaben." in html
    assert user_by_email("rita@example.org") is None
    assert outbox() == []


@pytest.mark.parametrize("overrides", [
    {"organisation_id": "999999"},
    {"organisation_id": "abc"},
    {"display_name": "R" * 121},
    {"position": "P" * 201},
])
def test_unknown_organisation_and_overlong_fields_are_refused(client, overrides):
    response = register(client, **overrides)
    html = page(response)
    assert response.status_code == 200
    assert "Bitte korrigieren Sie die markierten Angaben." in html
    assert user_by_email("rita@example.org") is None


def test_second_registration_during_a_valid_link_changes_nothing(client, app):
    """Nobody can put their password under a registration someone else is confirming."""
    register(client)
    link = confirm_link("rita@example.org")
    response = register(client, display_name="Mallory", password="Angreifer-Passwort-1",
                        confirm="Angreifer-Passwort-1")
    assert SENT in page(response)
    hint = outbox(to="rita@example.org")[-1]
    assert hint.subject == "Registrierungsversuch mit Ihrer E-Mail-Adresse"
    assert "Die Registrierung ist noch nicht bestätigt." in hint.body_text
    assert "/registrieren/bestaetigen/" not in hint.body_text
    client.post(link)
    assert user_by_email("rita@example.org").display_name == "Rita Register"
    assert "nicht korrekt" in page(sign_in(app, "rita@example.org", "Angreifer-Passwort-1"))
    assert "wartet noch auf die Freischaltung" in page(sign_in(app, "rita@example.org"))


def test_registration_with_expired_link_can_be_repeated(client, app):
    """Whoever let the first link expire registers again and gets a new one."""
    register(client, password=PASSWORD, confirm=PASSWORD)
    first = confirm_link("rita@example.org")
    [token] = tokens(user_by_email("rita@example.org"), TokenPurpose.REGISTRATION)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    users_before = count_users()
    response = register(client, display_name="Rita Neu")
    assert SENT in page(response)
    assert count_users() == users_before
    second = confirm_link("rita@example.org")
    assert second != first
    assert client.get(first).status_code == 404
    client.post(second)
    user = user_by_email("rita@example.org")
    assert user.email_confirmed_at is not None and user.display_name == "Rita Neu"
    # The password of the new registration counts, not the one typed before.
    assert "wartet noch auf die Freischaltung" in page(sign_in(app, "rita@example.org"))
    assert "nicht korrekt" in page(sign_in(app, "rita@example.org", PASSWORD))


def test_confirmed_pending_registration_is_not_overwritten(client):
    register(client)
    client.post(confirm_link("rita@example.org"))
    register(client, display_name="Jemand Anders", password="Anderes-Passwort-77",
             confirm="Anderes-Passwort-77")
    assert user_by_email("rita@example.org").display_name == "Rita Register"
    assert outbox(to="rita@example.org")[-1].subject == \
        "Registrierungsversuch mit Ihrer E-Mail-Adresse"


def test_registration_is_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_FORM_LIMIT_PER_IP", "2 per hour")
    for n in range(2):
        register(client, email=f"rita{n}@example.org")
    response = register(client, email="rita9@example.org")
    assert response.status_code == 429 and "Zu viele Anfragen" in page(response)
    assert user_by_email("rita9@example.org") is None


TAKEN = "Dieser Name wird bereits von einem anderen Mitglied verwendet."


@pytest.mark.parametrize("name", ["Sabine Krause", "sabine  KRAUSE", "Sabine\u200b Krause",
                                  "Sabine Kra\u00aduse", "Ｓabine Krause"])
def test_a_members_name_is_refused(client, name):
    make_user(display_name="Sabine Krause", role="moderator")
    response = register(client, display_name=name)
    assert response.status_code == 200 and TAKEN in page(response)
    assert user_by_email("rita@example.org") is None
    assert outbox() == []


def test_taken_name_gives_the_same_answer_for_known_and_unknown_addresses(client):
    """The name is checked first: the answer tells nothing about the address."""
    make_user(display_name="Sabine Krause", email="s.krause@weimar.example")
    make_user(display_name="Berta Bestand", email="bestand@example.org")
    answers = [page(register(client, display_name="Sabine Krause", email=email))
               .replace(email, "X")
               for email in ("s.krause@weimar.example", "bestand@example.org",
                             "frisch@example.org")]
    assert answers[0] == answers[1] == answers[2]
    assert TAKEN in answers[0]
    assert outbox() == []


@pytest.mark.parametrize("name", ["Ehemaliges Mitglied", "Ehemaliges Mitglied 482913",
                                  "EHEMALIGES\u200b MITGLIED"])
def test_the_name_of_deleted_accounts_is_refused(client, name):
    response = register(client, display_name=name)
    assert "Dieser Name ist für gelöschte Konten vorgesehen." in page(response)
    assert user_by_email("rita@example.org") is None


def test_name_is_stored_cleaned(client):
    register(client, display_name="  Rita\u200b   Re\u00adgister\u202e ")
    assert user_by_email("rita@example.org").display_name == "Rita Register"


def test_official_address_waits_for_admin_if_its_name_was_taken_meanwhile(client):
    admin = make_user(role="admin")
    register(client, email="rita@lra-weimarer-land.de")
    make_user(display_name="rita register")  # chose the name while the link was on its way
    client.post(confirm_link("rita@lra-weimarer-land.de"))
    user = user_by_email("rita@lra-weimarer-land.de")
    assert user.status == "pending" and user.email_confirmed_at is not None
    [mail] = outbox(to=admin.email)
    assert mail.subject == "Neue Registrierung wartet auf Freischaltung"
    assert "registration_auto_approved" not in audit_actions()


def test_password_field_of_a_first_registration_is_called_passwort(client):
    html = page(client.get("/registrieren"))
    assert '<label for="password">Passwort</label>' in html
    assert '<label for="confirm">Passwort wiederholen</label>' in html
    assert "Neues Passwort" not in html
