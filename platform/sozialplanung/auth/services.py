"""Sign-in, password reset, self-registration, invitations and email/password changes."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from zxcvbn import zxcvbn

from ..accounts.models import SiteRole, User, UserStatus
from ..accounts.names import clean_display_name, ensure_name_is_free, name_holder
from ..accounts.services import get_organisation
from ..admin.audit import record_audit
from ..errors import ValidationError
from ..extensions import db
from ..notifications.mail import enqueue_mail
from ..timeutil import utcnow
from .models import AuthToken, TokenPurpose
from .passwords import hash_password, needs_rehash, verify_password

# zxcvbn score 0-4; 3 = "safely unguessable" (about 10^8 guesses and more).
PASSWORD_MIN_SCORE = 3
LOGIN_FAILED = _l("E-Mail-Adresse oder Passwort ist nicht korrekt.")
TOKEN_INVALID = _l("Der Link ist ungültig, abgelaufen oder wurde bereits verwendet. "
                   "Bitte fordern Sie einen neuen an.")
TOKEN_HOURS = {
    TokenPurpose.PASSWORD_RESET: "TOKEN_HOURS_PASSWORD_RESET",
    TokenPurpose.INVITATION: "TOKEN_HOURS_INVITATION",
    TokenPurpose.EMAIL_CHANGE: "TOKEN_HOURS_EMAIL_CHANGE",
    TokenPurpose.REGISTRATION: "TOKEN_HOURS_EMAIL_CHANGE",
}
# A link only works while its account is in the state the link was made for: a reset link
# of an account suspended meanwhile, or an invitation already accepted, is refused.
TOKEN_USER_STATUS = {
    TokenPurpose.PASSWORD_RESET: UserStatus.ACTIVE,
    TokenPurpose.INVITATION: UserStatus.INVITED,
    TokenPurpose.EMAIL_CHANGE: UserStatus.ACTIVE,
    TokenPurpose.REGISTRATION: UserStatus.PENDING,
}


def normalize_email(email):
    return (email or "").strip().lower()


def find_user_by_email(email):
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def email_domain(email):
    return normalize_email(email).rpartition("@")[2]


# --- tokens -------------------------------------------------------------------------------

def _hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user, purpose, new_email=None):
    """Create a single-use token; earlier unused tokens of the same purpose stop working."""
    _revoke_tokens(user, purpose)
    now = utcnow()
    raw = secrets.token_urlsafe(32)
    hours = current_app.config[TOKEN_HOURS[purpose]]
    db.session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_hash_token(raw),
                             new_email=new_email, created_at=now,
                             expires_at=now + timedelta(hours=hours)))
    db.session.flush()
    return raw


def _revoke_tokens(user, *purposes):
    """Unused links of these purposes stop working (marked used, so the history stays)."""
    db.session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose.in_(purposes),
               AuthToken.used_at.is_(None))
        .values(used_at=utcnow()))


def _find_token(raw, purpose):
    if not raw or len(raw) > 200:
        return None
    return db.session.scalar(select(AuthToken).where(
        AuthToken.token_hash == _hash_token(raw), AuthToken.purpose == purpose))


def peek_token(raw, purpose):
    """The valid token for a link (or None), without using it: for showing the form.

    Valid means: unused, not expired, and its account still in the expected state.
    """
    token = _find_token(raw, purpose)
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    if token.user.status != TOKEN_USER_STATUS[purpose]:
        return None
    return token


def is_superseded(raw, purpose):
    """True if a newer link of the same kind was sent to this account after this one (and
    the account still waits for such a link), so the page can point to the newest mail.

    Only someone who has the older link asks; it came by mail, so they learn nothing the
    mailbox does not already show.
    """
    token = _find_token(raw, purpose)
    if token is None or token.user.status != TOKEN_USER_STATUS[purpose]:
        return False
    return db.session.scalar(select(AuthToken.id).where(
        AuthToken.user_id == token.user_id, AuthToken.purpose == purpose,
        AuthToken.created_at > token.created_at).limit(1)) is not None


def _use_token(raw, purpose):
    """Mark a token used in the current transaction; a concurrent second use finds nothing."""
    token = peek_token(raw, purpose)
    if token is None:
        raise ValidationError(str(TOKEN_INVALID))
    claimed = db.session.execute(
        update(AuthToken).where(AuthToken.id == token.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())).rowcount
    if claimed != 1:
        raise ValidationError(str(TOKEN_INVALID))
    return token


# --- sign-in --------------------------------------------------------------------------------

def authenticate(email, password, ip_address=""):
    """Return the active user for these credentials or raise ValidationError (one message)."""
    user = find_user_by_email(email)
    if user is None or not verify_password(user.password_hash, password or ""):
        if user is not None:
            record_audit(user, "login_failed", user, ip_address=ip_address)
            db.session.commit()
        raise ValidationError(str(LOGIN_FAILED))
    # Only someone who knows the password learns the account's state.
    if user.status == UserStatus.SUSPENDED and user.suspended_until \
            and user.suspended_until <= utcnow():
        user.status = UserStatus.ACTIVE
        user.suspended_reason = ""
        user.suspended_until = None
        record_audit(None, "suspension_expired", user, ip_address=ip_address)
    if user.status == UserStatus.SUSPENDED:
        raise ValidationError(_("Ihr Zugang ist gesperrt. Bitte wenden Sie sich an die "
                                "Administration der Plattform."))
    if user.status == UserStatus.PENDING:
        if user.email_confirmed_at is None:
            raise ValidationError(_("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den "
                                    "Link, den wir Ihnen geschickt haben."))
        raise ValidationError(_("Ihr Zugang wartet noch auf die Freischaltung durch die "
                                "Administration. Sie erhalten eine E-Mail, sobald er "
                                "freigeschaltet ist."))
    if user.status != UserStatus.ACTIVE:
        raise ValidationError(str(LOGIN_FAILED))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_seen_at = utcnow()
    record_audit(user, "login", user, ip_address=ip_address)
    db.session.commit()
    return user


def validate_password_strength(password, user_email="", user_inputs=()):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise ValidationError(
            _("Das Passwort muss mindestens %(n)s Zeichen lang sein.", n=minimum),
            {"password": _("Mindestens %(n)s Zeichen.", n=minimum)})
    if len(password) > 200:
        raise ValidationError(_("Das Passwort darf höchstens 200 Zeichen lang sein."),
                              {"password": _("Höchstens 200 Zeichen.")})
    if user_email and password.strip().lower() == normalize_email(user_email):
        raise ValidationError(_("Das Passwort darf nicht Ihre E-Mail-Adresse sein."),
                              {"password": _("Bitte wählen Sie ein anderes Passwort.")})
    # Length alone lets "1234567890" and "aaaaaaaaaa" through: zxcvbn estimates how fast a
    # guesser finds it (sequences, repeats, keyboard rows, common words, the own name).
    hints = [user_email, user_email.split("@")[0], *user_inputs] if user_email else user_inputs
    # zxcvbn refuses more than 72 characters; the first 72 of a strong password are strong too.
    if zxcvbn(password[:72], user_inputs=[h for h in hints if h])["score"] < PASSWORD_MIN_SCORE:
        raise ValidationError(
            _("Dieses Passwort ist zu leicht zu erraten. Nehmen Sie zum Beispiel mehrere Wörter, "
              "die nicht zusammengehören, mit Zahlen oder Zeichen dazwischen."),
            {"password": _("Zu leicht zu erraten.")})


# --- password reset -------------------------------------------------------------------------

def request_password_reset(email, ip_address=""):
    """Queue a reset link if an active account has this email. Callers show one message either way."""
    user = find_user_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE:
        return
    raw = issue_token(user, TokenPurpose.PASSWORD_RESET)
    enqueue_mail(user.email, "password_reset", locale=user.locale, user=user, token=raw,
                 hours=current_app.config["TOKEN_HOURS_PASSWORD_RESET"])
    record_audit(user, "password_reset_requested", user, ip_address=ip_address)
    db.session.commit()


def reset_password(raw_token, password, ip_address=""):
    token = peek_token(raw_token, TokenPurpose.PASSWORD_RESET)
    if token is not None:
        validate_password_strength(password, token.user.email)
    user = _use_token(raw_token, TokenPurpose.PASSWORD_RESET).user
    _set_password(user, password)
    record_audit(user, "password_reset", user, ip_address=ip_address)
    enqueue_mail(user.email, "password_changed", locale=user.locale, user=user)
    db.session.commit()
    return user


def _set_password(user, password):
    user.password_hash = hash_password(password)
    user.rotate_session_token()  # every other session and remember-cookie ends
    # Whoever knew the old password may have asked for a link to an address of theirs;
    # after a new password such links must not take the account over.
    _revoke_tokens(user, TokenPurpose.PASSWORD_RESET, TokenPurpose.EMAIL_CHANGE)


# --- invitations ----------------------------------------------------------------------------

def accept_invitation(raw_token, display_name, password, ip_address=""):
    """The invited person confirms their name and sets a password. The name is checked as it
    will be stored: with a zero-width space or a double space, "Anja Hoffmann" is still taken."""
    token = peek_token(raw_token, TokenPurpose.INVITATION)
    if token is None:
        raise ValidationError(str(TOKEN_INVALID))
    name = clean_display_name(display_name)
    validate_password_strength(password, token.user.email, [name])
    ensure_name_is_free(name, token.user.id)
    user = _use_token(raw_token, TokenPurpose.INVITATION).user
    user.display_name = name
    _set_password(user, password)
    user.status = UserStatus.ACTIVE
    user.email_confirmed_at = utcnow()
    record_audit(user, "invitation_accepted", user, ip_address=ip_address)
    db.session.commit()
    return user


# --- self-registration ----------------------------------------------------------------------

def register(email, display_name, organisation_id, position, password, ip_address=""):
    """Create a pending account and send a confirmation link.

    If the address is already registered, the owner gets a hint mail instead and the
    caller shows the same message, so nobody learns which addresses exist. A registration
    whose link expired unconfirmed may be repeated: the new details replace the old ones
    and a fresh link goes out. While a link is still valid, a second registration changes
    nothing, so nobody can slip their own password under someone else's pending link.
    A name a member already uses is refused (see accounts.names), whatever the address.
    """
    if not current_app.config["REGISTRATION_ENABLED"]:
        raise ValidationError(_("Die Selbstregistrierung ist derzeit nicht möglich."))
    email = normalize_email(email)
    name = clean_display_name(display_name)
    position = _validate_position(position)
    validate_password_strength(password, email)
    org = get_organisation(organisation_id)
    # Checked before the address is looked up: the answer is the same for every address.
    ensure_name_is_free(name)
    password_hash = hash_password(password)  # for known addresses too: the same time taken
    user = find_user_by_email(email)
    if user is not None and not _is_abandoned_registration(user):
        enqueue_mail(user.email, "registration_exists", locale=user.locale, user=user)
        db.session.commit()
        return None
    if user is None:
        user = User(email=email, status=UserStatus.PENDING, role=SiteRole.MEMBER)
        db.session.add(user)
    user.display_name = name
    user.organisation_id = org.id if org else None
    user.position = position
    user.password_hash = password_hash
    db.session.flush()
    raw = issue_token(user, TokenPurpose.REGISTRATION)
    enqueue_mail(user.email, "registration_confirm", locale=user.locale, user=user, token=raw)
    record_audit(user, "registered", user, ip_address=ip_address)
    db.session.commit()
    return user


def _is_abandoned_registration(user):
    """Pending, never confirmed, and no confirmation link left that still works."""
    if user.status != UserStatus.PENDING or user.email_confirmed_at is not None:
        return False
    live_link = db.session.scalar(select(AuthToken.id).where(
        AuthToken.user_id == user.id, AuthToken.purpose == TokenPurpose.REGISTRATION,
        AuthToken.used_at.is_(None), AuthToken.expires_at > utcnow()).limit(1))
    return live_link is None


def _validate_position(position):
    position = (position or "").strip()
    if len(position) > 200:
        raise ValidationError(_("Die Funktion darf höchstens 200 Zeichen lang sein."),
                              {"position": _("Höchstens 200 Zeichen.")})
    return position


def confirm_registration(raw_token, ip_address=""):
    """Confirm the address; official domains are approved at once, others wait for an admin.

    So does an official address whose name a member took since the registration: the admin
    sees the clash and decides.
    """
    user = _use_token(raw_token, TokenPurpose.REGISTRATION).user
    user.email_confirmed_at = utcnow()
    if email_domain(user.email) in current_app.config["AUTO_APPROVE_DOMAINS"] \
            and name_holder(user.display_name, user.id) is None:
        user.status = UserStatus.ACTIVE
        record_audit(user, "registration_auto_approved", user, ip_address=ip_address,
                     summary=email_domain(user.email))
    else:
        for admin in _active_admins():
            enqueue_mail(admin.email, "registration_pending_admin", locale=admin.locale,
                         admin=admin, user=user)
        record_audit(user, "registration_confirmed", user, ip_address=ip_address)
    db.session.commit()
    return user


def _active_admins():
    return db.session.scalars(select(User).where(
        User.role == SiteRole.ADMIN, User.status == UserStatus.ACTIVE)).all()


# --- own account: password and email --------------------------------------------------------

def change_password(user, current_password, new_password, ip_address=""):
    """Set a new password; the caller re-signs-in this session, all others end."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationError(_("Das aktuelle Passwort ist nicht korrekt."),
                              {"current_password": _("Das aktuelle Passwort ist nicht korrekt.")})
    validate_password_strength(new_password, user.email, [user.display_name])
    if verify_password(user.password_hash, new_password):
        raise ValidationError(_("Das neue Passwort muss sich vom bisherigen unterscheiden."),
                              {"password": _("Bitte wählen Sie ein anderes Passwort.")})
    _set_password(user, new_password)
    record_audit(user, "password_changed", user, ip_address=ip_address)
    enqueue_mail(user.email, "password_changed", locale=user.locale, user=user)
    db.session.commit()


