"""Signing in and out: messages, cookies, safe redirects, inactive accounts, rate limits."""
from datetime import timedelta

import pytest

from sozialplanung.accounts.models import UserStatus
from sozialplanung.admin.services import reactivate_user, suspend_user
from sozialplanung.extensions import db
from sozialplanung.timeutil import utcnow

from ..conftest import login
from ..factories import make_user
from .support import (
    PASSWORD, admin_request, audit_actions, cookie_header, csrf_token, is_signed_in, page,
    reload,
)

LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist nicht korrekt."
SUSPENDED = "Ihr Zugang ist gesperrt."
UNCONFIRMED = "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse"
AWAITING_APPROVAL = "Ihr Zugang wartet noch auf die Freischaltung durch die Administration."
TOO_MANY = "Zu viele Anfragen"


def post_login(client, email, password=PASSWORD, remember=False, url="/anmelden", **kwargs):
    return client.post(url, data={"email": email, "password": password,
                                  "remember": "y" if remember else ""}, **kwargs)


# --- success and failure ----------------------------------------------------------------

def test_login_page_is_german_and_public(client):
    response = client.get("/anmelden")
    html = page(response)
    assert response.status_code == 200
    assert "Anmelden" in html and "Angemeldet bleiben" in html and "Passwort vergessen?" in html


def test_login_success_greets_member_and_records_it(client):
    user = make_user(display_name="Dana Beispiel")
    response = post_login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    html = page(client.get("/"))
    assert "Willkommen, Dana Beispiel!" in html
    assert is_signed_in(client)
    assert reload(user).last_seen_at is not None
    assert "login" in audit_actions()


def test_signed_in_member_opening_login_page_goes_to_dashboard(client):
    user = make_user()
    login(client, user)
    response = client.get("/anmelden")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("email, password", [
    ("niemand@example.org", PASSWORD),      # unknown address
    ("{known}", "Falsches-Passwort-99"),    # known address, wrong password
])
def test_login_failure_shows_one_generic_message(client, email, password):
    user = make_user()
    response = post_login(client, email.format(known=user.email), password)
    html = page(response)
    assert response.status_code == 200
    assert LOGIN_FAILED in html
    assert "gesperrt" not in html and "Freischaltung" not in html
    assert not is_signed_in(client)


def test_unknown_email_and_wrong_password_pages_are_identical(client):
    user = make_user(email="bekannt@example.org")
    wrong_password = page(post_login(client, "bekannt@example.org", "Falsches-Passwort-99"))
    unknown = page(post_login(client, "unbekannt@example.org", "Falsches-Passwort-99"))
    assert wrong_password.replace("bekannt@example.org", "X") == \
        unknown.replace("unbekannt@example.org", "X")
    assert "login_failed" in audit_actions()
    assert reload(user).last_seen_at is None


def test_login_form_errors_are_german(client):
    html = page(post_login(client, "keine-adresse", ""))
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in html
    assert "Bitte füllen Sie dieses Feld aus." in html


def test_login_email_is_case_insensitive(client):
    user = make_user(email="gross.klein@example.org")
    response = post_login(client, "  Gross.Klein@EXAMPLE.org ", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)
    assert reload(user).last_seen_at is not None


# --- cookies ----------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite_lax_without_remember_cookie(client):
    user = make_user()
    response = post_login(client, user.email)
    session_cookie = cookie_header(response, "sp_session")
    assert session_cookie is not None
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert cookie_header(response, "sp_remember") is None


def test_remember_me_sets_long_lived_remember_cookie(client):
    user = make_user()
    response = post_login(client, user.email, remember=True)
    remember = cookie_header(response, "sp_remember")
    assert remember is not None
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    assert "Expires=" in remember
    # A browser restart drops the session cookie; the remember cookie signs in again.
    client.delete_cookie("sp_session")
    assert is_signed_in(client)


def test_remember_cookie_stops_working_when_account_is_suspended(client):
    admin = make_user(role="admin")
    user = make_user()
    post_login(client, user.email, remember=True)
    client.delete_cookie("sp_session")
    with admin_request():
        suspend_user(admin, user.id, "Missbrauch")
    assert not is_signed_in(client)


# --- logout -----------------------------------------------------------------------------

def test_logout_needs_post(client):
    user = make_user()
    login(client, user)
    response = client.get("/abmelden")
    assert response.status_code == 405
    assert "Aktion nicht erlaubt" in page(response)
    assert is_signed_in(client)


def test_logout_ends_session_and_remember_cookie(client):
    user = make_user()
    login(client, user, remember=True)
    response = client.post("/abmelden", follow_redirects=True)
    assert response.request.path == "/anmelden"
    assert "Sie haben sich abgemeldet." in page(response)
    assert not is_signed_in(client)
    client.delete_cookie("sp_session")
    assert not is_signed_in(client)


def test_logout_without_csrf_token_is_refused(csrf_client):
    user = make_user()
    token = csrf_token(csrf_client, "/anmelden")
    response = csrf_client.post("/anmelden", data={"email": user.email, "password": PASSWORD,
                                                   "csrf_token": token})
    assert response.status_code == 302
    response = csrf_client.post("/abmelden")
    assert response.status_code == 400
    assert "Sicherheits-Token" in page(response)
    assert is_signed_in(csrf_client)
    token = csrf_token(csrf_client, "/profil")
    assert csrf_client.post("/abmelden", data={"csrf_token": token}).status_code == 302
    assert not is_signed_in(csrf_client)


