"""Institute announcements and events, their audience, their history, and members' feed tokens."""
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..documents.models import Document
from ..extensions import db
from ..timeutil import local_time, utcnow


class Category(StrEnum):
    NEWS = "news"
    EVENT = "event"
    PUBLICATION = "publication"
    PRESS = "press"


CATEGORY_LABELS = {
    Category.NEWS: _l("Neuigkeit"),
    Category.EVENT: _l("Veranstaltung"),
    Category.PUBLICATION: _l("Publikation"),
    Category.PRESS: _l("Presse"),
}
# The category filter in addresses: /neuigkeiten?kategorie=presse
CATEGORY_SLUGS = {"neuigkeit": Category.NEWS, "veranstaltung": Category.EVENT,
                  "publikation": Category.PUBLICATION, "presse": Category.PRESS}


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # live from publish_at on (scheduled while that is in the future)
    UNPUBLISHED = "unpublished"  # withdrawn after publication


class Audience(StrEnum):
    ALL = "all"
    GROUPS = "groups"  # the members of the selected working groups


def _in(column, enum):
    return f"{column} IN {tuple(item.value for item in enum)}"


class Announcement(db.Model):
    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint(_in("category", Category), name="category_valid"),
        CheckConstraint(_in("status", Status), name="status_valid"),
        CheckConstraint(_in("audience", Audience), name="audience_valid"),
        CheckConstraint("status = 'draft' OR publish_at IS NOT NULL", name="publish_at_set"),
        # Only events have dates, and an event never ends before it starts.
        CheckConstraint("(category = 'event' AND starts_at IS NOT NULL AND ends_at IS NOT NULL "
                        "AND ends_at >= starts_at) OR (category <> 'event' AND starts_at IS NULL "
                        "AND ends_at IS NULL)", name="event_dates"),
        # The list: released ones, pinned first, newest first.
        Index("ix_announcements_listing", "status", "is_deleted", "is_pinned", "publish_at"),
        # The "Termine" page: upcoming/past split on ends_at, ordered by starts_at.
        Index("ix_announcements_events", "category", "ends_at", "starts_at"),
        # The scheduler looks for released but not yet announced ones.
        Index("ix_announcements_due", "notified_at", "status", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    teaser: Mapped[str] = mapped_column(Text)
    teaser_html: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(16), default=Category.NEWS.value)
    audience: Mapped[str] = mapped_column(String(8), default=Audience.ALL.value)
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT.value)
    publish_at: Mapped[datetime | None]
    is_pinned: Mapped[bool] = mapped_column(default=False)
    # Events: naive UTC instants. All-day events start at local midnight of their first day and
    # end at local midnight after their last day (exclusive, as iCalendar's DTEND).
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    is_all_day: Mapped[bool] = mapped_column(default=False)
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    registration_url: Mapped[str] = mapped_column(String(500), default="")
    # A re-encoded raster image stored by content hash outside the web root.
    image_key: Mapped[str | None] = mapped_column(String(80))
    image_alt: Mapped[str] = mapped_column(String(300), default="")
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Counts saved changes: detects concurrent edits and is the iCalendar SEQUENCE.
    version: Mapped[int] = mapped_column(default=1)
    # Set in the transaction that notified the audience: members are told exactly once.
    notified_at: Mapped[datetime | None]
    is_deleted: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    author = relationship("User", foreign_keys=[author_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    groups = relationship("WorkingGroup", secondary="announcement_groups",
                          order_by="WorkingGroup.name")

    @property
    def is_event(self):
        return self.category == Category.EVENT

    @property
    def category_label(self):
        return CATEGORY_LABELS[Category(self.category)]

    def is_live(self, now):
        return (self.status == Status.PUBLISHED and not self.is_deleted
                and self.publish_at is not None and self.publish_at <= now)

    def state(self, now):
        """draft, scheduled, published or unpublished (deleted ones are never shown)."""
        if self.status == Status.PUBLISHED and self.publish_at > now:
            return "scheduled"
        return self.status

    @property
    def first_day(self):
        return local_time(self.starts_at).date() if self.starts_at else None

    @property
    def last_day(self):
        """The last local day an event takes place on."""
        if not self.ends_at:
            return None
        end = local_time(self.ends_at)
        if self.is_all_day:
            return end.date() - timedelta(days=1)
        return end.date()

    @property
    def has_end(self):
        return self.ends_at is not None and self.ends_at != self.starts_at

    @property
    def group_ids(self):
        return {group.id for group in self.groups}


class AnnouncementGroup(db.Model):
    """The working groups an announcement with audience "groups" is meant for."""

    __tablename__ = "announcement_groups"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True, index=True)


class AnnouncementAttachment(db.Model):
    """A document of the institute's (platform-wide) library listed under an announcement."""

    __tablename__ = "announcement_attachments"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    # The app only soft-deletes documents (reads skip deleted ones). A document purged from
    # the database takes its announcement links with it, like its versions, tags and post
    # attachments.
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)


class AnnouncementRevision(db.Model):
    """The text of an announcement before each edit."""

    __tablename__ = "announcement_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    teaser: Mapped[str] = mapped_column(Text)
    teaser_html: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # When this version was written, and by whom.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    author = relationship("User")


class FeedToken(db.Model):
    """A member's secret for the feed addresses (Atom, iCalendar); resetting it revokes them."""

    __tablename__ = "feed_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def token(self):
        return f"{self.user_id}-{self.secret}"


def institute_library_clause():
    """The documents an announcement may list: current ones in the platform-wide library."""
    return (Document.group_id.is_(None), Document.in_library.is_(True),
            Document.is_deleted.is_(False), Document.current_version_id.isnot(None))

