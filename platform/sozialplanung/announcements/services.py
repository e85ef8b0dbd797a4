"""Announcement rules: write, schedule and publish (the audience is notified exactly once), edit
with history, unpublish, soft delete, images, and the members' secret feed addresses."""
import hmac
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .. import timeutil
from ..accounts.models import User
from ..admin.audit import record_audit
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..documents.models import Document
from ..groups.models import WorkingGroup
from ..markup import render_markdown
from ..notifications.services import notify_users
from ..policy import Action, announcement_audience_ids, can, require
from ..sql import parse_id
from ..text import single_line, without_bidi_controls, without_invisible
from ..timeutil import day_start_utc, exists_locally, local_time, to_utc
from .images import prepare_image
from .models import (Announcement, AnnouncementAttachment, AnnouncementRevision, Audience,
                     Category, FeedToken, Status, institute_library_clause)
from .notices import notification_kind

TITLE_MAX = 200
TEASER_MAX = 1_000
BODY_MAX = 50_000
LOCATION_MAX = 300
URL_MAX = 500
ALT_MAX = 300
MAX_ATTACHMENTS = 10
PUBLICATIONS = ("draft", "now", "scheduled")

@dataclass
class AnnouncementData:
    """What the editor's form sends; dates and times are Europe/Berlin wall time."""

    title: str = ""
    teaser: str = ""
    body: str = ""
    category: str = Category.NEWS.value
    audience: str = Audience.ALL.value
    group_ids: list = field(default_factory=list)
    document_ids: list = field(default_factory=list)  # from the institute's library
    publication: str = "draft"
    publish_at: datetime | None = None
    is_pinned: bool = False
    starts_on: date | None = None
    starts_time: time | None = None
    ends_on: date | None = None
    ends_time: time | None = None
    is_all_day: bool = False
    location: str = ""
    online_url: str = ""
    registration_url: str = ""
    image: object = None  # a readable binary stream, or None
    image_alt: str = ""
    remove_image: bool = False
    version: int | None = None


# Dates outside these years are typing errors.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999
# A scheduled time that passed while the editor was still writing publishes at once; one
# further back is likely a typo in the date, and publishing would mail everybody: refused.
PAST_GRACE = timedelta(minutes=30)


@dataclass
class SaveResult:
    announcement: Announcement
    published: bool = False  # released (and announced) by this save
    scheduled: bool = False
    past_time_published: bool = False  # a scheduled time in the past: published at once


# --- loading with permission checks -------------------------------------------------------

def get_announcement(actor, announcement_id):
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound()
    require(actor, Action.VIEW_ANNOUNCEMENT, announcement, hide=True)
    return announcement


def require_writer(actor):
    require(actor, Action.WRITE_ANNOUNCEMENTS)


def edit_permission(actor, announcement):
    require(actor, Action.VIEW_ANNOUNCEMENT, announcement, hide=True)
    require(actor, Action.EDIT_ANNOUNCEMENT, announcement)


def image_file(actor, announcement, key, store):
    """Path and media type of an announcement's current image, for someone who may read it."""
    require(actor, Action.VIEW_ANNOUNCEMENT, announcement, hide=True)
    if not announcement.image_key or not hmac.compare_digest(announcement.image_key, key):
        raise NotFound()
    path = store.path(key)
    if not path.is_file():
        raise NotFound()
    return path, store.media_type(key)


# --- validation ---------------------------------------------------------------------------

def _text(value, limit, name, errors, required=None):
    """One line (title, place, image text) without invisible characters, or running text
    without direction overrides; text made only of invisible characters counts as empty."""
    value = (value or "").replace("\r\n", "\n")
    if name in ("title", "location", "image_alt"):
        value = single_line(value)
    else:
        value = without_bidi_controls(value).strip()
    if required and not without_invisible(value).strip():
        errors[name] = required()
    elif len(value) > limit:
        errors[name] = _("Bitte geben Sie höchstens %(n)s Zeichen ein.",
                         n=f"{limit:,}".replace(",", "."))
    return value


def _url(value, name, errors):
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (parts.scheme not in ("http", "https") or not parts.netloc or len(value) > URL_MAX
            or any(ch.isspace() for ch in value)):
        errors[name] = _("Bitte geben Sie eine vollständige Adresse an, die mit https:// oder "
                         "http:// beginnt.")
    return value


