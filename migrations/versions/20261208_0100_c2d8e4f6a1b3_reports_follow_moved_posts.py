"""reports.group_id: reports of posts moved before reports followed their posts

Revision ID: c2d8e4f6a1b3
Revises: b7e3f9a1c5d2
Create Date: 2026-12-08 01:00:00

The moderation queue is scoped by reports.group_id. Moving, splitting and merging threads now
carry a post's reports along; reports of posts moved before that still name the old group, so
the new group's moderators did not see them and the old group's did. This brings them in line.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c2d8e4f6a1b3'
down_revision = 'b7e3f9a1c5d2'
branch_labels = None
depends_on = None

POST_GROUP = ("(SELECT threads.group_id FROM posts JOIN threads ON threads.id = posts.thread_id "
              "WHERE posts.id = reports.post_id)")


def upgrade():
    op.execute(f"UPDATE reports SET group_id = {POST_GROUP} WHERE group_id <> {POST_GROUP}")


def downgrade():
    pass  # the old, wrong scopes are not worth restoring
