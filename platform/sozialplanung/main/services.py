"""What the dashboard shows a member."""
from sqlalchemy import func, select

from ..accounts.models import User, UserStatus
from ..announcements.queries import dashboard_items
from ..extensions import db
from ..forum.queries import recent_threads_in_my_groups
from ..notifications.services import latest
from ..policy import is_admin


def dashboard_data(user):
    pending = None
    if is_admin(user):
        pending = db.session.scalar(select(func.count()).select_from(User).where(
            User.status == UserStatus.PENDING, User.email_confirmed_at.isnot(None)))
    return {
        "recent_threads": recent_threads_in_my_groups(user),
        "notifications": latest(user),
        "pending_count": pending,
        "profile_incomplete": not (user.organisation_id and user.position),
        **dashboard_items(user),
    }
