"""threads.created_at index: the newest threads come off the index

Revision ID: a4c9e1f27b3d
Revises: f3b7d2e9a6c1
Create Date: 2026-12-07 23:00:00

The search lists threads newest first (by title match, or all of them for a filter without
words) and stops after 1,000; without this index every listing sorted the whole table.
A plain index needs no table copy, so the SQLite FTS triggers on threads stay as they are.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4c9e1f27b3d'
down_revision = 'f3b7d2e9a6c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_threads_created_at'), 'threads', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_threads_created_at'), table_name='threads')
