"""posts.group_id copies the thread's group, kept by database triggers whatever moves a post:
search relies on it to pick readable posts from an index (and still checks the thread)."""
from datetime import datetime

from sqlalchemy import select, text

from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, Thread
from sozialplanung.forum.services import reply, start_thread
from sozialplanung.moderation import services as moderation

from ..factories import make_group, make_user


def groups_of(thread_id):
    db.session.expire_all()
    return set(db.session.scalars(select(Post.group_id).where(Post.thread_id == thread_id)))


def test_new_posts_carry_their_threads_group():
    author = make_user()
    group = make_group(members=[author])
    first = start_thread(author, group, "Thema", "Erster Beitrag.", "k1")
    reply(author, db.session.get(Thread, first.thread_id), "Antwort.", "k2")
    assert groups_of(first.thread_id) == {group.id}


def test_moving_splitting_and_merging_carry_the_group_along():
    admin = make_user(role="admin")
    here, there = make_group(), make_group()
    first = start_thread(admin, here, "Thema", "Eins.", "k1")
    thread = db.session.get(Thread, first.thread_id)
    second = reply(admin, thread, "Zwei.", "k2")
    reply(admin, thread, "Drei.", "k3")

    moderation.move_thread(admin, thread.id, there.id)
    assert groups_of(thread.id) == {there.id}

    new = moderation.split_thread(admin, thread.id, [second.id], "Abgetrennt",
                                  target_group_id=here.id)
    assert groups_of(new.id) == {here.id} and groups_of(thread.id) == {there.id}

    moderation.merge_threads(admin, new.id, thread.id)
    assert groups_of(thread.id) == {there.id}


def test_rows_written_without_the_app_get_the_group_too():
    """Bulk loads (the benchmark seed, a restore script) insert posts directly."""
    author = make_user()
    group = make_group(members=[author])
    thread_id = start_thread(author, group, "Thema", "Eins.", "k1").thread_id
    db.session.execute(text(
        "INSERT INTO posts (thread_id, number, author_id, source, html, created_at, is_deleted, "
        "is_hidden, hidden_reason) VALUES (:thread, 2, :author, 'Zwei', '<p>Zwei</p>', :now, "
        ":false, :false, '')"),
        {"thread": thread_id, "author": author.id, "now": datetime(2026, 12, 1), "false": False})
    db.session.commit()
    assert groups_of(thread_id) == {group.id}
