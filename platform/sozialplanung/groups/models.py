"""Working groups (Arbeitskreise) and who belongs to them."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Visibility(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class GroupRole(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"


class WorkingGroup(db.Model):
    __tablename__ = "working_groups"
    __table_args__ = (CheckConstraint("visibility IN ('open', 'closed')", name="visibility_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(8), default=Visibility.OPEN.value)
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Visible (not hidden) threads and their latest post, for the overview: recomputed by
    # forum.services.refresh_group_stats in the transaction of every thread change.
    thread_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_activity_at: Mapped[datetime | None]

    @property
    def is_closed(self):
        return self.visibility == Visibility.CLOSED

    @property
    def is_freely_joinable(self):
        """Open and not archived: whoever leaves it can join again with one click."""
        return self.visibility == Visibility.OPEN and not self.is_archived


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("role IN ('member', 'moderator')", name="role_valid"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default=GroupRole.MEMBER.value)
    since: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    group = relationship(WorkingGroup)


class MembershipRequest(db.Model):
    """A pending way into a closed group: a member's request or a group moderator's invitation."""

    __tablename__ = "membership_requests"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", name="uq_membership_requests_group_user"),
        CheckConstraint("kind IN ('request', 'invitation')", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    group = relationship(WorkingGroup)
