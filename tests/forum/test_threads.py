"""Threads and posts through the browser: start, reply, quote, edit with history, concurrent
edits, soft delete, locked threads, pagination with stable permalinks, bad input and double
submits."""
import html
import re

import pytest
from sqlalchemy import select

from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, PostRevision, Thread

from ..factories import make_group, make_user
from .support import (add_replies, add_reply, count_rows, location, post_ids, raw, reload,
                      set_thread, signed_in, start_thread, text)


@pytest.fixture
def group_and_people(app):
    member = make_user(display_name="Maria Mitglied")
    other = make_user(display_name="Otto Anderer")
    moderator = make_user(display_name="Greta Gruppenmoderation")
    group = make_group(name="Arbeitskreis Jugendhilfeplanung", closed=True,
                       members=[member, other], moderators=[moderator])
    return group, member, other, moderator


# --- starting and replying ----------------------------------------------------------------

def test_member_starts_a_thread_and_lands_on_its_first_post(app, group_and_people):
    group, member, other, _ = group_and_people
    browser = signed_in(app, member)
    form = browser.get(f"/arbeitskreise/{group.slug}/neues-thema")
    assert form.status_code == 200
    assert "Neues Thema im Arbeitskreis Jugendhilfeplanung" in text(form)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', raw(form)).group(1)

    response = browser.post(f"/arbeitskreise/{group.slug}/neues-thema", data={
        "title": "  Bedarfsplanung   Kita 2026 ", "body": "**Wichtig:** bitte *lesen*",
        "submission_key": key})
    assert response.status_code == 302
    post = reload(Post, post_ids(_only_thread_id())[0])
    assert location(response).endswith(f"/themen/{post.thread_id}?seite=1#beitrag-{post.id}")
    page = browser.get(location(response))
    assert "Ihr Thema ist veröffentlicht." in text(page)
    assert "<h1>Bedarfsplanung Kita 2026</h1>" in raw(page)
    assert "<strong>Wichtig:</strong> bitte <em>lesen</em>" in raw(page)

    overview = text(signed_in(app, other).get(f"/arbeitskreise/{group.slug}"))
    assert "Bedarfsplanung Kita 2026" in overview
    assert "von Maria Mitglied" in overview
    assert "0 Antworten" in overview
    assert "letzter Beitrag von Maria Mitglied" in overview


def _only_thread_id():
    db.session.expire_all()
    return db.session.scalar(select(Thread.id))


def test_reply_appears_and_updates_counts_and_last_post(app, group_and_people):
    group, member, other, _ = group_and_people
    first = start_thread(member, group, "Sozialbericht", "Wer hat Zahlen?")
    browser = signed_in(app, other)
    response = browser.post(f"/themen/{first.thread_id}/antworten",
                            data={"body": "Ich habe *Zahlen*.", "submission_key": "a1"})
    assert response.status_code == 302
    reply_id = post_ids(first.thread_id)[1]
    assert location(response).endswith(f"/themen/{first.thread_id}?seite=1#beitrag-{reply_id}")
    page = browser.get(location(response))
    assert "Ihre Antwort ist veröffentlicht." in text(page)
    assert "Ich habe <em>Zahlen</em>." in raw(page)
    # Valid HTML: a machine-readable time without microseconds.
    stamps = re.findall(r'<time datetime="([^"]+)">', raw(page))
    assert len(stamps) == 2
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps)
    thread = reload(Thread, first.thread_id)
    assert (thread.post_count, thread.last_post_id, thread.last_poster_id) == (
        2, reply_id, other.id)
    listing = text(browser.get(f"/arbeitskreise/{group.slug}"))
    assert "1 Antwort" in listing and "letzter Beitrag von Otto Anderer" in listing


