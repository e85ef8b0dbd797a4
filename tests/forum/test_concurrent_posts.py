"""Members posting at the same moment: every reply is stored with its own number, and a form
sent several times at once gives one post (or one subscription), never an error.

The requests run in real threads, each with its own session and database connection: on
PostgreSQL against the suite's database, on SQLite against a file of its own (the suite's
SQLite database may be in memory, one connection that every thread shares)."""
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from config import TestingConfig
from sozialplanung import create_app
from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, Thread
from sozialplanung.groups.models import WorkingGroup

from ..conftest import _fresh_request_globals
from ..factories import make_group, make_user
from .support import count_rows, location, reload, signed_in, start_thread, subscriptions_of

PARALLEL = 6


def _at_once(requests):
    """Send each (browser, url, data) from its own thread, released together; returns the
    responses (or the exceptions a request raised) in the same order. Each request has its own
    app context, so its own session and connection (removed when the request ends)."""
    start = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def send(i, browser, url, data):
        try:
            start.wait(timeout=30)
            results[i] = browser.post(url, data=data)
        except Exception as exc:  # reported by the assertions below, with the request's index
            results[i] = exc

    workers = [threading.Thread(target=send, args=(i, *request))
               for i, request in enumerate(requests)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers), "a request did not finish"
    return results


def _assert_redirects(results):
    failures = [f"{i}: {r!r}" if isinstance(r, Exception) else f"{i}: HTTP {r.status_code}"
                for i, r in enumerate(results)
                if isinstance(r, Exception) or r.status_code != 302]
    assert not failures, failures


@pytest.fixture
def shared_app(app, tmp_path):
    """An app whose requests, one per thread, each get their own database connection."""
    if db.engine.dialect.name != "sqlite":
        yield app
        return
    config = type("ConcurrentConfig", (TestingConfig,),
                  {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'concurrent.sqlite'}"})
    file_app = create_app(config)
    file_app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    with file_app.app_context():
        try:
            upgrade()
            yield file_app
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def members(shared_app):
    people = [make_user(display_name=f"Mitglied {i}") for i in range(PARALLEL)]
    group = make_group(name="Arbeitskreis Gleichzeitig", closed=True, members=people)
    first = start_thread(people[0], group, "Viele Antworten", "Der erste Beitrag.")
    return group, people, first.thread_id


def test_simultaneous_replies_are_all_stored_with_consecutive_numbers(shared_app, members):
    group, people, thread_id = members
    browsers = [signed_in(shared_app, person) for person in people]
    results = _at_once([
        (browser, f"/themen/{thread_id}/antworten",
         {"body": f"Antwort von Mitglied {i}", "submission_key": f"formular-{i}"})
        for i, browser in enumerate(browsers)])
    _assert_redirects(results)
    db.session.expire_all()
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread_id)
                               .order_by(Post.number)).all()
    assert [post.number for post in posts] == list(range(1, PARALLEL + 2))
    assert sorted(post.source for post in posts[1:]) == sorted(
        f"Antwort von Mitglied {i}" for i in range(PARALLEL))
    thread = reload(Thread, thread_id)
    assert thread.post_count == PARALLEL + 1
    assert thread.last_post_id == posts[-1].id and thread.last_poster_id == posts[-1].author_id
    # Each member lands on their own reply.
    assert len({location(r) for r in results}) == PARALLEL


def test_one_reply_form_sent_several_times_at_once_gives_one_post(shared_app, members):
    group, people, thread_id = members
    browsers = [signed_in(shared_app, people[1]) for _ in range(PARALLEL - 1)]
    data = {"body": "Nur einmal bitte", "submission_key": "derselbe-schluessel"}
    results = _at_once([(browser, f"/themen/{thread_id}/antworten", data)
                             for browser in browsers])
    _assert_redirects(results)
    # The same outcome as a double submit one after the other: all land on the one post.
    assert len({location(r) for r in results}) == 1
    assert count_rows(Post, Post.thread_id == thread_id) == 2
    assert reload(Thread, thread_id).post_count == 2


