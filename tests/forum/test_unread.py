"""Unread tracking: markers on the group page, overview and dashboard; "zum ersten ungelesenen
Beitrag"; "alle als gelesen markieren"."""
import re

import pytest

from sozialplanung.forum.models import ReadState

from ..factories import make_group, make_user
from .support import (add_replies, count_rows, location, post_ids, raw, signed_in, start_thread,
                      text)


@pytest.fixture
def setting(app):
    writer = make_user(display_name="Wilma Schreiberin")
    reader = make_user(display_name="Rudi Leser")
    group = make_group(name="Arbeitskreis Demografie", members=[writer, reader])
    first = start_thread(writer, group, "Bevölkerungsprognose", "Beitrag Nummer 1")
    return group, writer, reader, first.thread_id


def _unread_badge(page, thread_id):
    match = re.search(rf'href="/themen/{thread_id}/ungelesen">(\d+) ungelesen', page)
    return int(match.group(1)) if match else 0


def test_new_thread_is_unread_for_others_but_not_for_its_author(app, setting):
    group, writer, reader, thread_id = setting
    assert _unread_badge(raw(signed_in(app, reader).get(f"/arbeitskreise/{group.slug}")),
                         thread_id) == 1
    assert _unread_badge(raw(signed_in(app, writer).get(f"/arbeitskreise/{group.slug}")),
                         thread_id) == 0


def test_reading_pages_moves_the_first_unread_post_forward(app, setting):
    group, writer, reader, thread_id = setting
    browser = signed_in(app, reader)
    browser.get(f"/themen/{thread_id}")                       # read post 1
    add_replies([writer], thread_id, 25)                       # posts 2..26
    ids = post_ids(thread_id)
    assert _unread_badge(raw(browser.get(f"/arbeitskreise/{group.slug}")), thread_id) == 25

    jump = browser.get(f"/themen/{thread_id}/ungelesen")
    assert jump.status_code == 302
    assert location(jump).endswith(f"/themen/{thread_id}?seite=1#nr-2")

    page_one = raw(browser.get(f"/themen/{thread_id}"))     # read 1..20
    assert "Zum ersten ungelesenen Beitrag" in page_one
    assert f'id="beitrag-{ids[0]}"' in page_one
    assert page_one.count('<span class="flag">neu</span>') == 19   # posts 2..20
    assert location(browser.get(f"/themen/{thread_id}/ungelesen")).endswith(
        f"/themen/{thread_id}?seite=2#nr-21")
    assert _unread_badge(raw(browser.get(f"/arbeitskreise/{group.slug}")), thread_id) == 6

    page_two = raw(browser.get(f"/themen/{thread_id}?seite=2"))
    assert page_two.count('<span class="flag">neu</span>') == 6
    assert 'id="nr-21"' in page_two
    assert _unread_badge(raw(browser.get(f"/arbeitskreise/{group.slug}")), thread_id) == 0


def test_fully_read_thread_shows_no_new_markers(app, setting):
    group, writer, reader, thread_id = setting
    add_replies([writer], thread_id, 2)
    browser = signed_in(app, reader)
    browser.get(f"/themen/{thread_id}")
    again = raw(browser.get(f"/themen/{thread_id}"))
    assert "Zum ersten ungelesenen Beitrag" not in again
    assert '<span class="flag">neu</span>' not in again
    assert "post-unread" not in again
    # Fully read: the jump goes to the last post.
    assert location(browser.get(f"/themen/{thread_id}/ungelesen")).endswith("?seite=1#nr-3")


def test_reading_an_earlier_page_never_moves_the_position_back(app, setting):
    group, writer, reader, thread_id = setting
    add_replies([writer], thread_id, 24)
    browser = signed_in(app, reader)
    browser.get(f"/themen/{thread_id}?seite=2")
    browser.get(f"/themen/{thread_id}?seite=1")
    assert _unread_badge(raw(browser.get(f"/arbeitskreise/{group.slug}")), thread_id) == 0


def test_mark_all_read_clears_group_overview_and_dashboard(app, setting):
    group, writer, reader, thread_id = setting
    for n in range(3):
        start_thread(writer, group, f"Weiteres Thema {n}", "Text")
    browser = signed_in(app, reader)
    overview = text(browser.get("/arbeitskreise/"))
    assert "4 Themen mit Ungelesenem" in overview
    assert "ungelesen" in text(browser.get("/"))

    response = browser.post(f"/arbeitskreise/{group.slug}/gelesen")
    assert response.status_code == 302
    page = browser.get(location(response))
    assert "Alle Themen sind als gelesen markiert." in text(page)
    assert "ungelesen" not in re.sub(r"<span class=\"visually-hidden\">.*?</span>", "",
                                      raw(page).split("<h2>Themen</h2>")[1])
    assert "Themen mit Ungelesenem" not in text(browser.get("/arbeitskreise/"))
    assert "unread-badge" not in raw(browser.get("/"))
    assert count_rows(ReadState, ReadState.user_id == reader.id) == 4

    # New posts after marking are unread again.
    add_replies([writer], thread_id, 1)
    assert _unread_badge(raw(browser.get(f"/arbeitskreise/{group.slug}")), thread_id) == 1


def test_mark_all_read_only_touches_that_group(app, setting):
    group, writer, reader, thread_id = setting
    other = make_group(name="Arbeitskreis Pflege", members=[writer, reader])
    other_first = start_thread(writer, other, "Pflegeplanung", "Text")
    browser = signed_in(app, reader)
    browser.post(f"/arbeitskreise/{group.slug}/gelesen")
    assert _unread_badge(raw(browser.get(f"/arbeitskreise/{other.slug}")),
                         other_first.thread_id) == 1


def test_dashboard_lists_recent_threads_of_my_groups_with_unread_markers(app, setting):
    group, writer, reader, thread_id = setting
    elsewhere = make_group(name="Arbeitskreis Fremd", members=[writer])
    start_thread(writer, elsewhere, "Nicht meine Gruppe", "Text")
    closed = make_group(name="Arbeitskreis Geheim", closed=True, members=[writer])
    start_thread(writer, closed, "Geheimes Thema", "Text")
    page = text(signed_in(app, reader).get("/"))
    assert "Neues aus Ihren Arbeitskreisen" in page
    assert "Bevölkerungsprognose" in page and "Arbeitskreis Demografie" in page
    assert "1 ungelesen" in page
    assert "Nicht meine Gruppe" not in page and "Geheimes Thema" not in page


def test_dashboard_empty_states(app):
    lonely = make_user(display_name="Neu Hier")
    page = text(signed_in(app, lonely).get("/"))
    assert "Noch keine Themen in Ihren Arbeitskreisen." in page
    assert "Keine neuen Benachrichtigungen." in page