def request_email_change(user, new_email, current_password, ip_address=""):
    """Send a confirmation link to the new address; the old one stays until it is confirmed.

    The old address is told in every case. If the new address already belongs to an
    account, its owner gets a hint instead of a link, and the requester sees the same
    message and the same mails as otherwise, so nobody learns which addresses exist.
    """
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationError(_("Das Passwort ist nicht korrekt."),
                              {"current_password": _("Das Passwort ist nicht korrekt.")})
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise ValidationError(_("Das ist bereits Ihre E-Mail-Adresse."),
                              {"email": _("Das ist bereits Ihre E-Mail-Adresse.")})
    owner = find_user_by_email(new_email)
    if owner is None:
        raw = issue_token(user, TokenPurpose.EMAIL_CHANGE, new_email=new_email)
        enqueue_mail(new_email, "email_change_confirm", locale=user.locale, user=user,
                     token=raw, new_email=new_email)
    else:
        enqueue_mail(owner.email, "email_change_exists", locale=owner.locale, user=owner)
    enqueue_mail(user.email, "email_change_notice", locale=user.locale, user=user,
                 new_email=new_email)
    record_audit(user, "email_change_requested", user, ip_address=ip_address)
    db.session.commit()


def confirm_email_change(raw_token, ip_address=""):
    token = _use_token(raw_token, TokenPurpose.EMAIL_CHANGE)
    user = token.user
    taken = db.session.scalar(select(func.count()).select_from(User).where(
        User.email == token.new_email, User.id != user.id))
    if taken:
        db.session.rollback()
        raise ValidationError(str(TOKEN_INVALID))
    old = user.email
    user.email = token.new_email
    record_audit(user, "email_changed", user, ip_address=ip_address,
                 summary=f"{old} → {user.email}")
    db.session.commit()
    return user