def test_quote_prefills_the_reply_with_the_quoted_text(app, group_and_people):
    group, member, other, _ = group_and_people
    first = start_thread(member, group, "Zitate", "Erste Zeile\n\nZweite Zeile")
    browser = signed_in(app, other)
    page = browser.get(f"/themen/{first.thread_id}/antworten?zitat={first.id}")
    assert page.status_code == 200
    body = html.unescape(re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', raw(page),
                                   re.S).group(1))
    assert "@[Maria Mitglied] schrieb:" in body
    assert "> Erste Zeile\n>\n> Zweite Zeile" in body
    # The quote is posted as a blockquote and mentions the quoted author.
    browser.post(f"/themen/{first.thread_id}/antworten", data={"body": body + "Stimmt."})
    quoted = reload(Post, post_ids(first.thread_id)[1])
    assert "<blockquote>" in quoted.html and "Zweite Zeile" in quoted.html
    assert f'href="/mitglieder/{member.id}"' in quoted.html


def test_quoting_a_deleted_post_prefills_nothing(app, group_and_people):
    group, member, other, _ = group_and_people
    first = start_thread(member, group, "Zitate", "Geheimer Entwurf")
    signed_in(app, member).post(f"/beitraege/{first.id}/loeschen")
    page = signed_in(app, other).get(f"/themen/{first.thread_id}/antworten?zitat={first.id}")
    assert page.status_code == 200
    assert "Geheimer Entwurf" not in text(page)


def test_preview_shows_sanitized_html_and_saves_nothing(app, group_and_people):
    group, member, _, _ = group_and_people
    first = start_thread(member, group, "Vorschau", "Text")
    browser = signed_in(app, member)
    hostile = "# Überschrift\n\n<script>alert(1)</script> [x](javascript:alert(1)) **fett**"
    page = browser.post(f"/themen/{first.thread_id}/antworten",
                        data={"body": hostile, "vorschau": "1"})
    assert page.status_code == 200
    html_ = raw(page)
    preview = html_.split('id="preview-heading"', 1)[1].split("</section>", 1)[0]
    assert "<h2>Überschrift</h2>" in preview and "<strong>fett</strong>" in preview
    assert "<script" not in preview and 'href="javascript' not in preview
    assert "&lt;script&gt;" in preview
    # The text stays in the form for further editing; nothing was stored.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_.split("<textarea", 1)[1]
    assert count_rows(Post) == 1

    new = browser.post(f"/arbeitskreise/{group.slug}/neues-thema",
                       data={"title": "T", "body": "*kursiv*", "vorschau": "1"})
    assert new.status_code == 200 and "<em>kursiv</em>" in raw(new)
    assert count_rows(Thread) == 1


# --- editing and history ------------------------------------------------------------------

def _edit_form(browser, post_id):
    page = browser.get(f"/beitraege/{post_id}/bearbeiten")
    assert page.status_code == 200
    return re.search(r'name="version"[^>]*value="([^"]*)"', raw(page)).group(1)


def test_author_edits_own_post_and_history_is_kept(app, group_and_people):
    group, member, other, moderator = group_and_people
    first = start_thread(member, group, "Alter Titel", "Erste Fassung")
    browser = signed_in(app, member)
    version = _edit_form(browser, first.id)
    response = browser.post(f"/beitraege/{first.id}/bearbeiten", data={
        "title": "Neuer Titel", "body": "Zweite Fassung", "version": version})
    assert response.status_code == 302
    page = text(browser.get(location(response)))
    assert "Der Beitrag wurde gespeichert." in page
    assert "Zweite Fassung" in page and "Erste Fassung" not in page
    assert "Neuer Titel" in page
    assert "bearbeitet am" in page and "frühere Versionen" in page

    version = _edit_form(browser, first.id)
    browser.post(f"/beitraege/{first.id}/bearbeiten",
                 data={"title": "Neuer Titel", "body": "Dritte Fassung", "version": version})
    assert count_rows(PostRevision) == 2

    for viewer in (member, moderator):
        history = signed_in(app, viewer).get(f"/beitraege/{first.id}/versionen")
        assert history.status_code == 200
        content = text(history)
        assert "Erste Fassung" in content and "Zweite Fassung" in content
        assert content.index("Zweite Fassung") < content.index("Erste Fassung")  # newest first

    others = signed_in(app, other)
    assert others.get(f"/beitraege/{first.id}/versionen").status_code == 403
    thread_page = text(others.get(f"/themen/{first.thread_id}"))
    assert "bearbeitet am" in thread_page
    assert "frühere Versionen" not in thread_page


