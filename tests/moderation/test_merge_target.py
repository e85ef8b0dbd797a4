"""Merging into a thread the moderator may not moderate, or that does not exist, is a form
error that keeps the input, and it does not tell whether an unreadable thread exists."""
import html

import pytest
from sqlalchemy import func, select

from sozialplanung.extensions import db
from sozialplanung.forum.models import Thread
from sozialplanung.forum.services import start_thread
from sozialplanung.moderation.models import ModerationAction

from ..conftest import login
from ..factories import make_group, make_user

REFUSED = "Dieses Thema gibt es nicht oder Sie dürfen es nicht zusammenführen."


def merge(client, world, target):
    return client.post(f"/moderation/themen/{world.thread.id}/zusammenfuehren",
                       data={"target_thread_id": target, "expected_group_id": world.group.id})


def hidden_group_thread():
    """A thread in a closed group whose members the world's moderators are not."""
    stranger = make_user(display_name="Fremde Frieda")
    group = make_group(name="Arbeitskreis Geheim", closed=True, members=[stranger])
    return start_thread(stranger, group, "Geheimes Thema", "Geheim", "g1").thread_id


@pytest.mark.parametrize("target", ["other_thread", "closed_thread", "missing"])
def test_unmergeable_target_is_a_form_error(client, world, target):
    target_id = {"other_thread": lambda: world.other_thread.id,
                 "closed_thread": hidden_group_thread,
                 "missing": lambda: 999_999}[target]()
    threads = db.session.scalar(select(func.count()).select_from(Thread))
    login(client, world.group_mod)
    response = merge(client, world, target_id)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Thema moderieren" in body and REFUSED in body
    assert f'value="{target_id}"' in body  # what the moderator typed is still there
    assert "Geheimes Thema" not in body
    assert db.session.scalar(select(func.count()).select_from(Thread)) == threads
    assert db.session.scalar(select(func.count()).select_from(ModerationAction)) == 0


def test_merge_into_an_archived_group_is_refused(client, world):
    world.other.is_archived = True
    db.session.commit()
    login(client, world.site_mod)
    response = merge(client, world, world.other_thread.id)
    assert response.status_code == 400
    assert "Das Ziel-Thema liegt in einem archivierten Arbeitskreis." in html.unescape(
        response.get_data(as_text=True))
    assert world.refresh(world.thread) is not None
