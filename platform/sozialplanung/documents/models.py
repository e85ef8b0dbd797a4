"""Documents in the libraries (per working group and platform-wide), their versions, tags and
the files attached to forum posts."""
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (BigInteger, CheckConstraint, ForeignKey, Index, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .extraction import REASONS as EXTRACTION_REASONS
from .filetypes import type_label


class Category(StrEnum):
    BERICHT = "bericht"
    VORLAGE = "vorlage"
    PROTOKOLL = "protokoll"
    PRAESENTATION = "praesentation"
    ARBEITSHILFE = "arbeitshilfe"
    SONSTIGES = "sonstiges"


CATEGORY_LABELS = {
    Category.BERICHT: _l("Bericht"),
    Category.VORLAGE: _l("Vorlage"),
    Category.PROTOKOLL: lazy_pgettext("document category", "Protokoll"),  # minutes
    Category.PRAESENTATION: _l("Präsentation"),
    Category.ARBEITSHILFE: _l("Arbeitshilfe"),
    Category.SONSTIGES: _l("Sonstiges"),
}


class ExtractionStatus(StrEnum):
    OK = "ok"
    EMPTY = "empty"          # the file holds no text (a scan, an image)
    SKIPPED = "skipped"      # images, or larger than the extraction limit
    FAILED = "failed"        # broken or encrypted file; the reason is in extraction_error
    TIMEOUT = "timeout"


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(f"category IN {tuple(c.value for c in Category)}", name="category_valid"),
        # The library page of one group (group_id NULL = the platform-wide library).
        Index("ix_documents_library_date", "group_id", "updated_at"),
        Index("ix_documents_library_category", "group_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(16), default=Category.SONSTIGES.value)
    # False for files uploaded with a forum post: reachable from the post, not listed.
    in_library: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Denormalised, written in the same transaction as each new version.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_count: Mapped[int] = mapped_column(default=0)
    # A plain pointer, not a foreign key: documents and versions would otherwise reference
    # each other.
    current_version_id: Mapped[int | None] = mapped_column(index=True)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    group = relationship("WorkingGroup")
    created_by = relationship("User", foreign_keys=[created_by_id])
    current_version = relationship(
        "DocumentVersion", viewonly=True, uselist=False,
        primaryjoin="foreign(Document.current_version_id) == DocumentVersion.id")
    tag_rows = relationship("DocumentTag", cascade="all, delete-orphan",
                            order_by="DocumentTag.tag")

    @property
    def category_label(self):
        return CATEGORY_LABELS[Category(self.category)]

    @property
    def tags(self):
        return [row.tag for row in self.tag_rows]


class DocumentTag(db.Model):
    __tablename__ = "document_tags"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    # Stored lower-cased so filtering is case-insensitive on every database.
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class DocumentVersion(db.Model):
    """One uploaded file; the bytes live in the blob storage under their SHA-256."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_document_versions_document_number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    blob_key: Mapped[str] = mapped_column(String(64), index=True)
    # For display and Content-Disposition only; never used as a path.
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    change_note: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    extraction_status: Mapped[str] = mapped_column(String(16),
                                                   default=ExtractionStatus.SKIPPED.value)
    extraction_error: Mapped[str] = mapped_column(String(200), default="")

    document = relationship(Document, foreign_keys=[document_id])
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])

    @property
    def type_label(self):
        return type_label(self.media_type)

    @property
    def extraction_error_text(self):
        """Why the text could not be read, in the reader's language. The reason is stored in
        German (see extraction.REASONS); anything else stored is shown as it is."""
        if self.extraction_error in EXTRACTION_REASONS:
            return gettext(self.extraction_error)
        return self.extraction_error


class PostAttachment(db.Model):
    """A document version shown under a forum post as a download link."""

    __tablename__ = "post_attachments"
    __table_args__ = (
        UniqueConstraint("post_id", "version_id", name="uq_post_attachments_post_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    version = relationship(DocumentVersion)
    post = relationship("Post")
