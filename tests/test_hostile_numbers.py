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


# --- digits str.isdigit() accepts but int() or the database do not ("²", 20 digits) ----------

ODD_IDS = [HUGE, "²", "9" * 5000]
NO_LIBRARY_DOCUMENT = "Ein gewähltes Dokument ist nicht (mehr) in der Bibliothek des Arbeitskreises."


def _count(model):
    from sqlalchemy import func, select

    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("value", ODD_IDS)
def test_posts_with_an_odd_library_pick_are_refused_in_words(app, client, value):
    from sozialplanung.documents.models import PostAttachment
    from sozialplanung.forum.models import Post, Thread

    author = make_user()
    group = make_group(members=[author])
    post = start_thread(author, group, "Thema", "Text")
    login(client, author)
    posts, threads = _count(Post), _count(Thread)
    for url, data in [(f"/themen/{post.thread_id}/antworten", {"body": "Antwort"}),
                      (f"/arbeitskreise/{group.slug}/neues-thema",
                       {"title": "Neu", "body": "Text"}),
                      (f"/beitraege/{post.id}/anhaenge", {})]:
        response = client.post(url, data={**data, "bibliothek": value},
                               content_type="multipart/form-data")
        assert response.status_code == 400, url
        assert NO_LIBRARY_DOCUMENT in response.get_data(as_text=True), url
    assert (_count(Post), _count(Thread), _count(PostAttachment)) == (posts, threads, 0)


@pytest.fixture
def moderated_thread(app):
    from sozialplanung.forum.services import reply

    mod = make_user(role="moderator")
    group, other_group = make_group(moderators=[mod]), make_group(moderators=[mod])
    first = start_thread(mod, group, "Thema", "Eins")
    second = reply(mod, first.thread, "Zwei")
    other = start_thread(mod, group, "Anderes Thema", "Drei")
    return mod, group, other_group, first, second, other


def test_thread_actions_with_an_odd_expected_group_change_nothing(app, client,
                                                                  moderated_thread):
    from sozialplanung.forum.models import Post, Thread

    mod, group, other_group, first, second, other = moderated_thread
    login(client, mod)
    base = f"/moderation/themen/{first.thread_id}"
    actions = [("anheften", {"an": "1"}), ("schliessen", {"an": "1", "reason": "Genug"}),
               ("ausblenden", {"an": "1", "reason": "Streit"}),
               ("umbenennen", {"title": "Umbenannt"}),
               ("verschieben", {"target_group_id": other_group.id}),
               ("teilen", {"title": "Abgeteilt", "post_ids": [second.id]}),
               ("zusammenfuehren", {"target_thread_id": other.thread_id})]
    for value in ["²", HUGE, "abc"]:
        for action, data in actions:
            response = client.post(f"{base}/{action}",
                                   data={**data, "expected_group_id": value})
            assert response.status_code == 409, (value, action)
            assert "Das Thema wurde inzwischen in einen anderen Arbeitskreis verschoben." \
                in response.get_data(as_text=True), (value, action)
    db.session.expire_all()
    thread = db.session.get(Thread, first.thread_id)
    assert (thread.title, thread.group_id, thread.post_count) == ("Thema", group.id, 2)
    assert not (thread.is_pinned or thread.is_locked or thread.is_hidden)
    assert db.session.get(Post, second.id).thread_id == thread.id
    assert db.session.get(Thread, other.thread_id).post_count == 1


def test_split_with_odd_post_numbers_asks_for_a_post(app, client, moderated_thread):
    from sozialplanung.forum.models import Thread

    mod, group, _other_group, first, _second, _other = moderated_thread
    login(client, mod)
    threads = _count(Thread)
    split = client.post(f"/moderation/themen/{first.thread_id}/teilen",
                        data={"title": "Neu", "post_ids": ["²", HUGE, "9" * 5000],
                              "expected_group_id": group.id})
    assert split.status_code == 400
    assert "Bitte wählen Sie mindestens einen Beitrag" in split.get_data(as_text=True)
    assert _count(Thread) == threads


@pytest.mark.parametrize("value", ODD_IDS)
def test_announcement_form_with_odd_groups_or_documents_is_a_form_error(app, client, value):
    from sozialplanung.announcements.models import Announcement

    editor = make_user(role="editor")
    make_group()
    login(client, editor)
    base = {"title": "Fachtag", "category": "news", "teaser": "Kurz.", "publication": "now"}
    to_groups = client.post("/neuigkeiten/neu", data={**base, "audience": "groups",
                                                      "group_ids": [value]})
    assert to_groups.status_code in (200, 400)
    assert "Mindestens einer der gewählten Arbeitskreise existiert nicht (mehr)." \
        in to_groups.get_data(as_text=True)
    with_documents = client.post("/neuigkeiten/neu", data={**base, "audience": "all",
                                                           "document_ids": [value]})
    assert with_documents.status_code in (200, 400)
    assert "Ein gewähltes Dokument ist nicht (mehr) in der Bibliothek des Instituts." \
        in with_documents.get_data(as_text=True)
    assert _count(Announcement) == 0


def test_announcement_edit_with_an_odd_version_is_a_conflict(app, client):
    from sozialplanung.announcements.models import Announcement

    editor = make_user(role="editor")
    login(client, editor)
    created = client.post("/neuigkeiten/neu", data={
        "title": "Fachtag", "category": "news", "teaser": "Kurz.", "audience": "all",
        "publication": "draft"})
    assert created.status_code == 302
    announcement = db.session.scalars(db.select(Announcement)).one()
    response = client.post(f"/neuigkeiten/{announcement.id}/bearbeiten", data={
        "title": "Überschrieben", "category": "news", "teaser": "Kurz.", "audience": "all",
        "publication": "draft", "version": "²"})
    assert response.status_code in (200, 409)
    assert "Die Mitteilung wurde inzwischen von jemand anderem geändert." \
        in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Announcement, announcement.id).title == "Fachtag"


@pytest.mark.parametrize("token", [f"{HUGE}-geheim", "²-geheim", "9" * 5000 + "-geheim"])
def test_feed_addresses_with_odd_numbers_are_not_found(app, client, token):
    assert client.get(f"/feeds/{token}/neuigkeiten.atom").status_code == 404
    assert client.get(f"/feeds/{token}/termine.ics").status_code == 404


@pytest.mark.parametrize("value", ["abc", "²", HUGE])
def test_invitation_with_an_odd_organisation_is_refused_in_plain_german(app, client, value):
    from sozialplanung.accounts.models import User

    login(client, make_user(role="admin"))
    users = _count(User)
    response = client.post("/verwaltung/mitglieder/einladen", data={
        "email": "neu@example.org", "display_name": "Nina Neu", "organisation_id": value,
        "role": "member"})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "Unbekannte Organisation." in page
    assert "umwandeln" not in page and "coerce" not in page
    assert _count(User) == users


@pytest.mark.parametrize("value", ["abc", "²", HUGE])
def test_member_directory_with_an_odd_organisation_shows_all(app, client, value):
    login(client, make_user(display_name="Olga Ort"))
    response = client.get(f"/mitglieder?organisation={value}")
    assert response.status_code == 200
    assert "Olga Ort" in response.get_data(as_text=True)
