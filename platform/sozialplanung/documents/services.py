"""Document rules: upload into a library, new versions, metadata, soft delete, and which
version a member may download."""
import re

from flask_babel import gettext as _
from sqlalchemy import select

from ..admin.audit import record_audit
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..policy import Action, require
from ..timeutil import utcnow
from .filetypes import sanitize_filename
from .models import Category, Document, DocumentTag, DocumentVersion
from .uploads import blob_transaction, staged_uploads, store_version

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
NOTE_MAX = 500
TAG_MAX = 40
TAGS_MAX = 10


# --- loading with permission checks -------------------------------------------------------

def get_document(actor, document_id):
    """A document the actor may see; deleted ones and those of closed groups are NotFound."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound()
    require(actor, Action.VIEW_DOCUMENT, document, hide=True)
    return document


def get_version(actor, document_id, number=None):
    """A version to download (the current one without `number`), checked on every request."""
    document = get_document(actor, document_id)
    if number is None:
        version = db.session.get(DocumentVersion, document.current_version_id or 0)
    else:
        version = db.session.scalar(select(DocumentVersion).where(
            DocumentVersion.document_id == document.id, DocumentVersion.number == number))
    if version is None:
        raise NotFound()
    return version


def library_permission(actor, group):
    require(actor, Action.VIEW_LIBRARY, group, hide=True)


def upload_permission(actor, group):
    require(actor, Action.VIEW_LIBRARY, group, hide=True)
    require(actor, Action.UPLOAD_DOCUMENT, group)


def edit_permission(actor, document):
    require(actor, Action.VIEW_DOCUMENT, document, hide=True)
    require(actor, Action.EDIT_DOCUMENT, document)


def delete_permission(actor, document):
    require(actor, Action.VIEW_DOCUMENT, document, hide=True)
    require(actor, Action.DELETE_DOCUMENT, document)


# --- validation ---------------------------------------------------------------------------

def parse_tags(text):
    """ "Demografie, Pflege; jena" -> ["demografie", "jena", "pflege"] (lower-case, unique)."""
    tags = []
    for raw in re.split(r"[,;\n]", text or ""):
        tag = " ".join(raw.split()).lower().lstrip("#")
        if tag and tag not in tags:
            tags.append(tag)
    if any(len(tag) > TAG_MAX for tag in tags):
        message = _("Ein Schlagwort darf höchstens %(n)s Zeichen lang sein.", n=TAG_MAX)
        raise ValidationError(message, {"tags": message})
    if len(tags) > TAGS_MAX:
        message = _("Bitte vergeben Sie höchstens %(n)s Schlagwörter.", n=TAGS_MAX)
        raise ValidationError(message, {"tags": message})
    return sorted(tags)


def _clean_metadata(title, description, category, tags):
    errors = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = _("Bitte geben Sie einen Titel an.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Der Titel darf höchstens %(n)s Zeichen lang sein.", n=TITLE_MAX)
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Die Beschreibung darf höchstens %(n)s Zeichen lang sein.",
                                  n="5.000")
    if category not in {c.value for c in Category}:
        errors["category"] = _("Bitte wählen Sie eine Kategorie.")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    return title, description, parse_tags(tags)


def _clean_note(note):
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        message = _("Die Änderungsnotiz darf höchstens %(n)s Zeichen lang sein.", n=NOTE_MAX)
        raise ValidationError(message, {"change_note": message})
    return note


def _set_tags(document, tags):
    current = {row.tag: row for row in document.tag_rows}
    for tag, row in current.items():
        if tag not in tags:
            document.tag_rows.remove(row)
    for tag in tags:
        if tag not in current:
            document.tag_rows.append(DocumentTag(tag=tag))


# --- writing ------------------------------------------------------------------------------

def upload_document(actor, group, upload, *, title="", description="", category="sonstiges",
                    tags="", ip_address=""):
    """A new document with its first version in a group's library (group None: the
    platform-wide one). Without a title, the file name (without extension) is used."""
    upload_permission(actor, group)
    default_title = sanitize_filename(getattr(upload, "filename", "") or "").rsplit(".", 1)[0]
    title, description, tags = _clean_metadata(title or default_title, description, category,
                                               tags)
    with staged_uploads([upload]) as (staged,), blob_transaction() as created:
        now = utcnow()
        document = Document(group_id=group.id if group else None, title=title,
                            description=description, category=category, created_by_id=actor.id,
                            created_at=now, updated_at=now)
        db.session.add(document)
        db.session.flush()
        store_version(actor, document, staged, "", created)
        _set_tags(document, tags)
        db.session.commit()
    return document


def add_version(actor, document, upload, change_note=""):
    """A new file for an existing document; earlier versions stay downloadable."""
    edit_permission(actor, document)
    note = _clean_note(change_note)
    with staged_uploads([upload]) as (staged,), blob_transaction() as created:
        version = store_version(actor, document, staged, note, created)
        db.session.commit()
    return version


def update_document(actor, document, *, title, description, category, tags):
    edit_permission(actor, document)
    title, description, tags = _clean_metadata(title, description, category, tags)
    document.title, document.description, document.category = title, description, category
    _set_tags(document, tags)
    db.session.commit()
    return document


def delete_document(actor, document, ip_address=""):
    """Soft delete: the document disappears from lists, pages and downloads; files and rows
    stay for the audit trail (and for an admin to restore in the database)."""
    delete_permission(actor, document)
    document.is_deleted = True
    document.deleted_at = utcnow()
    document.deleted_by_id = actor.id
    record_audit(actor, "document_deleted", document, ip_address=ip_address,
                 summary=document.title)
    db.session.commit()
