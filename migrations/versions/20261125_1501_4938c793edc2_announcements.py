"""announcements: institute announcements and events, audience groups, attachments, revisions,
feed tokens

Revision ID: 4938c793edc2
Revises: 5a34166bd515
Create Date: 2026-11-25 15:01:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4938c793edc2'
down_revision = '5a34166bd515'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('teaser', sa.Text(), nullable=False),
    sa.Column('teaser_html', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('publish_at', sa.DateTime(), nullable=True),
    sa.Column('is_pinned', sa.Boolean(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('is_all_day', sa.Boolean(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('registration_url', sa.String(length=500), nullable=False),
    sa.Column('image_key', sa.String(length=80), nullable=True),
    sa.Column('image_alt', sa.String(length=300), nullable=False),
    sa.Column('image_width', sa.Integer(), nullable=True),
    sa.Column('image_height', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(category = 'event' AND starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at >= starts_at) OR (category <> 'event' AND starts_at IS NULL AND ends_at IS NULL)", name=op.f('ck_announcements_event_dates')),
    sa.CheckConstraint("audience IN ('all', 'groups')", name=op.f('ck_announcements_audience_valid')),
    sa.CheckConstraint("category IN ('news', 'event', 'publication', 'press')", name=op.f('ck_announcements_category_valid')),
    sa.CheckConstraint("status = 'draft' OR publish_at IS NOT NULL", name=op.f('ck_announcements_publish_at_set')),
    sa.CheckConstraint("status IN ('draft', 'published', 'unpublished')", name=op.f('ck_announcements_status_valid')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_announcements_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_announcements_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_announcements_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_announcements_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_deleted_by_id'), ['deleted_by_id'], unique=False)
        batch_op.create_index('ix_announcements_due', ['notified_at', 'status', 'publish_at'], unique=False)
        batch_op.create_index('ix_announcements_events', ['category', 'ends_at', 'starts_at'], unique=False)
        batch_op.create_index('ix_announcements_listing', ['status', 'is_deleted', 'is_pinned', 'publish_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_published_by_id'), ['published_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('feed_tokens',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_feed_tokens'))
    )
    op.create_table('announcement_groups',
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_groups_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'], name=op.f('fk_announcement_groups_group_id_working_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('announcement_id', 'group_id', name=op.f('pk_announcement_groups'))
    )
    with op.batch_alter_table('announcement_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_groups_group_id'), ['group_id'], unique=False)

    op.create_table('announcement_attachments',
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_attachments_announcement_id_announcements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('announcement_id', 'document_id', name=op.f('pk_announcement_attachments'))
    )
    with op.batch_alter_table('announcement_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_attachments_document_id'), ['document_id'], unique=False)

    op.create_table('announcement_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('teaser', sa.Text(), nullable=False),
    sa.Column('teaser_html', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_revisions_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_announcement_revisions_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_revisions'))
    )
    with op.batch_alter_table('announcement_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_revisions_announcement_id'), ['announcement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_revisions_author_id'), ['author_id'], unique=False)



def downgrade():
    with op.batch_alter_table('announcement_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_revisions_author_id'))
        batch_op.drop_index(batch_op.f('ix_announcement_revisions_announcement_id'))

    op.drop_table('announcement_revisions')
    with op.batch_alter_table('announcement_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_attachments_document_id'))

    op.drop_table('announcement_attachments')
    with op.batch_alter_table('announcement_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_groups_group_id'))

    op.drop_table('announcement_groups')
    op.drop_table('feed_tokens')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_announcements_published_by_id'))
        batch_op.drop_index('ix_announcements_listing')
        batch_op.drop_index('ix_announcements_events')
        batch_op.drop_index('ix_announcements_due')
        batch_op.drop_index(batch_op.f('ix_announcements_deleted_by_id'))
        batch_op.drop_index(batch_op.f('ix_announcements_author_id'))

    op.drop_table('announcements')
