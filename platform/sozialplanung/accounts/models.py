"""Members, their organisations, roles and account status."""
import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class SiteRole(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    EDITOR = "editor"
    ADMIN = "admin"


class UserStatus(StrEnum):
    INVITED = "invited"
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"


ROLE_LABELS = {
    SiteRole.MEMBER: _l("Mitglied"),
    SiteRole.MODERATOR: _l("Moderation"),
    SiteRole.EDITOR: _l("Redaktion (Institut)"),
    SiteRole.ADMIN: _l("Administration"),
}

STATUS_LABELS = {
    UserStatus.INVITED: _l("eingeladen"),
    UserStatus.PENDING: _l("wartet auf Freischaltung"),
    UserStatus.ACTIVE: _l("aktiv"),
    UserStatus.SUSPENDED: _l("gesperrt"),
    UserStatus.DELETED: _l("gelöscht"),
}


class OrganisationKind(StrEnum):
    LANDKREIS = "landkreis"
    KREISFREIE_STADT = "kreisfreie_stadt"
    LAND = "land"
    INSTITUT = "institut"
    SONSTIGE = "sonstige"


def _new_session_token():
    return secrets.token_urlsafe(24)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    sort_order: Mapped[int] = mapped_column(default=0)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {tuple(r.value for r in SiteRole)}", name="role_valid"),
        CheckConstraint(f"status IN {tuple(s.value for s in UserStatus)}", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    position: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    # Privacy by default (DSGVO Art. 25): the directory shows the address only once the member
    # switches it on in their profile.
    show_email: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=SiteRole.MEMBER.value, index=True)
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE.value, index=True)
    locale: Mapped[str] = mapped_column(String(8), default="de")
    # Part of the login cookie; rotating it ends every session of this account.
    session_token: Mapped[str] = mapped_column(String(64), default=_new_session_token)
    email_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    suspended_reason: Mapped[str] = mapped_column(String(500), default="")
    suspended_until: Mapped[datetime | None]
    # Notification settings: how mails are sent, and whether posting watches a thread.
    notify_mode: Mapped[str] = mapped_column(String(16), default="immediate",
                                             server_default="immediate")
    auto_watch: Mapped[bool] = mapped_column(default=True, server_default=true())

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self):
        self.session_token = _new_session_token()

    def suspend(self, reason, until=None):
        """Block sign-in and end every open session; the member's content stays."""
        self.status = UserStatus.SUSPENDED
        self.suspended_reason = reason[:500]
        self.suspended_until = until
        self.rotate_session_token()

    def reactivate(self):
        self.status = UserStatus.ACTIVE
        self.suspended_reason = ""
        self.suspended_until = None

    @property
    def is_active(self):
        return self.status == UserStatus.ACTIVE

    @property
    def is_admin(self):
        return self.role == SiteRole.ADMIN

    @property
    def role_label(self):
        return ROLE_LABELS[SiteRole(self.role)]

    @property
    def status_label(self):
        return STATUS_LABELS[UserStatus(self.status)]

    def __repr__(self):
        return f"<User {self.id} {self.email}>"
