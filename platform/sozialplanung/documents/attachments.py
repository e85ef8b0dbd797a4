"""Files attached to forum posts: uploaded with the post or picked from the group's library.

The forum's services call attachment_batch() inside their own transaction (it only flushes);
add_attachments() and remove_attachment() are the use cases for an existing post."""
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..admin.audit import record_audit
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..policy import Action, require
from ..sql import parse_id
from ..timeutil import utcnow
from .models import Category, Document, DocumentVersion, PostAttachment
from .uploads import blob_transaction, staged_uploads, store_version

FILES_FIELD = "anhaenge"
PICK_FIELD = "bibliothek"


@dataclass
class AttachmentInput:
    """What a post form sent: new files and ids of documents picked from the library."""

    uploads: list = field(default_factory=list)
    picked_ids: list = field(default_factory=list)

    @classmethod
    def from_request(cls, request):
        uploads = [f for f in request.files.getlist(FILES_FIELD) if f and f.filename]
        # A number no document can have ("²", 20 digits) becomes 0, which names none, so the
        # pick is refused in words instead of reaching the database.
        picked = [parse_id(v) or 0 for v in request.form.getlist(PICK_FIELD) if v.isdigit()]
        return cls(uploads, list(dict.fromkeys(picked)))

    def __bool__(self):
        return bool(self.uploads or self.picked_ids)


def _refuse(message):
    return ValidationError(message, {FILES_FIELD: message})


def _picked_documents(group, picked_ids):
    if not picked_ids:
        return []
    documents = db.session.scalars(select(Document).where(
        Document.id.in_(picked_ids), Document.group_id == group.id,
        Document.in_library.is_(True), Document.is_deleted.is_(False),
        Document.current_version_id.isnot(None))).all()
    if len(documents) != len(set(picked_ids)):
        raise _refuse(_("Ein gewähltes Dokument ist nicht (mehr) in der Bibliothek des "
                        "Arbeitskreises."))
    return documents


class AttachmentBatch:
    """Checked attachments for one post; attach_to() stores them in the open transaction."""

    def __init__(self, actor, group, staged, picked, created_blobs):
        self.actor, self.group = actor, group
        self.staged, self.picked, self.created_blobs = staged, picked, created_blobs

    def attach_to(self, post):
        require(self.actor, Action.ATTACH_TO_POST, post)
        existing = set(db.session.scalars(select(PostAttachment.version_id).where(
            PostAttachment.post_id == post.id)))
        version_ids = [self._store(staged).id for staged in self.staged]
        version_ids += [doc.current_version_id for doc in self.picked]
        for version_id in dict.fromkeys(version_ids):
            if version_id not in existing:
                db.session.add(PostAttachment(post_id=post.id, version_id=version_id,
                                              added_by_id=self.actor.id, created_at=utcnow()))
        db.session.flush()
        return version_ids

    def _store(self, staged):
        """A file uploaded with a post: an unlisted document of the group, reachable from the
        post (and with the group's visibility)."""
        document = Document(group_id=self.group.id, title=staged.stem[:200],
                            category=Category.SONSTIGES.value, in_library=False,
                            created_by_id=self.actor.id)
        db.session.add(document)
        db.session.flush()
        return store_version(self.actor, document, staged, "", self.created_blobs)


@contextmanager
def attachment_batch(actor, group, attachments):
    """Check the attachments of a post before anything is written (ValidationError with the
    field "anhaenge"), then let the caller write the post, call batch.attach_to(post) and
    commit inside the block. Staging files and unused new blobs are removed afterwards."""
    attachments = attachments or AttachmentInput()
    limit = current_app.config["DOCUMENT_MAX_ATTACHMENTS"]
    if len(attachments.uploads) + len(attachments.picked_ids) > limit:
        raise _refuse(_("Ein Beitrag kann höchstens %(n)s Anhänge haben.", n=limit))
    require(actor, Action.VIEW_LIBRARY, group, hide=True)
    picked = _picked_documents(group, attachments.picked_ids)
    with staged_uploads(attachments.uploads, FILES_FIELD) as staged, \
            blob_transaction() as created:
        yield AttachmentBatch(actor, group, staged, picked, created)


def attach_permission(actor, post):
    require(actor, Action.VIEW_POST, post, hide=True)
    require(actor, Action.ATTACH_TO_POST, post)


def add_attachments(actor, post, attachments):
    """Attach uploaded files and library documents to an existing post."""
    attach_permission(actor, post)
    if not attachments:
        raise _refuse(_("Bitte wählen Sie eine Datei oder ein Dokument aus der Bibliothek."))
    current = db.session.scalar(select(func.count()).select_from(PostAttachment).where(
        PostAttachment.post_id == post.id))
    limit = current_app.config["DOCUMENT_MAX_ATTACHMENTS"]
    if current + len(attachments.uploads) + len(attachments.picked_ids) > limit:
        raise _refuse(_("Ein Beitrag kann höchstens %(n)s Anhänge haben.", n=limit))
    with attachment_batch(actor, post.thread.group, attachments) as batch:
        batch.attach_to(post)
        db.session.commit()


def remove_attachment(actor, post, attachment_id, ip_address=""):
    """Take an attachment off a post; a file that was uploaded only for this post is
    soft-deleted with it."""
    require(actor, Action.VIEW_POST, post, hide=True)
    attachment = db.session.get(PostAttachment, attachment_id)
    if attachment is None or attachment.post_id != post.id:
        raise NotFound()
    require(actor, Action.ATTACH_TO_POST, post)
    document = attachment.version.document
    db.session.delete(attachment)
    db.session.flush()
    if not document.in_library and not document.is_deleted and not _still_attached(document):
        document.is_deleted = True
        document.deleted_at = utcnow()
        document.deleted_by_id = actor.id
    record_audit(actor, "post_attachment_removed", post, ip_address=ip_address,
                 summary=attachment.version.filename)
    db.session.commit()


def _still_attached(document):
    return db.session.scalar(
        select(PostAttachment.id)
        .join(DocumentVersion, DocumentVersion.id == PostAttachment.version_id)
        .where(DocumentVersion.document_id == document.id).limit(1)) is not None
