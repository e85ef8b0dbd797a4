"""The group page: threads pinned first, then by last activity, paginated, with author, reply
count, last post and the viewer's unread marker; plus CSRF on every forum and group form."""
import re

import pytest

from sozialplanung.forum.models import Post, Subscription, Thread

from ..factories import make_group, make_user
from .support import (add_reply, count_rows, raw, set_thread, signed_in, start_thread, text)
from .test_access import POST_ROUTES, _route_id, _snapshot, _url


def _titles(page_html):
    return re.findall(r'<a href="/themen/\d+">([^<]+)</a>', page_html.split("<h2>Themen</h2>")[1])


def test_threads_pinned_first_then_by_last_activity(app):
    writer = make_user(display_name="Wanda Writer")
    replier = make_user(display_name="Ronny Replier")
    group = make_group(members=[writer, replier])
    old = start_thread(writer, group, "Altes Thema", "Text")
    start_thread(writer, group, "Mittleres Thema", "Text")
    pinned = start_thread(writer, group, "Angeheftetes Thema", "Text")
    start_thread(writer, group, "Neuestes Thema", "Text")
    add_reply(replier, old.thread_id, "Belebt das alte Thema")
    set_thread(pinned.thread_id, is_pinned=True)

    page = raw(signed_in(app, replier).get(f"/arbeitskreise/{group.slug}"))
    assert _titles(page) == ["Angeheftetes Thema", "Altes Thema", "Neuestes Thema",
                             "Mittleres Thema"]
    assert '<span class="flag">angeheftet</span>' in page
    listing = " ".join(text(signed_in(app, writer).get(f"/arbeitskreise/{group.slug}")).split())
    assert "von Wanda Writer · 1 Antwort · letzter Beitrag von Ronny Replier am" in listing


def test_group_page_is_paginated(app):
    writer = make_user()
    group = make_group(members=[writer])
    for n in range(27):
        start_thread(writer, group, f"Thema {n:02d}", "Text")
    browser = signed_in(app, writer)
    first = raw(browser.get(f"/arbeitskreise/{group.slug}"))
    assert len(_titles(first)) == 25 and "Thema 26" in first and "Thema 01<" not in first
    assert f'href="/arbeitskreise/{group.slug}?page=2" rel="next"' in first
    second = raw(browser.get(f"/arbeitskreise/{group.slug}?page=2"))
    assert _titles(second) == ["Thema 01", "Thema 00"]
    assert len(_titles(raw(browser.get(f"/arbeitskreise/{group.slug}?page=99")))) == 2


def test_locked_and_empty_states_on_the_group_page(app):
    writer = make_user()
    group = make_group(members=[writer])
    browser = signed_in(app, writer)
    assert "In diesem Arbeitskreis gibt es noch keine Themen." in text(
        browser.get(f"/arbeitskreise/{group.slug}"))
    first = start_thread(writer, group, "Zu", "Text")
    set_thread(first.thread_id, is_locked=True)
    page = raw(browser.get(f"/arbeitskreise/{group.slug}"))
    assert '<span class="flag">geschlossen</span>' in page


def test_quoting_a_post_of_another_closed_group_reveals_nothing(app, world):
    hidden_group = make_group(name="Arbeitskreis Andere Welt", closed=True, members=[world.author])
    hidden = start_thread(world.author, hidden_group, "Andere Welt", "Streng geheimer Inhalt")
    browser = signed_in(app, world.member)
    response = browser.get(f"/themen/{world.thread_id}/antworten?zitat={hidden.id}")
    missing = browser.get(f"/themen/{world.thread_id}/antworten?zitat=999999")
    # The reply form without a quote, and the same words as for a post that does not exist.
    assert response.status_code == missing.status_code == 200
    assert "Streng geheimer Inhalt" not in text(response) and "Andere Welt" not in text(response)
    assert "Der Beitrag zum Zitieren ist nicht (mehr) verfügbar." in text(response)
    assert "Der Beitrag zum Zitieren ist nicht (mehr) verfügbar." in text(missing)


@pytest.mark.parametrize("route", POST_ROUTES, ids=_route_id)
def test_every_form_needs_the_csrf_token(app, world, route, monkeypatch):
    browser = signed_in(app, world.group_mod)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = _snapshot()
    response = browser.post(_url(world, route[1]), data=route[2] or {})
    assert response.status_code == 400
    assert "Sicherheits-Token" in text(response)
    assert _snapshot() == before


def test_forms_work_with_the_csrf_token(app, world, monkeypatch):
    browser = signed_in(app, world.member)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = raw(browser.get(f"/themen/{world.thread_id}"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', page).group(1)
    response = browser.post(f"/themen/{world.thread_id}/antworten",
                            data={"body": "Mit Token", "csrf_token": token, "submission_key": key})
    assert response.status_code == 302
    assert count_rows(Post) == 3
    assert browser.post(f"/themen/{world.thread_id}/beobachten",
                        data={"beobachten": "0", "csrf_token": token}).status_code == 302
    assert count_rows(Subscription, Subscription.user_id == world.member.id) == 0
    assert count_rows(Thread) == 1
