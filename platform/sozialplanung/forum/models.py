"""Threads, posts with their revisions, read state and subscriptions."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        # The group page: pinned first, then by last activity.
        Index("ix_threads_group_listing", "group_id", "is_pinned", "last_post_at"),
        # Counting a group's visible threads and finding its last activity from the index alone.
        Index("ix_threads_visible_by_group", "group_id", "last_post_at",
              postgresql_where=text("is_hidden = false"),
              sqlite_where=text("is_hidden = 0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Denormalised, kept up to date in the same transaction as every post write.
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # A plain pointer, not a foreign key: threads and posts would otherwise reference each other.
    last_post_id: Mapped[int | None] = mapped_column(index=True)
    last_poster_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_locked: Mapped[bool] = mapped_column(default=False)
    lock_reason: Mapped[str] = mapped_column(String(500), default="")
    is_hidden: Mapped[bool] = mapped_column(default=False)

    group = relationship("WorkingGroup")
    author = relationship("User", foreign_keys=[author_id])
    last_poster = relationship("User", foreign_keys=[last_poster_id])

    @property
    def reply_count(self):
        return max(self.post_count - 1, 0)


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "number", name="uq_posts_thread_number"),
        # One post per submitted form: a double submit finds the first one.
        UniqueConstraint("author_id", "submission_key", name="uq_posts_author_submission"),
        CheckConstraint("number > 0", name="number_positive"),
        # Search: a group's newest posts, and the readable groups' share of a word's matches.
        Index("ix_posts_group_created", "group_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    # The thread's group, copied by database triggers (migration b7e3f9a1c5d2) whenever a post
    # is written or moved: lets search select readable posts from an index. Readability itself
    # is always decided through the thread.
    group_id: Mapped[int | None] = mapped_column()
    # Position in the thread (1 = opening post); pages and permalinks are computed from it.
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    # Indexed for search: "newest matches first" reads it backwards instead of sorting.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    submission_key: Mapped[str | None] = mapped_column(String(64))

    thread = relationship(Thread, foreign_keys=[thread_id])
    author = relationship("User", foreign_keys=[author_id])
    edited_by = relationship("User", foreign_keys=[edited_by_id])


class PostRevision(db.Model):
    """The text of a post before each edit."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    author = relationship("User")


class ReadState(db.Model):
    """How far a member has read a thread: one row per member and thread, upserted."""

    __tablename__ = "read_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    last_read_number: Mapped[int] = mapped_column(default=0)


class Subscription(db.Model):
    """A member watches a thread or a whole group."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id", name="uq_subscriptions_user_thread"),
        UniqueConstraint("user_id", "group_id", name="uq_subscriptions_user_group"),
        CheckConstraint("(thread_id IS NULL) <> (group_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
