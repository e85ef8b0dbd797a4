"""Who may open what in a closed working group: persona x route, through the HTTP client.

A non-member of a closed group must not be able to tell that the group, its threads or posts
exist (404 everywhere, nothing of the content on the page); anonymous visitors and suspended
accounts are sent to the sign-in page; nothing changes on a refused request.
"""
import pytest

from sozialplanung.forum.models import Post, ReadState, Subscription, Thread
from sozialplanung.groups.models import Membership, MembershipRequest

from ..factories import make_group
from .support import (SECRET_BODY, SECRET_GROUP, SECRET_TITLE, count_rows, is_login_redirect,
                      raw, set_thread, set_user, signed_in, start_thread, text)

# (method, url template, form data); {slug}, {thread}, {post} (opening post), {reply}.
GET_ROUTES = [
    ("GET", "/arbeitskreise/{slug}", None),
    ("GET", "/arbeitskreise/{slug}/mitglieder", None),
    ("GET", "/arbeitskreise/{slug}/neues-thema", None),
    ("GET", "/arbeitskreise/{slug}/bearbeiten", None),
    ("GET", "/themen/{thread}", None),
    ("GET", "/themen/{thread}?seite=2", None),
    ("GET", "/themen/{thread}/ungelesen", None),
    ("GET", "/themen/{thread}/antworten", None),
    ("GET", "/themen/{thread}/antworten?zitat={post}", None),
    ("GET", "/beitraege/{post}", None),
    ("GET", "/beitraege/{reply}", None),
    ("GET", "/beitraege/{post}/bearbeiten", None),
    ("GET", "/beitraege/{post}/loeschen", None),
    ("GET", "/beitraege/{post}/versionen", None),
]
POST_ROUTES = [
    ("POST", "/arbeitskreise/{slug}/neues-thema",
     {"title": "Neu", "body": "Text", "submission_key": "k-new"}),
    ("POST", "/arbeitskreise/{slug}/neues-thema",
     {"title": "Neu", "body": "Text", "vorschau": "1"}),
    ("POST", "/arbeitskreise/{slug}/neues-thema", {"title": "", "body": ""}),
    ("POST", "/themen/{thread}/antworten", {"body": "Antwort", "submission_key": "k-reply"}),
    ("POST", "/themen/{thread}/antworten", {"body": "Vorschau **fett**", "vorschau": "1"}),
    ("POST", "/themen/{thread}/antworten", {"body": ""}),
    ("POST", "/themen/{thread}/antworten?zitat={post}", {"body": "Antwort"}),
    ("POST", "/beitraege/{post}/bearbeiten", {"body": "Geändert", "title": "X", "version": ""}),
    ("POST", "/beitraege/{post}/loeschen", {}),
    ("POST", "/themen/{thread}/beobachten", {"beobachten": "1"}),
    ("POST", "/arbeitskreise/{slug}/beobachten", {"beobachten": "1"}),
    ("POST", "/arbeitskreise/{slug}/gelesen", {}),
    ("POST", "/arbeitskreise/{slug}/beitreten", {}),
    ("POST", "/arbeitskreise/{slug}/austreten", {}),
    ("POST", "/arbeitskreise/{slug}/mitglieder/einladen", {"member": "x@example.org"}),
    ("POST", "/arbeitskreise/{slug}/bearbeiten",
     {"name": "Umbenannt", "description": "", "visibility": "open"}),
    ("POST", "/arbeitskreise/{slug}/archivieren", {"archiviert": "1"}),
]
ALL_ROUTES = GET_ROUTES + POST_ROUTES


def _route_id(route):
    method, url, data = route
    suffix = "-vorschau" if data and "vorschau" in data else ""
    return f"{method} {url}{suffix}"


def _url(world, template):
    return template.format(slug=world.slug, thread=world.thread_id, post=world.first_post_id,
                           reply=world.reply_id)


def _call(browser, world, route):
    method, template, data = route
    url = _url(world, template)
    return browser.get(url) if method == "GET" else browser.post(url, data=data or {})


def _snapshot():
    return (count_rows(Thread), count_rows(Post), count_rows(Subscription),
            count_rows(Membership), count_rows(MembershipRequest), count_rows(ReadState))


@pytest.mark.parametrize("route", ALL_ROUTES, ids=_route_id)
def test_non_member_of_closed_group_gets_404_and_learns_nothing(app, world, route):
    browser = signed_in(app, world.outsider)
    before = _snapshot()
    response = _call(browser, world, route)
    assert response.status_code == 404
    page = text(response)
    assert "Seite nicht gefunden" in page
    for secret in (SECRET_TITLE, SECRET_BODY, SECRET_GROUP, "Meine Antwort mit Details"):
        assert secret not in page
    assert _snapshot() == before


@pytest.mark.parametrize("route", ALL_ROUTES, ids=_route_id)
def test_anonymous_visitor_is_sent_to_sign_in(client, world, route):
    before = _snapshot()
    response = _call(client, world, route)
    assert is_login_redirect(response)
    assert SECRET_TITLE not in raw(response)
    assert _snapshot() == before


