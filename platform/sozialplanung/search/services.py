"""One permission-aware search over posts, thread titles and members (further sources
register themselves in SOURCES). Every source applies policy's visibility scopes itself, so no
result, snippet, count or facet reveals what the searcher may not read."""
import re
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Float, Integer, and_, false, func, literal_column, or_, select, text,
                        true, union_all)
from sqlalchemy.orm import joinedload

from ..accounts.models import Organisation, User, UserStatus
from ..announcements.models import Announcement, AnnouncementGroup
from ..documents.models import Document, DocumentVersion
from ..extensions import db
from ..forum.models import Post, Thread
from ..forum.queries import page_of
from ..groups.models import WorkingGroup
from ..sql import contains_pattern
from ..policy import (Action, moderated_group_ids, require, visible_announcements_clause,
                      visible_documents_clause, visible_groups_clause)
from .. import timeutil
from .query import fts5_expression, highlight, parse, websearch_text
from .schema import SEARCH_CONFIG

MAX_QUERY_INPUT = 500
PER_PAGE = 20
MAX_PAGES = 50
COUNT_CAP = 1000


@dataclass
class Filters:
    kind: str = ""
    group_id: int | None = None
    author_id: int | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: str = "relevanz"


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: str          # safe HTML (escaped text with <mark>)
    place: str
    author: str
    date: datetime | None
    score: float


@dataclass
class Results:
    hits: list
    total: int
    capped: bool
    counts: dict
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self):
        return max(min(-(-self.total // self.per_page), MAX_PAGES), 1)


def _is_postgres():
    return db.engine.dialect.name == "postgresql"


def _plain(markdown_source):
    text_ = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown_source or "")
    text_ = re.sub(r"@\[([^\]]+)\]", r"@\1", text_)
    return re.sub(r"[*_`#>|~]+", " ", text_)


def _match(table, parsed):
    """(function that restricts a statement to matching rows, rank expression)."""
    id_column = literal_column(f"{table}.id")
    if _is_postgres():
        query = func.websearch_to_tsquery(literal_column(f"'{SEARCH_CONFIG}'::regconfig"),
                                          websearch_text(parsed))
        vector = literal_column(f"{table}.search_vector")
        return (lambda stmt: stmt.where(vector.op("@@")(query))), func.ts_rank_cd(vector, query)
    fts = f"{table}_fts"
    matches = (text(f"SELECT rowid AS id, -bm25({fts}) AS rank FROM {fts} "
                    f"WHERE {fts} MATCH :expr")
               .bindparams(expr=fts5_expression(parsed))
               .columns(id=Integer, rank=Float).subquery(f"{table}_matches"))
    return (lambda stmt: stmt.join(matches, matches.c.id == id_column)), matches.c.rank


def _scope(actor, stmt, filters):
    """Only groups the actor may read; hidden content only where the actor moderates."""
    stmt = stmt.where(visible_groups_clause(actor))
    if filters.group_id:
        stmt = stmt.where(WorkingGroup.id == filters.group_id)
    return stmt


def _hidden_ok(actor):
    scope = moderated_group_ids(actor)
    if scope is None:
        return true()
    return WorkingGroup.id.in_(scope or [0])


def _dates(stmt, column, filters):
    if filters.date_from:
        stmt = stmt.where(column >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(column <= filters.date_to)
    return stmt


# --- sources ------------------------------------------------------------------------------

def _post_statement(actor, parsed, filters, columns):
    restrict, rank = _match("posts", parsed)
    stmt = (restrict(select(*columns(rank)).select_from(Post))
            .join(Thread, Thread.id == Post.thread_id)
            .join(WorkingGroup, WorkingGroup.id == Thread.group_id)
            .where(Post.is_deleted.is_(False),
                   or_(and_(Post.is_hidden.is_(False), Thread.is_hidden.is_(False)),
                       _hidden_ok(actor))))
    if filters.author_id:
        stmt = stmt.where(Post.author_id == filters.author_id)
    return _dates(_scope(actor, stmt, filters), Post.created_at, filters)


def search_posts(actor, parsed, filters, limit):
    """Relevance is judged among the newest COUNT_CAP matches, fetched in one query that also
    gives the count. A common word matches tens of thousands of posts: scoring or sorting all of
    them would take seconds, while the newest come straight off the created_at index."""
    stmt = _post_statement(actor, parsed, filters,
                           lambda rank: (Post.id, Post.created_at, rank.label("rank")))
    newest_first = stmt.order_by(Post.created_at.desc(), Post.id.desc())
    if filters.sort == "datum":
        rows = db.session.execute(newest_first.limit(limit)).all()
        total = count_posts(actor, parsed, filters)
    else:
        newest = db.session.execute(newest_first.limit(COUNT_CAP + 1)).all()
        total = len(newest)
        rows = sorted(newest[:COUNT_CAP], key=lambda r: (r.rank or 0, r.created_at, r.id),
                      reverse=True)[:limit]
    posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_([r.id for r in rows]))
        .options(joinedload(Post.author), joinedload(Post.thread).joinedload(Thread.group)))}
    hits = []
    for row in rows:
        post = posts[row.id]
        hits.append(Hit(
            kind="beitrag", title=post.thread.title,
            url=url_for("forum.show_thread", thread_id=post.thread_id,
                        seite=page_of(post.number), _anchor=f"beitrag-{post.id}"),
            snippet=highlight(_plain(post.source), parsed), place=post.thread.group.name,
            author=post.author.display_name if post.author else "", date=post.created_at,
            score=float(row.rank or 0)))
    return hits, total