def _groups(data, errors):
    """The selected working groups; every one must exist."""
    if data.audience not in (Audience.ALL, Audience.GROUPS):
        errors["audience"] = _("Bitte wählen Sie, für wen die Mitteilung bestimmt ist.")
        return []
    if data.audience == Audience.ALL:
        return []
    raw = [str(value).strip() for value in data.group_ids if str(value).strip()]
    ids = {number for number in map(parse_id, raw) if number}
    groups = db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(ids))).all() \
        if ids else []
    if len(groups) != len(set(raw)):
        errors["group_ids"] = _("Mindestens einer der gewählten Arbeitskreise existiert nicht "
                                "(mehr). Bitte wählen Sie erneut.")
    elif not groups:
        errors["group_ids"] = _("Bitte wählen Sie mindestens einen Arbeitskreis.")
    return groups


def _documents(data, errors):
    """Ids of the attached documents, in the editor's order; each must be in the institute's
    library (the platform-wide one, readable by every member)."""
    raw = [str(value).strip() for value in data.document_ids if str(value).strip()]
    # A value that names no document counts as one (0, which no document has): refused below.
    ids = list(dict.fromkeys(parse_id(value) or 0 for value in raw))
    if len(ids) > MAX_ATTACHMENTS:
        errors["document_ids"] = _("Eine Mitteilung kann höchstens %(n)s Anhänge haben.",
                                   n=MAX_ATTACHMENTS)
        return ids
    found = set(db.session.scalars(select(Document.id).where(
        Document.id.in_(ids), *institute_library_clause()))) if ids else set()
    if len(found) != len(set(raw)):
        errors["document_ids"] = _("Ein gewähltes Dokument ist nicht (mehr) in der Bibliothek "
                                   "des Instituts. Bitte wählen Sie erneut.")
    return ids


def _sensible_day(day, field, errors):
    """Dates far outside the portal's life are typing errors (and cannot all be converted)."""
    if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        errors[field] = _("Bitte wählen Sie ein Datum zwischen %(first)s und %(last)s.",
                          first=EARLIEST_YEAR, last=LATEST_YEAR)
        return False
    return True


def _local_to_utc(local, field, errors):
    """Form wall time (Europe/Berlin) -> UTC, refusing a time the clock change skips."""
    if not exists_locally(local):
        errors[field] = _("Diese Uhrzeit gibt es am %(day)s nicht, weil die Uhren in dieser "
                          "Nacht vorgestellt werden. Bitte wählen Sie eine andere Uhrzeit.",
                          day=local.strftime("%d.%m.%Y"))
        return None
    return to_utc(local)


def _event_dates(data, errors):
    """(starts_at, ends_at) in UTC; all-day events end at midnight after their last day."""
    if not data.starts_on:
        errors["starts_on"] = _("Bitte geben Sie das Datum des Beginns an.")
        return None, None
    if not (_sensible_day(data.starts_on, "starts_on", errors)
            and _sensible_day(data.ends_on, "ends_on", errors)):
        return None, None
    if data.is_all_day:
        last = data.ends_on or data.starts_on
        if last < data.starts_on:
            errors["ends_on"] = _("Das Ende liegt vor dem Beginn.")
            return None, None
        return day_start_utc(data.starts_on), day_start_utc(last + timedelta(days=1))
    if not data.starts_time:
        errors["starts_time"] = _("Bitte geben Sie die Uhrzeit des Beginns an oder wählen Sie "
                                  "„ganztägig“.")
        return None, None
    starts_at = _local_to_utc(datetime.combine(data.starts_on, data.starts_time), "starts_time",
                              errors)
    if not data.ends_on and not data.ends_time:
        return starts_at, starts_at
    if not data.ends_time:
        errors["ends_time"] = _("Bitte geben Sie die Uhrzeit des Endes an.")
        return None, None
    ends_at = _local_to_utc(datetime.combine(data.ends_on or data.starts_on, data.ends_time),
                            "ends_time", errors)
    if starts_at is None or ends_at is None:
        return None, None
    if ends_at < starts_at:
        errors["ends_on" if data.ends_on and data.ends_on < data.starts_on else "ends_time"] = \
            _("Das Ende liegt vor dem Beginn.")
        return None, None
    return starts_at, ends_at