def test_unchanged_save_creates_no_revision(app, group_and_people):
    group, member, _, _ = group_and_people
    first = start_thread(member, group, "Titel", "Text")
    browser = signed_in(app, member)
    version = _edit_form(browser, first.id)
    browser.post(f"/beitraege/{first.id}/bearbeiten",
                 data={"title": "Titel", "body": "Text", "version": version})
    assert count_rows(PostRevision) == 0
    assert "bearbeitet am" not in text(browser.get(f"/themen/{first.thread_id}"))


def test_moderator_edits_someone_elses_post(app, group_and_people):
    group, member, _, moderator = group_and_people
    first = start_thread(member, group, "Titel", "Unpassender Text")
    browser = signed_in(app, moderator)
    version = _edit_form(browser, first.id)
    response = browser.post(f"/beitraege/{first.id}/bearbeiten",
                            data={"title": "Titel", "body": "Entschärfter Text",
                                  "version": version})
    assert response.status_code == 302
    post = reload(Post, first.id)
    assert post.source == "Entschärfter Text" and post.edited_by_id == moderator.id


def test_editing_someone_elses_post_is_refused_and_changes_nothing(app, group_and_people):
    group, member, other, _ = group_and_people
    first = start_thread(member, group, "Titel", "Original")
    browser = signed_in(app, other)
    assert browser.get(f"/beitraege/{first.id}/bearbeiten").status_code == 403
    response = browser.post(f"/beitraege/{first.id}/bearbeiten",
                            data={"title": "Gekapert", "body": "Überschrieben", "version": ""})
    assert response.status_code == 403
    assert "Keine Berechtigung" in text(response)
    assert reload(Post, first.id).source == "Original"
    assert reload(Thread, first.thread_id).title == "Titel"
    assert count_rows(PostRevision) == 0
    assert f"/beitraege/{first.id}/bearbeiten" not in raw(browser.get(f"/themen/{first.thread_id}"))


def test_concurrent_edit_is_detected_and_nothing_changes(app, group_and_people):
    group, member, _, moderator = group_and_people
    first = start_thread(member, group, "Titel", "Ursprung")
    author = signed_in(app, member)
    stale = _edit_form(author, first.id)
    mod = signed_in(app, moderator)
    mod.post(f"/beitraege/{first.id}/bearbeiten", data={
        "title": "Titel", "body": "Fassung der Moderation", "version": _edit_form(mod, first.id)})

    response = author.post(f"/beitraege/{first.id}/bearbeiten",
                           data={"title": "Titel", "body": "Fassung der Autorin", "version": stale})
    assert response.status_code == 409
    page = text(response)
    assert "Konflikt" in page
    assert "inzwischen von jemand anderem geändert" in page
    post = reload(Post, first.id)
    assert post.source == "Fassung der Moderation"
    assert count_rows(PostRevision) == 1


def test_edit_with_bad_input_shows_german_errors_and_keeps_the_post(app, group_and_people):
    group, member, _, _ = group_and_people
    first = start_thread(member, group, "Titel", "Text")
    browser = signed_in(app, member)
    version = _edit_form(browser, first.id)
    for data, message in [
            ({"title": "", "body": "Neu"}, "Bitte geben Sie einen Titel an."),
            ({"title": "T", "body": "   "}, "Bitte füllen Sie dieses Feld aus."),
            ({"title": "x" * 201, "body": "Neu"}, "Bitte geben Sie höchstens 200 Zeichen ein."),
            ({"title": "T", "body": "x" * 50_001}, "Bitte geben Sie höchstens 50000 Zeichen ein.")]:
        response = browser.post(f"/beitraege/{first.id}/bearbeiten",
                                data={**data, "version": version})
        assert response.status_code == 400, data
        assert "Bitte korrigieren Sie die markierten Angaben." in text(response)
        assert message in text(response)
    post = reload(Post, first.id)
    assert (post.source, post.edited_at, post.thread.title) == ("Text", None, "Titel")


