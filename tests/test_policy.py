"""The permission table: who may do what, persona by persona, for every Action."""
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from sozialplanung.announcements.models import Announcement
from sozialplanung.documents.models import Document
from sozialplanung.errors import NotFound, PermissionDenied
from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, Thread
from sozialplanung.groups.models import WorkingGroup
from sozialplanung.moderation.models import Report
from sozialplanung.policy import (Action, can, readers_among, require,
                                  visible_groups_clause)
from sozialplanung.timeutil import utcnow

from .factories import make_group, make_user

# Columns of the table. "insider" is a plain member who belongs to the open and the closed
# group and wrote the post; "groupmod" is a plain member who moderates the closed group.
PERSONAS = ["anonymous", "suspended", "member", "insider", "groupmod", "moderator", "editor",
            "admin"]
SIGNED_IN = {"member", "insider", "groupmod", "moderator", "editor", "admin"}
SITE_MODERATORS = {"moderator", "admin"}


def allowed(*names):
    return set(names)


# (action, object, personas allowed); the object names a thing in the `world` fixture.
TABLE = [
    # Members and profiles
    (Action.VIEW_MEMBERS, None, SIGNED_IN),
    (Action.VIEW_PROFILE, "self", SIGNED_IN),
    (Action.VIEW_PROFILE, "active_other", SIGNED_IN),
    (Action.VIEW_PROFILE, "suspended_other", allowed("admin")),
    (Action.VIEW_PROFILE, "invited_other", allowed("admin")),
    (Action.EDIT_PROFILE, "self", SIGNED_IN),
    (Action.EDIT_PROFILE, "active_other", allowed()),
    # Administration
    (Action.MANAGE_USERS, None, allowed("admin")),
    (Action.VIEW_AUDIT_LOG, None, allowed("admin")),
    (Action.EDIT_SITE_PAGES, None, allowed("admin")),
    (Action.MANAGE_OUTBOX, None, allowed("admin")),
    (Action.MANAGE_GROUPS, None, allowed("admin")),
    # Working groups
    (Action.VIEW_GROUP, "open_group", SIGNED_IN),
    (Action.VIEW_GROUP, "closed_group", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.VIEW_GROUP, "archived_group", SIGNED_IN),
    (Action.JOIN_GROUP, "open_group", SIGNED_IN - {"insider"}),
    (Action.JOIN_GROUP, "closed_group", allowed()),
    (Action.JOIN_GROUP, "archived_group", allowed()),
    (Action.REQUEST_MEMBERSHIP, "closed_group", allowed("member", "moderator", "editor", "admin")),
    (Action.REQUEST_MEMBERSHIP, "open_group", allowed()),
    (Action.LEAVE_GROUP, "open_group", allowed("insider")),
    (Action.LEAVE_GROUP, "closed_group", allowed("insider", "groupmod")),
    (Action.MODERATE_GROUP, "open_group", SITE_MODERATORS),
    (Action.MODERATE_GROUP, "closed_group", allowed("groupmod", *SITE_MODERATORS)),
    (Action.MANAGE_MEMBERSHIPS, "closed_group", allowed("groupmod", *SITE_MODERATORS)),
    (Action.MANAGE_MEMBERSHIPS, "archived_group", allowed()),
    (Action.POST_IN_GROUP, "open_group", allowed("insider", *SITE_MODERATORS)),
    (Action.POST_IN_GROUP, "closed_group", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.POST_IN_GROUP, "archived_group", allowed()),
    # Threads
    (Action.VIEW_THREAD, "open_thread", SIGNED_IN),
    (Action.VIEW_THREAD, "closed_thread", allowed("insider", "groupmod", *SITE_MODERATORS)),
    # A hidden thread: the moderation, and its author (the insider), who learns why.
    (Action.VIEW_THREAD, "hidden_thread", allowed("insider", *SITE_MODERATORS)),
    (Action.VIEW_THREAD, "locked_thread", SIGNED_IN),
    (Action.REPLY, "open_thread", allowed("insider", *SITE_MODERATORS)),
    (Action.REPLY, "closed_thread", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.REPLY, "locked_thread", SITE_MODERATORS),
    (Action.REPLY, "hidden_thread", SITE_MODERATORS),
    # Posts (written by the insider in the open group)
    (Action.VIEW_POST, "post", SIGNED_IN),
    (Action.VIEW_POST, "closed_post", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.EDIT_POST, "post", allowed("insider", *SITE_MODERATORS)),
    (Action.EDIT_POST, "deleted_post", allowed()),
    (Action.EDIT_POST, "closed_post", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.DELETE_POST, "post", allowed("insider", *SITE_MODERATORS)),
    (Action.DELETE_POST, "deleted_post", allowed()),
    (Action.VIEW_REVISIONS, "post", allowed("insider", *SITE_MODERATORS)),
    (Action.REPORT_POST, "post", SIGNED_IN - {"insider"}),
    (Action.REPORT_POST, "deleted_post", allowed()),
    (Action.REPORT_POST, "hidden_post", allowed()),
    # Reports are decided by the group's and the site's moderators, never by the post's author.
    (Action.HANDLE_REPORT, "report", allowed("groupmod", *SITE_MODERATORS)),
    (Action.HANDLE_REPORT, "report_on_groupmod_post", SITE_MODERATORS),
    # Moderation
    (Action.VIEW_MODERATION, None, allowed("groupmod", *SITE_MODERATORS)),
    (Action.SUSPEND_USER, "active_other", SITE_MODERATORS),
    (Action.SUSPEND_USER, "editor_other", SITE_MODERATORS),
    (Action.SUSPEND_USER, "moderator_other", allowed("admin")),
    (Action.SUSPEND_USER, "admin_other", allowed("admin")),
    (Action.SUSPEND_USER, "self", allowed()),
    (Action.SUSPEND_USER, "deleted_other", allowed()),
    # Documents: the platform-wide library (no group) holds institute material
    (Action.VIEW_LIBRARY, None, SIGNED_IN),
    (Action.VIEW_LIBRARY, "closed_group", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.UPLOAD_DOCUMENT, None, allowed("editor", "admin")),
    (Action.UPLOAD_DOCUMENT, "open_group", allowed("insider", *SITE_MODERATORS)),
    (Action.UPLOAD_DOCUMENT, "closed_group", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.UPLOAD_DOCUMENT, "archived_group", allowed()),
    (Action.VIEW_DOCUMENT, "platform_document", SIGNED_IN),
    (Action.VIEW_DOCUMENT, "closed_document", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.VIEW_DOCUMENT, "deleted_document", allowed()),
    (Action.EDIT_DOCUMENT, "platform_document", allowed("editor", "admin")),
    (Action.EDIT_DOCUMENT, "open_document", allowed("insider", *SITE_MODERATORS)),
    (Action.EDIT_DOCUMENT, "closed_document", allowed("insider", "groupmod", *SITE_MODERATORS)),
    (Action.EDIT_DOCUMENT, "deleted_document", allowed()),
    (Action.DELETE_DOCUMENT, "platform_document", allowed("editor", "admin")),
    (Action.DELETE_DOCUMENT, "open_document", allowed("insider", *SITE_MODERATORS)),
    (Action.DELETE_DOCUMENT, "deleted_document", allowed()),
    (Action.ATTACH_TO_POST, "post", allowed("insider", *SITE_MODERATORS)),
    (Action.ATTACH_TO_POST, "deleted_post", allowed()),
    # Announcements (the group announcement is meant for the closed group's members)
    (Action.WRITE_ANNOUNCEMENTS, None, allowed("editor", "admin")),
    (Action.USE_FEEDS, None, SIGNED_IN),
    (Action.VIEW_ANNOUNCEMENT, "announcement", SIGNED_IN),
    (Action.VIEW_ANNOUNCEMENT, "group_announcement", allowed("insider", "groupmod", "editor",
                                                             "admin")),
    (Action.VIEW_ANNOUNCEMENT, "draft_announcement", allowed("editor", "admin")),
    (Action.VIEW_ANNOUNCEMENT, "scheduled_announcement", allowed("editor", "admin")),
    (Action.VIEW_ANNOUNCEMENT, "withdrawn_announcement", allowed("editor", "admin")),
    (Action.VIEW_ANNOUNCEMENT, "deleted_announcement", allowed()),
    (Action.EDIT_ANNOUNCEMENT, "announcement", allowed("editor", "admin")),
    (Action.EDIT_ANNOUNCEMENT, "deleted_announcement", allowed()),
]