def _event(data, errors):
    if data.category != Category.EVENT:
        return {"starts_at": None, "ends_at": None, "is_all_day": False, "location": "",
                "online_url": "", "registration_url": ""}
    starts_at, ends_at = _event_dates(data, errors)
    values = {"starts_at": starts_at, "ends_at": ends_at, "is_all_day": bool(data.is_all_day),
              "location": _text(data.location, LOCATION_MAX, "location", errors),
              "online_url": _url(data.online_url, "online_url", errors),
              "registration_url": _url(data.registration_url, "registration_url", errors)}
    if not values["location"] and not (data.online_url or "").strip() and "location" not in errors:
        errors["location"] = _("Bitte geben Sie einen Ort oder einen Online-Link an.")
    return values


def _publication(data, now, errors):
    """(status, publish_at, past) the editor asked for."""
    if data.publication not in PUBLICATIONS:
        errors["publication"] = _("Bitte wählen Sie, wann die Mitteilung erscheinen soll.")
        return None
    if data.publication == "draft":
        return Status.DRAFT, None, False
    if data.publication == "now":
        return Status.PUBLISHED, now, False
    if data.publish_at is None:
        errors["publish_at"] = _("Bitte geben Sie Datum und Uhrzeit der Veröffentlichung an.")
        return None
    if not _sensible_day(data.publish_at, "publish_at", errors):
        return None
    publish_at = _local_to_utc(data.publish_at, "publish_at", errors)
    if publish_at is None:
        return None
    if publish_at < now - PAST_GRACE:
        errors["publish_at"] = _("Dieser Zeitpunkt liegt in der Vergangenheit. Bitte wählen Sie "
                                 "einen späteren Zeitpunkt oder „Sofort veröffentlichen“.")
        return None
    if publish_at <= now:
        return Status.PUBLISHED, now, True
    return Status.PUBLISHED, publish_at, False


def _clean(data, now, current=None):
    """Check every field at once; raise one ValidationError naming all problems."""
    errors = {}
    values = {
        "title": _text(data.title, TITLE_MAX, "title", errors,
                       required=lambda: _("Bitte geben Sie einen Titel an.")),
        "teaser": _text(data.teaser, TEASER_MAX, "teaser", errors,
                        required=lambda: _("Bitte geben Sie einen kurzen Anreißertext an.")),
        "body": _text(data.body, BODY_MAX, "body", errors),
        "is_pinned": bool(data.is_pinned),
        "audience": data.audience,
        "image_alt": _text(data.image_alt, ALT_MAX, "image_alt", errors),
    }
    if data.category not in tuple(Category):
        errors["category"] = _("Bitte wählen Sie eine Kategorie.")
    values["category"] = data.category
    groups = _groups(data, errors)
    documents = _documents(data, errors)
    values.update(_event(data, errors))
    keeps_image = current is not None and current.image_key and not data.remove_image
    if (data.image is not None or keeps_image) and not values["image_alt"] \
            and "image_alt" not in errors:
        errors["image_alt"] = _("Bitte beschreiben Sie kurz, was auf dem Bild zu sehen ist "
                                "(für Menschen, die es nicht sehen können).")
    live = current is not None and current.is_live(now)
    publication = None if live else _publication(data, now, errors)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    return values, (groups, documents), publication


# --- writing ------------------------------------------------------------------------------

@contextmanager
def _all_or_nothing(store=None, image=None):
    """Commit once at the end; on any failure nothing stays (rows, nor a newly stored file)."""
    stored = False
    try:
        yield
        stored = store.save(image) if image is not None else False
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored:
            store.delete(image.key)
        raise


def _apply(announcement, values, links, image, data):
    groups, document_ids = links
    for name, value in values.items():
        setattr(announcement, name, value)
    announcement.teaser_html = render_markdown(values["teaser"])
    announcement.body_html = render_markdown(values["body"]) if values["body"] else ""
    announcement.groups = list(groups)
    if image is not None:
        announcement.image_key = image.key
        announcement.image_width, announcement.image_height = image.width, image.height
    elif data.remove_image:
        announcement.image_key = announcement.image_width = announcement.image_height = None
    if not announcement.image_key:
        announcement.image_alt = ""
    db.session.flush()
    _set_attachments(announcement, document_ids)


