"""Numbers no database column can hold, in URLs, query strings and forms, are "not found" or
a form error, never a server error (they used to reach the database and raise)."""
import re

import pytest

from sozialplanung.extensions import db
from sozialplanung.forum.services import start_thread
from sozialplanung.moderation import services as moderation

from .conftest import login
from .factories import make_group, make_user

HUGE = "99999999999999999999"


def _converter_names(rule):
    return re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule)


def _id_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        names = _converter_names(rule)
        if "GET" in rule.methods and any(conv == "int" for conv, _ in names):
            url = re.sub(r"<int:\w+>", HUGE, rule.rule)
            routes.append(re.sub(r"<(?:\w+:)?\w+>", "x", url))
    return sorted(routes)


def test_every_route_with_an_id_answers_404_for_a_huge_number(app, client):
    login(client, make_user(role="admin"))
    routes = _id_routes(app)
    assert len(routes) > 20
    for url in routes:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("url", [
    "/neuigkeiten?page=" + HUGE, "/termine?page=" + HUGE, "/mitglieder?page=" + HUGE,
    "/benachrichtigungen?page=" + HUGE, "/verwaltung/protokoll?page=" + HUGE,
    "/verwaltung/mitglieder?page=" + HUGE, "/moderation/?page=" + HUGE,
    "/moderation/protokoll?page=" + HUGE + "&arbeitskreis=" + HUGE + "&moderation=" + HUGE,
    "/suche?q=Planung&arbeitskreis=" + HUGE + "&autor=" + HUGE + "&seite=" + HUGE,
    "/dokumente/?page=" + HUGE, "/neuigkeiten?page=-5", "/mitglieder?page=abc",
])
def test_huge_or_odd_page_and_filter_numbers_show_the_page(app, client, url):
    login(client, make_user(role="admin"))
    assert client.get(url).status_code == 200, url


def test_thread_pages_and_quotes_with_huge_numbers(app, client):
    author = make_user()
    group = make_group(members=[author])
    post = start_thread(author, group, "Thema", "Text")
    login(client, author)
    assert client.get(f"/themen/{post.thread_id}?seite={HUGE}").status_code == 200
    page = client.get(f"/themen/{post.thread_id}/antworten?zitat={HUGE}")
    assert page.status_code == 200


def test_moderation_forms_refuse_huge_targets_with_a_message(app, client):
    mod = make_user(role="moderator")
    group = make_group(moderators=[mod])
    post = start_thread(mod, group, "Thema", "Text")
    login(client, mod)
    merged = client.post(f"/moderation/themen/{post.thread_id}/zusammenfuehren",
                         data={"target_thread_id": HUGE, "expected_group_id": group.id})
    assert merged.status_code == 400
    assert "Bitte geben Sie die Nummer eines Themas an." in merged.get_data(as_text=True)
    moved = client.post(f"/moderation/themen/{post.thread_id}/verschieben",
                        data={"target_group_id": HUGE, "expected_group_id": group.id})
    assert moved.status_code == 400
    split = client.post(f"/moderation/themen/{post.thread_id}/teilen",
                        data={"title": "Neu", "post_ids": [HUGE, "abc"],
                              "expected_group_id": group.id})
    assert split.status_code == 400
    assert "Bitte wählen Sie mindestens einen Beitrag" in split.get_data(as_text=True)
    db.session.expire_all()
    assert moderation.get_moderated_thread(mod, post.thread_id).group_id == group.id


def test_quoting_a_missing_or_unreadable_post_opens_an_empty_reply_form(app, client):
    insider, author = make_user(), make_user()
    secret = start_thread(insider, make_group(closed=True, members=[insider]), "Geheim",
                          "Vertraulicher Inhalt")
    post = start_thread(author, make_group(members=[author]), "Thema", "Text")
    login(client, author)
    for quote in ("999999", HUGE, str(secret.id)):
        page = client.get(f"/themen/{post.thread_id}/antworten?zitat={quote}")
        assert page.status_code == 200, quote
        body = page.get_data(as_text=True)
        assert "Vertraulicher Inhalt" not in body and "Geheim" not in body
        if quote != HUGE:  # a number no post can have is ignored like a missing one
            assert "Der Beitrag zum Zitieren ist nicht (mehr) verfügbar." in body


def test_registration_with_a_huge_organisation_number_is_a_form_error(app, client):
    response = client.post("/registrieren", data={
        "display_name": "Rita Register", "email": "rita@example.org", "organisation_id": HUGE,
        "position": "", "password": "Kz7#pQ2!vRw8%Lm4", "confirm": "Kz7#pQ2!vRw8%Lm4",
        "accept_privacy": "y"})
    assert response.status_code in (200, 400)
    assert "Organisation" in response.get_data(as_text=True)
