"""Forgotten password: one answer for every address, single-use expiring links."""
from datetime import timedelta

import pytest

from sozialplanung.admin.services import suspend_user
from sozialplanung.auth.models import TokenPurpose
from sozialplanung.extensions import db
from sozialplanung.timeutil import utcnow

from ..conftest import link_from_mail, login, outbox
from ..factories import make_user
from .support import (
    NEW_PASSWORD, PASSWORD, admin_request, audit_actions, is_signed_in, new_client, page,
    reload, tokens,
)

RESET_SENT = ("Falls zu dieser Adresse ein aktives Konto gehört, haben wir einen Link zum "
              "Zurücksetzen des Passworts geschickt.")
INVALID_LINK = "Link ungültig"


def request_reset(client, email):
    return client.post("/passwort-vergessen", data={"email": email})


def reset_link(client, user):
    request_reset(client, user.email)
    mails = outbox(to=user.email)
    assert mails, "no reset mail"
    return link_from_mail(mails[-1], "/passwort-zuruecksetzen/")


def set_password(client, link, password=NEW_PASSWORD, confirm=None):
    return client.post(link, data={"password": password,
                                   "confirm": password if confirm is None else confirm})


def can_login(app, email, password):
    response = new_client(app).post("/anmelden", data={"email": email, "password": password})
    return response.status_code == 302


def test_forgot_password_page_is_german(client):
    html = page(client.get("/passwort-vergessen"))
    assert "Passwort vergessen" in html and "Link anfordern" in html


def test_known_and_unknown_address_get_the_same_answer(client):
    user = make_user(email="bekannt@example.org")
    responses, pages = [], []
    for email in ("bekannt@example.org", "unbekannt@example.org"):
        response = request_reset(client, email)
        responses.append(response)
        pages.append(page(client.get(response.headers["Location"])))
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"] == "/anmelden"
    assert pages[0] == pages[1]
    assert RESET_SENT in pages[0]
    assert len(outbox(to=user.email)) == 1
    assert outbox(to="unbekannt@example.org") == []


def test_reset_mail_contains_a_working_link(client):
    user = make_user()
    request_reset(client, user.email.upper())
    [mail] = outbox(to=user.email)
    assert mail.subject == "Passwort zurücksetzen"
    assert "Der Link gilt 2 Stunden und nur einmal." in mail.body_text
    link = link_from_mail(mail, "/passwort-zuruecksetzen/")
    response = client.get(link)
    assert response.status_code == 200
    assert "Neues Passwort festlegen" in page(response)
    assert "password_reset_requested" in audit_actions()


