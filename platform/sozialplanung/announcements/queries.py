"""Read queries for the announcement pages, feeds and dashboard: every one scoped through policy,
a constant number of SQL statements per page."""
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import timeutil
from ..documents.models import Document
from ..extensions import db
from ..groups.models import WorkingGroup
from ..policy import Action, require, visible_announcements_clause, visible_documents_clause
from ..sql import parse_id
from ..timeutil import day_start_utc, local_time
from .models import Announcement, AnnouncementAttachment, Category, institute_library_clause

PER_PAGE = 15
EVENTS_PER_PAGE = 20
FEED_SIZE = 50
CALENDAR_PAST = timedelta(days=365)
CALENDAR_SIZE = 1000
ATTACH_CHOICES = 50


def _visible(actor, now):
    return select(Announcement).where(visible_announcements_clause(actor, now))


def announcement_list(actor, category=None, page=1, now=None):
    """Released announcements for the reader: pinned first, then newest first."""
    stmt = _visible(actor, now or timeutil.utcnow())
    if category:
        stmt = stmt.where(Announcement.category == category)
    stmt = stmt.order_by(Announcement.is_pinned.desc(), Announcement.publish_at.desc(),
                         Announcement.id.desc())
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def editor_list(actor, page=1):
    """Every announcement that is not deleted, including drafts and scheduled ones."""
    require(actor, Action.WRITE_ANNOUNCEMENTS)
    stmt = (select(Announcement).where(Announcement.is_deleted.is_(False))
            .options(selectinload(Announcement.groups), joinedload(Announcement.updated_by))
            .order_by(Announcement.updated_at.desc(), Announcement.id.desc()))
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def _upcoming(now):
    """Not over yet; an event without an end time stays listed until the end of its day."""
    today = day_start_utc(local_time(now).date())
    return or_(Announcement.ends_at >= now,
               and_(Announcement.ends_at == Announcement.starts_at,
                    Announcement.starts_at >= today))


def _events(actor, now):
    return _visible(actor, now).where(Announcement.category == Category.EVENT)


def upcoming_events(actor, page=1, now=None, per_page=EVENTS_PER_PAGE):
    now = now or timeutil.utcnow()
    stmt = _events(actor, now).where(_upcoming(now)).order_by(
        Announcement.starts_at, Announcement.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def past_events(actor, page=1, now=None):
    now = now or timeutil.utcnow()
    stmt = _events(actor, now).where(~_upcoming(now)).order_by(
        Announcement.starts_at.desc(), Announcement.id.desc())
    return db.paginate(stmt, page=page, per_page=EVENTS_PER_PAGE, error_out=False)


def dashboard_items(actor, now=None, latest=5, events=3):
    """The newest announcements (pinned first) and the next events: two queries."""
    now = now or timeutil.utcnow()
    newest = db.session.scalars(_visible(actor, now).order_by(
        Announcement.is_pinned.desc(), Announcement.publish_at.desc(), Announcement.id.desc())
        .limit(latest)).all()
    next_events = db.session.scalars(_events(actor, now).where(_upcoming(now)).order_by(
        Announcement.starts_at, Announcement.id).limit(events)).all()
    return {"announcements": newest, "next_events": next_events}


def feed_entries(actor, now=None, limit=FEED_SIZE):
    """The newest released announcements for the Atom feed, by date (pinning is for pages)."""
    return db.session.scalars(_visible(actor, now or timeutil.utcnow()).order_by(
        Announcement.publish_at.desc(), Announcement.id.desc()).limit(limit)).all()


def calendar_events(actor, now=None):
    """Events for the subscribable calendar: all upcoming ones and those of the past year."""
    now = now or timeutil.utcnow()
    return db.session.scalars(_events(actor, now).where(
        Announcement.ends_at >= now - CALENDAR_PAST).order_by(
        Announcement.starts_at, Announcement.id).limit(CALENDAR_SIZE)).all()


def group_choices(selected_ids=()):
    """Working groups an editor can address: active ones, plus archived ones already chosen."""
    selected = [number for number in map(parse_id, selected_ids) if number]
    groups = db.session.execute(
        select(WorkingGroup.id, WorkingGroup.name)
        .where(or_(WorkingGroup.is_archived.is_(False), WorkingGroup.id.in_(selected)))
        .order_by(WorkingGroup.name)).all()
    return [(str(group_id), name) for group_id, name in groups]



def attachments(actor, announcement):
    """The documents listed under an announcement that the reader may open (one query)."""
    return db.session.scalars(
        select(Document).join(AnnouncementAttachment,
                              AnnouncementAttachment.document_id == Document.id)
        .where(AnnouncementAttachment.announcement_id == announcement.id,
               visible_documents_clause(actor), Document.current_version_id.isnot(None))
        .options(joinedload(Document.current_version))
        .order_by(AnnouncementAttachment.position)).unique().all()


def attachable_documents(selected_ids=()):
    """The newest documents of the institute's library to pick from, plus those already
    picked (two queries at most)."""
    stmt = (select(Document).where(*institute_library_clause())
            .options(joinedload(Document.current_version)))
    newest = db.session.scalars(stmt.order_by(Document.updated_at.desc(), Document.id.desc())
                                .limit(ATTACH_CHOICES)).unique().all()
    shown = {document.id for document in newest}
    missing = [number for number in map(parse_id, selected_ids)
               if number and number not in shown]
    if missing:
        newest += db.session.scalars(stmt.where(Document.id.in_(missing))).unique().all()
    return newest
