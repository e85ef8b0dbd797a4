"""In-app notifications and their mails: immediately, as a daily/weekly digest, or not at all."""
from contextlib import contextmanager, nullcontext

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User, UserStatus
from ..announcements.notices import announcement_link, describe_announcement, is_announcement_kind
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..forum.models import Thread
from ..groups.models import WorkingGroup
from ..policy import readable_threads_clause, readers_among, visible_groups_clause
from ..timeutil import utcnow
from .mail import enqueue_mail
from .models import Notification

NOTIFY_MODES = {
    "immediate": _l("sofort per E-Mail"),
    "daily": _l("täglich als Zusammenfassung"),
    "weekly": _l("wöchentlich als Zusammenfassung"),
    "off": _l("keine E-Mails (nur in der Plattform)"),
}
PAGE_SIZE = 30
# What a reporter hears about the outcome of their report.
REPORTER_KINDS = ("report_resolved", "report_dismissed")


def notify_users(user_ids, kind, *, actor=None, group=None, thread=None, post=None):
    """Create notifications for those of `user_ids` who may see the content; flush only.

    Nobody is told about their own action, and nobody about a thread they cannot read.
    Notices about a group itself (invitation, request, decision) go to people who are not
    members yet: a group's name is listed to every member, its content is not.
    """
    ids = {uid for uid in user_ids if actor is None or uid != actor.id}
    if not ids:
        return []
    users = db.session.scalars(select(User).where(
        User.id.in_(ids), User.status == UserStatus.ACTIVE)).all()
    scope_group = thread.group if thread is not None else group
    if thread is not None:
        users = readers_among(users, scope_group, thread)
    now = utcnow()
    created = []
    for user in users:
        note = Notification(user_id=user.id, kind=kind, actor_id=getattr(actor, "id", None),
                            group_id=getattr(scope_group, "id", None),
                            thread_id=getattr(thread, "id", None), post_id=getattr(post, "id", None),
                            created_at=now)
        note.actor, note.group, note.thread, note.post = actor, scope_group, thread, post
        db.session.add(note)
        if user.notify_mode == "immediate":
            with _mail_context(user.locale):
                text, link = describe(note), link_for(note)
            enqueue_mail(user.email, "notification", locale=user.locale, user=user,
                         text=text, link=link)
            note.emailed_at = now
        elif user.notify_mode == "off":
            note.emailed_at = now
        created.append(note)
    db.session.flush()
    return created


@contextmanager
def _mail_context(locale):
    """Mail texts are written in the recipient's language, and links need a request context:
    a digest run from a worker or CLI command has none (url_for would fail without one)."""
    request_ctx = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with request_ctx, force_locale(locale or "de"):
        yield


def describe(note):
    if is_announcement_kind(note.kind):
        return describe_announcement(note)
    actor = note.actor.display_name if note.actor else _("Jemand")
    thread = note.thread.title if note.thread else ""
    group = note.group.name if note.group else ""
    texts = {
        "reply": _("%(actor)s hat im Thema „%(thread)s“ geantwortet.", actor=actor, thread=thread),
        "new_thread": _("%(actor)s hat im %(group)s das Thema „%(thread)s“ eröffnet.",
                        actor=actor, group=group, thread=thread),
        "mention": _("%(actor)s hat Sie im Thema „%(thread)s“ erwähnt.", actor=actor,
                     thread=thread),
        "membership_request": _("%(actor)s möchte dem %(group)s beitreten.", actor=actor,
                                group=group),
        "group_invitation": _("%(actor)s lädt Sie in den %(group)s ein.", actor=actor,
                              group=group),
        "membership_accepted": _("Sie sind jetzt Mitglied im %(group)s.", group=group),
        "membership_declined": _("Ihre Beitrittsanfrage für den %(group)s wurde abgelehnt.",
                                 group=group),
        "thread_hidden": _("Die Moderation hat Ihr Thema „%(thread)s“ ausgeblendet. Auf der "
                           "Seite des Themas steht der Grund.", thread=thread),
        "thread_restored": _("Die Moderation hat Ihr Thema „%(thread)s“ wieder sichtbar gemacht.",
                             thread=thread),
        "report": _("%(actor)s hat einen Beitrag im Thema „%(thread)s“ gemeldet.", actor=actor,
                    thread=thread),
        "report_resolved": _("Ihre Meldung zu einem Beitrag im Thema „%(thread)s“ wurde "
                             "bearbeitet. Danke für Ihren Hinweis.", thread=thread),
        "report_dismissed": _("Ihre Meldung zu einem Beitrag im Thema „%(thread)s“ wurde "
                              "geprüft; die Moderation sieht keinen Handlungsbedarf.",
                              thread=thread),
    }
    if note.thread is None and note.kind in REPORTER_KINDS:
        # The thread went where the reporter cannot read it: the outcome without its title.
        texts["report_resolved"] = _("Ihre Meldung zu einem Beitrag wurde bearbeitet. Danke für "
                                     "Ihren Hinweis.")
        texts["report_dismissed"] = _("Ihre Meldung zu einem Beitrag wurde geprüft; die "
                                      "Moderation sieht keinen Handlungsbedarf.")
    return texts.get(note.kind, _("Neuigkeit auf der Plattform"))