def count_posts(actor, parsed, filters):
    return _capped_count(_post_statement(actor, parsed, filters, lambda rank: (Post.id,)))


def _thread_statement(actor, parsed, filters, columns):
    restrict, rank = _match("threads", parsed)
    stmt = (restrict(select(*columns(rank)).select_from(Thread))
            .join(WorkingGroup, WorkingGroup.id == Thread.group_id)
            .where(or_(Thread.is_hidden.is_(False), _hidden_ok(actor))))
    if filters.author_id:
        stmt = stmt.where(Thread.author_id == filters.author_id)
    return _dates(_scope(actor, stmt, filters), Thread.created_at, filters)


def search_threads(actor, parsed, filters, limit):
    stmt = _thread_statement(actor, parsed, filters, lambda rank: (Thread.id, rank.label("rank")))
    order = (Thread.last_post_at.desc(),) if filters.sort == "datum" else (
        literal_column("rank").desc(), Thread.last_post_at.desc())
    rows = db.session.execute(stmt.order_by(*order).limit(limit)).all()
    threads = {t.id: t for t in db.session.scalars(
        select(Thread).where(Thread.id.in_([r[0] for r in rows]))
        .options(joinedload(Thread.author), joinedload(Thread.group)))}
    hits = [Hit(kind="thema", title=threads[tid].title,
                url=url_for("forum.show_thread", thread_id=tid),
                snippet=highlight(threads[tid].title, parsed), place=threads[tid].group.name,
                author=threads[tid].author.display_name if threads[tid].author else "",
                date=threads[tid].created_at, score=2 * float(rank or 0) + 0.1)
            for tid, rank in rows]
    return hits, count_threads(actor, parsed, filters)


def count_threads(actor, parsed, filters):
    return _capped_count(_thread_statement(actor, parsed, filters, lambda rank: (Thread.id,)))


def _member_statement(actor, parsed, filters, columns):
    """Members by name, organisation and Zuständigkeit: every word must match somewhere."""
    stmt = (select(*columns).select_from(User)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(User.status == UserStatus.ACTIVE))
    for word in parsed.positive_words():
        pattern = contains_pattern(word)
        stmt = stmt.where(or_(func.lower(User.display_name).like(pattern, escape="\\"),
                              func.lower(User.position).like(pattern, escape="\\"),
                              func.lower(Organisation.name).like(pattern, escape="\\")))
    for word in parsed.excluded:
        pattern = contains_pattern(word)
        stmt = stmt.where(~func.lower(User.display_name).like(pattern, escape="\\"),
                          ~func.lower(User.position).like(pattern, escape="\\"))
    if filters.group_id or filters.author_id or filters.date_from or filters.date_to:
        stmt = stmt.where(false())  # members have no group, author or date
    return stmt


