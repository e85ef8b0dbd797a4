"""The kinds of content the search finds. For each kind: the statement that selects the matches
the searcher may read, as rows (id, date, rank) newest first, and how a match reads as a result.
Every statement applies policy's visibility scopes itself, so no result, snippet, count or
facet reveals what the searcher may not read."""
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Callable

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import (and_, case, column, false, func, literal, literal_column, or_, select,
                        table, true)
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from .. import timeutil
from ..accounts.models import Organisation, User, UserStatus
from ..announcements.display import event_when
from ..announcements.models import Announcement, AnnouncementGroup
from ..documents.models import Document, DocumentVersion
from ..extensions import db
from ..forum.models import Post, Thread
from ..forum.queries import page_of
from ..groups.models import WorkingGroup
from ..markup import plain_text
from ..policy import (can_write_announcements, memberships_of, moderated_group_ids,
                      visible_announcements_clause, visible_documents_clause,
                      visible_group_ids, visible_groups_clause)
from ..sql import contains_pattern, folded
from .query import (fold, fragments, fts5_expression, fts5_phrase, fts5_word, highlight,
                    spellings)
from .schema import SEARCH_CONFIG


@dataclass
class Filters:
    """What narrows a search besides its words. `author_ids` is None for "anyone"; the dates
    are naive UTC: from the start of the first German calendar day to (not including) the
    start of the day after the last."""
    kind: str = ""
    group_id: int | None = None
    author_ids: list[int] | None = None
    date_from: datetime | None = None
    date_before: datetime | None = None
    sort: str = "relevanz"


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: str          # Markup from query.highlight: escaped text with <mark>
    place: str
    author: str
    date: datetime | None
    title_html: str = ""  # Markup: the title with its matches marked, where it matched
    hidden: bool = False  # hidden by the moderation (only moderators find it)


@dataclass(frozen=True)
class Source:
    label: str            # plural, for the type filter
    singular: str         # the flag on each result
    matches: Callable     # (actor, parsed, filters) -> Select of (id, date, rank), newest first
    hits: Callable        # (ids, parsed) -> [Hit] in the order of ids


def is_postgres():
    return db.engine.dialect.name == "postgresql"


@dataclass
class _TextMatch:
    """How a table's full-text index takes part in a source's statement."""
    restrict: Callable    # Select -> Select limited to matching rows
    rank: object          # SQL expression, higher is better
    entry_order: tuple    # SQLite: the index's own newest-first order, else ()

    def newest_first(self, *by_date):
        return self.entry_order or by_date


def _text_match(table_name, parsed, entry_order=False):
    id_column = literal_column(f"{table_name}.id")
    if parsed.is_empty:  # filters only: every row qualifies
        return _TextMatch(lambda stmt: stmt, literal(0.0), ())
    if is_postgres():
        query = _tsquery(parsed)
        vector = literal_column(f"{table_name}.search_vector")
        return _TextMatch(lambda stmt: stmt.where(vector.op("@@")(query)),
                          func.ts_rank_cd(vector, query), ())
    # FTS5 hands out matches by rowid, newest entry first when asked, so a common word stops
    # after the newest COUNT_CAP matches instead of ranking all of them. Posts and threads are
    # written in time order, so their entry order stands for date order (`entry_order`).
    fts = table(f"{table_name}_fts", column("rowid"))
    fts_name = literal_column(f"{table_name}_fts")
    return _TextMatch(
        lambda stmt: stmt.join(fts, fts.c.rowid == id_column)
                         .where(fts_name.op("MATCH")(fts5_expression(parsed))),
        -func.bm25(fts_name), (fts.c.rowid.desc(),) if entry_order else ())


def _tsquery(parsed):
    """The query as a PostgreSQL tsquery, built from plainto_tsquery/phraseto_tsquery pieces
    and tsquery operators: what the member typed is never parsed as query syntax."""
    parts = [_word_tsquery(term) for term in parsed.terms]
    parts += [_phrase_tsquery(phrase) for phrase in parsed.phrases]
    excluded = [_word_tsquery(word) for word in parsed.excluded]
    excluded += [_phrase_tsquery(phrase) for phrase in parsed.excluded_phrases]
    parts += [UnaryExpression(query, operator=custom_op("!!")) for query in excluded]
    return reduce(lambda a, b: a.op("&&")(b), parts)


