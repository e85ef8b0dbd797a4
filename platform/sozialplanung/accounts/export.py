"""The member's data export (DSGVO Art. 15 and 20): everything the platform stores about them.

Other members appear only where the member wrote about them; a thread or group is named by
its title, a thread only while the member may read it (a thread moved into a closed group or
hidden since is named null: its current title is not the member's to see). Each part is one
query, so the export costs the same for every member.
"""
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from ..admin.audit import about_user, record_audit
from ..admin.models import AuditLog
from ..announcements.models import Announcement, AnnouncementRevision, FeedToken
from ..documents.models import Document, DocumentVersion
from ..extensions import db
from ..forum.models import Post, PostRevision, ReadState, Subscription, Thread
from ..groups.models import Membership, MembershipRequest, WorkingGroup
from ..moderation.models import ModerationAction, Report
from ..notifications.models import Notification
from ..policy import Action, readable_threads_clause, require
from ..timeutil import utcnow

FORMAT = "sozialplanung-datenexport/1"


def export_member_data(actor, ip_address=""):
    """The signed-in member downloads their own data; the download is logged."""
    require(actor, Action.EDIT_PROFILE, actor)
    data = collect_member_data(actor)
    record_audit(actor, "data_exported", actor, ip_address=ip_address)
    db.session.commit()
    return data


def collect_member_data(user):
    return {
        "format": FORMAT,
        "exported_at": _time(utcnow()),
        "profile": _profile(user),
        "notification_settings": {"email_mode": user.notify_mode,
                                  "watch_threads_i_write_in": user.auto_watch},
        "feed_token_created_at": _time(db.session.scalar(
            select(FeedToken.created_at).where(FeedToken.user_id == user.id))),
        "memberships": _memberships(user),
        "membership_requests": _membership_requests(user),
        "subscriptions": _subscriptions(user),
        "read_positions": _read_positions(user),
        "threads_started": _threads(user),
        "posts": _posts(user),
        "earlier_versions_of_posts": _post_revisions(user),
        "documents": _documents(user),
        "document_versions_uploaded": _document_versions(user),
        "announcements": _announcements(user),
        "earlier_versions_of_announcements": _announcement_revisions(user),
        "reports_filed": _reports(user),
        "notifications": _notifications(user),
        "moderation_actions_concerning_you": _moderation_actions(user),
        "audit_log": _audit_entries(user),
    }


def _time(value):
    """Stored naive UTC -> ISO 8601 with the zone spelled out."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _profile(user):
    return {
        "id": user.id, "email": user.email, "display_name": user.display_name,
        "organisation": user.organisation.name if user.organisation else None,
        "position": user.position, "phone": user.phone, "bio": user.bio,
        "show_email_in_directory": user.show_email, "language": user.locale,
        "role": user.role, "status": user.status,
        "created_at": _time(user.created_at), "last_seen_at": _time(user.last_seen_at),
        "email_confirmed_at": _time(user.email_confirmed_at),
        "suspended_reason": user.suspended_reason or None,
        "suspended_until": _time(user.suspended_until),
    }


def _memberships(user):
    rows = db.session.execute(
        select(WorkingGroup.name, Membership.role, Membership.since)
        .join(WorkingGroup, WorkingGroup.id == Membership.group_id)
        .where(Membership.user_id == user.id).order_by(Membership.since))
    return [{"group": name, "role": role, "since": _time(since)} for name, role, since in rows]


def _membership_requests(user):
    """Requests the member made and invitations they received; a message only if theirs."""
    rows = db.session.execute(
        select(MembershipRequest, WorkingGroup.name)
        .join(WorkingGroup, WorkingGroup.id == MembershipRequest.group_id)
        .where(MembershipRequest.user_id == user.id).order_by(MembershipRequest.created_at))
    return [{"group": group, "kind": req.kind, "created_at": _time(req.created_at),
             "message": req.message if req.created_by_id == user.id else None}
            for req, group in rows]


def _thread_title(user):
    """Thread.title where the member may read the thread, else null (one column, no query)."""
    return case((readable_threads_clause(user), Thread.title), else_=None)


def _subscriptions(user):
    rows = db.session.execute(
        select(Subscription.created_at, _thread_title(user), WorkingGroup.name)
        .outerjoin(Thread, Thread.id == Subscription.thread_id)
        .outerjoin(WorkingGroup, WorkingGroup.id == Subscription.group_id)
        .where(Subscription.user_id == user.id).order_by(Subscription.created_at))
    return [{"thread": thread, "group": group, "since": _time(created)}
            for created, thread, group in rows]


def _read_positions(user):
    rows = db.session.execute(
        select(Thread.id, _thread_title(user), ReadState.last_read_number)
        .join(Thread, Thread.id == ReadState.thread_id)
        .where(ReadState.user_id == user.id).order_by(Thread.id))
    return [{"thread_id": thread_id, "thread": title, "read_up_to_post_number": number}
            for thread_id, title, number in rows]


def _threads(user):
    """Threads the member started; one moved into a closed group may have been renamed there,
    so its title follows the same rule as everywhere in the export."""
    rows = db.session.execute(
        select(Thread, _thread_title(user), WorkingGroup.name)
        .join(WorkingGroup, WorkingGroup.id == Thread.group_id)
        .where(Thread.author_id == user.id).order_by(Thread.created_at, Thread.id))
    return [{"id": thread.id, "title": title, "group": group,
             "created_at": _time(thread.created_at), "posts": thread.post_count,
             "pinned": thread.is_pinned, "locked": thread.is_locked,
             "hidden": thread.is_hidden} for thread, title, group in rows]


def _posts(user):
    """Every post of the member, hidden and deleted ones too: they are the member's text."""
    rows = db.session.execute(
        select(Post, _thread_title(user), WorkingGroup.name)
        .join(Thread, Thread.id == Post.thread_id)
        .join(WorkingGroup, WorkingGroup.id == Thread.group_id)
        .where(Post.author_id == user.id).order_by(Post.created_at, Post.id))
    return [{"id": post.id, "thread_id": post.thread_id, "thread": title, "group": group,
             "number_in_thread": post.number, "created_at": _time(post.created_at),
             "edited_at": _time(post.edited_at), "source_markdown": post.source,
             "hidden": post.is_hidden, "hidden_reason": post.hidden_reason or None,
             "deleted": post.is_deleted} for post, title, group in rows]