def search_members(actor, parsed, filters, limit):
    if not parsed.positive_words():
        return [], 0
    users = db.session.scalars(_member_statement(actor, parsed, filters, (User,))
                               .order_by(func.lower(User.display_name)).limit(limit)).all()
    hits = [Hit(kind="mitglied", title=u.display_name,
                url=url_for("accounts.profile", user_id=u.id),
                snippet=highlight(" · ".join(x for x in (
                    u.organisation.name if u.organisation else "", u.position) if x), parsed),
                place=u.organisation.name if u.organisation else "", author="", date=None,
                score=1.5) for u in users]
    return hits, count_members(actor, parsed, filters)


def count_members(actor, parsed, filters):
    if not parsed.positive_words():
        return 0
    return _capped_count(_member_statement(actor, parsed, filters, (User.id,)))


def _announcement_statement(actor, parsed, filters, columns):
    restrict, rank = _match("announcements", parsed)
    stmt = restrict(select(*columns(rank)).select_from(Announcement)).where(
        visible_announcements_clause(actor, timeutil.utcnow()))
    if filters.group_id:
        stmt = stmt.where(Announcement.id.in_(select(AnnouncementGroup.announcement_id).where(
            AnnouncementGroup.group_id == filters.group_id)))
    if filters.author_id:
        stmt = stmt.where(Announcement.author_id == filters.author_id)
    return _dates(stmt, Announcement.publish_at, filters)


def search_announcements(actor, parsed, filters, limit):
    stmt = _announcement_statement(actor, parsed, filters,
                                   lambda rank: (Announcement.id, rank.label("rank")))
    order = (Announcement.publish_at.desc(),) if filters.sort == "datum" else (
        literal_column("rank").desc(), Announcement.publish_at.desc())
    rows = db.session.execute(stmt.order_by(*order).limit(limit)).all()
    found = {a.id: a for a in db.session.scalars(
        select(Announcement).where(Announcement.id.in_([r[0] for r in rows])))}
    hits = [Hit(kind="mitteilung", title=found[aid].title,
                url=url_for("announcements.show_announcement", announcement_id=aid),
                snippet=highlight(_plain(found[aid].teaser + " " + found[aid].body), parsed),
                place=str(found[aid].category_label), author="",
                date=found[aid].publish_at, score=1.5 * float(rank or 0) + 0.05)
            for aid, rank in rows]
    return hits, count_announcements(actor, parsed, filters)


def count_announcements(actor, parsed, filters):
    return _capped_count(_announcement_statement(actor, parsed, filters,
                                                 lambda rank: (Announcement.id,)))


def _document_statement(actor, parsed, filters, columns):
    """Documents whose title/description or current version's text matches."""
    restrict_doc, rank_doc = _match("documents", parsed)
    restrict_ver, rank_ver = _match("document_versions", parsed)
    by_meta = restrict_doc(select(Document.id.label("id"), rank_doc.label("rank"))
                           .select_from(Document))
    by_text = restrict_ver(select(Document.id.label("id"), (rank_ver * 0.5).label("rank"))
                           .select_from(DocumentVersion)
                           .join(Document, Document.current_version_id == DocumentVersion.id))
    matches = union_all(by_meta, by_text).subquery("document_matches")
    best = (select(matches.c.id, func.max(matches.c.rank).label("rank"))
            .group_by(matches.c.id).subquery("document_best"))
    stmt = (select(*columns(best.c.rank)).select_from(Document)
            .join(best, best.c.id == Document.id)
            .where(visible_documents_clause(actor), Document.in_library.is_(True)))
    if filters.group_id:
        stmt = stmt.where(Document.group_id == filters.group_id)
    if filters.author_id:
        stmt = stmt.where(Document.created_by_id == filters.author_id)
    return _dates(stmt, Document.updated_at, filters)


