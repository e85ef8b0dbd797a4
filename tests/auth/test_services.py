"""Unit tests of the sign-in services: tokens, password rules, authentication."""
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sozialplanung.accounts.models import UserStatus
from sozialplanung.admin.services import invite_user
from sozialplanung.auth import services
from sozialplanung.auth.models import AuthToken, TokenPurpose
from sozialplanung.auth.passwords import verify_password
from sozialplanung.errors import ValidationError
from sozialplanung.extensions import db
from sozialplanung.timeutil import utcnow

from ..factories import make_user
from .support import NEW_PASSWORD, PASSWORD, count_users, reload, tokens

RESET = TokenPurpose.PASSWORD_RESET


@pytest.fixture(autouse=True)
def _request(app):
    """Services run inside a request, as from the pages (see support.admin_request)."""
    with app.test_request_context("/"):
        yield


def issue(user, purpose=RESET, **kwargs):
    raw = services.issue_token(user, purpose, **kwargs)
    db.session.commit()
    return raw


# --- tokens -----------------------------------------------------------------------------

def test_only_the_hash_of_a_token_is_stored(app):
    user = make_user()
    raw = issue(user)
    [token] = tokens(user, RESET)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (token.token_hash, token.new_email or "")
    assert len(raw) >= 40
    hours = app.config["TOKEN_HOURS_PASSWORD_RESET"]
    assert token.expires_at - token.created_at == timedelta(hours=hours)


def test_peek_finds_a_valid_token_without_using_it(app):
    user = make_user()
    raw = issue(user)
    assert services.peek_token(raw, RESET).user_id == user.id
    assert services.peek_token(raw, RESET).used_at is None


@pytest.mark.parametrize("raw", ["", None, "x" * 201, "unbekannt"])
def test_peek_refuses_unknown_and_malformed_tokens(app, raw):
    make_user()
    assert services.peek_token(raw, RESET) is None


def test_token_is_bound_to_its_purpose(app):
    user = make_user()
    raw = issue(user, RESET)
    for purpose in (TokenPurpose.INVITATION, TokenPurpose.EMAIL_CHANGE,
                    TokenPurpose.REGISTRATION):
        assert services.peek_token(raw, purpose) is None


def test_expired_token_is_refused(app):
    user = make_user()
    raw = issue(user)
    db.session.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert services.peek_token(raw, RESET) is None
    with pytest.raises(ValidationError):
        services.reset_password(raw, NEW_PASSWORD)


@pytest.mark.parametrize("purpose, status", [
    (TokenPurpose.PASSWORD_RESET, "suspended"),
    (TokenPurpose.PASSWORD_RESET, "pending"),
    (TokenPurpose.EMAIL_CHANGE, "suspended"),
    (TokenPurpose.INVITATION, "active"),
    (TokenPurpose.REGISTRATION, "active"),
])
def test_token_of_account_in_wrong_state_is_refused(app, purpose, status):
    user = make_user(status=status)
    raw = issue(user, purpose)
    assert services.peek_token(raw, purpose) is None


def test_new_token_replaces_older_one_of_same_purpose_only(app):
    user = make_user()
    first = issue(user, RESET)
    change = issue(user, TokenPurpose.EMAIL_CHANGE, new_email="neu@example.org")
    second = issue(user, RESET)
    assert services.peek_token(first, RESET) is None
    assert services.peek_token(second, RESET) is not None
    assert services.peek_token(change, TokenPurpose.EMAIL_CHANGE) is not None


def test_token_is_single_use(app):
    user = make_user()
    raw = issue(user)
    services.reset_password(raw, NEW_PASSWORD)
    with pytest.raises(ValidationError) as second:
        services.reset_password(raw, "Noch-ein-Passwort-3")
    assert "bereits verwendet" in second.value.message
    assert verify_password(reload(user).password_hash, NEW_PASSWORD)


def test_token_claimed_concurrently_is_not_used_twice(app):
    """Two requests with the same link: the one that loses the race gets nothing."""
    user = make_user()
    raw = issue(user)
    token = services.peek_token(raw, RESET)  # this request has read the token ...
    assert token.used_at is None
    with db.engine.begin() as other_request:  # ... when another request claims it
        claimed = other_request.execute(
            update(AuthToken).where(AuthToken.id == token.id, AuthToken.used_at.is_(None))
            .values(used_at=utcnow())).rowcount
    assert claimed == 1
    with pytest.raises(ValidationError):
        services._use_token(raw, RESET)
    db.session.rollback()


def test_invitation_refuses_a_name_in_use_and_keeps_the_link(app):
    admin = make_user(role="admin", display_name="Katrin Vogel")
    invited = invite_user(admin, email="neu2@example.org", display_name="Neu",
                          organisation_id=None, role="member")
    raw = issue(invited, TokenPurpose.INVITATION)
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(raw, "Katrin Vogel", NEW_PASSWORD)
    assert "bereits von einem anderen Mitglied verwendet" in error.value.message
    services.accept_invitation(raw, "Katrin Vogel-Schmidt", NEW_PASSWORD)
    assert reload(invited).status == UserStatus.ACTIVE


def test_invitation_is_single_use(app):
    admin = make_user(role="admin")
    invited = invite_user(admin, email="neu@example.org", display_name="Neu",
                          organisation_id=None, role="member")
    raw = issue(invited, TokenPurpose.INVITATION)
    services.accept_invitation(raw, "Nora Neu", NEW_PASSWORD)
    with pytest.raises(ValidationError):
        services.accept_invitation(raw, "Jemand", "Anderes-Passwort-77")
    user = reload(invited)
    assert user.display_name == "Nora Neu" and user.status == UserStatus.ACTIVE