def row_id(row):
    action, obj, _ = row
    return f"{action.value}-{obj or 'site'}"


def make_thread(group, author, **flags):
    thread = Thread(group_id=group.id, title="Sozialbericht 2026", author_id=author.id, **flags)
    db.session.add(thread)
    db.session.flush()
    return thread


def make_post(thread, author, **flags):
    post = Post(thread_id=thread.id, number=1, author_id=author.id, source="Text",
                html="<p>Text</p>", **flags)
    db.session.add(post)
    db.session.flush()
    return post


def make_report(post, reporter):
    report = Report(post_id=post.id, group_id=post.thread.group_id, reporter_id=reporter.id,
                    reason="Personenbezogene Daten")
    db.session.add(report)
    db.session.flush()
    return report


def make_document(group, author, **flags):
    document = Document(title="Sozialstrukturatlas 2026", group_id=getattr(group, "id", None),
                        created_by_id=author.id, **flags)
    db.session.add(document)
    db.session.flush()
    return document


def make_announcement(groups=(), **fields):
    fields.setdefault("status", "published")
    fields.setdefault("publish_at", utcnow() - timedelta(hours=1))
    announcement = Announcement(title="Fachtag Sozialplanung", teaser="Kurz",
                                teaser_html="<p>Kurz</p>",
                                audience="groups" if groups else "all", **fields)
    announcement.groups = list(groups)
    db.session.add(announcement)
    db.session.flush()
    return announcement