def link_for(note):
    """Relative link to what a notification is about."""
    if is_announcement_kind(note.kind):
        return announcement_link(note)
    if note.kind == "report":
        return url_for("moderation.queue")
    if note.kind.startswith("report_") and note.thread_id:
        # The reported post may be hidden now; the thread is where the reporter can look.
        return url_for("forum.show_thread", thread_id=note.thread_id)
    if note.post_id:
        return url_for("forum.permalink", post_id=note.post_id)
    if note.thread_id:
        return url_for("forum.show_thread", thread_id=note.thread_id)
    if note.kind == "membership_request" and note.group is not None:
        return url_for("groups.members", slug=note.group.slug)
    if note.kind in ("group_invitation", "membership_declined"):
        return url_for("groups.index")
    if note.group is not None:
        return url_for("groups.show_group", slug=note.group.slug)
    return url_for("notifications.inbox")


def _mine(user):
    """The user's notifications, without those about threads they can no longer read: whoever
    leaves or is removed from a closed group stops seeing its thread titles, and a thread the
    moderation hid vanishes for all but its author and moderators (as can_view_thread says).
    A reporter keeps the outcome of their report: they saw that thread's title when reporting."""
    readable = select(WorkingGroup.id).where(visible_groups_clause(user))
    # Correlated: the thread of each of the member's notifications is read by its key.
    thread_readable = exists().where(Thread.id == Notification.thread_id,
                                     readable_threads_clause(user))
    return (Notification.user_id == user.id,
            or_(Notification.thread_id.is_(None), Notification.group_id.in_(readable)),
            or_(Notification.thread_id.is_(None), Notification.kind.in_(REPORTER_KINDS),
                thread_readable))


def unread_count(user):
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        *_mine(user), Notification.read_at.is_(None)))


def _with_subjects(stmt):
    """describe() names the actor, thread and group: load them with the notifications."""
    return stmt.options(joinedload(Notification.actor), joinedload(Notification.thread),
                        joinedload(Notification.group))


def inbox(user, page=1):
    stmt = (select(Notification).where(*_mine(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return db.paginate(_with_subjects(stmt), page=page, per_page=PAGE_SIZE, error_out=False)


def latest(user, limit=5):
    stmt = (select(Notification)
            .where(*_mine(user), Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    return db.session.scalars(_with_subjects(stmt)).unique().all()


def open_notification(user, notification_id):
    """Mark one notification read and return where it points."""
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        *_mine(user)))
    if note is None:
        raise NotFound()
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return link_for(note)


def mark_all_read(user):
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()


def update_preferences(user, notify_mode, auto_watch):
    if notify_mode not in NOTIFY_MODES:
        raise ValidationError(_("Bitte wählen Sie eine der angebotenen Einstellungen."),
                              {"notify_mode": _("Ungültige Auswahl.")})
    user.notify_mode = notify_mode
    user.auto_watch = bool(auto_watch)
    db.session.commit()


def send_digests(period):
    """One summary mail per member with `notify_mode == period` and unmailed notifications;
    run daily and weekly by the scheduler. Visibility is checked again before mailing."""
    if period not in ("daily", "weekly"):
        raise ValueError(f"unknown digest period {period!r}")
    now = utcnow()
    users = db.session.scalars(
        select(User).where(User.notify_mode == period, User.status == UserStatus.ACTIVE,
                           User.id.in_(select(Notification.user_id).where(
                               Notification.emailed_at.is_(None))))).all()
    sent = 0
    for user in users:
        notes = db.session.scalars(_with_subjects(
            select(Notification).where(Notification.user_id == user.id,
                                       Notification.emailed_at.is_(None))
            .order_by(Notification.created_at, Notification.id))).unique().all()
        visible = [n for n in notes if _still_visible(user, n)]
        if visible:
            with _mail_context(user.locale):
                items = [(describe(n), link_for(n)) for n in visible]
            enqueue_mail(user.email, "digest", locale=user.locale, user=user, items=items,
                         period=period)
            sent += 1
        for note in notes:
            note.emailed_at = now
        db.session.commit()
    return sent


def _still_visible(user, note):
    """Access may have changed since the notification was made: check again before mailing."""
    if note.thread is None:
        return True
    return bool(readers_among([user], note.thread.group, note.thread))
