"""Reports: members flag posts for their moderators, who resolve or dismiss them; the
reporter hears the outcome. A decision writes one ModerationAction, like every moderation."""
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.models import SiteRole, User, UserStatus
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..forum.models import Post
from ..forum.services import get_post
from ..groups.models import GroupRole, Membership
from ..notifications.services import notify_users
from ..policy import Action, moderated_group_ids, readers_among, require
from ..timeutil import utcnow
from .models import Report, ReportStatus
from .services import REASON_MAX, clean_reason, log_action


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
    note = clean_reason(note)
    if hide_post and resolution == ReportStatus.RESOLVED and not post.is_hidden \
            and not post.is_deleted:
        post.is_hidden = True
        post.hidden_reason = note or report.reason[:REASON_MAX]
        post.hidden_by_id = actor.id
    report.status = resolution
    report.handled_by_id = actor.id
    report.handled_at = utcnow()
    report.resolution_note = note
    log_action(actor, "resolve_report" if resolution == ReportStatus.RESOLVED else "dismiss_report",
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
