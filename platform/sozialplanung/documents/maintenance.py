"""Keeping storage and database in step: verify every version's blob, find orphans, and
re-run text extraction (for `flask documents ...`)."""
import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from .extraction import extract_text
from .filetypes import BY_MEDIA_TYPE
from .models import DocumentVersion, ExtractionStatus
from .storage import get_storage, staging_dir

CHUNK = 1024 * 1024


@dataclass
class CheckReport:
    checked: int = 0
    missing: list = field(default_factory=list)
    corrupt: list = field(default_factory=list)
    orphans: list = field(default_factory=list)
    recent_unreferenced: int = 0
    stale_staging: list = field(default_factory=list)
    deleted: int = 0

    @property
    def ok(self):
        return not self.missing and not self.corrupt


def _sha256(storage, key):
    digest = hashlib.sha256()
    with storage.open(key) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_blobs(verify_hashes=True, delete_orphans=False, grace=timedelta(hours=24)):
    """Every version's blob must exist (and match its SHA-256); blobs no version references
    and staging files older than `grace` are orphans (younger ones may be uploads in flight)."""
    storage = get_storage()
    report = CheckReport()
    sizes = dict(db.session.execute(
        select(DocumentVersion.blob_key, DocumentVersion.size).distinct()).all())
    for key, size in sizes.items():
        report.checked += 1
        stored = storage.size(key)
        if stored is None:
            report.missing.append(key)
        elif stored != size or (verify_hashes and _sha256(storage, key) != key):
            report.corrupt.append(key)
    cutoff = utcnow() - grace
    for key, modified in storage.iter_blobs():
        if key in sizes:
            continue
        if modified is None or modified <= cutoff:
            report.orphans.append(key)
        else:
            report.recent_unreferenced += 1
    limit = time.time() - grace.total_seconds()
    report.stale_staging = [p for p in staging_dir().iterdir()
                            if p.is_file() and p.stat().st_mtime <= limit]
    if delete_orphans:
        for key in report.orphans:
            storage.delete(key)
            report.deleted += 1
        for path in report.stale_staging:
            path.unlink(missing_ok=True)
            report.deleted += 1
    return report


def reextract(statuses=(ExtractionStatus.FAILED, ExtractionStatus.TIMEOUT), limit=100):
    """Run text extraction again (e.g. after raising the limits); one commit per version."""
    config = current_app.config
    storage = get_storage()
    versions = db.session.scalars(select(DocumentVersion).where(
        DocumentVersion.extraction_status.in_([str(s) for s in statuses]))
        .order_by(DocumentVersion.id).limit(limit)).all()
    done = 0
    for version in versions:
        file_type = BY_MEDIA_TYPE.get(version.media_type)
        if file_type is None:
            continue
        with _local_copy(storage, version.blob_key) as path:
            result = extract_text(
                path, file_type.kind, timeout=config["DOCUMENT_EXTRACT_TIMEOUT"],
                max_chars=config["DOCUMENT_EXTRACT_MAX_CHARS"],
                max_input_bytes=config["DOCUMENT_EXTRACT_MAX_INPUT_BYTES"],
                memory_bytes=config["DOCUMENT_EXTRACT_MEMORY_BYTES"],
                python=config["DOCUMENT_EXTRACT_PYTHON"])
        version.extracted_text = result.text
        version.extraction_status = result.status
        version.extraction_error = result.error[:200]
        db.session.commit()
        done += 1
    return done


@contextmanager
def _local_copy(storage, key):
    """The blob as a local file: itself on local storage, a temporary copy otherwise."""
    path = storage.local_path(key)
    if path is not None:
        yield path
        return
    fd, name = tempfile.mkstemp(prefix="extract-", dir=staging_dir())
    try:
        with os.fdopen(fd, "wb") as out, storage.open(key) as stream:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
