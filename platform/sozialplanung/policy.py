"""Every permission rule of the portal, as small named predicates behind can(user, action, obj)."""
from enum import StrEnum

from sqlalchemy import or_, select

from .accounts.models import SiteRole, UserStatus
from .errors import NotFound, PermissionDenied
from .extensions import db
from .groups.models import Membership, Visibility, WorkingGroup


class Action(StrEnum):
    VIEW_MEMBERS = "view_members"
    VIEW_PROFILE = "view_profile"
    EDIT_PROFILE = "edit_profile"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT_LOG = "view_audit_log"
    EDIT_SITE_PAGES = "edit_site_pages"
    MANAGE_OUTBOX = "manage_outbox"
    VIEW_GROUP = "view_group"


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


def can_view_group(user, group):
    if not is_signed_in_member(user):
        return False
    if group.visibility == Visibility.OPEN or user.role in (SiteRole.ADMIN, SiteRole.MODERATOR):
        return True
    return db.session.scalar(select(Membership.user_id).where(
        Membership.group_id == group.id, Membership.user_id == user.id)) is not None


_RULES = {
    Action.VIEW_MEMBERS: lambda user, obj: is_signed_in_member(user),
    Action.VIEW_PROFILE: can_view_profile,
    Action.EDIT_PROFILE: can_edit_profile,
    Action.MANAGE_USERS: lambda user, obj: is_admin(user),
    Action.VIEW_AUDIT_LOG: lambda user, obj: is_admin(user),
    Action.EDIT_SITE_PAGES: lambda user, obj: is_admin(user),
    Action.MANAGE_OUTBOX: lambda user, obj: is_admin(user),
    Action.VIEW_GROUP: can_view_group,
}


def can(user, action, obj=None):
    return bool(_RULES[Action(action)](user, obj))


def require(user, action, obj=None, hide=False):
    """Raise unless allowed; with hide=True refusal looks like a missing object (404)."""
    if not can(user, action, obj):
        raise NotFound() if hide else PermissionDenied()


def visible_groups_clause(user):
    """SQL filter on WorkingGroup for the groups whose content `user` may read."""
    if not is_signed_in_member(user):
        return WorkingGroup.id.is_(None)
    if user.role in (SiteRole.ADMIN, SiteRole.MODERATOR):
        return WorkingGroup.id.isnot(None)
    member_of = select(Membership.group_id).where(Membership.user_id == user.id)
    return or_(WorkingGroup.visibility == Visibility.OPEN, WorkingGroup.id.in_(member_of))
