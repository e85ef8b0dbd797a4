"""Moderation use cases. Every successful action writes exactly one ModerationAction in the
same transaction; refused actions change nothing and log nothing."""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import SiteRole, User, UserStatus
from ..accounts.services import check_suspension_end
from ..documents.models import Document, DocumentVersion, PostAttachment
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..forum.models import Post, ReadState, Subscription, Thread
from ..forum.services import get_post, get_thread, lock_thread, refresh_group_stats
from ..groups.models import WorkingGroup
from ..notifications.models import Notification
from ..notifications.services import notify_users
from ..policy import Action, can, moderated_group_ids, readers_among, require
from ..sql import parse_id
from ..text import without_invisible
from ..timeutil import local_time
from .models import ModerationAction, Report

REASON_MAX = 500
PARKING_OFFSET = 1 << 30
ACTION_LABELS = {
    "pin": _l("angeheftet"), "unpin": _l("nicht mehr angeheftet"),
    "lock": _l("geschlossen"), "unlock": _l("geöffnet"),
    "rename": _l("umbenannt"), "move": _l("verschoben"),
    "hide_thread": _l("Thema ausgeblendet"), "restore_thread": _l("Thema wieder sichtbar"),
    "split": _l("geteilt"), "merge": _l("zusammengeführt"),
    "hide_post": _l("Beitrag ausgeblendet"), "restore_post": _l("Beitrag wieder sichtbar"),
    "resolve_report": _l("Meldung erledigt"), "dismiss_report": _l("Meldung verworfen"),
    "suspend": _l("Konto gesperrt"), "reactivate": _l("Konto reaktiviert"),
}


def log_action(actor, action, *, group_id=None, thread=None, post=None, target_user=None, reason="",
         details=""):
    db.session.add(ModerationAction(
        actor_id=actor.id, action=action, group_id=group_id,
        thread_id=getattr(thread, "id", None), post_id=getattr(post, "id", None),
        target_user_id=getattr(target_user, "id", None), reason=(reason or "")[:REASON_MAX],
        details=details))


