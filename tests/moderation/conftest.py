import pytest

from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, Thread
from sozialplanung.forum.services import reply, start_thread

from ..factories import make_group, make_user


class World:
    """Two groups with a thread each and one person per moderation role."""

    def __init__(self):
        self.admin = make_user(role="admin", display_name="Admin Anna")
        self.site_mod = make_user(role="moderator", display_name="Site Moderator")
        self.editor = make_user(role="editor", display_name="Redaktion Rita")
        self.author = make_user(display_name="Autorin Anja")
        self.member = make_user(display_name="Mitglied Max")
        self.outsider = make_user(display_name="Außen Otto")
        self.group_mod = make_user(display_name="Gruppenmod Gerd")
        self.other_mod = make_user(display_name="Andere Mod Olga")
        self.group = make_group(name="Arbeitskreis Sozialplanung", closed=True,
                                members=[self.author, self.member, self.editor],
                                moderators=[self.group_mod])
        self.other = make_group(name="Arbeitskreis Jugendhilfeplanung",
                                members=[self.author], moderators=[self.other_mod])
        self.first = start_thread(self.author, self.group, "Sozialbericht 2026",
                                  "Erster Beitrag", "w1")
        self.thread = db.session.get(Thread, self.first.thread_id)
        self.second = reply(self.member, self.thread, "Zweiter Beitrag", "w2")
        self.third = reply(self.author, self.thread, "Dritter Beitrag", "w3")
        other_first = start_thread(self.author, self.other, "Kita-Bedarf", "Anderer Kreis", "w4")
        self.other_thread = db.session.get(Thread, other_first.thread_id)

    def refresh(self, obj):
        db.session.expire_all()
        return db.session.get(type(obj), obj.id)

    def posts(self, thread):
        db.session.expire_all()
        return db.session.query(Post).filter_by(thread_id=thread.id).order_by(Post.number).all()


@pytest.fixture
def world(app):
    return World()
