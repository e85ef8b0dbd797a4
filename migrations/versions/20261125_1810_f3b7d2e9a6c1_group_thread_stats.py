"""working_groups.thread_count and last_activity_at; partial index of visible threads per group

Revision ID: f3b7d2e9a6c1
Revises: e5a1c3d7f9b2
Create Date: 2026-11-25 18:10:00

The groups overview counted every thread of every readable group on each view (50 ms at
40,000 threads, growing with the data). The counts now live on the group, recomputed by
forum.services.refresh_group_stats whenever a thread is started, answered, hidden, moved,
split or merged. working_groups has no FTS triggers; SQLite adds the columns in place.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3b7d2e9a6c1'
down_revision = 'e5a1c3d7f9b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_activity_at', sa.DateTime(), nullable=True))
    op.create_index('ix_threads_visible_by_group', 'threads', ['group_id', 'last_post_at'],
                    unique=False, postgresql_where=sa.text('is_hidden = false'),
                    sqlite_where=sa.text('is_hidden = 0'))
    op.execute(sa.text(
        "UPDATE working_groups SET "
        "thread_count = (SELECT count(*) FROM threads WHERE threads.group_id = working_groups.id "
        "AND threads.is_hidden = :hidden), "
        "last_activity_at = (SELECT max(last_post_at) FROM threads "
        "WHERE threads.group_id = working_groups.id AND threads.is_hidden = :hidden)")
        .bindparams(hidden=False))


def downgrade():
    op.drop_index('ix_threads_visible_by_group', table_name='threads',
                  postgresql_where=sa.text('is_hidden = false'),
                  sqlite_where=sa.text('is_hidden = 0'))
    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.drop_column('last_activity_at')
        batch_op.drop_column('thread_count')