def _word_tsquery(word):
    """Any spelling of one word."""
    return reduce(lambda a, b: a.op("||")(b),
                  (func.plainto_tsquery(_config(), v) for v in spellings(word)))


def _phrase_tsquery(words):
    return func.phraseto_tsquery(_config(), " ".join(words))


def _config():
    return literal_column(f"'{SEARCH_CONFIG}'::regconfig")


def _ids_holding(table_name, word=None, phrase=None):
    """Ids of the rows of `table_name` whose full-text index holds one word (any form) or one
    phrase: lets a query's words be found in different places of one item."""
    if is_postgres():
        query = _word_tsquery(word) if word else _phrase_tsquery(phrase)
        return (select(literal_column("id")).select_from(table(table_name))
                .where(literal_column(f"{table_name}.search_vector").op("@@")(query)))
    fts = f"{table_name}_fts"
    return (select(literal_column("rowid")).select_from(table(fts))
            .where(literal_column(fts).op("MATCH")(fts5_word(word) if word
                                                   else fts5_phrase(phrase))))


def _dates(stmt, column_, filters):
    if filters.date_from:
        stmt = stmt.where(column_ >= filters.date_from)
    if filters.date_before:
        stmt = stmt.where(column_ < filters.date_before)
    return stmt


def _authors(stmt, column_, filters):
    if filters.author_ids is not None:
        stmt = stmt.where(column_.in_(filters.author_ids or [0]))
    return stmt


def _hidden_ok(actor):
    """Hidden threads and posts count only where the actor moderates."""
    scope = moderated_group_ids(actor)
    if scope is None:
        return true()
    return WorkingGroup.id.in_(scope or [0])




def _load(model, ids, *options):
    found = {obj.id: obj for obj in db.session.scalars(
        select(model).where(model.id.in_(ids)).options(*options))}
    return [found[i] for i in ids]


def _name(user):
    return user.display_name if user else ""


# --- posts --------------------------------------------------------------------------------

def post_matches(actor, parsed, filters):
    text = _text_match("posts", parsed, entry_order=True)
    stmt = (text.restrict(select(Post.id, Post.created_at.label("date"),
                                 text.rank.label("rank")).select_from(Post))
            .join(Thread, Thread.id == Post.thread_id)
            .join(WorkingGroup, WorkingGroup.id == Thread.group_id)
            .where(Post.is_deleted.is_(False), visible_groups_clause(actor),
                   or_(and_(Post.is_hidden.is_(False), Thread.is_hidden.is_(False)),
                       _hidden_ok(actor))))
    # The same groups once more, as a list on the post's own copy of its group: the planner
    # sees how few posts a member of few groups may read and reads only those (the join above
    # stays the authority).
    readable = visible_group_ids(actor)
    if readable is not None:
        stmt = stmt.where(Post.group_id.in_(readable or [0]))
    if filters.group_id:
        stmt = stmt.where(Thread.group_id == filters.group_id, Post.group_id == filters.group_id)
    stmt = _dates(_authors(stmt, Post.author_id, filters), Post.created_at, filters)
    return stmt.order_by(*text.newest_first(Post.created_at.desc(), Post.id.desc()))


def post_hits(ids, parsed):
    return [Hit(kind="beitrag", title=post.thread.title,
                url=url_for("forum.show_thread", thread_id=post.thread_id,
                            seite=page_of(post.number), _anchor=f"beitrag-{post.id}"),
                snippet=highlight(plain_text(post.html), parsed), place=post.thread.group.name,
                author=_name(post.author), date=post.created_at,
                hidden=post.is_hidden or post.thread.is_hidden)
            for post in _load(Post, ids, joinedload(Post.author),
                              joinedload(Post.thread).joinedload(Thread.group))]


