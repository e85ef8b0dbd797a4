"""Shared builders and page readers for the forum, group and notification tests.

The personas of issue 3 live in one `World`: a closed working group with a member, a group
moderator and a thread, plus a non-member, a site moderator, an admin and a member who gets
suspended. Data is written through the services (as a member would), outside any request.
"""
import html
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import g, request_started
from sqlalchemy import event, func, select

from sozialplanung.accounts.models import User
from sozialplanung.extensions import db
from sozialplanung.forum import services as forum
from sozialplanung.forum.models import Post, Subscription, Thread
from sozialplanung.groups.models import WorkingGroup
from sozialplanung.notifications.models import Notification

from ..conftest import login
from ..factories import make_group, make_user


def _empty_g(sender, **extra):
    vars(g._get_current_object()).clear()


@pytest.fixture(autouse=True)
def fresh_g(app):
    """Each request starts with an empty `g`, as in production (the tests share one app
    context, so Flask-Login's and policy's per-request caches would leak between clients)."""
    request_started.connect(_empty_g, app)
    yield
    request_started.disconnect(_empty_g, app)


def signed_in(app, user):
    """A fresh browser signed in as `user`."""
    browser = app.test_client()
    login(browser, user)
    return browser


def text(response):
    """The page as a reader sees it (entities resolved)."""
    return html.unescape(response.get_data(as_text=True))


def raw(response):
    return response.get_data(as_text=True)


def location(response):
    return response.headers.get("Location", "")


def is_login_redirect(response):
    return response.status_code == 302 and "/anmelden" in location(response)


# --- data -----------------------------------------------------------------------------------

def start_thread(author, group, title="Ein Thema", body="Der erste Beitrag."):
    """Start a thread as `author`; returns the opening Post."""
    return forum.start_thread(author, group, title, body)


def add_reply(author, thread_or_id, body="Eine Antwort."):
    thread = db.session.get(Thread, getattr(thread_or_id, "id", thread_or_id))
    return forum.reply(author, thread, body)


def add_replies(authors, thread_id, count, body="Antwort Nummer {i}"):
    """`count` replies, alternating between `authors`; returns the posts."""
    return [add_reply(authors[i % len(authors)], thread_id, body.format(i=i + 2))
            for i in range(count)]


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def count_rows(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def notifications_of(user, kind=None):
    db.session.expire_all()
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


def subscriptions_of(user):
    db.session.expire_all()
    return db.session.scalars(select(Subscription).where(Subscription.user_id == user.id)).all()


def set_user(user, **values):
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    for key, value in values.items():
        setattr(fresh, key, value)
    db.session.commit()
    return fresh


def set_thread(thread_id, **values):
    thread = reload(Thread, thread_id)
    for key, value in values.items():
        setattr(thread, key, value)
    db.session.commit()


def set_group(group_id, **values):
    group = reload(WorkingGroup, group_id)
    for key, value in values.items():
        setattr(group, key, value)
    db.session.commit()


@dataclass
class World:
    member: User
    author: User          # a second member; wrote the thread
    outsider: User        # active, but not in the closed group
    group_mod: User
    site_mod: User
    admin: User
    suspended: User       # a group member whose account gets suspended in the tests
    group: WorkingGroup
    slug: str
    thread_id: int
    first_post_id: int
    reply_id: int         # a reply by `member`

    def user(self, persona):
        return getattr(self, persona)


SECRET_TITLE = "Vertrauliche Haushaltsplanung Jugendhilfe"
SECRET_BODY = "Interne Zahlen zur Kita-Bedarfsplanung"
SECRET_GROUP = "Arbeitskreis Vertraulich"


@pytest.fixture
def world(app):
    member = make_user(display_name="Maria Mitglied")
    author = make_user(display_name="Anton Autor")
    outsider = make_user(display_name="Olaf Außenstehend")
    group_mod = make_user(display_name="Greta Gruppenmoderation")
    site_mod = make_user(role="moderator", display_name="Simon Seitenmoderation")
    admin = make_user(role="admin", display_name="Ada Administration")
    suspended = make_user(display_name="Susi Gesperrt")
    group = make_group(name=SECRET_GROUP, closed=True, members=[member, author, suspended],
                       moderators=[group_mod])
    group.description = "Nur für Mitglieder"
    db.session.commit()
    first = start_thread(author, group, SECRET_TITLE, SECRET_BODY)
    reply = add_reply(member, first.thread_id, "Meine Antwort mit Details")
    return World(member=member, author=author, outsider=outsider, group_mod=group_mod,
                 site_mod=site_mod, admin=admin, suspended=suspended, group=group,
                 slug=group.slug, thread_id=first.thread_id, first_post_id=first.id,
                 reply_id=reply.id)


# --- counting SQL statements ----------------------------------------------------------------

@contextmanager
def count_queries():
    """Counts the SQL statements sent to the database inside the block."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def queries_for(browser, url):
    """Statements for one GET of `url` (after a warm-up GET, so one-off writes such as the
    last-seen stamp or a first read mark are not counted)."""
    assert browser.get(url).status_code == 200
    with count_queries() as statements:
        response = browser.get(url)
    assert response.status_code == 200, url
    return statements


def post_ids(thread_id):
    db.session.expire_all()
    return db.session.scalars(select(Post.id).where(Post.thread_id == thread_id)
                              .order_by(Post.number)).all()