@pytest.mark.parametrize("route", ALL_ROUTES, ids=_route_id)
def test_suspended_member_can_do_nothing(app, world, route):
    browser = signed_in(app, world.suspended)
    assert browser.get(_url(world, "/themen/{thread}")).status_code == 200
    set_user(world.suspended, status="suspended")
    before = _snapshot()
    response = _call(browser, world, route)
    assert is_login_redirect(response)
    assert SECRET_TITLE not in raw(response)
    assert _snapshot() == before


def test_missing_thread_post_and_group_are_404(app, world):
    browser = signed_in(app, world.member)
    for url in ("/themen/999999", "/themen/999999/antworten", "/themen/999999/ungelesen",
                "/beitraege/999999", "/beitraege/999999/bearbeiten",
                "/beitraege/999999/versionen", "/arbeitskreise/gibt-es-nicht",
                "/arbeitskreise/gibt-es-nicht/neues-thema"):
        assert browser.get(url).status_code == 404, url
    # Quoting a missing post opens the reply form without a quote (see test_group_page).
    assert browser.get(f"/themen/{world.thread_id}/antworten?zitat=999999").status_code == 200
    before = _snapshot()
    response = browser.post("/themen/999999/antworten", data={"body": "Hallo"})
    assert response.status_code == 404
    assert "Seite nicht gefunden" in text(response)
    assert _snapshot() == before


READ_PAGES = [
    ("/arbeitskreise/{slug}", 200),
    ("/arbeitskreise/{slug}/mitglieder", 200),
    ("/themen/{thread}", 200),
    ("/themen/{thread}/antworten", 200),
    ("/themen/{thread}/antworten?zitat={post}", 200),
    ("/arbeitskreise/{slug}/neues-thema", 200),
    ("/beitraege/{reply}", 302),
    ("/themen/{thread}/ungelesen", 302),
]


@pytest.mark.parametrize("persona", ["member", "author", "group_mod", "site_mod", "admin"])
@pytest.mark.parametrize("template,status", READ_PAGES)
def test_members_and_moderators_read_and_write_in_the_closed_group(app, world, persona,
                                                                   template, status):
    browser = signed_in(app, world.user(persona))
    response = browser.get(_url(world, template))
    assert response.status_code == status
    if status == 200 and "neues-thema" not in template:
        assert SECRET_GROUP in text(response)


# Editing, deleting and the version history of the author's opening post.
OWN_POST_PAGES = ["/beitraege/{post}/bearbeiten", "/beitraege/{post}/loeschen",
                  "/beitraege/{post}/versionen"]


@pytest.mark.parametrize("template", OWN_POST_PAGES)
@pytest.mark.parametrize("persona,status", [
    ("author", 200), ("group_mod", 200), ("site_mod", 200), ("admin", 200),
    ("member", 403), ("outsider", 404)])
def test_who_may_edit_delete_and_see_versions_of_a_post(app, world, template, persona, status):
    browser = signed_in(app, world.user(persona))
    response = browser.get(_url(world, template))
    assert response.status_code == status
    if status == 403:
        assert "Keine Berechtigung" in text(response)


def test_non_member_of_an_open_group_reads_but_cannot_write(app, world):
    open_group = make_group(name="Arbeitskreis Offen", members=[world.member])
    first = start_thread(world.member, open_group, "Offenes Thema", "Offener Text")
    browser = signed_in(app, world.outsider)
    assert "Offenes Thema" in text(browser.get(f"/arbeitskreise/{open_group.slug}"))
    page = text(browser.get(f"/themen/{first.thread_id}"))
    assert "Offener Text" in page
    assert "Um zu antworten, treten Sie dem Arbeitskreis bei." in page
    assert 'name="body"' not in page
    before = _snapshot()
    assert browser.get(f"/themen/{first.thread_id}/antworten").status_code == 403
    assert browser.post(f"/themen/{first.thread_id}/antworten",
                        data={"body": "Ich bin nicht Mitglied"}).status_code == 403
    assert browser.post(f"/themen/{first.thread_id}/antworten",
                        data={"body": ""}).status_code == 403
    assert browser.post(f"/arbeitskreise/{open_group.slug}/neues-thema",
                        data={"title": "T", "body": "B"}).status_code == 403
    assert browser.post(f"/arbeitskreise/{open_group.slug}/neues-thema",
                        data={"title": "", "body": ""}).status_code == 403
    assert browser.get(f"/beitraege/{first.id}/bearbeiten").status_code == 403
    assert _snapshot() == before


def test_hidden_thread_is_404_for_members_but_visible_to_moderators(app, world):
    set_thread(world.thread_id, is_hidden=True)
    member = signed_in(app, world.member)
    assert member.get(f"/themen/{world.thread_id}").status_code == 404
    assert member.get(f"/beitraege/{world.reply_id}").status_code == 404
    assert SECRET_TITLE not in text(member.get(f"/arbeitskreise/{world.slug}"))
    moderator = signed_in(app, world.group_mod)
    assert moderator.get(f"/themen/{world.thread_id}").status_code == 200
    assert SECRET_TITLE in text(moderator.get(f"/arbeitskreise/{world.slug}"))