# --- soft delete --------------------------------------------------------------------------

def test_author_deletes_own_post_thread_keeps_its_shape(app, group_and_people):
    group, member, other, _ = group_and_people
    first = start_thread(other, group, "Thema", "Eröffnung")
    mine = add_reply(member, first.thread_id, "Das nehme ich zurück")
    add_reply(other, first.thread_id, "Danach")
    browser = signed_in(app, member)
    confirm = browser.get(f"/beitraege/{mine.id}/loeschen")
    assert confirm.status_code == 200 and "Beitrag löschen?" in text(confirm)
    response = browser.post(f"/beitraege/{mine.id}/loeschen")
    assert response.status_code == 302
    assert location(response).endswith(f"?seite=1#beitrag-{mine.id}")

    page = text(signed_in(app, other).get(f"/themen/{first.thread_id}"))
    assert "Beitrag gelöscht" in page
    assert "Das nehme ich zurück" not in page
    assert "Eröffnung" in page and "Danach" in page
    assert page.index("Eröffnung") < page.index("Beitrag gelöscht") < page.index("Danach")
    thread = reload(Thread, first.thread_id)
    assert thread.post_count == 3 and count_rows(Post) == 3
    assert "2 Antworten" in text(browser.get(f"/arbeitskreise/{group.slug}"))
    # A deleted post can't be deleted or edited again.
    assert browser.post(f"/beitraege/{mine.id}/loeschen").status_code in (403, 409)
    assert browser.get(f"/beitraege/{mine.id}/bearbeiten").status_code == 403


def test_deleting_someone_elses_post_is_refused(app, group_and_people):
    group, member, other, moderator = group_and_people
    first = start_thread(member, group, "Thema", "Eröffnung")
    browser = signed_in(app, other)
    assert browser.get(f"/beitraege/{first.id}/loeschen").status_code == 403
    assert browser.post(f"/beitraege/{first.id}/loeschen").status_code == 403
    assert reload(Post, first.id).is_deleted is False
    assert signed_in(app, moderator).post(f"/beitraege/{first.id}/loeschen").status_code == 302
    assert reload(Post, first.id).is_deleted is True


# --- locked threads -----------------------------------------------------------------------

def test_locked_thread_refuses_replies_except_from_moderators(app, group_and_people):
    group, member, other, moderator = group_and_people
    first = start_thread(member, group, "Abgeschlossen", "Text")
    set_thread(first.thread_id, is_locked=True, lock_reason="Erledigt")
    browser = signed_in(app, other)
    page = text(browser.get(f"/themen/{first.thread_id}"))
    assert "Dieses Thema ist geschlossen." in page and "Erledigt" in page
    assert "Antwort veröffentlichen" not in page and "Zitieren" not in page
    refused = browser.get(f"/themen/{first.thread_id}/antworten")
    assert refused.status_code == 403
    assert "Dieses Thema ist geschlossen; Antworten sind nicht möglich." in text(refused)
    for data in ({"body": "Trotzdem"}, {"body": ""}, {"body": "x", "vorschau": "1"}):
        response = browser.post(f"/themen/{first.thread_id}/antworten", data=data)
        assert response.status_code == 403
        assert "Dieses Thema ist geschlossen; Antworten sind nicht möglich." in text(response)
    # The author can't edit in a locked thread either.
    assert signed_in(app, member).get(f"/beitraege/{first.id}/bearbeiten").status_code == 403
    assert count_rows(Post) == 1

    mod = signed_in(app, moderator)
    assert "Antwort veröffentlichen" in text(mod.get(f"/themen/{first.thread_id}"))
    response = mod.post(f"/themen/{first.thread_id}/antworten", data={"body": "Letztes Wort"})
    assert response.status_code == 302
    assert reload(Thread, first.thread_id).post_count == 2


# --- pagination and permalinks ------------------------------------------------------------

