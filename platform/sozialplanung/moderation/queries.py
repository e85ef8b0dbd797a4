"""Read queries for moderation pages."""
from sqlalchemy import select

from ..extensions import db
from ..groups.models import WorkingGroup
from ..policy import moderated_group_ids


def move_targets(actor, thread):
    """Groups the thread can be moved to: those the actor moderates, not archived, not its own."""
    scope = moderated_group_ids(actor)
    stmt = select(WorkingGroup).where(WorkingGroup.is_archived.is_(False),
                                      WorkingGroup.id != thread.group_id)
    if scope is not None:
        stmt = stmt.where(WorkingGroup.id.in_(scope or [0]))
    return db.session.scalars(stmt.order_by(WorkingGroup.name)).all()
