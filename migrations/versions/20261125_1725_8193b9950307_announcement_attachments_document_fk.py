"""announcement_attachments.document_id: foreign key to documents.id (ON DELETE CASCADE)

Revision ID: 8193b9950307
Revises: d8f1e2a3b4c5
Create Date: 2026-11-25 17:25:00

The column was a plain pointer while documents and announcements lived on parallel migration
branches; d8f1e2a3b4c5 merged them. The app only soft-deletes documents, so CASCADE matters
only when a document is purged from the database: its announcement links then go with it, as
its versions, tags and post attachments do. announcement_attachments has no FTS triggers, so
the SQLite table copy made by batch mode loses nothing.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '8193b9950307'
down_revision = 'd8f1e2a3b4c5'
branch_labels = None
depends_on = None


def upgrade():
    # Links to documents that no longer exist lead nowhere (reads join documents); they would
    # make the new constraint fail.
    op.execute("DELETE FROM announcement_attachments "
               "WHERE document_id NOT IN (SELECT id FROM documents)")
    with op.batch_alter_table('announcement_attachments', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_announcement_attachments_document_id_documents'), 'documents',
            ['document_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('announcement_attachments', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_announcement_attachments_document_id_documents'), type_='foreignkey')
