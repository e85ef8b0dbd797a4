"""Admin use cases: invite, approve or reject, roles, suspensions; audit log, outbox, legal
pages."""
import re
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..accounts.erasure import erase_account
from ..accounts.models import ROLE_LABELS, SiteRole, User, UserStatus
from ..accounts.names import clean_display_name, ensure_name_is_free, name_holder
from ..accounts.services import check_suspension_end, get_organisation
from ..auth.models import TokenPurpose
from ..auth.passwords import hash_password
from ..auth.services import (find_user_by_email, issue_token, normalize_email,
                             validate_password_strength)
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..markup import render_markdown
from ..notifications.mail import enqueue_mail
from ..notifications.models import OutboxMail
from ..pages.models import SitePage
from ..policy import Action, require
from ..sql import contains_pattern, folded
from ..timeutil import utcnow
from .audit import record_audit
from .models import AuditLog

PAGE_SIZE = 50
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def search_users(actor, *, query="", status="", role="", page=1):
    require(actor, Action.MANAGE_USERS)
    stmt = select(User)
    text = (query or "").strip()[:100]
    if text:
        # SQLite's lower() folds ASCII only: also match the name as typed ("Özdemir").
        stmt = stmt.where(or_(func.lower(User.display_name).like(contains_pattern(text.lower()), escape="\\"),
                              User.display_name.like(contains_pattern(text), escape="\\"),
                              User.email.like(contains_pattern(text.lower()), escape="\\")))
    if status in {s.value for s in UserStatus}:
        stmt = stmt.where(User.status == status)
    if role in {r.value for r in SiteRole}:
        stmt = stmt.where(User.role == role)
    stmt = stmt.order_by(User.status != UserStatus.PENDING, folded(User.display_name), User.id)
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def count_pending(actor):
    require(actor, Action.MANAGE_USERS)
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.status == UserStatus.PENDING, User.email_confirmed_at.isnot(None)))


def get_user(actor, user_id):
    require(actor, Action.MANAGE_USERS)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def invite_user(actor, *, email, display_name, organisation_id, role, ip_address=""):
    """Create an invited account and mail a link to set the password.

    The name is a suggestion the invited person confirms; it follows the rules of every name,
    so the invitation does not start with a name another member has.
    """
    require(actor, Action.MANAGE_USERS)
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise ValidationError(_("Für diese E-Mail-Adresse gibt es bereits ein Konto."),
                              {"email": _("Für diese E-Mail-Adresse gibt es bereits ein Konto.")})
    _check_role(role)
    org = get_organisation(organisation_id)
    name = _new_account_name(display_name, email)
    user = User(email=email, display_name=name,
                organisation_id=org.id if org else None, role=role,
                status=UserStatus.INVITED)
    db.session.add(user)
    db.session.flush()
    _send_invitation(actor, user)
    record_audit(actor, "user_invited", user, ip_address=ip_address,
                 summary=f"{email} ({_role_label(role)})")
    db.session.commit()
    return user


def resend_invitation(actor, user_id, ip_address=""):
    """Mail a fresh invitation link; the earlier link stops working."""
    user = get_user(actor, user_id)
    if user.status != UserStatus.INVITED:
        raise Conflict(_("Für dieses Konto ist keine Einladung offen."))
    _send_invitation(actor, user)
    record_audit(actor, "invitation_resent", user, ip_address=ip_address)
    db.session.commit()


