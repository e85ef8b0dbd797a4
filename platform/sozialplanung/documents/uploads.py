"""Taking in a file: stream it to the staging directory in chunks while hashing it, check size
and type, extract its text, and store it as a version; flush only. Whatever goes wrong, no
staging file and no blob that no version references is left behind."""
import hashlib
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..sql import begin_write_transaction
from ..timeutil import utcnow
from .extraction import DISABLED, Extraction, extract_text
from .filetypes import FileType, RefusedFile, detect_type, sanitize_filename
from .models import Document, DocumentVersion, ExtractionStatus
from .storage import get_storage, staging_dir

CHUNK = 1024 * 1024


@dataclass
class StagedFile:
    path: Path
    sha256: str
    size: int
    filename: str
    file_type: FileType
    extraction: Extraction

    @property
    def stem(self):
        return PurePosixPath(self.filename).stem or self.filename

    def discard(self):
        self.path.unlink(missing_ok=True)


def format_size(size):
    """Bytes for people, in the reader's language: "1,5 MB" in German, "1.5 MB" in English."""
    for unit, factor in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1), format='0.#')} {unit}"
    return ngettext("%(num)s Byte", "%(num)s Bytes", size)


def _refuse(field, message):
    return ValidationError(message, {field: message})


def stage_upload(upload, field="file"):
    """Copy one uploaded file (any object with .filename and .stream) into the staging
    directory, then check it; ValidationError on refusal, with the staging file removed."""
    if upload is None or not getattr(upload, "filename", ""):
        raise _refuse(field, _("Bitte wählen Sie eine Datei aus."))
    config = current_app.config
    max_bytes = config["DOCUMENT_MAX_BYTES"]
    filename = sanitize_filename(upload.filename)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=staging_dir())
    path = Path(name)
    try:
        digest, size = _copy_hashed(upload.stream, fd, max_bytes)
        file_type = detect_type(path, filename)
        extraction = _extract(path, file_type, config)
    except RefusedFile as exc:
        path.unlink(missing_ok=True)
        raise _refuse(field, _("„%(name)s“: %(reason)s", name=filename,
                               reason=exc.message)) from None
    except BaseException:
        # Interrupted upload, full disk, ...: nothing of this file stays.
        path.unlink(missing_ok=True)
        raise
    return StagedFile(path, digest, size, filename, file_type, extraction)


def _extract(path, file_type, config):
    if not config["DOCUMENT_EXTRACT_TEXT"]:
        return Extraction(ExtractionStatus.SKIPPED.value, error=DISABLED)
    return extract_text(path, file_type.kind, timeout=config["DOCUMENT_EXTRACT_TIMEOUT"],
                        max_chars=config["DOCUMENT_EXTRACT_MAX_CHARS"],
                        max_input_bytes=config["DOCUMENT_EXTRACT_MAX_INPUT_BYTES"],
                        memory_bytes=config["DOCUMENT_EXTRACT_MEMORY_BYTES"],
                        python=config["DOCUMENT_EXTRACT_PYTHON"])


class _TooLarge(RefusedFile):
    pass


def _copy_hashed(stream, fd, max_bytes):
    if hasattr(stream, "seekable") and stream.seekable():
        stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise _TooLarge(_("Die Datei ist größer als die erlaubten %(limit)s.",
                                  limit=format_size(max_bytes)))
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size == 0:
        raise RefusedFile(_("Die Datei ist leer."))
    return digest.hexdigest(), size


@contextmanager
def staged_uploads(uploads, field="file"):
    """Stage and check every upload before anything is written; the staging files are removed
    when the block ends (accepted ones have been moved into the storage by then)."""
    staged = []
    try:
        for upload in uploads:
            staged.append(stage_upload(upload, field))
        yield staged
    finally:
        for item in staged:
            item.discard()


@contextmanager
def blob_transaction():
    """Track the blobs a transaction adds to the storage. If the block fails, roll back; at
    the end, remove each new blob that no committed version references."""
    created = []
    try:
        yield created
    except BaseException:
        db.session.rollback()
        _remove_unreferenced(created)
        raise
    _remove_unreferenced(created)


def _remove_unreferenced(keys):
    if not keys:
        return
    kept = set(db.session.scalars(select(DocumentVersion.blob_key).where(
        DocumentVersion.blob_key.in_(keys))))
    storage = get_storage()
    for key in set(keys) - kept:
        storage.delete(key)


def store_version(actor, document, staged, change_note, created_blobs):
    """Put the staged file into the storage and add it as the document's newest version."""
    if get_storage().put(staged.sha256, staged.path):
        created_blobs.append(staged.sha256)
    # Lock the document row so concurrent uploads get consecutive numbers (PostgreSQL; SQLite
    # has no row locks: its write lock, taken before the count is read, does the same).
    begin_write_transaction()
    db.session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    db.session.refresh(document, ["version_count"])
    now = utcnow()
    document.version_count += 1
    version = DocumentVersion(
        document_id=document.id, number=document.version_count, blob_key=staged.sha256,
        filename=staged.filename, media_type=staged.file_type.media_type, size=staged.size,
        change_note=change_note, uploaded_by_id=actor.id, created_at=now,
        extracted_text=staged.extraction.text, extraction_status=staged.extraction.status,
        extraction_error=staged.extraction.error[:200])
    version.document = document
    db.session.add(version)
    db.session.flush()
    document.current_version_id = version.id
    document.updated_at = now
    return version