def test_login_without_csrf_token_is_refused(csrf_client):
    user = make_user()
    response = post_login(csrf_client, user.email)
    assert response.status_code == 400
    assert not is_signed_in(csrf_client)


# --- ?next= -----------------------------------------------------------------------------

def test_member_page_redirects_to_login_and_back(client):
    user = make_user()
    response = client.get("/mitglieder?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden?next=")
    html = page(client.get(response.headers["Location"]))
    assert "Bitte melden Sie sich an, um diese Seite zu sehen." in html
    response = post_login(client, user.email, url=response.headers["Location"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/mitglieder?page=2"


@pytest.mark.parametrize("target", [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/pfad",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "///evil.example",
])
def test_next_never_leaves_the_site(client, target):
    user = make_user()
    response = client.post("/anmelden", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- accounts that may not sign in ------------------------------------------------------

def test_suspended_member_gets_message_and_no_session(client):
    user = make_user(status="suspended")
    html = page(post_login(client, user.email))
    assert SUSPENDED in html
    assert not is_signed_in(client)


def test_suspension_is_only_revealed_with_the_right_password(client):
    user = make_user(status="suspended")
    html = page(post_login(client, user.email, "Falsches-Passwort-99"))
    assert LOGIN_FAILED in html and SUSPENDED not in html


def test_suspension_by_admin_ends_running_session(client):
    admin = make_user(role="admin")
    user = make_user()
    login(client, user)
    with admin_request():
        suspend_user(admin, user.id, "Beiträge mit Werbung")
    response = client.get("/profil")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert SUSPENDED in page(post_login(client, user.email))


def test_suspension_via_model_ends_running_session(client):
    user = make_user()
    login(client, user)
    user.status = UserStatus.SUSPENDED
    user.rotate_session_token()
    db.session.commit()
    assert not is_signed_in(client)


def test_reactivated_member_can_sign_in_again(client):
    admin = make_user(role="admin")
    user = make_user()
    with admin_request():
        suspend_user(admin, user.id, "Prüfung")
        reactivate_user(admin, user.id)
    assert post_login(client, user.email).status_code == 302


def test_expired_suspension_ends_at_next_login(client):
    user = make_user(status="suspended", suspended_reason="Pause",
                     suspended_until=utcnow() - timedelta(minutes=1))
    assert post_login(client, user.email).status_code == 302
    user = reload(user)
    assert user.status == UserStatus.ACTIVE and user.suspended_until is None
    assert "suspension_expired" in audit_actions()


def test_running_suspension_is_kept(client):
    user = make_user(status="suspended", suspended_until=utcnow() + timedelta(days=1))
    assert SUSPENDED in page(post_login(client, user.email))
    assert reload(user).status == UserStatus.SUSPENDED


def test_pending_unconfirmed_member_is_asked_to_confirm(client):
    user = make_user(status="pending")
    html = page(post_login(client, user.email))
    assert UNCONFIRMED in html
    assert not is_signed_in(client)


def test_pending_confirmed_member_waits_for_approval(client):
    user = make_user(status="pending")
    user.email_confirmed_at = utcnow()
    db.session.commit()
    html = page(post_login(client, user.email))
    assert AWAITING_APPROVAL in html
    assert not is_signed_in(client)


@pytest.mark.parametrize("password", [None, PASSWORD])
def test_invited_member_cannot_sign_in_and_gets_generic_message(client, password):
    user = make_user(status="invited", password=password)
    html = page(post_login(client, user.email))
    assert LOGIN_FAILED in html
    assert not is_signed_in(client)


def test_deleted_account_gets_generic_message(client):
    user = make_user(status="deleted")
    assert LOGIN_FAILED in page(post_login(client, user.email))
    assert not is_signed_in(client)


# --- rate limits ------------------------------------------------------------------------

def test_login_is_limited_per_account_across_addresses(client):
    user = make_user()
    for n in range(5):
        response = post_login(client, user.email, "Falsches-Passwort-99",
                              environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"})
        assert response.status_code == 200
    # Even with the right password and from a new address: the account is locked for now.
    response = post_login(client, user.email.upper(), PASSWORD,
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 429
    assert TOO_MANY in page(response)
    assert "Bitte warten Sie einige Minuten" in page(response)
    assert not is_signed_in(client)
    # Another member is not affected.
    other = make_user()
    assert post_login(client, other.email,
                      environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


def test_login_is_limited_per_ip_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "3 per 5 minutes")
    users = [make_user() for _ in range(4)]
    for user in users[:3]:
        response = post_login(client, user.email, "Falsches-Passwort-99",
                              environ_base={"REMOTE_ADDR": "203.0.113.5"})
        assert response.status_code == 200
    response = post_login(client, users[3].email, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert response.status_code == 429
    assert TOO_MANY in page(response)
    # Showing the form is not limited, and another address may still sign in.
    assert client.get("/anmelden", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 200
    assert post_login(client, users[3].email,
                      environ_base={"REMOTE_ADDR": "203.0.113.6"}).status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limits(client, app, monkeypatch):
    """One person on several devices, or colleagues behind one office address."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "3 per 5 minutes")
    user = make_user()
    for _ in range(8):
        assert post_login(client, user.email,
                          environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302
        client.post("/abmelden")