def _send_invitation(actor, user):
    raw = issue_token(user, TokenPurpose.INVITATION)
    enqueue_mail(user.email, "invitation", user=user, inviter=actor, token=raw,
                 days=current_app.config["TOKEN_HOURS_INVITATION"] // 24)


def _role_label(role):
    return str(ROLE_LABELS[SiteRole(role)])


def _check_role(role):
    if role not in {r.value for r in SiteRole}:
        raise ValidationError(_("Unbekannte Rolle."), {"role": _("Unbekannte Rolle.")})


def _new_account_name(display_name, email):
    """A cleaned, free name, or the address while none is given."""
    if not (display_name or "").strip():
        return email
    name = clean_display_name(display_name)
    ensure_name_is_free(name)
    return name


def approve_user(actor, user_id, ip_address=""):
    """Approve a self-registration whose email address has been confirmed.

    An unconfirmed address may belong to someone else than the person who registered,
    so approving it would hand that person an account in another's name. Nor is a
    registration approved whose name a member has taken since (registration checks it, but
    a member may have chosen it while the registration waited).
    """
    user = get_user(actor, user_id)
    if user.status != UserStatus.PENDING:
        raise Conflict(_("Dieses Konto wartet nicht (mehr) auf Freischaltung."))
    if user.email_confirmed_at is None:
        raise Conflict(_("Die E-Mail-Adresse ist noch nicht bestätigt. Freischalten können "
                         "Sie erst nach der Bestätigung; alternativ laden Sie die Person ein."))
    if name_holder(user.display_name, user.id) is not None:
        raise ValidationError(_(
            "Ein anderes Mitglied verwendet den Namen „%(name)s“ bereits; zwei Konten mit "
            "demselben Namen wären zu verwechseln. Lehnen Sie die Registrierung ab und bitten Sie "
            "die Person, sich mit einem unterscheidbaren Namen neu zu registrieren, zum Beispiel "
            "mit zweitem Vornamen oder Kommune.", name=user.display_name))
    user.status = UserStatus.ACTIVE
    enqueue_mail(user.email, "account_approved", locale=user.locale, user=user)
    record_audit(actor, "user_approved", user, ip_address=ip_address)
    db.session.commit()
    return user


def registration_name_holder(actor, user):
    """For a registration waiting for approval: the id of the member who has its name, or None."""
    require(actor, Action.MANAGE_USERS)
    if user.status != UserStatus.PENDING:
        return None
    return name_holder(user.display_name, user.id)


def reject_registration(actor, user_id, notify=True, reason="", ip_address=""):
    """Turn down a registration, or withdraw an invitation nobody accepted.

    Such an account never took part, so it keeps nothing: it is erased like a deleted one.
    The emptied row stays rather than being deleted: SQLite would give a deleted row's number
    to the next account, and the audit entries about it would then seem to be about that one.

    The person is told only if they registered themselves and confirmed the address: an
    unconfirmed address may belong to someone who never registered, and an invitation needs
    no answer. The admin's note goes into that mail only; the audit entry holds nothing about
    the person.
    """
    user = get_user(actor, user_id)
    if user.status == UserStatus.DELETED:
        raise Conflict(_("Dieses Konto ist bereits gelöscht."))
    if user.status not in (UserStatus.PENDING, UserStatus.INVITED):
        raise Conflict(_("Über dieses Konto ist bereits entschieden. Löschen Sie es bei Bedarf "
                         "mit „Konto löschen“."))
    invited = user.status == UserStatus.INVITED
    tell = notify and not invited and user.email_confirmed_at is not None
    address, name, locale = user.email, user.display_name, user.locale
    erase_account(user)
    if tell:  # after the erasure, which drops every mail still waiting for this address
        enqueue_mail(address, "registration_rejected", locale=locale, name=name,
                     reason=(reason or "").strip()[:500])
    record_audit(actor, "invitation_withdrawn" if invited else "registration_rejected", user,
                 ip_address=ip_address)
    db.session.commit()
    return user


def set_role(actor, user_id, role, ip_address=""):
    user = get_user(actor, user_id)
    _check_role(role)
    if user.status == UserStatus.DELETED:
        raise Conflict(_("Dieses Konto ist bereits gelöscht."))
    if user.id == actor.id and role != SiteRole.ADMIN:
        raise ValidationError(_("Sie können sich die Administrationsrolle nicht selbst entziehen."))
    if user.role == role:
        return user
    old = user.role
    user.role = role
    record_audit(actor, "role_changed", user, ip_address=ip_address,
                 summary=f"{_role_label(old)} → {_role_label(role)}")
    db.session.commit()
    return user


def suspend_user(actor, user_id, reason, until: datetime | None = None, ip_address=""):
    """Suspend an account: its sessions end at once, its content stays."""
    user = get_user(actor, user_id)
    if user.id == actor.id:
        raise ValidationError(_("Sie können Ihr eigenes Konto nicht sperren."))
    if user.status == UserStatus.SUSPENDED:
        raise Conflict(_("Dieses Konto ist bereits gesperrt."))
    if user.status != UserStatus.ACTIVE:
        # Reactivating would otherwise turn an open invitation into an active account.
        raise Conflict(_("Nur aktive Konten können gesperrt werden."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Bitte geben Sie einen Grund für die Sperre an."),
                              {"reason": _("Bitte geben Sie einen Grund an.")})
    check_suspension_end(until, by_admin=True)
    user.status = UserStatus.SUSPENDED
    user.suspended_reason = reason[:500]
    user.suspended_until = until
    user.rotate_session_token()
    record_audit(actor, "user_suspended", user, ip_address=ip_address, summary=reason[:500])
    db.session.commit()
    return user


def reactivate_user(actor, user_id, ip_address=""):
    user = get_user(actor, user_id)
    if user.status != UserStatus.SUSPENDED:
        raise Conflict(_("Dieses Konto ist nicht gesperrt."))
    user.status = UserStatus.ACTIVE
    user.suspended_reason = ""
    user.suspended_until = None
    record_audit(actor, "user_reactivated", user, ip_address=ip_address)
    db.session.commit()
    return user


def delete_user(actor, user_id, ip_address=""):
    """Delete a member's account on request, with the same erasure as the member's own.

    Admins delete their own account in their account settings, where the password is asked
    and the last admin is kept.
    """
    user = get_user(actor, user_id)
    if user.id == actor.id:
        raise ValidationError(_("Ihr eigenes Konto löschen Sie in Ihren Kontoeinstellungen "
                                "unter „Meine Daten“."))
    erase_account(user)
    record_audit(actor, "user_deleted", user, ip_address=ip_address)
    db.session.commit()
    return user


def audit_entries(actor, *, action="", page=1):
    require(actor, Action.VIEW_AUDIT_LOG)
    stmt = select(AuditLog)
    if action:
        stmt = stmt.where(AuditLog.action == action[:64])
    stmt = stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def audit_actions(actor):
    require(actor, Action.VIEW_AUDIT_LOG)
    return db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()


def update_site_page(actor, slug, *, title, body, ip_address=""):
    require(actor, Action.EDIT_SITE_PAGES)
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug))
    if page is None:
        raise NotFound()
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(_("Bitte geben Sie einen Titel mit höchstens 200 Zeichen an."),
                              {"title": _("Bitte geben Sie einen Titel an.")})
    page.title = title
    page.body_source = body or ""
    page.body_html = render_markdown(page.body_source)
    page.updated_at = utcnow()
    page.updated_by_id = actor.id
    record_audit(actor, "site_page_updated", page, ip_address=ip_address, summary=slug)
    db.session.commit()
    return page