@pytest.fixture
def world():
    people = {
        "anonymous": AnonymousUserMixin(),
        "suspended": make_user(status="suspended", password=None),
        "member": make_user(password=None),
        "insider": make_user(password=None),
        "groupmod": make_user(password=None),
        "moderator": make_user(role="moderator", password=None),
        "editor": make_user(role="editor", password=None),
        "admin": make_user(role="admin", password=None),
    }
    insider, groupmod = people["insider"], people["groupmod"]
    open_group = make_group(members=[insider])
    closed_group = make_group(closed=True, members=[insider], moderators=[groupmod])
    archived = make_group(members=[insider], moderators=[groupmod])
    archived.is_archived = True
    open_thread = make_thread(open_group, insider)
    closed_thread = make_thread(closed_group, insider)
    objects = {
        "active_other": make_user(password=None),
        "suspended_other": make_user(status="suspended", password=None),
        "invited_other": make_user(status="invited", password=None),
        "deleted_other": make_user(status="deleted", password=None),
        "editor_other": make_user(role="editor", password=None),
        "moderator_other": make_user(role="moderator", password=None),
        "admin_other": make_user(role="admin", password=None),
        "open_group": open_group,
        "closed_group": closed_group,
        "archived_group": archived,
        "open_thread": open_thread,
        "closed_thread": closed_thread,
        "hidden_thread": make_thread(open_group, insider, is_hidden=True),
        "locked_thread": make_thread(open_group, insider, is_locked=True),
        "post": make_post(open_thread, insider),
        "deleted_post": make_post(make_thread(open_group, insider), insider, is_deleted=True),
        "closed_post": make_post(closed_thread, insider),
        "hidden_post": make_post(make_thread(open_group, insider), insider, is_hidden=True),
        "platform_document": make_document(None, people["editor"]),
        "open_document": make_document(open_group, insider),
        "closed_document": make_document(closed_group, insider),
        "deleted_document": make_document(open_group, insider, is_deleted=True),
        "announcement": make_announcement(),
        "group_announcement": make_announcement(groups=[closed_group]),
        "draft_announcement": make_announcement(status="draft", publish_at=None),
        "scheduled_announcement": make_announcement(publish_at=utcnow() + timedelta(days=2)),
        "withdrawn_announcement": make_announcement(status="unpublished"),
        "deleted_announcement": make_announcement(is_deleted=True),
    }
    objects["report"] = make_report(objects["closed_post"], objects["active_other"])
    objects["report_on_groupmod_post"] = make_report(
        make_post(make_thread(closed_group, groupmod), groupmod), objects["active_other"])
    db.session.commit()
    return people, objects


@pytest.mark.parametrize("row", TABLE, ids=row_id)
def test_permission_table(world, row):
    action, obj_name, expected = row
    people, objects = world
    result = {}
    for name, user in people.items():
        if obj_name == "self":
            obj = user if name != "anonymous" else objects["active_other"]
        else:
            obj = objects.get(obj_name)
        result[name] = can(user, action, obj)
    assert {name for name, ok in result.items() if ok} == set(expected)


def test_every_action_has_rows_in_the_table():
    """A new Action needs its rows here before it is used."""
    assert {action for action, _, _ in TABLE} == set(Action)


def test_can_accepts_action_names_as_strings(world):
    people, _ = world
    assert can(people["admin"], "manage_users") is True
    assert can(people["member"], "manage_users") is False
    with pytest.raises(ValueError):
        can(people["admin"], "gibt_es_nicht")


def test_require_raises_permission_denied_or_hides(world):
    people, objects = world
    require(people["admin"], Action.MANAGE_USERS)
    with pytest.raises(PermissionDenied):
        require(people["member"], Action.MANAGE_USERS)
    with pytest.raises(NotFound):
        require(people["member"], Action.VIEW_GROUP, objects["closed_group"], hide=True)


@pytest.mark.parametrize("persona, sees", [
    ("anonymous", set()),
    ("suspended", set()),
    ("member", {"open_group", "archived_group"}),
    ("editor", {"open_group", "archived_group"}),
    ("insider", {"open_group", "closed_group", "archived_group"}),
    ("groupmod", {"open_group", "closed_group", "archived_group"}),
    ("moderator", {"open_group", "closed_group", "archived_group"}),
    ("admin", {"open_group", "closed_group", "archived_group"}),
])
def test_visible_groups_matches_view_group(world, persona, sees):
    people, objects = world
    user = people[persona]
    ids = set(db.session.scalars(select(WorkingGroup.id).where(visible_groups_clause(user))))
    expected = {objects[name].id for name in sees}
    assert ids == expected
    for name in ("open_group", "closed_group", "archived_group"):
        assert can(user, Action.VIEW_GROUP, objects[name]) == (objects[name].id in ids)


def test_readers_among_filters_by_the_same_rules(world):
    people, objects = world
    users = [u for name, u in people.items() if name != "anonymous"]
    readers = {u.id for u in readers_among(users, objects["closed_group"])}
    assert readers == {people[n].id for n in ("insider", "groupmod", "moderator", "admin")}
    hidden = {u.id for u in readers_among(users, objects["open_group"], objects["hidden_thread"])}
    assert hidden == {people[n].id for n in ("insider", "moderator", "admin")}  # + its author
