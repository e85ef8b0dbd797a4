"""posts.created_at index: newest search matches come off the index instead of a sort

Revision ID: e5a1c3d7f9b2
Revises: 8193b9950307
Create Date: 2026-11-25 17:40:00

Search ranks the newest 1,000 matches of a query by relevance; for a common word (tens of
thousands of matching posts) PostgreSQL reads this index backwards and stops after 1,000
matches instead of fetching and sorting every match. Sorting search results by date uses it too.
A plain index needs no table copy, so the SQLite FTS triggers on posts stay as they are.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a1c3d7f9b2'
down_revision = '8193b9950307'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_posts_created_at'), 'posts', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_posts_created_at'), table_name='posts')
