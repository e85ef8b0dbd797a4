"""Read queries for group pages."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User, UserStatus
from ..extensions import db
from ..policy import Action, can
from .models import GroupRole, Membership, MembershipRequest


def pending_for(user, group):
    """The viewer's own open request or invitation for this group, if any."""
    return db.session.scalar(select(MembershipRequest).where(
        MembershipRequest.group_id == group.id, MembershipRequest.user_id == user.id))


def pending_by_group(user):
    """{group_id: kind} of the viewer's open requests and invitations."""
    return dict(db.session.execute(select(MembershipRequest.group_id, MembershipRequest.kind)
                                   .where(MembershipRequest.user_id == user.id)).all())


def group_members(group):
    """Members with their accounts, moderators first (one query)."""
    return db.session.scalars(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id)
        .options(joinedload(Membership.user))
        .order_by(Membership.role != GroupRole.MODERATOR, func.lower(User.display_name))).all()


def invite_candidates(actor, group):
    """Names a group's moderators may invite: active members of the portal not in the group
    and not invited or asking yet (the suggestions of the invitation field)."""
    if not can(actor, Action.MANAGE_MEMBERSHIPS, group):
        return []
    in_group = select(Membership.user_id).where(Membership.group_id == group.id)
    pending = select(MembershipRequest.user_id).where(MembershipRequest.group_id == group.id)
    return db.session.scalars(
        select(User.display_name).where(User.status == UserStatus.ACTIVE,
                                        User.id.notin_(in_group), User.id.notin_(pending))
        .order_by(func.lower(User.display_name))).all()


def open_requests(actor, group):
    """Requests and invitations; only those who manage the memberships see them."""
    if not can(actor, Action.MANAGE_MEMBERSHIPS, group):
        return []
    return db.session.scalars(
        select(MembershipRequest).where(MembershipRequest.group_id == group.id)
        .options(joinedload(MembershipRequest.user), joinedload(MembershipRequest.created_by))
        .order_by(MembershipRequest.created_at)).all()