def _post_revisions(user):
    """Texts the member wrote that a later edit replaced."""
    rows = db.session.execute(
        select(PostRevision).where(PostRevision.author_id == user.id)
        .order_by(PostRevision.created_at, PostRevision.id))
    return [{"post_id": rev.post_id, "written_at": _time(rev.created_at),
             "source_markdown": rev.source} for rev in rows.scalars()]


def _documents(user):
    documents = db.session.scalars(
        select(Document).where(Document.created_by_id == user.id)
        .options(selectinload(Document.tag_rows), selectinload(Document.group))
        .order_by(Document.created_at, Document.id))
    return [{"id": doc.id, "title": doc.title, "description": doc.description,
             "category": doc.category, "tags": doc.tags,
             "group": doc.group.name if doc.group else None,
             "in_library": doc.in_library, "created_at": _time(doc.created_at),
             "updated_at": _time(doc.updated_at), "deleted": doc.is_deleted}
            for doc in documents]


def _document_versions(user):
    """Metadata of the files the member uploaded; the files themselves stay in the library."""
    rows = db.session.execute(
        select(DocumentVersion, Document.title)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(DocumentVersion.uploaded_by_id == user.id)
        .order_by(DocumentVersion.created_at, DocumentVersion.id))
    return [{"document_id": version.document_id, "document": title,
             "version": version.number, "filename": version.filename,
             "media_type": version.media_type, "size_bytes": version.size,
             "change_note": version.change_note, "uploaded_at": _time(version.created_at)}
            for version, title in rows]


def _announcements(user):
    announcements = db.session.scalars(
        select(Announcement).where(Announcement.author_id == user.id)
        .order_by(Announcement.created_at, Announcement.id))
    return [{"id": a.id, "title": a.title, "teaser": a.teaser, "body": a.body,
             "category": a.category, "audience": a.audience, "status": a.status,
             "publish_at": _time(a.publish_at), "created_at": _time(a.created_at),
             "updated_at": _time(a.updated_at), "deleted": a.is_deleted,
             "event_starts_at": _time(a.starts_at), "event_ends_at": _time(a.ends_at),
             "location": a.location, "online_url": a.online_url,
             "registration_url": a.registration_url} for a in announcements]


def _announcement_revisions(user):
    rows = db.session.scalars(
        select(AnnouncementRevision).where(AnnouncementRevision.author_id == user.id)
        .order_by(AnnouncementRevision.created_at, AnnouncementRevision.id))
    return [{"announcement_id": rev.announcement_id, "written_at": _time(rev.created_at),
             "title": rev.title, "teaser": rev.teaser, "body": rev.body} for rev in rows]


def _reports(user):
    rows = db.session.execute(
        select(Report, _thread_title(user))
        .join(Post, Post.id == Report.post_id).join(Thread, Thread.id == Post.thread_id)
        .where(Report.reporter_id == user.id).order_by(Report.created_at, Report.id))
    return [{"post_id": report.post_id, "thread": title, "reason": report.reason,
             "status": report.status, "created_at": _time(report.created_at),
             "handled_at": _time(report.handled_at)} for report, title in rows]


def _notifications(user):
    """What the member was notified of; who caused it is another member's data, left out."""
    rows = db.session.execute(
        select(Notification, _thread_title(user), WorkingGroup.name)
        .outerjoin(Thread, Thread.id == Notification.thread_id)
        .outerjoin(WorkingGroup, WorkingGroup.id == Notification.group_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at, Notification.id))
    return [{"kind": note.kind, "thread": thread, "group": group, "post_id": note.post_id,
             "created_at": _time(note.created_at), "read_at": _time(note.read_at)}
            for note, thread, group in rows]


def _moderation_actions(user):
    rows = db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_user_id == user.id)
        .order_by(ModerationAction.created_at, ModerationAction.id))
    return [{"action": entry.action, "reason": entry.reason, "details": entry.details,
             "created_at": _time(entry.created_at)} for entry in rows]


def _audit_entries(user):
    """Security and administration events about the member's account (sign-ins, password
    changes, role changes); who acted is told only as the member, an admin, or the system."""
    rows = db.session.scalars(
        select(AuditLog).where(about_user(user.id)).order_by(AuditLog.created_at, AuditLog.id))
    return [{"action": entry.action, "created_at": _time(entry.created_at),
             "by": _audit_actor(entry, user), "ip_address": entry.ip_address or None,
             "details": entry.summary or None} for entry in rows]


def _audit_actor(entry, user):
    if entry.actor_id is None:
        return "system"
    return "you" if entry.actor_id == user.id else "administration"