@pytest.fixture
def long_thread(group_and_people):
    group, member, other, _ = group_and_people
    first = start_thread(member, group, "Lange Diskussion", "Beitrag Nummer 1")
    add_replies([other, member], first.thread_id, 44)   # 45 posts = 3 pages of 20
    return first.thread_id, post_ids(first.thread_id)


@pytest.mark.parametrize("number,page", [(1, 1), (20, 1), (21, 2), (40, 2), (41, 3), (45, 3)])
def test_permalink_lands_on_the_right_page_at_the_post(app, group_and_people, long_thread,
                                                       number, page):
    thread_id, ids = long_thread
    browser = signed_in(app, group_and_people[1])
    response = browser.get(f"/beitraege/{ids[number - 1]}")
    assert response.status_code == 302
    assert location(response).endswith(
        f"/themen/{thread_id}?seite={page}#beitrag-{ids[number - 1]}")
    shown = browser.get(location(response))
    assert f'id="beitrag-{ids[number - 1]}"' in raw(shown)
    assert f"Beitrag Nummer {number}<" in raw(shown) or f"Antwort Nummer {number}<" in raw(shown)


def test_pages_show_twenty_posts_and_pagination_links_work(app, group_and_people, long_thread):
    thread_id, ids = long_thread
    browser = signed_in(app, group_and_people[1])
    first_page = raw(browser.get(f"/themen/{thread_id}"))
    assert first_page.count('<li class="post') == 20
    assert "Beitrag Nummer 1<" in first_page and "Antwort Nummer 21<" not in first_page
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first_page).group(1)
    second_page = raw(browser.get(html.unescape(next_link)))
    assert "Antwort Nummer 21<" in second_page and "Antwort Nummer 40<" in second_page
    assert "Beitrag Nummer 1<" not in second_page and "Antwort Nummer 41<" not in second_page
    last = raw(browser.get(f"/themen/{thread_id}?seite=3"))
    assert last.count('<li class="post') == 5 and "Antwort Nummer 45<" in last
    # Out-of-range pages show the nearest page rather than an error.
    assert "Antwort Nummer 45<" in raw(browser.get(f"/themen/{thread_id}?seite=99"))
    assert "Beitrag Nummer 1<" in raw(browser.get(f"/themen/{thread_id}?seite=-3"))


def test_permalinks_stay_stable_when_posts_are_deleted(app, group_and_people, long_thread):
    thread_id, ids = long_thread
    member = group_and_people[1]
    browser = signed_in(app, member)
    for post_id in ids[2:20:2]:   # posts 3, 5, ... 19 are the member's own
        assert browser.post(f"/beitraege/{post_id}/loeschen").status_code == 302
    response = browser.get(f"/beitraege/{ids[30]}")
    assert location(response).endswith(f"?seite=2#beitrag-{ids[30]}")


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("title,body,message", [
    ("", "Text", "Bitte füllen Sie dieses Feld aus."),
    ("   ", "Text", "Bitte füllen Sie dieses Feld aus."),
    ("x" * 201, "Text", "Bitte geben Sie höchstens 200 Zeichen ein."),
    ("Titel", "", "Bitte füllen Sie dieses Feld aus."),
    ("Titel", " \n\t ", "Bitte füllen Sie dieses Feld aus."),
    ("Titel", "x" * 50_001, "Bitte geben Sie höchstens 50000 Zeichen ein."),
])
def test_bad_thread_input_is_refused_with_a_german_message(app, group_and_people, title, body,
                                                           message):
    group, member, _, _ = group_and_people
    browser = signed_in(app, member)
    response = browser.post(f"/arbeitskreise/{group.slug}/neues-thema",
                            data={"title": title, "body": body})
    assert response.status_code == 400
    page = text(response)
    assert "Bitte korrigieren Sie die markierten Angaben." in page
    assert 'aria-invalid="true"' in raw(response)
    assert message in page
    assert count_rows(Thread) == 0 and count_rows(Post) == 0