# --- thread titles ------------------------------------------------------------------------

def thread_matches(actor, parsed, filters):
    text = _text_match("threads", parsed, entry_order=True)
    stmt = (text.restrict(select(Thread.id, Thread.created_at.label("date"),
                                 text.rank.label("rank")).select_from(Thread))
            .join(WorkingGroup, WorkingGroup.id == Thread.group_id)
            .where(visible_groups_clause(actor),
                   or_(Thread.is_hidden.is_(False), _hidden_ok(actor))))
    if filters.group_id:
        stmt = stmt.where(Thread.group_id == filters.group_id)
    stmt = _dates(_authors(stmt, Thread.author_id, filters), Thread.created_at, filters)
    return stmt.order_by(*text.newest_first(Thread.created_at.desc(), Thread.id.desc()))


def thread_hits(ids, parsed):
    """The title is what matched: it is shown with its matches marked, without a snippet."""
    return [Hit(kind="thema", title=thread.title,
                url=url_for("forum.show_thread", thread_id=thread.id), snippet="",
                title_html=highlight(thread.title, parsed, width=250),
                place=thread.group.name, author=_name(thread.author), date=thread.created_at,
                hidden=thread.is_hidden)
            for thread in _load(Thread, ids, joinedload(Thread.author),
                                joinedload(Thread.group))]


# --- documents ----------------------------------------------------------------------------

def document_matches(actor, parsed, filters):
    """Documents whose title, description or current version's text hold the words: each
    word may be in a different place, and an excluded word anywhere excludes the document.
    Words in the title or description rank above words only in the text."""
    stmt = select(Document.id, Document.updated_at.label("date"))
    rank = literal(0.0)
    units = [{"word": w} for w in parsed.terms] + [{"phrase": p} for p in parsed.phrases]
    for unit in units:
        in_meta = Document.id.in_(_ids_holding("documents", **unit))
        in_text = Document.current_version_id.in_(_ids_holding("document_versions", **unit))
        stmt = stmt.where(or_(in_meta, in_text))
        rank = rank + case((in_meta, 1.0), else_=0.5)
    excluded = [{"word": w} for w in parsed.excluded]
    excluded += [{"phrase": p} for p in parsed.excluded_phrases]
    for unit in excluded:
        stmt = stmt.where(~Document.id.in_(_ids_holding("documents", **unit)),
                          ~func.coalesce(Document.current_version_id, 0).in_(
                              _ids_holding("document_versions", **unit)))
    stmt = stmt.add_columns(rank.label("rank")).where(visible_documents_clause(actor),
                                                      Document.in_library.is_(True))
    if filters.group_id:
        stmt = stmt.where(Document.group_id == filters.group_id)
    stmt = _dates(_authors(stmt, Document.created_by_id, filters), Document.updated_at, filters)
    return stmt.order_by(Document.updated_at.desc(), Document.id.desc())


# The snippet of a document comes from the start of its text: a long PDF's whole text is
# not loaded for one line.
SNIPPET_SOURCE_CHARS = 20_000


def document_hits(ids, parsed):
    documents = _load(Document, ids, joinedload(Document.group), joinedload(Document.created_by))
    texts = dict(db.session.execute(
        select(DocumentVersion.id, func.substr(DocumentVersion.extracted_text, 1,
                                               SNIPPET_SOURCE_CHARS))
        .where(DocumentVersion.id.in_([d.current_version_id for d in documents
                                       if d.current_version_id]))).all())
    hits = []
    for doc in documents:
        text = " ".join(x for x in (doc.description, texts.get(doc.current_version_id)) if x)
        hits.append(Hit(kind="dokument", title=doc.title,
                        url=url_for("documents.show_document", document_id=doc.id),
                        snippet=highlight(text or doc.title, parsed),
                        place=doc.group.name if doc.group else str(_l("Institut")),
                        author=_name(doc.created_by), date=doc.updated_at))
    return hits


# --- announcements and events -------------------------------------------------------------

