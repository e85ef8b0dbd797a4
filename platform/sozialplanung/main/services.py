"""What the dashboard shows a member."""
from sqlalchemy import func, select

from ..accounts.models import User, UserStatus
from ..extensions import db
from ..groups.models import Membership, WorkingGroup
from ..policy import is_admin


def dashboard_data(user):
    my_groups = db.session.scalars(
        select(WorkingGroup).join(Membership, Membership.group_id == WorkingGroup.id)
        .where(Membership.user_id == user.id, WorkingGroup.is_archived.is_(False))
        .order_by(WorkingGroup.name)).all()
    pending = None
    if is_admin(user):
        pending = db.session.scalar(select(func.count()).select_from(User).where(
            User.status == UserStatus.PENDING, User.email_confirmed_at.isnot(None)))
    profile_incomplete = not (user.organisation_id and user.position)
    return {"my_groups": my_groups, "pending_count": pending,
            "profile_incomplete": profile_incomplete}