def test_longest_allowed_title_and_body_are_accepted(app, group_and_people):
    group, member, _, _ = group_and_people
    browser = signed_in(app, member)
    response = browser.post(f"/arbeitskreise/{group.slug}/neues-thema",
                            data={"title": "T" * 200, "body": "b" * 50_000})
    assert response.status_code == 302
    thread = reload(Thread, _only_thread_id())
    assert len(thread.title) == 200


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * 50_001, "\u200b\u200b\u200b",
                                  "\u2800\n\ufeff\u202e"])
def test_bad_reply_input_is_refused(app, group_and_people, body):
    group, member, _, _ = group_and_people
    first = start_thread(member, group, "Thema", "Text")
    response = signed_in(app, member).post(f"/themen/{first.thread_id}/antworten",
                                           data={"body": body})
    assert response.status_code == 400
    assert "Bitte korrigieren Sie die markierten Angaben." in text(response)
    assert reload(Thread, first.thread_id).post_count == 1 and count_rows(Post) == 1


def test_double_submitted_reply_creates_one_post(app, group_and_people):
    group, member, _, _ = group_and_people
    first = start_thread(member, group, "Thema", "Text")
    browser = signed_in(app, member)
    form = raw(browser.get(f"/themen/{first.thread_id}"))
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', form).group(1)
    data = {"body": "Nur einmal bitte", "submission_key": key}
    one = browser.post(f"/themen/{first.thread_id}/antworten", data=data)
    two = browser.post(f"/themen/{first.thread_id}/antworten", data=data)
    assert one.status_code == two.status_code == 302
    assert location(one) == location(two)
    assert count_rows(Post) == 2 and reload(Thread, first.thread_id).post_count == 2
    # A new form gets a new key, so a deliberate second answer works.
    assert key not in raw(browser.get(f"/themen/{first.thread_id}"))


def test_double_submitted_new_thread_creates_one_thread(app, group_and_people):
    group, member, _, _ = group_and_people
    browser = signed_in(app, member)
    data = {"title": "Einmalig", "body": "Text", "submission_key": "doppelt-123"}
    one = browser.post(f"/arbeitskreise/{group.slug}/neues-thema", data=data)
    two = browser.post(f"/arbeitskreise/{group.slug}/neues-thema", data=data)
    assert one.status_code == two.status_code == 302 and location(one) == location(two)
    assert count_rows(Thread) == 1 and count_rows(Post) == 1


def test_same_key_from_two_members_creates_two_posts(app, group_and_people):
    group, member, other, _ = group_and_people
    first = start_thread(member, group, "Thema", "Text")
    for user in (member, other):
        signed_in(app, user).post(f"/themen/{first.thread_id}/antworten",
                                  data={"body": "Hallo", "submission_key": "gleich"})
    assert count_rows(Post) == 3


def test_hostile_titles_and_bodies_are_shown_as_text(app, group_and_people):
    group, member, other, _ = group_and_people
    browser = signed_in(app, member)
    browser.post(f"/arbeitskreise/{group.slug}/neues-thema", data={
        "title": '<img src=x onerror="alert(1)">Titel',
        "body": '<script>alert("x")</script>\n\n[klick](javascript:alert(1))\n\n'
                '<a href="https://example.org" onclick="alert(1)">a</a>'})
    thread_id = _only_thread_id()
    reader = signed_in(app, other)
    for url in (f"/themen/{thread_id}", f"/arbeitskreise/{group.slug}", "/",
                "/arbeitskreise/"):
        page = raw(reader.get(url))
        assert "<img" not in page and "<script" not in page
        assert 'href="javascript:' not in page
        assert not re.search(r"<[a-z][^<>]*\son[a-z]+=", page)
    assert '<img src=x onerror="alert(1)">Titel' in text(reader.get(f"/themen/{thread_id}"))


def test_direction_overrides_and_invisible_characters_are_removed(app, world):
    """U+202E makes text display backwards ("\u202egnp.exe" reads "exe.png"); zero-width
    characters make two names or titles look alike."""
    first = start_thread(world.author, world.group, "Bericht\u202e fdp.exe\u200b",
                         "Siehe\u202e Anhang")
    thread = reload(Thread, first.thread_id)
    assert thread.title == "Bericht fdp.exe"
    assert reload(Post, first.id).source == "Siehe Anhang"