def test_failed_validation_keeps_the_token(app):
    user = make_user()
    raw = issue(user)
    with pytest.raises(ValidationError):
        services.reset_password(raw, "kurz")
    assert services.peek_token(raw, RESET) is not None


def test_new_password_revokes_open_reset_and_email_change_links(app):
    user = make_user()
    reset = issue(user, RESET)
    change = issue(user, TokenPurpose.EMAIL_CHANGE, new_email="fremd@example.org")
    services.change_password(user, PASSWORD, NEW_PASSWORD)
    assert services.peek_token(reset, RESET) is None
    assert services.peek_token(change, TokenPurpose.EMAIL_CHANGE) is None


def test_new_password_must_differ_from_the_current_one(app):
    user = make_user()
    with pytest.raises(ValidationError) as error:
        services.change_password(user, PASSWORD, PASSWORD)
    assert error.value.message == "Das neue Passwort muss sich vom bisherigen unterscheiden."


def test_password_made_of_the_own_name_is_refused(app):
    with pytest.raises(ValidationError):
        services.validate_password_strength("AnjaHoffmann", "a.hoffmann@example.org",
                                            ["Anja Hoffmann"])


# --- password strength ------------------------------------------------------------------

@pytest.mark.parametrize("password", [None, "", "123456789", "x" * 201])
def test_weak_or_overlong_passwords_are_refused(app, password):
    with pytest.raises(ValidationError) as error:
        services.validate_password_strength(password)
    assert set(error.value.errors) == {"password"}
    assert "Zeichen" in error.value.message


def test_minimum_length_boundary(app):
    services.validate_password_strength("Kz7#pQ2!vR")
    services.validate_password_strength(("Kz7#pQ2!vR" * 20)[:200])
    with pytest.raises(ValidationError):
        services.validate_password_strength("Kz7#pQ2!v")


def test_minimum_length_follows_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", 16)
    with pytest.raises(ValidationError) as error:
        services.validate_password_strength("Kz7#pQ2!vRw8%Lm")
    assert error.value.message == "Das Passwort muss mindestens 16 Zeichen lang sein."
    services.validate_password_strength("Kz7#pQ2!vRw8%Lm4")


@pytest.mark.parametrize("password", ["1234567890", "aaaaaaaaaa", "passwort123", "qwertzuiop",
                                      "hallohallo", "abcdefghijk", "planer2026!"])
def test_guessable_passwords_are_refused(app, password):
    with pytest.raises(ValidationError) as error:
        services.validate_password_strength(password, "planer@example.org")
    assert error.value.message.startswith("Dieses Passwort ist zu leicht zu erraten.")


@pytest.mark.parametrize("password", ["planer@example.org", " Planer@Example.ORG "])
def test_password_may_not_be_the_email_address(app, password):
    with pytest.raises(ValidationError) as error:
        services.validate_password_strength(password, "planer@example.org")
    assert error.value.message == "Das Passwort darf nicht Ihre E-Mail-Adresse sein."


# --- authentication ---------------------------------------------------------------------

def test_unknown_email_and_wrong_password_raise_the_same_message(app):
    user = make_user()
    messages = []
    for email, password in (("niemand@example.org", PASSWORD), (user.email, "falsch-falsch")):
        with pytest.raises(ValidationError) as error:
            services.authenticate(email, password)
        messages.append(error.value.message)
    assert messages[0] == messages[1] == "E-Mail-Adresse oder Passwort ist nicht korrekt."


def test_authenticate_upgrades_outdated_hash(app, monkeypatch):
    user = make_user()
    old_hash = user.password_hash
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 2)
    services.authenticate(user.email, PASSWORD)
    new_hash = reload(user).password_hash
    assert new_hash != old_hash and "t=2" in new_hash
    assert verify_password(new_hash, PASSWORD)


def test_normalize_and_domain(app):
    assert services.normalize_email("  Planer@LRA-Weimarer-Land.DE ") == \
        "planer@lra-weimarer-land.de"
    assert services.email_domain("Planer@LRA-Weimarer-Land.DE") == "lra-weimarer-land.de"
    assert services.normalize_email(None) == ""


# --- registration and email change ------------------------------------------------------

def test_register_existing_address_creates_nothing(app):
    make_user(email="bestand@example.org")
    before = count_users()
    assert services.register("BESTAND@example.org", "Jemand", None, "", NEW_PASSWORD) is None
    assert count_users() == before


def test_register_refuses_unknown_organisation(app):
    with pytest.raises(ValidationError) as error:
        services.register("neu@example.org", "Neu", 999999, "", NEW_PASSWORD)
    assert "organisation_id" in error.value.errors
    assert count_users() == 0


def test_register_refused_when_disabled(app, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_ENABLED", False)
    with pytest.raises(ValidationError):
        services.register("neu@example.org", "Neu", None, "", NEW_PASSWORD)
    assert count_users() == 0


def test_email_change_to_taken_address_issues_no_token(app):
    user = make_user()
    make_user(email="vergeben@example.org")
    services.request_email_change(user, "vergeben@example.org", PASSWORD)
    assert tokens(user, TokenPurpose.EMAIL_CHANGE) == []


def test_confirming_email_change_to_address_taken_meanwhile_changes_nothing(app):
    user = make_user(email="alt@example.org")
    raw = issue(user, TokenPurpose.EMAIL_CHANGE, new_email="neu@example.org")
    make_user(email="neu@example.org")
    with pytest.raises(ValidationError):
        services.confirm_email_change(raw)
    assert reload(user).email == "alt@example.org"
    assert db.session.scalar(select(AuthToken.used_at)) is None
