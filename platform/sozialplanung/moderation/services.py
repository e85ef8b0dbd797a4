"""Moderation use cases. Every successful action writes exactly one ModerationAction in the
same transaction; refused actions change nothing and log nothing."""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.models import SiteRole, User, UserStatus
from ..accounts.services import check_suspension_end
from ..documents.models import Document, DocumentVersion, PostAttachment
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..forum.models import Post, ReadState, Subscription, Thread
from ..forum.services import get_post, get_thread, lock_thread, refresh_group_stats
from ..groups.models import GroupRole, Membership, WorkingGroup
from ..notifications.models import Notification
from ..notifications.services import notify_users
from ..policy import Action, can, moderated_group_ids, readers_among, require
from ..sql import parse_id
from ..text import without_invisible
from ..timeutil import utcnow
from .models import ModerationAction, Report, ReportStatus

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


def _log(actor, action, *, group_id=None, thread=None, post=None, target_user=None, reason="",
         details=""):
    db.session.add(ModerationAction(
        actor_id=actor.id, action=action, group_id=group_id,
        thread_id=getattr(thread, "id", None), post_id=getattr(post, "id", None),
        target_user_id=getattr(target_user, "id", None), reason=(reason or "")[:REASON_MAX],
        details=details))


def _clean_reason(reason, required=False):
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
    _log(actor, action, group_id=thread.group_id, thread=thread, reason=reason)
    return thread


def set_pinned(actor, thread_id, pinned, expected_group_id=None):
    thread = _toggle(actor, thread_id, expected_group_id, "is_pinned", pinned,
                     "pin" if pinned else "unpin")
    db.session.commit()
    return thread


def set_locked(actor, thread_id, locked, reason="", expected_group_id=None):
    reason = _clean_reason(reason)
    thread = _toggle(actor, thread_id, expected_group_id, "is_locked", locked,
                     "lock" if locked else "unlock", reason)
    thread.lock_reason = reason if locked else ""
    db.session.commit()
    return thread


