"""Every permission rule of the portal, as small named predicates behind can(user, action, obj)."""
from enum import StrEnum

from flask import g, has_request_context
from sqlalchemy import and_, or_, select

from . import timeutil
from .accounts.models import SiteRole, User, UserStatus
from .announcements.models import Announcement, AnnouncementGroup, Audience
from .announcements.models import Status as AnnouncementStatus
from .documents.models import Document, DocumentVersion, PostAttachment
from .errors import NotFound, PermissionDenied
from .extensions import db
from .forum.models import Post, Thread
from .groups.models import GroupRole, Membership, Visibility, WorkingGroup


class Action(StrEnum):
    VIEW_MEMBERS = "view_members"
    VIEW_PROFILE = "view_profile"
    EDIT_PROFILE = "edit_profile"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT_LOG = "view_audit_log"
    EDIT_SITE_PAGES = "edit_site_pages"
    MANAGE_OUTBOX = "manage_outbox"
    VIEW_GROUP = "view_group"
    MANAGE_GROUPS = "manage_groups"
    JOIN_GROUP = "join_group"
    REQUEST_MEMBERSHIP = "request_membership"
    LEAVE_GROUP = "leave_group"
    MANAGE_MEMBERSHIPS = "manage_memberships"
    MODERATE_GROUP = "moderate_group"
    POST_IN_GROUP = "post_in_group"
    VIEW_THREAD = "view_thread"
    REPLY = "reply"
    VIEW_POST = "view_post"
    EDIT_POST = "edit_post"
    DELETE_POST = "delete_post"
    VIEW_REVISIONS = "view_revisions"
    VIEW_LIBRARY = "view_library"
    UPLOAD_DOCUMENT = "upload_document"
    VIEW_DOCUMENT = "view_document"
    EDIT_DOCUMENT = "edit_document"
    DELETE_DOCUMENT = "delete_document"
    ATTACH_TO_POST = "attach_to_post"
    WRITE_ANNOUNCEMENTS = "write_announcements"
    VIEW_ANNOUNCEMENT = "view_announcement"
    EDIT_ANNOUNCEMENT = "edit_announcement"
    USE_FEEDS = "use_feeds"
    REPORT_POST = "report_post"
    HANDLE_REPORT = "handle_report"
    VIEW_MODERATION = "view_moderation"
    SUSPEND_USER = "suspend_user"


def is_signed_in_member(user):
    """An active account; suspended, invited, pending and deleted ones can do nothing."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.status == UserStatus.ACTIVE)


def is_admin(user):
    return is_signed_in_member(user) and user.role == SiteRole.ADMIN


def can_view_profile(user, target):
    return is_signed_in_member(user) and (
        target.status == UserStatus.ACTIVE or target.id == user.id or is_admin(user))


def can_edit_profile(user, target):
    return is_signed_in_member(user) and target.id == user.id


def visible_groups_clause(user):
    """SQL filter on WorkingGroup for the groups whose content `user` may read."""
    if not is_signed_in_member(user):
        return WorkingGroup.id.is_(None)
    if user.role in (SiteRole.ADMIN, SiteRole.MODERATOR):
        return WorkingGroup.id.isnot(None)
    member_of = select(Membership.group_id).where(Membership.user_id == user.id)
    return or_(WorkingGroup.visibility == Visibility.OPEN, WorkingGroup.id.in_(member_of))


def visible_group_ids(user):
    """Ids of the groups whose content `user` may read, for statements whose planner must know
    them (search); None means every group."""
    if is_site_moderator(user):
        return None
    return db.session.scalars(select(WorkingGroup.id).where(visible_groups_clause(user))).all()


# --- working groups and forum -------------------------------------------------------------

def group_role(user, group):
    """The viewer's role in a group ('member', 'moderator' or None), cached per request."""
    if not is_signed_in_member(user):
        return None
    return memberships_of(user).get(group.id)