def search_documents(actor, parsed, filters, limit):
    stmt = _document_statement(actor, parsed, filters,
                               lambda rank: (Document.id, rank.label("rank")))
    order = (Document.updated_at.desc(),) if filters.sort == "datum" else (
        literal_column("rank").desc(), Document.updated_at.desc())
    rows = db.session.execute(stmt.order_by(*order).limit(limit)).all()
    found = {d.id: d for d in db.session.scalars(
        select(Document).where(Document.id.in_([r[0] for r in rows]))
        .options(joinedload(Document.group), joinedload(Document.created_by),
                 joinedload(Document.current_version)))}
    hits = []
    for doc_id, rank in rows:
        doc = found[doc_id]
        text_ = " ".join(x for x in (doc.description,
                                      doc.current_version.extracted_text[:20000]
                                      if doc.current_version else "") if x)
        hits.append(Hit(kind="dokument", title=doc.title,
                        url=url_for("documents.show_document", document_id=doc_id),
                        snippet=highlight(text_ or doc.title, parsed),
                        place=doc.group.name if doc.group else str(_l("Institut")),
                        author=doc.created_by.display_name if doc.created_by else "",
                        date=doc.updated_at, score=1.2 * float(rank or 0) + 0.05))
    return hits, count_documents(actor, parsed, filters)


def count_documents(actor, parsed, filters):
    return _capped_count(_document_statement(actor, parsed, filters, lambda rank: (Document.id,)))


def _capped_count(stmt):
    return db.session.scalar(select(func.count()).select_from(stmt.limit(COUNT_CAP + 1)
                                                              .subquery()))


# kind -> (label, search function returning (hits, capped count), count function for facets)
SOURCES = {
    "beitrag": (_l("Beiträge"), search_posts, count_posts),
    "thema": (_l("Themen"), search_threads, count_threads),
    "dokument": (_l("Dokumente"), search_documents, count_documents),
    "mitteilung": (_l("Neuigkeiten und Termine"), search_announcements, count_announcements),
    "mitglied": (_l("Mitglieder"), search_members, count_members),
}


def search(actor, text_, filters, page=1):
    """Run the query over the selected source (or all), merge, sort and paginate."""
    require(actor, Action.VIEW_MEMBERS)
    parsed = parse(text_)
    page = min(max(page, 1), MAX_PAGES)
    if parsed.is_empty:
        return parsed, Results([], 0, False, {}, page)
    if _is_postgres():
        # Plan every search for its own words: a cached generic plan cannot tell a rare word
        # (bitmap index scan) from a common one (newest posts first) and would pick one for all.
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    kinds = [filters.kind] if filters.kind in SOURCES else list(SOURCES)
    limit = page * PER_PAGE
    hits, counts = [], {}
    for kind, (_label, search_source, count_source) in SOURCES.items():
        if kind in kinds:
            found, counts[kind] = search_source(actor, parsed, filters, limit)
            hits += found
        else:
            counts[kind] = count_source(actor, parsed, filters)
    if filters.sort == "datum":
        hits.sort(key=lambda h: h.date or datetime.min, reverse=True)
    else:
        hits.sort(key=lambda h: h.score, reverse=True)
    total = min(sum(counts[k] for k in kinds), COUNT_CAP * len(kinds))
    capped = any(counts[k] > COUNT_CAP for k in kinds)
    # A page beyond the last (an old link, an edited URL) shows the last page; every source
    # returned at least `limit` hits, so the last page's hits are at hand.
    page = min(page, Results([], total, capped, counts, page).pages)
    return parsed, Results(hits[(page - 1) * PER_PAGE:page * PER_PAGE], total, capped, counts,
                           page)


def filter_groups(actor):
    """Groups for the filter: only those the actor may read."""
    return db.session.scalars(select(WorkingGroup).where(visible_groups_clause(actor))
                              .order_by(WorkingGroup.name)).all()


def filter_authors(actor, selected_id):
    """The selected author for the filter field (the list of all members would be too long)."""
    if not selected_id:
        return []
    return db.session.scalars(select(User).where(User.id == selected_id,
                                                 User.status == UserStatus.ACTIVE)).all()