def _set_attachments(announcement, document_ids):
    current = list(db.session.scalars(
        select(AnnouncementAttachment.document_id)
        .where(AnnouncementAttachment.announcement_id == announcement.id)
        .order_by(AnnouncementAttachment.position)))
    if current == document_ids:
        return
    db.session.execute(delete(AnnouncementAttachment).where(
        AnnouncementAttachment.announcement_id == announcement.id))
    db.session.add_all(AnnouncementAttachment(announcement_id=announcement.id, document_id=doc_id,
                                              position=position)
                       for position, doc_id in enumerate(document_ids))


def _prepare_image(data, store):
    if data.image is None:
        return None
    return prepare_image(data.image, store.tmp_dir)


def create_announcement(actor, data, store, now=None, ip=""):
    """A new announcement: saved as draft, published at once, or scheduled."""
    require_writer(actor)
    now = now or timeutil.utcnow()
    values, links, publication = _clean(data, now)
    image = _prepare_image(data, store)
    announcement = Announcement(author_id=actor.id, created_at=now, updated_at=now,
                                updated_by_id=actor.id, version=1, status=Status.DRAFT)
    with _all_or_nothing(store, image):
        db.session.add(announcement)
        _apply(announcement, values, links, image, data)
        result = _set_publication(actor, announcement, publication, now, ip)
    return result


def update_announcement(actor, announcement, data, store, now=None, ip=""):
    """Save changes; the previous text goes into the history. A live announcement stays live
    (withdrawing it is its own action)."""
    edit_permission(actor, announcement)
    if data.version is not None and data.version != announcement.version:
        raise Conflict(_("Die Mitteilung wurde inzwischen von jemand anderem geändert. Ihre "
                         "Eingaben sind unten erhalten; bitte prüfen Sie sie und speichern Sie "
                         "erneut."))
    now = now or timeutil.utcnow()
    values, links, publication = _clean(data, now, current=announcement)
    image = _prepare_image(data, store)
    with _all_or_nothing(store, image):
        if (values["title"], values["teaser"], values["body"]) != (
                announcement.title, announcement.teaser, announcement.body):
            _keep_revision(announcement)
        _apply(announcement, values, links, image, data)
        announcement.version += 1
        announcement.updated_at, announcement.updated_by_id = now, actor.id
        result = (SaveResult(announcement) if publication is None
                  else _set_publication(actor, announcement, publication, now, ip))
    return result


def _keep_revision(announcement):
    db.session.add(AnnouncementRevision(
        announcement_id=announcement.id, title=announcement.title, teaser=announcement.teaser,
        teaser_html=announcement.teaser_html, body=announcement.body,
        body_html=announcement.body_html, created_at=announcement.updated_at,
        author_id=announcement.updated_by_id or announcement.author_id))


def _set_publication(actor, announcement, publication, now, ip):
    status, publish_at, past = publication
    result = SaveResult(announcement, past_time_published=past)
    if status != Status.PUBLISHED:
        # A withdrawn announcement saved "not published" stays withdrawn, not a draft.
        if announcement.status != Status.UNPUBLISHED:
            announcement.status, announcement.publish_at = status, publish_at
        return result
    changed = announcement.status != Status.PUBLISHED or announcement.publish_at != publish_at
    announcement.status, announcement.publish_at = Status.PUBLISHED, publish_at
    announcement.published_by_id = actor.id
    db.session.flush()
    if publish_at <= now:
        result.published = True
        if changed:
            record_audit(actor, "announcement_published", announcement, announcement.title, ip)
        _notify_once(announcement, actor, now)
    elif changed:
        result.scheduled = True
        when = local_time(publish_at).strftime("%d.%m.%Y, %H:%M")
        record_audit(actor, "announcement_scheduled", announcement,
                     f"{announcement.title} – {when}", ip)
    return result