def memberships_of(user):
    """{group_id: role} of the user's memberships; one query per request."""
    cache = g.setdefault("_memberships", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = dict(db.session.execute(
            select(Membership.group_id, Membership.role).where(Membership.user_id == user.id)).all())
    return cache[user.id]


def remember_memberships(user, roles):
    """{group_id: role} loaded together with the user at sign-in of a request."""
    if has_request_context():
        g.setdefault("_memberships", {})[user.id] = roles


def forget_memberships(user):
    if has_request_context():
        g.get("_memberships", {}).pop(user.id, None)


def is_site_moderator(user):
    return is_signed_in_member(user) and user.role in (SiteRole.ADMIN, SiteRole.MODERATOR)


def can_view_group(user, group):
    if not is_signed_in_member(user):
        return False
    return (group.visibility == Visibility.OPEN or is_site_moderator(user)
            or group_role(user, group) is not None)


def can_moderate_group(user, group):
    return is_site_moderator(user) or group_role(user, group) == GroupRole.MODERATOR


def can_join_group(user, group):
    return (is_signed_in_member(user) and not group.is_archived
            and group.visibility == Visibility.OPEN and group_role(user, group) is None)


def can_request_membership(user, group):
    return (is_signed_in_member(user) and not group.is_archived
            and group.visibility == Visibility.CLOSED and group_role(user, group) is None)


def can_leave_group(user, group):
    return group_role(user, group) is not None


def can_post_in_group(user, group):
    """Start threads: members of the group, plus site moderators; never in archived groups."""
    if group.is_archived or not can_view_group(user, group):
        return False
    return group_role(user, group) is not None or is_site_moderator(user)


def can_view_thread(user, thread):
    """A hidden thread: its moderators, and its author, who learns why it was hidden."""
    if not can_view_group(user, thread.group):
        return False
    return (not thread.is_hidden or can_moderate_group(user, thread.group)
            or thread.author_id == user.id)


def readable_threads_clause(user):
    """SQL filter on Thread, as can_view_thread decides for one thread."""
    if not is_signed_in_member(user):
        return Thread.id.is_(None)
    if is_site_moderator(user):
        return Thread.id.isnot(None)
    readable_groups = select(WorkingGroup.id).where(visible_groups_clause(user))
    return and_(Thread.group_id.in_(readable_groups),
                or_(Thread.is_hidden.is_(False), Thread.author_id == user.id,
                    Thread.group_id.in_(moderated_group_ids(user) or [0])))


def can_reply(user, thread):
    if not can_view_thread(user, thread) or not can_post_in_group(user, thread.group):
        return False
    if thread.is_hidden or thread.is_locked:
        return can_moderate_group(user, thread.group)
    return True


def can_view_post(user, post):
    return can_view_thread(user, post.thread)


def can_view_post_content(user, post):
    """A post's text and files (the thread page shows a placeholder otherwise): a hidden post
    for its author and moderators, a deleted one for moderators."""
    thread = post.thread
    if not can_view_thread(user, thread):
        return False
    if post.is_deleted:
        return can_moderate_group(user, thread.group)
    return not post.is_hidden or post.author_id == user.id or can_moderate_group(user, thread.group)


def can_edit_post(user, post):
    thread = post.thread
    if post.is_deleted or thread.group.is_archived or not can_view_thread(user, thread):
        return False
    if can_moderate_group(user, thread.group):
        return True
    return (post.author_id == user.id and not thread.is_locked and not post.is_hidden
            and not thread.is_hidden and group_role(user, thread.group) is not None)


def can_delete_post(user, post):
    if post.is_deleted or post.thread.group.is_archived or not can_view_thread(user, post.thread):
        return False
    return post.author_id == user.id or can_moderate_group(user, post.thread.group)


def can_view_revisions(user, post):
    return can_view_post(user, post) and (
        post.author_id == user.id or can_moderate_group(user, post.thread.group))


def can_manage_memberships(user, group):
    return not group.is_archived and can_moderate_group(user, group)


def readers_among(users, group, thread=None):
    """The users who may read `group` (and a hidden `thread`), with one query for all of them."""
    if not users:
        return []
    roles = dict(db.session.execute(select(Membership.user_id, Membership.role).where(
        Membership.group_id == group.id, Membership.user_id.in_([u.id for u in users]))).all())

    def reads(user):
        if user.status != UserStatus.ACTIVE:
            return False
        site_moderator = user.role in (SiteRole.ADMIN, SiteRole.MODERATOR)
        if thread is not None and thread.is_hidden:
            author_reads = thread.author_id == user.id and (
                group.visibility == Visibility.OPEN or user.id in roles)
            return site_moderator or roles.get(user.id) == GroupRole.MODERATOR or author_reads
        return group.visibility == Visibility.OPEN or site_moderator or user.id in roles

    return [user for user in users if reads(user)]



# --- moderation ---------------------------------------------------------------------------

def moderated_group_ids(user):
    """Ids of the groups `user` moderates; None means every group (site moderators, admins)."""
    if is_site_moderator(user):
        return None
    if not is_signed_in_member(user):
        return []
    return [gid for gid, role in memberships_of(user).items() if role == GroupRole.MODERATOR]


def can_view_moderation(user, obj=None):
    scope = moderated_group_ids(user)
    return scope is None or bool(scope)


def can_report_post(user, post):
    """A hidden post is already out of sight (and its text not for every reader)."""
    return (can_view_post(user, post) and not post.is_deleted and not post.is_hidden
            and post.author_id != user.id)


def can_handle_report(user, report):
    """The moderators of the post's group decide on a report, but never on a report about
    their own post: nobody judges their own case, and the reporter stays unknown to the author."""
    post = report.post
    return can_moderate_group(user, post.thread.group) and post.author_id != user.id


def can_suspend_user(user, target):
    """Admins suspend anyone but themselves; site moderators only members and editors. A
    deleted account is beyond any sanction."""
    if not is_signed_in_member(user) or target.id == user.id \
            or target.status == UserStatus.DELETED:
        return False
    if is_admin(user):
        return True
    return (user.role == SiteRole.MODERATOR
            and target.role in (SiteRole.MEMBER, SiteRole.EDITOR))


# --- announcements ------------------------------------------------------------------------

def can_write_announcements(user):
    """Institute staff (editors) and admins write, schedule, unpublish and delete announcements."""
    return is_signed_in_member(user) and user.role in (SiteRole.EDITOR, SiteRole.ADMIN)


def in_announcement_audience(user, announcement):
    """Meant for everyone, or `user` is a member of one of the selected working groups."""
    if announcement.audience == Audience.ALL:
        return True
    return not memberships_of(user).keys().isdisjoint(announcement.group_ids)


def can_view_announcement(user, announcement):
    """Members read released announcements meant for them; writers also read drafts, scheduled
    and withdrawn ones. Deleted ones nobody reads."""
    if not is_signed_in_member(user) or announcement.is_deleted:
        return False
    if can_write_announcements(user):
        return True
    return (announcement.is_live(timeutil.utcnow())
            and in_announcement_audience(user, announcement))


def can_edit_announcement(user, announcement):
    return can_write_announcements(user) and not announcement.is_deleted


def visible_announcements_clause(user, now):
    """SQL filter on Announcement for lists, feeds, calendars and the dashboard: released by
    `now`, not deleted, and meant for `user` (writers see every released one here; drafts and
    scheduled ones only on the editors' pages)."""
    if not is_signed_in_member(user):
        return Announcement.id.is_(None)
    live = and_(Announcement.is_deleted.is_(False),
                Announcement.status == AnnouncementStatus.PUBLISHED,
                Announcement.publish_at <= now)
    if can_write_announcements(user):
        return live
    for_my_groups = (select(AnnouncementGroup.announcement_id)
                     .join(Membership, Membership.group_id == AnnouncementGroup.group_id)
                     .where(Membership.user_id == user.id))
    return and_(live, or_(Announcement.audience == Audience.ALL,
                          Announcement.id.in_(for_my_groups)))


def announcement_audience_ids(announcement):
    """Ids of the active accounts an announcement is meant for: whom its publication notifies."""
    stmt = select(User.id).where(User.status == UserStatus.ACTIVE)
    if announcement.audience != Audience.ALL:
        groups = select(AnnouncementGroup.group_id).where(
            AnnouncementGroup.announcement_id == announcement.id)
        stmt = stmt.where(User.id.in_(
            select(Membership.user_id).where(Membership.group_id.in_(groups))))
    return list(db.session.scalars(stmt))


# --- documents ----------------------------------------------------------------------------

def can_view_library(user, group):
    """The platform-wide library (group None) is open to every member; a group's library has
    the group's visibility."""
    if group is None:
        return is_signed_in_member(user)
    return can_view_group(user, group)


def can_upload_document(user, group):
    """Institute material: editors and admins; a group's library: whoever may post there
    (members and site moderators; never in an archived group)."""
    if group is None:
        return is_signed_in_member(user) and user.role in (SiteRole.EDITOR, SiteRole.ADMIN)
    return can_post_in_group(user, group)


def can_view_document(user, document):
    """A library document has its library's visibility. A file uploaded with a post belongs to
    the post: whoever may read the post may open it, wherever its thread was moved or merged
    to, and nobody the post is hidden from (ids are easy to guess)."""
    if document.is_deleted:
        return False
    if document.in_library:
        return can_view_library(user, document.group)
    return is_signed_in_member(user) and any(
        can_view_post_content(user, post) for post in _posts_attaching(document))


def _posts_attaching(document):
    return db.session.scalars(
        select(Post).join(PostAttachment, PostAttachment.post_id == Post.id)
        .join(DocumentVersion, DocumentVersion.id == PostAttachment.version_id)
        .where(DocumentVersion.document_id == document.id)).all()


def can_edit_document(user, document):
    """Metadata and new versions: the uploader while they may still upload there, the group's
    moderators and admins; institute material: editors and admins."""
    if not can_view_document(user, document):
        return False
    if not document.in_library:  # a post's file changes with the post (not once it is hidden)
        return any(can_edit_post(user, post) for post in _posts_attaching(document))
    group = document.group
    if group is None:
        return can_upload_document(user, None)
    if group.is_archived:
        return False
    return can_moderate_group(user, group) or (
        document.created_by_id == user.id and can_upload_document(user, group))


def can_delete_document(user, document):
    """Soft delete: the uploader, the group's moderators, admins (also in archived groups)."""
    if not can_view_document(user, document):
        return False
    return is_admin(user) or can_edit_document(user, document)


def can_attach_to_post(user, post):
    """Attachments change a post: whoever may edit it may add or remove them."""
    return can_edit_post(user, post)


def visible_documents_clause(user):
    """SQL filter on Document for lists and search: not deleted, and in the platform-wide
    library or in a group the user may read."""
    if not is_signed_in_member(user):
        return Document.id.is_(None)
    readable = select(WorkingGroup.id).where(visible_groups_clause(user))
    return and_(Document.is_deleted.is_(False),
                or_(Document.group_id.is_(None), Document.group_id.in_(readable)))


_RULES = {
    Action.VIEW_MEMBERS: lambda user, obj: is_signed_in_member(user),
    Action.VIEW_PROFILE: can_view_profile,
    Action.EDIT_PROFILE: can_edit_profile,
    Action.MANAGE_USERS: lambda user, obj: is_admin(user),
    Action.VIEW_AUDIT_LOG: lambda user, obj: is_admin(user),
    Action.EDIT_SITE_PAGES: lambda user, obj: is_admin(user),
    Action.MANAGE_OUTBOX: lambda user, obj: is_admin(user),
    Action.VIEW_GROUP: can_view_group,
    Action.MANAGE_GROUPS: lambda user, obj: is_admin(user),
    Action.JOIN_GROUP: can_join_group,
    Action.REQUEST_MEMBERSHIP: can_request_membership,
    Action.LEAVE_GROUP: can_leave_group,
    Action.MANAGE_MEMBERSHIPS: can_manage_memberships,
    Action.MODERATE_GROUP: can_moderate_group,
    Action.POST_IN_GROUP: can_post_in_group,
    Action.VIEW_THREAD: can_view_thread,
    Action.REPLY: can_reply,
    Action.VIEW_POST: can_view_post,
    Action.EDIT_POST: can_edit_post,
    Action.DELETE_POST: can_delete_post,
    Action.VIEW_REVISIONS: can_view_revisions,
    Action.VIEW_LIBRARY: can_view_library,
    Action.UPLOAD_DOCUMENT: can_upload_document,
    Action.VIEW_DOCUMENT: can_view_document,
    Action.EDIT_DOCUMENT: can_edit_document,
    Action.DELETE_DOCUMENT: can_delete_document,
    Action.ATTACH_TO_POST: can_attach_to_post,
    Action.WRITE_ANNOUNCEMENTS: lambda user, obj: can_write_announcements(user),
    Action.VIEW_ANNOUNCEMENT: can_view_announcement,
    Action.EDIT_ANNOUNCEMENT: can_edit_announcement,
    Action.USE_FEEDS: lambda user, obj: is_signed_in_member(user),
    Action.REPORT_POST: can_report_post,
    Action.HANDLE_REPORT: can_handle_report,
    Action.VIEW_MODERATION: can_view_moderation,
    Action.SUSPEND_USER: can_suspend_user,
}


def can(user, action, obj=None):
    return bool(_RULES[Action(action)](user, obj))


def require(user, action, obj=None, hide=False):
    """Raise unless allowed; with hide=True refusal looks like a missing object (404)."""
    if not can(user, action, obj):
        raise NotFound() if hide else PermissionDenied()