def announcement_matches(actor, parsed, filters):
    """Announcements the actor may read. Members are not told whom an announcement was meant
    for or who wrote it: the group filter only applies to their own groups, the author filter
    leaves none (editors see both on their pages, and so here)."""
    text = _text_match("announcements", parsed)
    stmt = text.restrict(select(Announcement.id, Announcement.publish_at.label("date"),
                                text.rank.label("rank")).select_from(Announcement)).where(
        visible_announcements_clause(actor, timeutil.utcnow()))
    writer = can_write_announcements(actor)
    if filters.group_id:
        told = writer or filters.group_id in memberships_of(actor)
        stmt = stmt.where(Announcement.id.in_(select(AnnouncementGroup.announcement_id).where(
            AnnouncementGroup.group_id == filters.group_id)) if told else false())
    if filters.author_ids is not None and not writer:
        stmt = stmt.where(false())
    stmt = _dates(_authors(stmt, Announcement.author_id, filters), Announcement.publish_at,
                  filters)
    return stmt.order_by(*text.newest_first(Announcement.publish_at.desc(),
                                            Announcement.id.desc()))


def announcement_hits(ids, parsed):
    """An event names its date, so the publication date is not taken for it."""
    return [Hit(kind="mitteilung", title=a.title,
                url=url_for("announcements.show_announcement", announcement_id=a.id),
                snippet=highlight(plain_text(a.teaser_html + " " + a.body_html), parsed),
                place=" · ".join(x for x in (str(a.category_label), event_when(a)) if x),
                author="", date=a.publish_at)
            for a in _load(Announcement, ids)]


# --- members ------------------------------------------------------------------------------

def mentions(fields, word):
    return or_(*(field_.like(contains_pattern(part), escape="\\")
                 for field_ in fields for part in fragments(word)))


def member_matches(actor, parsed, filters):
    """Active members by parts of their name, organisation and Zuständigkeit (query.fragments):
    every word must be found somewhere, an excluded word nowhere; a match in the name ranks
    first. Without words, members are listed only when asked for. Members have no group,
    author or date, so those filters leave none."""
    name = folded(User.display_name)
    fields = (name, folded(User.position), folded(func.coalesce(Organisation.name, "")))
    words = parsed.positive_words()
    in_name = and_(*(mentions((name,), w) for w in words)) if words else false()
    stmt = (select(User.id, literal(None).label("date"),
                   case((in_name, 2.0), else_=1.0).label("rank"))
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(User.status == UserStatus.ACTIVE,
                   *(mentions(fields, w) for w in words),
                   *(~mentions(fields, w) for w in parsed.excluded),
                   *(~or_(*(f.like(contains_pattern(fold(" ".join(p))), escape="\\")
                            for f in fields)) for p in parsed.excluded_phrases)))
    if (not words and filters.kind != "mitglied") or filters.group_id \
            or filters.author_ids is not None or filters.date_from or filters.date_before:
        stmt = stmt.where(false())
    return stmt.order_by(func.lower(User.display_name), User.id)


def member_hits(ids, parsed):
    hits = []
    for user in _load(User, ids):
        organisation = user.organisation.name if user.organisation else ""
        hits.append(Hit(kind="mitglied", title=user.display_name,
                        url=url_for("accounts.profile", user_id=user.id),
                        title_html=highlight(user.display_name, parsed, by_parts=True),
                        snippet=highlight(" · ".join(x for x in (organisation, user.position)
                                                     if x), parsed, by_parts=True),
                        place=organisation, author="", date=None))
    return hits


SOURCES = {
    "thema": Source(_l("Themen"), _l("Thema"), thread_matches, thread_hits),
    "beitrag": Source(_l("Beiträge"), _l("Beitrag"), post_matches, post_hits),
    "dokument": Source(_l("Dokumente"), _l("Dokument"), document_matches, document_hits),
    "mitteilung": Source(_l("Neuigkeiten und Termine"), _l("Mitteilung"), announcement_matches,
                         announcement_hits),
    "mitglied": Source(_l("Mitglieder"), _l("Mitglied"), member_matches, member_hits),
}