def _notify_once(announcement, actor, now):
    """Tell the audience, unless that already happened: the conditional update lets exactly one
    transaction win, even with several schedulers running; flush only."""
    claimed = db.session.execute(
        update(Announcement)
        .where(Announcement.id == announcement.id, Announcement.notified_at.is_(None))
        .values(notified_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return False
    set_committed_value(announcement, "notified_at", now)
    notify_users(announcement_audience_ids(announcement), notification_kind(announcement),
                 actor=actor)
    return True


def publish_announcement(actor, announcement, now=None, ip=""):
    """Release a draft, scheduled or withdrawn announcement now."""
    edit_permission(actor, announcement)
    now = now or timeutil.utcnow()
    if announcement.is_live(now):
        raise Conflict(_("Diese Mitteilung ist bereits veröffentlicht."))
    with _all_or_nothing():
        result = _set_publication(actor, announcement, (Status.PUBLISHED, now, False), now, ip)
        announcement.updated_at, announcement.updated_by_id = now, actor.id
    return result


def unpublish_announcement(actor, announcement, now=None, ip=""):
    """Withdraw a published or scheduled announcement; members no longer see it."""
    edit_permission(actor, announcement)
    if announcement.status != Status.PUBLISHED:
        raise Conflict(_("Diese Mitteilung ist nicht veröffentlicht."))
    now = now or timeutil.utcnow()
    with _all_or_nothing():
        announcement.status = Status.UNPUBLISHED
        announcement.updated_at, announcement.updated_by_id = now, actor.id
        record_audit(actor, "announcement_unpublished", announcement, announcement.title, ip)


def delete_announcement(actor, announcement, now=None, ip=""):
    """Soft delete: gone for everyone, kept in the database with its history."""
    edit_permission(actor, announcement)
    now = now or timeutil.utcnow()
    with _all_or_nothing():
        announcement.is_deleted = True
        announcement.deleted_at, announcement.deleted_by_id = now, actor.id
        record_audit(actor, "announcement_deleted", announcement, announcement.title, ip)


def publish_due(now=None, limit=200):
    """Notify the audience of every announcement whose scheduled time has come, exactly once;
    one commit per announcement. Returns how many were announced."""
    now = now or timeutil.utcnow()
    due = db.session.scalars(
        select(Announcement.id).where(
            Announcement.notified_at.is_(None), Announcement.status == Status.PUBLISHED,
            Announcement.is_deleted.is_(False), Announcement.publish_at <= now)
        .order_by(Announcement.publish_at, Announcement.id).limit(limit)).all()
    announced = 0
    for announcement_id in due:
        with _all_or_nothing():
            announcement = db.session.get(Announcement, announcement_id)
            actor = db.session.get(User, announcement.published_by_id) \
                if announcement.published_by_id else None
            announced += bool(_notify_once(announcement, actor, now))
    return announced


def revisions(actor, announcement):
    edit_permission(actor, announcement)
    return db.session.scalars(
        select(AnnouncementRevision).where(AnnouncementRevision.announcement_id == announcement.id)
        .order_by(AnnouncementRevision.created_at.desc(), AnnouncementRevision.id.desc())).all()


# --- feed addresses -----------------------------------------------------------------------

def feed_token(actor):
    require(actor, Action.USE_FEEDS)
    return db.session.get(FeedToken, actor.id)


def reset_feed_token(actor):
    """Create the member's feed secret, or replace it: the old addresses stop working."""
    require(actor, Action.USE_FEEDS)
    token = db.session.get(FeedToken, actor.id) or FeedToken(user_id=actor.id)
    token.secret = secrets.token_urlsafe(32)
    token.created_at = timeutil.utcnow()
    db.session.add(token)
    db.session.commit()
    return token


def feed_reader(token):
    """The member a feed address belongs to; NotFound for unknown, old or inactive ones."""
    user_id, _sep, secret = (token or "").partition("-")
    if parse_id(user_id) is None or not secret:
        raise NotFound()
    stored = db.session.get(FeedToken, parse_id(user_id))
    if stored is None or not hmac.compare_digest(stored.secret.encode(), secret.encode()):
        raise NotFound()
    user = db.session.get(User, stored.user_id)
    if user is None or not can(user, Action.USE_FEEDS):
        raise NotFound()
    return user
