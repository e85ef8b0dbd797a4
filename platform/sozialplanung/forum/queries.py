"""Read queries for the forum pages: a constant number of SQL statements per page."""
import math
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..groups.models import Membership, WorkingGroup
from ..policy import Action, can, visible_groups_clause
from .models import Post, ReadState, Thread

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20


@dataclass
class ThreadRow:
    thread: Thread
    unread: int  # posts the viewer has not read yet (0 = all read)


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1

    def iter_pages(self, left_edge=1, right_edge=1, left_current=2, right_current=2):
        last = 0
        for num in range(1, self.pages + 1):
            if (num <= left_edge or num > self.pages - right_edge
                    or self.page - left_current <= num <= self.page + right_current):
                if last + 1 != num:
                    yield None
                yield num
                last = num


def _with_unread(actor, threads):
    """Attach the viewer's unread count to each thread: one query for all of them."""
    if not threads:
        return []
    read = dict(db.session.execute(select(ReadState.thread_id, ReadState.last_read_number).where(
        ReadState.user_id == actor.id, ReadState.thread_id.in_([t.id for t in threads]))).all())
    return [ThreadRow(t, max(t.post_count - read.get(t.id, 0), 0)) for t in threads]


def group_threads(actor, group, page=1):
    """The group page: pinned first, then by last activity; authors and last posters loaded."""
    if can(actor, Action.MODERATE_GROUP, group):  # moderators see hidden threads too
        where = Thread.group_id == group.id
        total = db.session.scalar(select(func.count()).select_from(Thread).where(where))
    else:
        where = and_(Thread.group_id == group.id, Thread.is_hidden.is_(False))
        total = group.thread_count  # kept by forum.services.refresh_group_stats
    pages = max(math.ceil(total / THREADS_PER_PAGE), 1)
    page = min(max(page, 1), pages)
    threads = db.session.scalars(
        select(Thread).where(where)
        .options(joinedload(Thread.author), joinedload(Thread.last_poster))
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .offset((page - 1) * THREADS_PER_PAGE).limit(THREADS_PER_PAGE)).unique().all()
    return Page(_with_unread(actor, threads), page, THREADS_PER_PAGE, total)


def page_of(number):
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


def thread_page_number(thread, page):
    """The requested page of a thread, clamped to the pages that exist."""
    pages = max(math.ceil(thread.post_count / POSTS_PER_PAGE), 1)
    return min(max(page or 1, 1), pages)


def last_number_on_page(thread, page):
    return min(thread_page_number(thread, page) * POSTS_PER_PAGE, thread.post_count)


def thread_posts(thread, page=1):
    """One page of a thread's posts by their stable number, with authors (and organisations)."""
    page = thread_page_number(thread, page)
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id,
                           Post.number.between(first, first + POSTS_PER_PAGE - 1))
        .options(joinedload(Post.author), joinedload(Post.edited_by))
        .order_by(Post.number)).unique().all()
    return Page(posts, page, POSTS_PER_PAGE, thread.post_count)


def groups_overview(actor):
    """All groups; member count, thread count, last activity and unread state only for the
    groups the viewer may read. Closed groups show name and description to everyone so
    members can ask to join; their content and their members stay hidden."""
    groups = db.session.scalars(select(WorkingGroup).order_by(
        WorkingGroup.is_archived, WorkingGroup.name)).all()
    readable = set(db.session.scalars(select(WorkingGroup.id).where(visible_groups_clause(actor))))
    groups = [g for g in groups if g.id in readable or not g.is_archived]
    ids = [g.id for g in groups]
    if not ids:
        return []
    members = dict(db.session.execute(
        select(Membership.group_id, func.count()).where(Membership.group_id.in_(readable))
        .group_by(Membership.group_id)).all())
    read = fully_read_threads_by_group(actor, list(readable))
    rows = []
    for g in groups:
        if g.id in readable:
            rows.append({"group": g, "readable": True, "members": members.get(g.id, 0),
                         "threads": g.thread_count, "last_activity": g.last_activity_at,
                         "unread": max(g.thread_count - read.get(g.id, 0), 0)})
        else:  # a closed group's activity is its members' business
            rows.append({"group": g, "readable": False, "members": 0, "threads": 0,
                         "last_activity": None, "unread": 0})
    return rows


def fully_read_threads_by_group(actor, group_ids):
    """How many visible threads per group the viewer has read to the end. Unread = the group's
    thread count minus this, so the work grows with what the viewer has read, not with every
    thread of the group."""
    if not group_ids:
        return {}
    rows = db.session.execute(
        select(Thread.group_id, func.count())
        .select_from(ReadState).join(Thread, Thread.id == ReadState.thread_id)
        .where(ReadState.user_id == actor.id, Thread.group_id.in_(group_ids),
               Thread.is_hidden.is_(False), ReadState.last_read_number >= Thread.post_count)
        .group_by(Thread.group_id)).all()
    return dict(rows)


def recent_threads_in_my_groups(actor, limit=10):
    """Dashboard: latest active threads of the groups the member belongs to."""
    my_groups = select(Membership.group_id).where(Membership.user_id == actor.id)
    threads = db.session.scalars(
        select(Thread).where(Thread.group_id.in_(my_groups), Thread.is_hidden.is_(False))
        .options(joinedload(Thread.group), joinedload(Thread.last_poster))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(limit)).unique().all()
    return _with_unread(actor, threads)
