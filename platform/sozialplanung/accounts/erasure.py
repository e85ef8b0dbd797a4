"""Erasing an account's personal data (DSGVO Art. 17): shared by the member's own deletion, the
administration's deletion on request and the rejection of a registration. Flush only; the
calling service commits."""
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select, update

from ..admin.audit import about_user
from ..admin.models import AuditLog
from ..announcements.models import FeedToken
from ..auth.models import AuthToken
from ..errors import Conflict
from ..extensions import db
from ..forum.models import ReadState, Subscription
from ..groups.models import Membership, MembershipRequest
from ..notifications.models import Notification, OutboxMail
from ..policy import forget_memberships
from .models import SiteRole, User, UserStatus

# Stored, not translated: every reader sees the same name, whatever their language.
ANONYMOUS_NAME = "Ehemaliges Mitglied"
# RFC 2606 reserves ".invalid": no mail can go there, and the address forms refuse it.
PLACEHOLDER_EMAIL = "geloescht-{id}@konto.invalid"
# Rows that only serve the member: their ways into groups, what they watch and have read,
# their inbox, their feed secret and their sign-in links.
PERSONAL_ROWS = (Membership, MembershipRequest, Subscription, ReadState, Notification,
                 FeedToken, AuthToken)


def erase_account(user):
    """Delete the account's personal data; what the member wrote stays under an anonymous name.

    Posts, threads and documents keep their author row, so discussions stay readable; the row
    holds no name, address or password any more, and every session ends. A second deletion
    (double submit, two admins at once) finds the account already gone and is refused.
    """
    claimed = db.session.execute(
        update(User).where(User.id == user.id, User.status != UserStatus.DELETED)
        .values(status=UserStatus.DELETED)).rowcount
    if claimed != 1:
        raise Conflict(_("Dieses Konto ist bereits gelöscht."))
    _delete_personal_rows(user)
    _scrub_audit_entries(user)
    _anonymise(user)
    forget_memberships(user)
    db.session.flush()


def _delete_personal_rows(user):
    # Mails still waiting (or kept after sending) go to the member's address, or to a new
    # address they asked to change to; both are the member's data. So are mails to others
    # that name the address, such as the admins' note about a new registration.
    addresses = {user.email, *db.session.scalars(select(AuthToken.new_email).where(
        AuthToken.user_id == user.id, AuthToken.new_email.isnot(None)))}
    db.session.execute(delete(OutboxMail).where(or_(
        OutboxMail.to_address.in_(addresses), OutboxMail.id.in_(_mails_naming(addresses)))))
    for model in PERSONAL_ROWS:
        db.session.execute(delete(model).where(model.user_id == user.id))


def _mails_naming(addresses):
    """Ids of the mails whose text names one of the addresses: the whole address, not the end
    of a longer one ("anna@example.org" is not in "hanna@example.org")."""
    pattern = re.compile("|".join(rf"(?<![\w.+-]){re.escape(address)}(?![\w-])"
                                  for address in addresses), re.IGNORECASE)
    candidates = db.session.execute(select(OutboxMail.id, OutboxMail.body_text).where(or_(
        *(OutboxMail.body_text.contains(address, autoescape=True) for address in addresses))))
    return [mail_id for mail_id, body in candidates if pattern.search(body)]


def _scrub_audit_entries(user):
    """Earlier entries keep what happened and when, but no address or IP of the member."""
    about = about_user(user.id)
    db.session.execute(update(AuditLog).where(or_(
        about, AuditLog.summary.contains(user.email, autoescape=True))).values(summary=""))
    db.session.execute(update(AuditLog).where(or_(
        AuditLog.actor_id == user.id, and_(about, AuditLog.actor_id.is_(None))))
        .values(ip_address=""))


def _anonymise(user):
    user.status = UserStatus.DELETED
    user.display_name = _anonymous_name()
    user.email = PLACEHOLDER_EMAIL.format(id=user.id)
    user.organisation = None
    user.position = user.bio = user.phone = user.suspended_reason = ""
    user.suspended_until = user.last_seen_at = user.email_confirmed_at = None
    user.password_hash = None
    user.role = SiteRole.MEMBER  # a deleted account holds no rights, not even on paper
    user.show_email = user.auto_watch = False
    user.notify_mode = "off"
    user.locale = "de"
    user.rotate_session_token()  # ends every session and remember-cookie


def _anonymous_name():
    """A name no other account has, so two former members in one thread stay apart."""
    while True:
        name = f"{ANONYMOUS_NAME} {secrets.randbelow(900_000) + 100_000}"
        if db.session.scalar(select(User.id).where(User.display_name == name)) is None:
            return name
