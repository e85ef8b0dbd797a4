"""Who may read and write announcements: persona × state table for the policy rules."""
from datetime import datetime

import pytest
from flask_login import AnonymousUserMixin

from sozialplanung.announcements import services
from sozialplanung.extensions import db
from sozialplanung.policy import can

from .conftest import announce, data

PERSONAS = ["anonymous", "suspended", "outsider", "insider", "moderator", "editor", "admin"]
STATES = ["live_all", "live_group", "draft", "scheduled", "unpublished", "deleted"]

# Which personas read an announcement in each state.
READERS = {
    "live_all": {"outsider", "insider", "moderator", "editor", "admin"},
    "live_group": {"insider", "editor", "admin"},
    "draft": {"editor", "admin"},
    "scheduled": {"editor", "admin"},
    "unpublished": {"editor", "admin"},
    "deleted": set(),
}
WRITERS = {"editor", "admin"}


@pytest.fixture
def table(world, clock, in_request):
    editor = world["editor"]
    group = [str(world["group"].id)]
    objects = {
        "live_all": announce(editor),
        "live_group": announce(editor, audience="groups", group_ids=group),
        "draft": announce(editor, publication="draft", audience="groups", group_ids=group),
        "scheduled": services.create_announcement(editor, data(
            publication="scheduled", publish_at=datetime(2027, 1, 1, 9, 0)), None).announcement,
        "unpublished": announce(editor),
        "deleted": announce(editor),
    }
    services.unpublish_announcement(editor, objects["unpublished"])
    services.delete_announcement(editor, objects["deleted"])
    personas = {name: world[name] for name in PERSONAS if name in world}
    personas["anonymous"] = AnonymousUserMixin()
    return personas, objects


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", STATES)
def test_view_and_edit(table, persona, state):
    personas, objects = table
    user, announcement = personas[persona], objects[state]
    assert can(user, "view_announcement", announcement) == (persona in READERS[state])
    assert can(user, "edit_announcement", announcement) == (
        persona in WRITERS and state != "deleted")


@pytest.mark.parametrize("persona", PERSONAS)
def test_write_and_feeds(table, persona):
    personas, _objects = table
    user = personas[persona]
    assert can(user, "write_announcements") == (persona in WRITERS)
    assert can(user, "use_feeds") == (persona not in ("anonymous", "suspended"))


def test_lists_use_the_same_rule_as_the_detail_page(table):
    """The SQL scope and the per-object rule agree for every persona on released ones."""
    from sozialplanung.announcements import queries
    personas, objects = table
    for persona, user in personas.items():
        listed = {a.id for a in queries.announcement_list(user).items}
        readable = {a.id for name, a in objects.items()
                    if can(user, "view_announcement", a) and a.is_live(datetime(2026, 11, 25, 9))}
        assert listed == readable, persona
    db.session.rollback()
