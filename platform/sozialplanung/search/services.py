"""One permission-aware search over thread titles, posts, documents, announcements and members:
each kind in sources.py finds what the searcher may read; here they are counted, ranked,
merged and paginated."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text

from ..accounts.models import User, UserStatus
from ..extensions import db
from ..groups.models import WorkingGroup
from ..policy import Action, require, visible_groups_clause
from ..sql import folded
from ..timeutil import day_start_utc
from .query import parse
from .sources import SOURCES, Filters, is_postgres, mentions

MAX_QUERY_INPUT = 500
MAX_AUTHOR_INPUT = 120
PER_PAGE = 20
MAX_PAGES = 50
# Per kind, the newest COUNT_CAP matches are counted and ranked; beyond them the page says
# "mehr als …". A common word matches tens of thousands of posts: ranking them all would take
# seconds, while the newest come straight off an index. Nobody pages past 50 pages anyway.
COUNT_CAP = 1000
# Merging kinds by rank position (reciprocal rank fusion): the n-th best of each kind scores
# weight / (RRF_K + n), so every kind's best matches reach the first page.
RRF_K = 10
MAX_AUTHORS = 50


@dataclass
class SearchRequest:
    """What a member asked for, as the results page sends it."""
    text: str = ""
    kind: str = ""
    group_id: int | None = None
    author: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevanz"
    page: int = 1
    unreadable_dates: tuple = ()   # the date fields ("von", "bis") that held no valid day

    @property
    def has_filters(self):
        """Anything besides words that says what to list: without words, the search lists
        everything that fits, newest first."""
        return bool(self.group_id or self.author.strip() or self.date_from or self.date_to
                    or self.kind in SOURCES or self.sort == "datum")


@dataclass
class Results:
    hits: list
    total: int          # matches of the kind shown (each kind counted up to COUNT_CAP)
    capped: bool
    counts: dict        # kind -> matches, up to COUNT_CAP + 1
    page: int
    all_total: int = 0  # matches of every kind that "Alles" shows
    all_capped: bool = False
    per_page: int = PER_PAGE
    authors: list = field(default_factory=list)   # the members the author filter named

    @property
    def pages(self):
        return max(min(-(-self.total // self.per_page), MAX_PAGES), 1)


@dataclass
class Outcome:
    """What the page shows: the parsed query, the results, and why nothing could be searched
    (`problem`: "leer", "keine-woerter", "nur-haeufige-woerter", "datum-ungueltig", "zeitraum",
    "autor-unbekannt")."""
    parsed: object
    results: Results
    problem: str = ""
    sort: str = "relevanz"   # as applied: without words, the newest come first


def search(actor, request):
    """Run the request over the selected kind (or all), count every kind for the tabs, merge
    by relevance or date and cut out the requested page."""
    require(actor, Action.VIEW_MEMBERS)
    parsed = parse(request.text)
    page = min(max(request.page, 1), MAX_PAGES)
    problem = _problem(request, parsed)
    authors = _authors_named(request.author) if not problem else []
    if not problem and request.author.strip() and not authors:
        problem = "autor-unbekannt"
    if problem:
        return Outcome(parsed, Results([], 0, False, {}, page), problem, request.sort)
    filters = _filters(request, parsed, authors)
    if is_postgres():
        # Plan every search for its own words: a cached generic plan cannot tell a rare word
        # (bitmap index scan) from a common one (newest posts first) and would pick one for all.
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    counts, ranked = _run_sources(actor, parsed, filters, limit=page * PER_PAGE)
    shown = [filters.kind] if filters.kind else list(SOURCES)
    # Without words, members are listed only on their own tab, so "Alles" does not count them.
    everything = [k for k in SOURCES if not (parsed.is_empty and k == "mitglied")]
    results = Results([], *_total(counts, shown), counts, page, *_total(counts, everything),
                      authors=authors)
    # A page beyond the last (an old link, an edited URL) shows the last page; every kind
    # returned its best `limit` matches, so the last page's are at hand.
    results.page = min(page, results.pages)
    wanted = _merge(ranked, filters.sort)[(results.page - 1) * PER_PAGE:results.page * PER_PAGE]
    results.hits = _hits(wanted, parsed)
    return Outcome(parsed, results, sort=filters.sort)


def _problem(request, parsed):
    """Why the request cannot be searched, or ""."""
    if request.unreadable_dates:
        return "datum-ungueltig"
    if parsed.is_empty and parsed.common and not request.has_filters:
        return "nur-haeufige-woerter"
    if parsed.is_empty and request.text.strip() and not parsed.common:
        return "keine-woerter"
    if parsed.is_empty and not request.has_filters:
        return "leer"
    if request.date_from and request.date_to and request.date_from > request.date_to:
        return "zeitraum"
    return ""


def _filters(request, parsed, authors):
    return Filters(
        kind=request.kind if request.kind in SOURCES else "", group_id=request.group_id,
        author_ids=[a.id for a in authors] if request.author.strip() else None,
        date_from=day_start_utc(request.date_from) if request.date_from else None,
        date_before=day_start_utc(request.date_to + timedelta(days=1))
        if request.date_to else None,
        sort="datum" if request.sort == "datum" or parsed.is_empty else "relevanz")


def _run_sources(actor, parsed, filters, limit):
    """Per kind, the count (up to COUNT_CAP + 1); for the kinds shown, their best `limit`
    rows, found in the same statement."""
    counts, ranked = {}, {}
    for kind, source in SOURCES.items():
        matches = source.matches(actor, parsed, filters)
        if not filters.kind or kind == filters.kind:
            rows = db.session.execute(matches.limit(COUNT_CAP + 1)).all()
            counts[kind] = len(rows)
            ranked[kind] = _best(rows[:COUNT_CAP], filters.sort)[:limit]
        else:
            counts[kind] = _capped_count(matches)
    return counts, ranked


def _total(counts, kinds):
    """(matches of these kinds, each counted up to COUNT_CAP; whether any had more)."""
    return (sum(min(counts[k], COUNT_CAP) for k in kinds),
            any(counts[k] > COUNT_CAP for k in kinds))


def _best(rows, sort):
    """Rows come newest first; by relevance the best rank leads (then the newer)."""
    if sort == "datum":
        return list(rows)
    return sorted(rows, key=lambda row: (row.rank or 0, row.date or datetime.min), reverse=True)


def _merge(ranked, sort):
    """(kind, row) pairs of all kinds in one order."""
    pairs = [(kind, position, row) for kind, rows in ranked.items()
             for position, row in enumerate(rows)]
    if sort == "datum":
        pairs.sort(key=lambda p: p[2].date or datetime.min, reverse=True)
    else:
        order = list(SOURCES)
        pairs.sort(key=lambda p: (-_weight(p[0], p[2]) / (RRF_K + p[1]), order.index(p[0])))
    return [(kind, row) for kind, _position, row in pairs]


def _weight(kind, row):
    """Members found only by organisation or Zuständigkeit count half: a word like "Planung"
    is in many job titles but rarely what the searcher is after."""
    return 0.5 if kind == "mitglied" and row.rank < 2 else 1.0


def _hits(wanted, parsed):
    """Load the results of one page, kind by kind, and put them back in page order."""
    by_kind = {}
    for kind, row in wanted:
        by_kind.setdefault(kind, []).append(row.id)
    loaded = {kind: iter(SOURCES[kind].hits(ids, parsed)) for kind, ids in by_kind.items()}
    return [next(loaded[kind]) for kind, _row in wanted]


def _capped_count(matches):
    return db.session.scalar(select(func.count()).select_from(
        matches.limit(COUNT_CAP + 1).subquery()))


def _authors_named(name):
    """The members an author filter names: everyone whose display name it is, else everyone
    whose name holds all its words as the member search finds them ("Koehler" finds "Köhler"),
    at most MAX_AUTHORS. Only active members, as in the member directory."""
    words = " ".join(name.split())[:MAX_AUTHOR_INPUT]
    terms = parse(words).terms
    if not terms:
        return []
    active = User.status == UserStatus.ACTIVE
    by_name = func.lower(User.display_name), User.id
    exact = db.session.scalars(select(User).where(
        active, func.lower(User.display_name) == words.lower()).order_by(*by_name)).all()
    if exact:
        return exact
    name_ = folded(User.display_name)
    return db.session.scalars(
        select(User).where(active, *(mentions((name_,), w) for w in terms))
        .order_by(*by_name).limit(MAX_AUTHORS)).all()


def filter_groups(actor):
    """Groups for the filter: only those the actor may read."""
    return db.session.scalars(select(WorkingGroup).where(visible_groups_clause(actor))
                              .order_by(WorkingGroup.name)).all()
