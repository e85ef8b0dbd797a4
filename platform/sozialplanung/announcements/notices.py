"""How announcement notifications read and where they point (used by notifications.services).

A notification about an announcement has the kind "announcement:<id>": the notifications table
has no column for announcements, and describe()/link_for() need to know which one it is.
"""
from flask import g, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import timeutil
from ..accounts.models import User
from ..extensions import db
from ..policy import visible_announcements_clause
from .models import Announcement, Audience, Category, Status

KIND_PREFIX = "announcement:"


def notification_kind(announcement):
    return f"{KIND_PREFIX}{announcement.id}"


def is_announcement_kind(kind):
    return (kind or "").startswith(KIND_PREFIX)


def _announcement_id(note):
    try:
        return int(note.kind[len(KIND_PREFIX):])
    except ValueError:
        return None


def describe_announcement(note):
    """The title only while the announcement is released and meant for the recipient: a
    withdrawn one is not repeated, nor a group's one to someone who has left the group."""
    announcement_id = _announcement_id(note)
    announcement = db.session.get(Announcement, announcement_id) if announcement_id else None
    if (announcement is None or announcement.is_deleted or announcement.status != Status.PUBLISHED
            or (announcement.audience != Audience.ALL
                and announcement.id not in _group_announcements_for(note.user_id))):
        return _("Eine Mitteilung des Instituts ist nicht mehr verfügbar.")
    title = announcement.title
    texts = {
        Category.EVENT: _("Neuer Termin des Instituts: „%(title)s“", title=title),
        Category.PUBLICATION: _("Neue Publikation des Instituts: „%(title)s“", title=title),
        Category.PRESS: _("Neue Pressemitteilung des Instituts: „%(title)s“", title=title),
    }
    return texts.get(announcement.category,
                     _("Neuigkeit des Instituts: „%(title)s“", title=title))


def _group_announcements_for(user_id):
    """Ids of the group announcements the user may read now (one query per request)."""
    cache = g.setdefault("_group_announcements", {}) if has_request_context() else {}
    if user_id not in cache:
        user = db.session.get(User, user_id)
        cache[user_id] = set(db.session.scalars(select(Announcement.id).where(
            Announcement.audience != Audience.ALL,
            visible_announcements_clause(user, timeutil.utcnow()))))
    return cache[user_id]


def announcement_link(note):
    announcement_id = _announcement_id(note)
    if announcement_id is None:
        return url_for("announcements.index")
    return url_for("announcements.show_announcement", announcement_id=announcement_id)