def test_one_new_thread_form_sent_several_times_at_once_gives_one_thread(shared_app, members):
    group, people, _ = members
    browsers = [signed_in(shared_app, people[2]) for _ in range(PARALLEL - 1)]
    data = {"title": "Einmalig", "body": "Text", "submission_key": "neues-thema-einmal"}
    results = _at_once([(browser, f"/arbeitskreise/{group.slug}/neues-thema", data)
                             for browser in browsers])
    _assert_redirects(results)
    assert len({location(r) for r in results}) == 1
    assert count_rows(Thread, Thread.title == "Einmalig") == 1
    assert count_rows(Post, Post.submission_key == "neues-thema-einmal") == 1


def test_simultaneous_new_threads_and_replies_all_stored(shared_app, members):
    """Writers of different kinds at once: two new threads in the group and replies to its
    thread; the group's counters count every thread. (On PostgreSQL the group lock of the
    recount once deadlocked against the new threads' foreign-key locks on the group.)"""
    group, people, thread_id = members
    requests = []
    for i, person in enumerate(people):
        browser = signed_in(shared_app, person)
        if i < 2:
            requests.append((browser, f"/arbeitskreise/{group.slug}/neues-thema",
                             {"title": f"Thema {i}", "body": "Text", "submission_key": f"t{i}"}))
        else:
            requests.append((browser, f"/themen/{thread_id}/antworten",
                             {"body": f"Antwort {i}", "submission_key": f"r{i}"}))
    _assert_redirects(_at_once(requests))
    db.session.expire_all()
    numbers = db.session.scalars(select(Post.number).where(Post.thread_id == thread_id)
                                 .order_by(Post.number)).all()
    assert numbers == list(range(1, PARALLEL - 2 + 2))
    assert count_rows(Thread, Thread.group_id == group.id) == 3
    assert reload(WorkingGroup, group.id).thread_count == 3


def test_watch_clicked_several_times_at_once_gives_one_subscription(shared_app, members):
    group, people, thread_id = members
    browsers = [signed_in(shared_app, people[3]) for _ in range(PARALLEL - 1)]
    _assert_redirects(_at_once([(browser, f"/themen/{thread_id}/beobachten",
                                      {"beobachten": "1"}) for browser in browsers]))
    _assert_redirects(_at_once([(browser, f"/arbeitskreise/{group.slug}/beobachten",
                                      {"beobachten": "1"}) for browser in browsers]))
    watched = {(s.thread_id, s.group_id) for s in subscriptions_of(people[3])}
    assert len(subscriptions_of(people[3])) == 2 and watched == {(thread_id, None),
                                                                  (None, group.id)}


def test_replies_during_a_merge_keep_numbers_consecutive(shared_app, members):
    """A moderator merges another thread into this one while members reply: the merge and the
    replies take the thread's lock in turn, so the numbers stay 1..n and the count right."""
    group, people, thread_id = members
    other = start_thread(people[1], group, "Doppeltes Thema", "Zweiter Anfang.")
    moderator = make_user(role="moderator", display_name="Mona Moderation")
    requests = [(signed_in(shared_app, moderator),
                 f"/moderation/themen/{other.thread_id}/zusammenfuehren",
                 {"target_thread_id": str(thread_id), "expected_group_id": str(group.id)})]
    requests += [(signed_in(shared_app, person), f"/themen/{thread_id}/antworten",
                  {"body": f"Antwort {i}", "submission_key": f"m{i}"})
                 for i, person in enumerate(people[2:])]
    _assert_redirects(_at_once(requests))
    db.session.expire_all()
    numbers = db.session.scalars(select(Post.number).where(Post.thread_id == thread_id)
                                 .order_by(Post.number)).all()
    expected = 1 + 1 + len(people[2:])  # opening, merged opening, replies
    assert numbers == list(range(1, expected + 1))
    assert reload(Thread, thread_id).post_count == expected
