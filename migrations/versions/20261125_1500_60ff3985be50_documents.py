"""documents: libraries, versions, tags, post attachments

Revision ID: 60ff3985be50
Revises: 5a34166bd515
Create Date: 2026-11-25 15:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '60ff3985be50'
down_revision = '5a34166bd515'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('in_library', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_count', sa.Integer(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("category IN ('bericht', 'vorlage', 'protokoll', 'praesentation', 'arbeitshilfe', 'sonstiges')", name=op.f('ck_documents_category_valid')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_documents_deleted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'], name=op.f('fk_documents_group_id_working_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_current_version_id'), ['current_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_deleted_by_id'), ['deleted_by_id'], unique=False)
        batch_op.create_index('ix_documents_library_category', ['group_id', 'category'], unique=False)
        batch_op.create_index('ix_documents_library_date', ['group_id', 'updated_at'], unique=False)

    op.create_table('document_tags',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_tags_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'tag', name=op.f('pk_document_tags'))
    )
    with op.batch_alter_table('document_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_tags_tag'), ['tag'], unique=False)

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('blob_key', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('change_note', sa.String(length=500), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('extracted_text', sa.Text(), nullable=False),
    sa.Column('extraction_status', sa.String(length=16), nullable=False),
    sa.Column('extraction_error', sa.String(length=200), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_document_versions_number_positive')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_versions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_document_versions_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name='uq_document_versions_document_number')
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_versions_blob_key'), ['blob_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_versions_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('post_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_post_attachments_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_attachments_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['document_versions.id'], name=op.f('fk_post_attachments_version_id_document_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_attachments')),
    sa.UniqueConstraint('post_id', 'version_id', name='uq_post_attachments_post_version')
    )
    with op.batch_alter_table('post_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_attachments_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_attachments_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_attachments_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('post_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_attachments_version_id'))
        batch_op.drop_index(batch_op.f('ix_post_attachments_post_id'))
        batch_op.drop_index(batch_op.f('ix_post_attachments_added_by_id'))

    op.drop_table('post_attachments')
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_versions_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_document_versions_blob_key'))

    op.drop_table('document_versions')
    with op.batch_alter_table('document_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_tags_tag'))

    op.drop_table('document_tags')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_library_date')
        batch_op.drop_index('ix_documents_library_category')
        batch_op.drop_index(batch_op.f('ix_documents_deleted_by_id'))
        batch_op.drop_index(batch_op.f('ix_documents_current_version_id'))
        batch_op.drop_index(batch_op.f('ix_documents_created_by_id'))

    op.drop_table('documents')
