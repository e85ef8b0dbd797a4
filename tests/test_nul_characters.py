"""A NUL character ("\\x00") in a form, a query string or a path is no server error: PostgreSQL
refuses it in any string, so the request class removes it from every parameter and a path with
one names no page. (On SQLite it used to be stored as typed.)"""
import re

import pytest
from sqlalchemy import select

from sozialplanung.accounts.models import User
from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, Thread
from sozialplanung.forum.services import start_thread

from .conftest import login
from .factories import make_group, make_user

NUL = "\x00"
PARAMETERS = ("q", "autor", "schlagwort", "kategorie", "sortierung", "status", "role", "aktion",
              "art", "von", "bis", "next", "arbeitskreis", "moderation", "organisation", "page",
              "seite", "zitat")


def _plain_get_routes(app):
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and "<" not in rule.rule
                  and not rule.rule.startswith("/static"))


def test_nul_in_any_query_parameter_of_any_page_is_no_server_error(app, client):
    login(client, make_user(role="admin"))
    query = "&".join(f"{name}=a%00b" for name in PARAMETERS)
    routes = _plain_get_routes(app)
    assert len(routes) > 20
    for url in routes:
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, url


@pytest.mark.parametrize("url", ["/suche?autor=a%00b", "/suche?q=Pla%00nung",
                                 "/dokumente/?schlagwort=a%00b", "/verwaltung/mitglieder?q=a%00",
                                 "/mitglieder?q=Ku%00rt"])
def test_search_and_filters_with_nul_show_the_page(app, client, url):
    login(client, make_user(role="admin"))
    assert client.get(url).status_code == 200


def test_reply_and_new_thread_with_nul_are_saved_without_it(app, client):
    author = make_user()
    group = make_group(members=[author])
    post = start_thread(author, group, "Thema", "Text")
    login(client, author)
    reply = client.post(f"/themen/{post.thread_id}/antworten",
                        data={"body": f"Ant{NUL}wort", "submission_key": "k1"})
    assert reply.status_code == 302
    new = client.post(f"/arbeitskreise/{group.slug}/neues-thema",
                      data={"title": f"Neu{NUL}es Thema", "body": f"Er{NUL}ster",
                            "submission_key": "k2"})
    assert new.status_code == 302
    db.session.expire_all()
    assert {p.source for p in db.session.scalars(select(Post))} == {"Text", "Antwort", "Erster"}
    assert "Neues Thema" in {t.title for t in db.session.scalars(select(Thread))}


def test_edit_title_with_nul_is_saved_without_it(app, client):
    author = make_user()
    post = start_thread(author, make_group(members=[author]), "Thema", "Text")
    login(client, author)
    response = client.post(f"/beitraege/{post.id}/bearbeiten",
                           data={"title": f"The{NUL}ma neu", "body": f"Te{NUL}xt", "version": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, post.thread_id).title == "Thema neu"
    assert db.session.get(Post, post.id).source == "Text"


def test_sign_in_and_registration_with_nul_are_ordinary_refusals(app, client):
    response = client.post("/anmelden", data={"email": f"a{NUL}@example.org",
                                              "password": f"x{NUL}"})
    assert response.status_code in (200, 400, 401)
    registered = client.post("/registrieren", data={
        "display_name": f"Rita{NUL} Register", "email": f"rita{NUL}@example.org",
        "organisation_id": "", "position": NUL, "password": "Kz7#pQ2!vRw8%Lm4",
        "confirm": "Kz7#pQ2!vRw8%Lm4", "accept_privacy": "y"})
    assert registered.status_code < 500
    assert all(NUL not in (user.display_name + user.email)
               for user in db.session.scalars(select(User)))


def test_nul_in_a_path_is_not_found(app, client):
    member = make_user()
    group = make_group(members=[member])
    login(client, member)
    assert client.get(f"/arbeitskreise/{group.slug}").status_code == 200
    for url in (f"/arbeitskreise/{group.slug}%00", "/arbeitskreise/a%00b/dokumente",
                "/einladung/abc%00def", "/feeds/1-a%00b/neuigkeiten.atom"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Seite nicht gefunden" in response.get_data(as_text=True)
    assert re.search("Seite nicht gefunden", client.get("/%00").get_data(as_text=True))