def set_thread_hidden(actor, thread_id, hidden, reason="", expected_group_id=None):
    reason = _clean_reason(reason, required=hidden)
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
    _log(actor, "rename", group_id=thread.group_id, thread=thread, details=f"{old} → {title}")
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
    _log(actor, "move", group_id=target.id, thread=thread, reason=_clean_reason(reason),
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
    _log(actor, "split", group_id=thread.group_id, thread=thread,
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
    _log(actor, "merge", group_id=target.group_id, thread=target,
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
    reason = _clean_reason(reason, required=hidden)
    if post.is_deleted:
        raise Conflict(_("Dieser Beitrag wurde bereits gelöscht."))
    if post.is_hidden == hidden:
        raise Conflict(_("Dieser Beitrag ist bereits ausgeblendet.") if hidden
                       else _("Dieser Beitrag ist nicht ausgeblendet."))
    post.is_hidden = hidden
    post.hidden_reason = reason if hidden else ""
    post.hidden_by_id = actor.id if hidden else None
    _log(actor, "hide_post" if hidden else "restore_post", group_id=post.thread.group_id,
         thread=post.thread, post=post, reason=reason)
    db.session.commit()
    return post


# --- reports ------------------------------------------------------------------------------

def get_reportable_post(actor, post_id):
    """The post a member wants to report, and their own report on it that is still open."""
    post = get_post(actor, post_id)
    _require_report(actor, post)
    return post, _open_report(actor, post)


def _require_report(actor, post):
    """Deleted and hidden posts are out of sight already; the report page would quote them, and
    a hidden post's text is only for its author and its moderators."""
    if post.is_deleted:
        raise PermissionDenied(_("Dieser Beitrag wurde bereits gelöscht."))
    if post.is_hidden:
        raise PermissionDenied(_("Die Moderation hat diesen Beitrag bereits ausgeblendet; eine "
                                 "Meldung ist nicht nötig."))
    require(actor, Action.REPORT_POST, post)


def _open_report(actor, post):
    return db.session.scalar(select(Report).where(
        Report.post_id == post.id, Report.reporter_id == actor.id,
        Report.status == ReportStatus.OPEN))


def report_post(actor, post_id, reason):
    """Flag a post for its moderators. While a member's report is open, it stands as written
    and a second one returns None; after a decision the member may report the post again."""
    post = get_post(actor, post_id)
    _require_report(actor, post)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Bitte beschreiben Sie kurz, was an dem Beitrag problematisch "
                                "ist."), {"reason": _("Bitte geben Sie einen Grund an.")})
    if len(reason) > 2000:
        raise ValidationError(_("Höchstens 2.000 Zeichen."), {"reason": _("Höchstens 2.000 "
                                                                      "Zeichen.")})
    report = db.session.scalar(select(Report).where(
        Report.post_id == post.id, Report.reporter_id == actor.id))
    if report is not None and report.status == ReportStatus.OPEN:
        return None
    now = utcnow()
    if report is None:
        report = Report(post_id=post.id, reporter_id=actor.id, created_at=now)
        db.session.add(report)
    report.reason = reason
    report.status = ReportStatus.OPEN
    report.updated_at = now
    report.group_id = post.thread.group_id
    report.handled_by_id, report.handled_at, report.resolution_note = None, None, ""
    try:
        db.session.flush()
    except IntegrityError:
        # The same form was sent twice at the same moment: the first report stands.
        db.session.rollback()
        return None
    notify_users(_report_handlers(post), "report", actor=actor, thread=post.thread, post=post)
    db.session.commit()
    return report


def _report_handlers(post):
    """Who is told about a report: the group's moderators and the site moderators, except the
    post's author (policy.can_handle_report)."""
    group_mods = select(Membership.user_id).where(Membership.group_id == post.thread.group_id,
                                                  Membership.role == GroupRole.MODERATOR)
    return db.session.scalars(select(User.id).where(
        User.status == UserStatus.ACTIVE, User.id != (post.author_id or 0),
        (User.role.in_([SiteRole.ADMIN, SiteRole.MODERATOR])) | User.id.in_(group_mods))).all()


def handle_report(actor, report_id, resolution, note="", hide_post=False):
    """Resolve (optionally hiding the post) or dismiss a report; the reporter is told. The
    post's author never sees a report about it, not even as a moderator (404)."""
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound()
    post = get_post(actor, report.post_id)
    require(actor, Action.MODERATE_GROUP, post.thread.group)
    require(actor, Action.HANDLE_REPORT, report, hide=True)
    if report.status != ReportStatus.OPEN:
        raise Conflict(_("Diese Meldung wurde bereits bearbeitet."))
    if resolution not in (ReportStatus.RESOLVED, ReportStatus.DISMISSED):
        raise ValidationError(_("Unbekannte Entscheidung."))
    note = _clean_reason(note)
    if hide_post and resolution == ReportStatus.RESOLVED and not post.is_hidden \
            and not post.is_deleted:
        post.is_hidden = True
        post.hidden_reason = note or report.reason[:REASON_MAX]
        post.hidden_by_id = actor.id
    report.status = resolution
    report.handled_by_id = actor.id
    report.handled_at = utcnow()
    report.resolution_note = note
    _log(actor, "resolve_report" if resolution == ReportStatus.RESOLVED else "dismiss_report",
         group_id=post.thread.group_id, thread=post.thread, post=post,
         target_user=post.author, reason=note,
         details=_("Beitrag ausgeblendet") if hide_post and post.is_hidden else "")
    _tell_reporter(actor, report, post)
    db.session.commit()
    return report


def _tell_reporter(actor, report, post):
    """The report page promised the reporter the outcome. If the thread has since gone where
    they cannot read it (moved into a closed group, hidden), they hear it without its title."""
    kind = "report_" + report.status
    reporter = db.session.get(User, report.reporter_id)
    if reporter is not None and readers_among([reporter], post.thread.group, post.thread):
        notify_users([reporter.id], kind, actor=actor, thread=post.thread, post=post)
    else:
        notify_users([report.reporter_id], kind, actor=actor)


def report_queue(actor, group_id=None, page=1):
    """Open reports in the groups the actor moderates, oldest first, with posts in context;
    none about the actor's own posts."""
    require(actor, Action.VIEW_MODERATION)
    scope = moderated_group_ids(actor)
    stmt = select(Report).where(Report.status == ReportStatus.OPEN)
    if scope is not None:
        stmt = stmt.where(Report.group_id.in_(scope or [0]))
    if group_id:
        stmt = stmt.where(Report.group_id == group_id)
    # Reports on the actor's own posts go to the other moderators (policy.can_handle_report).
    stmt = stmt.where(~exists().where(Post.id == Report.post_id, Post.author_id == actor.id))
    stmt = stmt.options(joinedload(Report.post).joinedload(Post.author),
                        joinedload(Report.post).joinedload(Post.thread),
                        joinedload(Report.reporter), joinedload(Report.group)
                        ).order_by(Report.created_at, Report.id)
    return db.paginate(stmt, page=page, per_page=25, error_out=False)


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
    reason = _clean_reason(reason, required=True)
    if actor.role != SiteRole.ADMIN and until is None:
        raise ValidationError(_("Bitte geben Sie an, bis wann die Sperre gilt."),
                              {"until": _("Bitte ein Enddatum angeben.")})
    check_suspension_end(until, by_admin=actor.role == SiteRole.ADMIN)
    if user.status == UserStatus.SUSPENDED:
        raise Conflict(_("Dieses Konto ist bereits gesperrt."))
    if user.status != UserStatus.ACTIVE:
        raise Conflict(_("Nur aktive Konten können gesperrt werden."))
    user.suspend(reason, until)
    _log(actor, "suspend", target_user=user, reason=reason,
         details=f"bis {until:%Y-%m-%d %H:%M} UTC" if until else "unbefristet")
    db.session.commit()
    return user


def reactivate_member(actor, user_id):
    user = get_sanctionable(actor, user_id)
    if user.status != UserStatus.SUSPENDED:
        raise Conflict(_("Dieses Konto ist nicht gesperrt."))
    user.reactivate()
    _log(actor, "reactivate", target_user=user)
    db.session.commit()
    return user
