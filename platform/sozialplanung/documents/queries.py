"""Read queries for the document pages and post attachments: a constant number of SQL
statements per page, always scoped through policy."""
import math

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..extensions import db
from ..forum.queries import Page
from ..groups.models import WorkingGroup
from ..policy import Action, require, visible_groups_clause
from .models import Category, Document, DocumentTag, DocumentVersion, PostAttachment

DOCUMENTS_PER_PAGE = 25
VERSIONS_PER_PAGE = 50
ATTACH_CHOICES = 50
SORTS = ("datum", "titel", "kategorie")


def _library_clause(group):
    in_group = Document.group_id.is_(None) if group is None else Document.group_id == group.id
    return (in_group, Document.in_library.is_(True), Document.is_deleted.is_(False))


def _order(sort):
    if sort == "titel":
        return (func.lower(Document.title), Document.id)
    if sort == "kategorie":
        return (Document.category, func.lower(Document.title), Document.id)
    return (Document.updated_at.desc(), Document.id.desc())


def library_page(actor, group, *, category="", tag="", sort="datum", page=1):
    """One page of a library (group None: the platform-wide one), filtered and sorted; each
    document comes with its current version and its tags (three queries)."""
    require(actor, Action.VIEW_LIBRARY, group, hide=True)
    where = list(_library_clause(group))
    if category in {c.value for c in Category}:
        where.append(Document.category == category)
    if tag:
        where.append(Document.id.in_(select(DocumentTag.document_id).where(
            DocumentTag.tag == tag.strip().lower())))
    total = db.session.scalar(select(func.count()).select_from(Document).where(*where))
    pages = max(math.ceil(total / DOCUMENTS_PER_PAGE), 1)
    page = min(max(page, 1), pages)
    documents = db.session.scalars(
        select(Document).where(*where)
        .options(joinedload(Document.current_version), selectinload(Document.tag_rows))
        .order_by(*_order(sort if sort in SORTS else "datum"))
        .offset((page - 1) * DOCUMENTS_PER_PAGE).limit(DOCUMENTS_PER_PAGE)).unique().all()
    return Page(documents, page, DOCUMENTS_PER_PAGE, total)


def library_tags(actor, group, limit=200):
    """The tags used in a library, for the filter."""
    require(actor, Action.VIEW_LIBRARY, group, hide=True)
    return db.session.scalars(
        select(DocumentTag.tag).join(Document, Document.id == DocumentTag.document_id)
        .where(*_library_clause(group)).group_by(DocumentTag.tag)
        .order_by(DocumentTag.tag).limit(limit)).all()


def group_libraries(actor):
    """The working groups whose libraries the member may open, with their document counts."""
    groups = db.session.scalars(select(WorkingGroup).where(visible_groups_clause(actor))
                                .order_by(WorkingGroup.is_archived, WorkingGroup.name)).all()
    counts = dict(db.session.execute(
        select(Document.group_id, func.count()).where(
            Document.group_id.in_([g.id for g in groups]), Document.in_library.is_(True),
            Document.is_deleted.is_(False)).group_by(Document.group_id)).all()) if groups else {}
    return [(group, counts.get(group.id, 0)) for group in groups]


def versions_page(document, page=1):
    """A document's version history, newest first, with who uploaded each."""
    total = document.version_count
    pages = max(math.ceil(total / VERSIONS_PER_PAGE), 1)
    page = min(max(page, 1), pages)
    versions = db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id)
        .options(joinedload(DocumentVersion.uploaded_by))
        .order_by(DocumentVersion.number.desc())
        .offset((page - 1) * VERSIONS_PER_PAGE).limit(VERSIONS_PER_PAGE)).unique().all()
    return Page(versions, page, VERSIONS_PER_PAGE, total)


def attachments_for_posts(post_ids):
    """{post_id: [PostAttachment, ...]} for a page of posts, in ONE query; attachments of
    deleted documents are left out. The caller has checked that the posts are visible."""
    post_ids = list(post_ids)
    if not post_ids:
        return {}
    rows = db.session.scalars(
        select(PostAttachment)
        .join(PostAttachment.version).join(DocumentVersion.document)
        .where(PostAttachment.post_id.in_(post_ids), Document.is_deleted.is_(False))
        .options(contains_eager(PostAttachment.version).contains_eager(DocumentVersion.document))
        .order_by(PostAttachment.post_id, PostAttachment.id)).all()
    result = {}
    for row in rows:
        result.setdefault(row.post_id, []).append(row)
    return result


def attach_choices(actor, group, limit=ATTACH_CHOICES):
    """The newest documents of a group's library, to pick as attachments for a post."""
    require(actor, Action.VIEW_LIBRARY, group, hide=True)
    return db.session.scalars(
        select(Document).where(*_library_clause(group))
        .options(joinedload(Document.current_version))
        .order_by(Document.updated_at.desc(), Document.id.desc()).limit(limit)).unique().all()