def clean_reason(reason, required=False):
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ValidationError(_("Bitte geben Sie einen Grund an."),
                              {"reason": _("Bitte geben Sie einen Grund an.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(_("Der Grund darf höchstens %(n)s Zeichen lang sein.", n=REASON_MAX),
                              {"reason": _("Höchstens %(n)s Zeichen.", n=REASON_MAX)})
    return reason


def get_moderated_thread(actor, thread_id, expected_group_id=None):
    """Load a thread for a moderation action; a stale or forged form is refused."""
    thread = get_thread(actor, thread_id)
    require(actor, Action.MODERATE_GROUP, thread.group)
    if expected_group_id is not None and thread.group_id != expected_group_id:
        raise Conflict(_("Das Thema wurde inzwischen in einen anderen Arbeitskreis verschoben. "
                         "Bitte laden Sie die Seite neu."))
    return thread


def require_moderation_of(actor, group):
    require(actor, Action.MODERATE_GROUP, group)


def get_sanctionable(actor, user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    require(actor, Action.SUSPEND_USER, user)
    return user


# --- thread actions -----------------------------------------------------------------------

def _toggle(actor, thread_id, expected_group_id, attribute, value, action, reason=""):
    thread = get_moderated_thread(actor, thread_id, expected_group_id)
    if getattr(thread, attribute) == value:
        raise Conflict(_("Diese Aktion wurde bereits ausgeführt (vermutlich gerade von jemand "
                         "anderem). Bitte laden Sie die Seite neu."))
    setattr(thread, attribute, value)
    log_action(actor, action, group_id=thread.group_id, thread=thread, reason=reason)
    return thread


def set_pinned(actor, thread_id, pinned, expected_group_id=None):
    thread = _toggle(actor, thread_id, expected_group_id, "is_pinned", pinned,
                     "pin" if pinned else "unpin")
    db.session.commit()
    return thread


def set_locked(actor, thread_id, locked, reason="", expected_group_id=None):
    reason = clean_reason(reason)
    thread = _toggle(actor, thread_id, expected_group_id, "is_locked", locked,
                     "lock" if locked else "unlock", reason)
    thread.lock_reason = reason if locked else ""
    db.session.commit()
    return thread


def set_thread_hidden(actor, thread_id, hidden, reason="", expected_group_id=None):
    reason = clean_reason(reason, required=hidden)
    thread = _toggle(actor, thread_id, expected_group_id, "is_hidden", hidden,
                     "hide_thread" if hidden else "restore_thread", reason)
    refresh_group_stats(thread.group_id)
    if thread.author_id:  # the author may read a hidden thread and learns why (hide_reason)
        notify_users([thread.author_id], "thread_hidden" if hidden else "thread_restored",
                     actor=actor, thread=thread)
    db.session.commit()
    return thread


def hide_reason(thread):
    """Why the moderation hid this thread (the reason given the last time), for its author."""
    return db.session.scalar(
        select(ModerationAction.reason).where(ModerationAction.thread_id == thread.id,
                                              ModerationAction.action == "hide_thread")
        .order_by(ModerationAction.id.desc()).limit(1)) or ""


def rename_thread(actor, thread_id, title, expected_group_id=None):
    thread = get_moderated_thread(actor, thread_id, expected_group_id)
    title = " ".join(without_invisible(title).split())
    if not title or len(title) > 200:
        raise ValidationError(_("Bitte geben Sie einen Titel mit höchstens 200 Zeichen an."),
                              {"title": _("Bitte geben Sie einen Titel an.")})
    if title == thread.title:
        raise Conflict(_("Das Thema trägt diesen Titel bereits."))
    old = thread.title
    thread.title = title
    log_action(actor, "rename", group_id=thread.group_id, thread=thread, details=f"{old} → {title}")
    db.session.commit()
    return thread


def move_thread(actor, thread_id, target_group_id, expected_group_id=None, reason=""):
    """Move a thread; watchers who cannot read the new group stop watching it."""
    thread = get_moderated_thread(actor, thread_id, expected_group_id)
    target = db.session.get(WorkingGroup, target_group_id or 0)
    if target is None:
        raise ValidationError(_("Bitte wählen Sie einen Arbeitskreis als Ziel."),
                              {"target_group_id": _("Unbekannter Arbeitskreis.")})
    require(actor, Action.VIEW_GROUP, target, hide=True)
    require(actor, Action.MODERATE_GROUP, target)
    if target.is_archived:
        raise ValidationError(_("In einen archivierten Arbeitskreis kann nichts verschoben "
                                "werden."))
    if target.id == thread.group_id:
        raise Conflict(_("Das Thema ist bereits in diesem Arbeitskreis."))
    source_id = thread.group_id
    thread.group_id = target.id
    thread.group = target
    _drop_watchers_without_access(thread, target)
    _regroup_reports(thread)
    db.session.execute(update(Notification).where(Notification.thread_id == thread.id)
                       .values(group_id=target.id))
    log_action(actor, "move", group_id=target.id, thread=thread, reason=clean_reason(reason),
         details=f"group {source_id} → {target.id}")
    refresh_group_stats(source_id, target.id)
    db.session.commit()
    return thread


def _drop_watchers_without_access(thread, group):
    watcher_ids = db.session.scalars(select(Subscription.user_id).where(
        Subscription.thread_id == thread.id)).all()
    if not watcher_ids:
        return
    watchers = db.session.scalars(select(User).where(User.id.in_(watcher_ids))).all()
    allowed = {u.id for u in readers_among(watchers, group, thread)}
    lost = [uid for uid in watcher_ids if uid not in allowed]
    if lost:
        db.session.execute(delete(Subscription).where(
            Subscription.thread_id == thread.id, Subscription.user_id.in_(lost)))


def _regroup_reports(thread):
    """Reports carry their post's group (the queue is scoped by it): they follow moved posts,
    so they reach the moderators of the new group and leave those of the old one. Files
    uploaded with the posts follow too: the new group's moderators manage them."""
    in_thread = select(Post.id).where(Post.thread_id == thread.id)
    db.session.execute(update(Report).where(Report.post_id.in_(in_thread))
                       .values(group_id=thread.group_id))
    attached = (select(DocumentVersion.document_id)
                .join(PostAttachment, PostAttachment.version_id == DocumentVersion.id)
                .where(PostAttachment.post_id.in_(in_thread)))
    db.session.execute(update(Document).where(Document.id.in_(attached),
                                              Document.in_library.is_(False))
                       .values(group_id=thread.group_id))


def split_thread(actor, thread_id, post_ids, title, target_group_id=None, expected_group_id=None):
    """Move the selected posts into a new thread (same group unless another is chosen)."""
    thread = get_moderated_thread(actor, thread_id, expected_group_id)
    lock_thread(thread.id)  # a reply arriving meanwhile would number its post from a stale count
    title = " ".join(without_invisible(title).split())
    if not title or len(title) > 200:
        raise ValidationError(_("Bitte geben Sie einen Titel für das neue Thema an."),
                              {"title": _("Bitte geben Sie einen Titel an.")})
    ids = {n for n in map(parse_id, post_ids or []) if n}
    if not ids:
        raise ValidationError(_("Bitte wählen Sie mindestens einen Beitrag für das neue Thema "
                                "aus."))
    posts = db.session.scalars(select(Post).where(Post.id.in_(ids), Post.thread_id == thread.id)
                               .order_by(Post.created_at, Post.id)).all()
    if not posts or len(posts) != len(ids):
        raise Conflict(_("Die ausgewählten Beiträge gehören nicht (mehr) zu diesem Thema. Bitte "
                         "laden Sie die Seite neu."))
    if len(posts) == thread.post_count:
        raise ValidationError(_("Mindestens ein Beitrag muss im ursprünglichen Thema bleiben."))
    target = thread.group
    if target_group_id and target_group_id != thread.group_id:
        target = db.session.get(WorkingGroup, target_group_id)
        if target is None:
            raise ValidationError(_("Unbekannter Arbeitskreis."))
        require(actor, Action.VIEW_GROUP, target, hide=True)
        require(actor, Action.MODERATE_GROUP, target)
    new = Thread(group_id=target.id, title=title, author_id=posts[0].author_id,
                 created_at=posts[0].created_at, last_post_at=posts[0].created_at, post_count=0)
    new.group = target
    db.session.add(new)
    db.session.flush()
    for post in posts:
        post.thread_id = new.id
    db.session.flush()
    _renumber(thread)
    _renumber(new)
    _regroup_reports(new)
    db.session.execute(update(Notification).where(Notification.post_id.in_(ids))
                       .values(thread_id=new.id, group_id=target.id))
    log_action(actor, "split", group_id=thread.group_id, thread=thread,
         details=f"{len(posts)} Beiträge → Thema {new.id}")
    refresh_group_stats(thread.group_id, target.id)
    db.session.commit()
    return new


def merge_threads(actor, source_id, target_id, expected_group_id=None):
    """Merge the source thread into the target; posts keep their order by time."""
    source = get_moderated_thread(actor, source_id, expected_group_id)
    target = _merge_target(actor, target_id)
    if target.id == source.id:
        raise ValidationError(_("Ein Thema kann nicht mit sich selbst zusammengeführt werden."),
                              {"target_thread_id": _("Bitte ein anderes Thema wählen.")})
    for thread_id in sorted((source.id, target.id)):  # in id order: two merges cannot deadlock
        lock_thread(thread_id)
    db.session.execute(update(Post).where(Post.thread_id == source.id)
                       .values(thread_id=target.id, number=PARKING_OFFSET + Post.id))
    db.session.flush()
    _renumber(target)
    _regroup_reports(target)
    _move_subscriptions(source, target)
    db.session.execute(update(Notification).where(Notification.thread_id == source.id)
                       .values(thread_id=target.id, group_id=target.group_id))
    db.session.execute(update(ModerationAction).where(ModerationAction.thread_id == source.id)
                       .values(thread_id=target.id))
    db.session.execute(delete(ReadState).where(ReadState.thread_id == source.id))
    log_action(actor, "merge", group_id=target.group_id, thread=target,
         details=f"Thema {source.id} „{source.title}“ → {target.id}")
    db.session.delete(source)
    refresh_group_stats(source.group_id, target.group_id)
    db.session.commit()
    return target


def _merge_target(actor, target_id):
    """The thread to merge into. A missing thread and one the actor may not moderate get the
    same answer, so the form does not tell whether a thread they cannot read exists."""
    target = db.session.get(Thread, target_id) if target_id else None
    if target is None or not can(actor, Action.VIEW_THREAD, target) \
            or not can(actor, Action.MODERATE_GROUP, target.group):
        message = _("Dieses Thema gibt es nicht oder Sie dürfen es nicht zusammenführen.")
        raise ValidationError(message, {"target_thread_id": message})
    if target.group.is_archived:
        message = _("Das Ziel-Thema liegt in einem archivierten Arbeitskreis.")
        raise ValidationError(message, {"target_thread_id": message})
    return target


def _move_subscriptions(source, target):
    existing = set(db.session.scalars(select(Subscription.user_id).where(
        Subscription.thread_id == target.id)))
    for sub in db.session.scalars(select(Subscription).where(Subscription.thread_id == source.id)):
        if sub.user_id in existing:
            db.session.delete(sub)
        else:
            sub.thread_id = target.id
    db.session.flush()
    target_watchers = db.session.scalars(select(User).join(
        Subscription, Subscription.user_id == User.id).where(Subscription.thread_id == target.id)).all()
    allowed = {u.id for u in readers_among(target_watchers, target.group, target)}
    db.session.execute(delete(Subscription).where(
        Subscription.thread_id == target.id, Subscription.user_id.not_in(allowed or {0})))


def _renumber(thread):
    """Give the thread's posts numbers 1..n by time and refresh its counters."""
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                               .order_by(Post.created_at, Post.id)).all()
    # Two passes keep (thread, number) unique while numbers shift: first park every post on a
    # number no real post has (positive, as the check constraint demands), then renumber.
    for post in posts:
        post.number = PARKING_OFFSET + post.id
    db.session.flush()
    for number, post in enumerate(posts, start=1):
        post.number = number
    db.session.flush()
    thread.post_count = len(posts)
    last = posts[-1] if posts else None
    thread.last_post_id = last.id if last else None
    thread.last_poster_id = last.author_id if last else None
    thread.last_post_at = last.created_at if last else thread.created_at
    db.session.execute(update(ReadState).where(
        ReadState.thread_id == thread.id, ReadState.last_read_number > len(posts))
        .values(last_read_number=len(posts)))


# --- post actions -------------------------------------------------------------------------

def set_post_hidden(actor, post_id, hidden, reason=""):
    post = get_post(actor, post_id)
    require(actor, Action.MODERATE_GROUP, post.thread.group)
    reason = clean_reason(reason, required=hidden)
    if post.is_deleted:
        raise Conflict(_("Dieser Beitrag wurde bereits gelöscht."))
    if post.is_hidden == hidden:
        raise Conflict(_("Dieser Beitrag ist bereits ausgeblendet.") if hidden
                       else _("Dieser Beitrag ist nicht ausgeblendet."))
    post.is_hidden = hidden
    post.hidden_reason = reason if hidden else ""
    post.hidden_by_id = actor.id if hidden else None
    log_action(actor, "hide_post" if hidden else "restore_post", group_id=post.thread.group_id,
         thread=post.thread, post=post, reason=reason)
    db.session.commit()
    return post


# --- moderation log -----------------------------------------------------------------------

def moderation_log(actor, *, group_id=None, moderator_id=None, action="", page=1):
    require(actor, Action.VIEW_MODERATION)
    scope = moderated_group_ids(actor)
    stmt = select(ModerationAction)
    if scope is not None:
        stmt = stmt.where(ModerationAction.group_id.in_(scope or [0]))
    if group_id:
        stmt = stmt.where(ModerationAction.group_id == group_id)
    if moderator_id:
        stmt = stmt.where(ModerationAction.actor_id == moderator_id)
    if action:
        stmt = stmt.where(ModerationAction.action == action[:32])
    stmt = stmt.options(joinedload(ModerationAction.actor), joinedload(ModerationAction.group),
                        joinedload(ModerationAction.thread),
                        joinedload(ModerationAction.target_user)
                        ).order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    entries = db.paginate(stmt, page=page, per_page=50, error_out=False)
    for entry in entries.items:
        entry.thread_visible = entry.thread is not None and can(actor, Action.VIEW_THREAD,
                                                                entry.thread)
    return entries


def log_filters(actor):
    """Groups and moderators that can appear in the actor's log filter."""
    require(actor, Action.VIEW_MODERATION)
    scope = moderated_group_ids(actor)
    groups = select(WorkingGroup).order_by(WorkingGroup.name)
    if scope is not None:
        groups = groups.where(WorkingGroup.id.in_(scope or [0]))
    moderators = select(User).where(User.id.in_(select(ModerationAction.actor_id).distinct()))
    return (db.session.scalars(groups).all(),
            db.session.scalars(moderators.order_by(func.lower(User.display_name))).all())


# --- account sanctions --------------------------------------------------------------------

def suspend_member(actor, user_id, reason, until: datetime | None):
    """Admins suspend anyone but themselves; site moderators only members, and only for a period."""
    user = get_sanctionable(actor, user_id)
    reason = clean_reason(reason, required=True)
    if actor.role != SiteRole.ADMIN and until is None:
        raise ValidationError(_("Bitte geben Sie an, bis wann die Sperre gilt."),
                              {"until": _("Bitte ein Enddatum angeben.")})
    check_suspension_end(until, by_admin=actor.role == SiteRole.ADMIN)
    if user.status == UserStatus.SUSPENDED:
        raise Conflict(_("Dieses Konto ist bereits gesperrt."))
    if user.status != UserStatus.ACTIVE:
        raise Conflict(_("Nur aktive Konten können gesperrt werden."))
    user.suspend(reason, until)
    log_action(actor, "suspend", target_user=user, reason=reason,
         details=f"bis {local_time(until):%d.%m.%Y, %H:%M}" if until else "unbefristet")
    db.session.commit()
    return user


def reactivate_member(actor, user_id):
    user = get_sanctionable(actor, user_id)
    if user.status != UserStatus.SUSPENDED:
        raise Conflict(_("Dieses Konto ist nicht gesperrt."))
    user.reactivate()
    log_action(actor, "reactivate", target_user=user)
    db.session.commit()
    return user