def test_link_sets_new_password_once(client, app):
    user = make_user()
    link = reset_link(client, user)
    response = set_password(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"
    assert "Ihr Passwort wurde geändert." in page(client.get("/anmelden"))
    assert can_login(app, user.email, NEW_PASSWORD)
    assert not can_login(app, user.email, PASSWORD)
    assert [m.subject for m in outbox(to=user.email)][-1] == "Ihr Passwort wurde geändert"
    # Second use of the same link.
    for response in (client.get(link), set_password(client, link, "Noch-ein-Passwort-3")):
        assert response.status_code == 404
        assert INVALID_LINK in page(response)
    assert can_login(app, user.email, NEW_PASSWORD)


def test_unknown_token_shows_invalid_link_page(client):
    response = client.get("/passwort-zuruecksetzen/gibt-es-nicht")
    assert response.status_code == 404
    html = page(response)
    assert INVALID_LINK in html and "Bitte fordern Sie einen neuen an." in html


def test_expired_link_is_refused(client, app):
    user = make_user()
    link = reset_link(client, user)
    [token] = tokens(user, TokenPurpose.PASSWORD_RESET)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 404
    response = set_password(client, link)
    assert response.status_code == 404 and INVALID_LINK in page(response)
    assert can_login(app, user.email, PASSWORD)


def test_new_request_invalidates_older_link(client, app):
    user = make_user()
    first = reset_link(client, user)
    second = reset_link(client, user)
    assert first != second
    assert client.get(first).status_code == 404
    assert set_password(client, first).status_code == 404
    assert can_login(app, user.email, PASSWORD)
    assert set_password(client, second).status_code == 302
    assert can_login(app, user.email, NEW_PASSWORD)


SUPERSEDED = ("Inzwischen wurde ein neuerer Link angefordert; dieser Link gilt deshalb nicht "
              "mehr. Bitte verwenden Sie den Link aus der neuesten E-Mail.")


def test_older_link_says_that_a_newer_one_was_requested(client):
    user = make_user()
    first = reset_link(client, user)
    reset_link(client, user)
    for response in (client.get(first), set_password(client, first)):
        html = page(response)
        assert response.status_code == 404
        assert SUPERSEDED in html and "ungültig, abgelaufen" not in html
        assert "Neuen Link zum Zurücksetzen des Passworts anfordern" in html


def test_used_or_expired_link_without_a_newer_one_keeps_the_general_message(client):
    user = make_user()
    link = reset_link(client, user)
    set_password(client, link)
    html = page(client.get(link))
    assert SUPERSEDED not in html and "ungültig, abgelaufen" in html
    expired = reset_link(client, user)
    token = max(tokens(user, TokenPurpose.PASSWORD_RESET), key=lambda t: t.id)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert SUPERSEDED not in page(client.get(expired))


def test_older_link_of_an_account_suspended_since_says_nothing_more(client, app):
    user = make_user()
    first = reset_link(client, user)
    reset_link(client, user)
    user = reload(user)
    user.status = "suspended"
    db.session.commit()
    html = page(client.get(first))
    assert SUPERSEDED not in html and "ungültig, abgelaufen" in html


@pytest.mark.parametrize("password, confirm, message", [
    ("kurz", "kurz", "Mindestens 10 Zeichen."),
    (NEW_PASSWORD, "Etwas-anderes-123", "Die Passwörter stimmen nicht überein."),
    ("", "", "Bitte füllen Sie dieses Feld aus."),
    ("x" * 201, "x" * 201, "200"),
])
def test_bad_new_password_is_refused_and_nothing_changes(client, app, password, confirm,
                                                         message):
    user = make_user()
    link = reset_link(client, user)
    response = set_password(client, link, password, confirm)
    html = page(response)
    assert response.status_code == 200
    assert message in html
    assert "Bitte korrigieren Sie die markierten Angaben." in html
    assert can_login(app, user.email, PASSWORD)
    # The link was not used up by the failed attempt.
    assert client.get(link).status_code == 200


def test_password_equal_to_email_is_refused(client, app):
    user = make_user(email="langer.name@example.org")
    link = reset_link(client, user)
    html = page(set_password(client, link, "Langer.Name@example.org"))
    assert "Bitte wählen Sie ein anderes Passwort." in html
    assert can_login(app, user.email, PASSWORD)


def test_reset_ends_other_sessions(client, other_client):
    user = make_user()
    login(other_client, user, remember=True)
    assert is_signed_in(other_client)
    link = reset_link(client, user)
    assert set_password(client, link).status_code == 302
    assert not is_signed_in(other_client)
    other_client.delete_cookie("sp_session")
    assert not is_signed_in(other_client)


def test_reset_signs_out_the_browser_that_used_the_link(client):
    user = make_user()
    login(client, user)
    link = reset_link(client, user)
    set_password(client, link)
    assert not is_signed_in(client)


@pytest.mark.parametrize("status", ["suspended", "pending", "invited", "deleted"])
def test_inactive_accounts_get_no_reset_mail(client, status):
    user = make_user(status=status)
    response = request_reset(client, user.email)
    assert response.status_code == 302
    assert RESET_SENT in page(client.get("/anmelden"))
    assert outbox(to=user.email) == []


def test_link_of_account_suspended_meanwhile_is_refused(client, app):
    admin = make_user(role="admin")
    user = make_user()
    link = reset_link(client, user)
    with admin_request():
        suspend_user(admin, user.id, "Prüfung")
    assert client.get(link).status_code == 404
    response = set_password(client, link)
    assert response.status_code == 404 and INVALID_LINK in page(response)
    assert reload(user).status == "suspended"
    assert not can_login(app, user.email, NEW_PASSWORD)


def test_forgot_password_is_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_FORM_LIMIT_PER_IP", "2 per hour")
    for _ in range(2):
        assert request_reset(client, "x@example.org").status_code == 302
    response = request_reset(client, "x@example.org")
    assert response.status_code == 429
    assert "Zu viele Anfragen" in page(response)


def test_invalid_address_shows_german_error(client):
    html = page(request_reset(client, "keine adresse"))
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in html
