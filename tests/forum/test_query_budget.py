"""Query budget: the pages a member opens run a constant number of SQL statements, however
many threads, posts, groups or notifications they show (no N+1), and stay under a budget."""
import pytest

from sozialplanung.extensions import db
from sozialplanung.forum import services
from sozialplanung.forum.models import Subscription

from ..factories import make_group, make_user
from .support import add_replies, count_queries, queries_for, signed_in, start_thread

BUDGET = 12


def _people():
    reader = make_user(display_name="Lena Leserin")
    writers = [make_user(display_name=f"Schreiber {n}") for n in range(3)]
    return reader, writers


def _group_with_threads(reader, writers, count):
    group = make_group(closed=True, members=[reader, *writers])
    for n in range(count):
        first = start_thread(writers[n % 3], group, f"Thema {n}", f"Text {n}")
        add_replies([writers[(n + 1) % 3]], first.thread_id, 1)
    return group


def _thread_with_posts(reader, writers, count):
    group = make_group(closed=True, members=[reader, *writers])
    first = start_thread(writers[0], group, "Langes Thema", "Eröffnung")
    # Different authors, some edited, some deleted: every variant of the post template.
    posts = add_replies(writers, first.thread_id, count - 1)
    for post in posts[::4]:
        services.edit_post(post.author, post, post.source + " (ergänzt)", base_version="")
    for post in posts[1::5]:
        services.delete_post(post.author, post)
    return first.thread_id


@pytest.mark.parametrize("persona", ["member", "moderator"])
def test_group_page_query_count_is_constant(app, persona):
    counts = {}
    for size in (3, 30):
        reader, writers = _people()
        if persona == "moderator":
            reader.role = "moderator"
            db.session.commit()
        group = _group_with_threads(reader, writers, size)
        statements = queries_for(signed_in(app, reader), f"/arbeitskreise/{group.slug}")
        counts[size] = len(statements)
    assert counts[3] == counts[30], counts
    assert counts[30] <= BUDGET, counts


@pytest.mark.parametrize("persona", ["member", "moderator"])
def test_thread_page_query_count_is_constant(app, persona):
    counts = {}
    for size in (3, 30):
        reader, writers = _people()
        if persona == "moderator":
            reader.role = "moderator"
            db.session.commit()
        thread_id = _thread_with_posts(reader, writers, size)
        browser = signed_in(app, reader)
        counts[size] = len(queries_for(browser, f"/themen/{thread_id}"))
    assert counts[3] == counts[30], counts
    assert counts[30] <= BUDGET, counts


def test_reading_a_thread_page_again_writes_nothing(app):
    reader, writers = _people()
    thread_id = _thread_with_posts(reader, writers, 5)
    statements = queries_for(signed_in(app, reader), f"/themen/{thread_id}")
    writes = [s for s in statements
              if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_dashboard_query_count_is_constant(app):
    counts = {}
    for size in (3, 30):
        reader, writers = _people()
        group = _group_with_threads(reader, writers, 0)
        db.session.add(Subscription(user_id=reader.id, group_id=group.id))
        db.session.commit()
        for n in range(size):
            first = start_thread(writers[n % 3], group, f"Thema {n}", "Text")
            add_replies([writers[(n + 1) % 3]], first.thread_id, 1)
        counts[size] = len(queries_for(signed_in(app, reader), "/"))
    assert counts[3] == counts[30], counts
    assert counts[30] <= BUDGET, counts


def test_groups_overview_query_count_is_constant(app):
    counts = {}
    for size in (3, 30):
        reader, writers = _people()
        for n in range(size):
            group = make_group(closed=bool(n % 2),
                               members=[writers[n % 3]] + ([reader] if n % 3 else []))
            start_thread(writers[n % 3], group, f"Thema {n}", "Text")
        counts[size] = len(queries_for(signed_in(app, reader), "/arbeitskreise/"))
    assert counts[3] == counts[30], counts
    assert counts[30] <= BUDGET, counts


def test_notification_inbox_query_count_is_constant(app):
    counts = {}
    for size in (3, 30):
        reader, writers = _people()
        group = _group_with_threads(reader, writers, 0)
        db.session.add(Subscription(user_id=reader.id, group_id=group.id))
        db.session.commit()
        for n in range(size):
            start_thread(writers[n % 3], group, f"Thema {n}", "Text")
        counts[size] = len(queries_for(signed_in(app, reader), "/benachrichtigungen"))
    assert counts[3] == counts[30], counts
    assert counts[30] <= BUDGET, counts


def test_members_page_query_count_is_constant(app):
    counts = {}
    for size in (3, 30):
        reader, writers = _people()
        extra = [make_user(display_name=f"Mitglied {n}") for n in range(size)]
        group = make_group(closed=True, members=[reader, *extra],
                           moderators=writers)
        counts[size] = len(queries_for(signed_in(app, writers[0]),
                                       f"/arbeitskreise/{group.slug}/mitglieder"))
    assert counts[3] == counts[30], counts
    assert counts[30] <= BUDGET, counts



def test_static_files_need_no_database_even_when_signed_in(app):
    reader, _writers = _people()
    browser = signed_in(app, reader)
    db.session.expire_all()  # the tests share one session: make a user load visible as SQL
    with count_queries() as statements:
        assert browser.get("/static/css/main.css").status_code == 200
    assert statements == []