def outbox_mails(actor, *, state="", page=1):
    require(actor, Action.MANAGE_OUTBOX)
    stmt = select(OutboxMail)
    if state == "queued":
        stmt = stmt.where(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
    elif state == "failed":
        stmt = stmt.where(OutboxMail.failed_at.isnot(None))
    elif state == "sent":
        stmt = stmt.where(OutboxMail.sent_at.isnot(None))
    stmt = stmt.order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def requeue_mail(actor, mail_id, ip_address=""):
    """Give a mail that ran out of attempts a fresh start."""
    require(actor, Action.MANAGE_OUTBOX)
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None:
        raise NotFound()
    if mail.failed_at is None:
        raise Conflict(_("Diese E-Mail ist nicht fehlgeschlagen."))
    mail.failed_at = None
    mail.attempts = 0
    mail.next_attempt_at = utcnow()
    record_audit(actor, "mail_requeued", mail, ip_address=ip_address, summary=mail.to_address)
    db.session.commit()
    return mail


def create_admin_account(email, display_name, password):
    """Command line: create an active admin, or promote an existing account and set its password.

    Every session of a promoted account ends, since its password changes. Returns
    (user, created).
    """
    email = normalize_email(email)
    if not EMAIL_SHAPE.match(email):
        raise ValidationError(_("Bitte geben Sie eine gültige E-Mail-Adresse an."),
                              {"email": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")})
    validate_password_strength(password, email)
    user = find_user_by_email(email)
    if user is not None and user.status == UserStatus.DELETED:
        raise ValidationError(_("Dieses Konto ist bereits gelöscht."))
    created = user is None
    if created:
        user = User(email=email, display_name=_new_account_name(display_name, email))
        db.session.add(user)
    user.role = SiteRole.ADMIN
    user.status = UserStatus.ACTIVE
    user.suspended_reason = ""
    user.suspended_until = None
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    db.session.flush()
    record_audit(None, "admin_created_cli", user, summary=email)
    db.session.commit()
    return user, created
