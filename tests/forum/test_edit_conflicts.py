"""An edit that can no longer be saved (the post was hidden, deleted or changed meanwhile, the
thread hidden or closed) answers 409 with what happened and the text the person typed, so it
can be copied. The refusal itself stays policy's."""
import re

import pytest

from sozialplanung.forum.models import Post, PostRevision, Thread

from ..factories import make_group, make_user
from .support import add_reply, count_rows, raw, reload, signed_in, start_thread, text

TYPED = "Meine <Ergänzung> & mehr"


@pytest.fixture
def people(app):
    author = make_user(display_name="Anna Autorin")
    other = make_user(display_name="Otto Anderer")
    moderator = make_user(display_name="Greta Gruppenmoderation")
    group = make_group(members=[author, other], moderators=[moderator])
    return group, author, other, moderator


def _version(browser, post_id):
    page = browser.get(f"/beitraege/{post_id}/bearbeiten")
    assert page.status_code == 200
    return re.search(r'name="version"[^>]*value="([^"]*)"', raw(page)).group(1)


def _submit(browser, post, version, title="Neuer Titel"):
    return browser.post(f"/beitraege/{post.id}/bearbeiten",
                        data={"title": title, "body": TYPED, "version": version})


def _assert_kept_for_copying(response, message):
    assert response.status_code == 409
    page = text(response)
    assert "Konflikt" in page and message in page
    assert "Ihre Änderung wurde nicht gespeichert." in page
    assert "Keine Berechtigung" not in page
    assert TYPED in page
    assert "&lt;Ergänzung&gt; &amp; mehr" in raw(response)  # shown as text, not markup
    assert re.search(r"<textarea[^>]*readonly", raw(response))


def _moderator_hides(app, moderator, post):
    response = signed_in(app, moderator).post(f"/moderation/beitraege/{post.id}",
                                              data={"reason": "Persönlicher Angriff"})
    assert response.status_code == 302


def test_post_hidden_while_its_author_edits(app, people):
    group, author, _other, moderator = people
    post = add_reply(author, start_thread(moderator, group).thread_id, "Ursprung")
    browser = signed_in(app, author)
    version = _version(browser, post.id)
    _moderator_hides(app, moderator, post)

    response = _submit(browser, post, version)
    _assert_kept_for_copying(response, "Der Beitrag wurde inzwischen von der Moderation "
                                       "ausgeblendet.")
    assert "Beitrag bearbeiten</a>" not in raw(response)  # it cannot be edited any more
    assert f'href="/beitraege/{post.id}"' in raw(response)
    assert reload(Post, post.id).source == "Ursprung"
    assert count_rows(PostRevision) == 0
    # Opening the edit form of a hidden post is still refused as before.
    assert browser.get(f"/beitraege/{post.id}/bearbeiten").status_code == 403


def test_post_deleted_by_the_moderation_while_its_author_edits(app, people):
    group, author, _other, moderator = people
    post = add_reply(author, start_thread(moderator, group).thread_id, "Ursprung")
    browser = signed_in(app, author)
    version = _version(browser, post.id)
    assert signed_in(app, moderator).post(f"/beitraege/{post.id}/loeschen").status_code == 302

    response = _submit(browser, post, version)
    _assert_kept_for_copying(response, "Der Beitrag wurde inzwischen von der Moderation "
                                       "gelöscht.")
    assert reload(Post, post.id).source == "Ursprung"


def test_post_the_author_deleted_in_another_window(app, people):
    group, author, _other, moderator = people
    post = add_reply(author, start_thread(moderator, group).thread_id, "Ursprung")
    browser = signed_in(app, author)
    version = _version(browser, post.id)
    assert signed_in(app, author).post(f"/beitraege/{post.id}/loeschen").status_code == 302

    response = _submit(browser, post, version)
    _assert_kept_for_copying(response, "Der Beitrag wurde inzwischen gelöscht.")
    assert "Moderation" not in text(response).split("Konflikt", 2)[-1].split("Zurück")[0]


def test_opening_post_of_a_thread_hidden_meanwhile_keeps_title_and_text(app, people):
    group, author, _other, moderator = people
    first = start_thread(author, group, "Titel", "Ursprung")
    browser = signed_in(app, author)
    version = _version(browser, first.id)
    response = signed_in(app, moderator).post(
        f"/moderation/themen/{first.thread_id}/ausblenden",
        data={"an": "1", "reason": "Doppelt", "expected_group_id": group.id})
    assert response.status_code == 302

    response = _submit(browser, first, version, title="Mein <neuer> Titel")
    _assert_kept_for_copying(response, "Das Thema wurde inzwischen von der Moderation "
                                       "ausgeblendet.")
    assert 'value="Mein &lt;neuer&gt; Titel" readonly' in raw(response)
    assert reload(Thread, first.thread_id).title == "Titel"


def test_thread_closed_while_its_author_edits(app, people):
    group, author, _other, moderator = people
    post = add_reply(author, start_thread(moderator, group).thread_id, "Ursprung")
    browser = signed_in(app, author)
    version = _version(browser, post.id)
    response = signed_in(app, moderator).post(
        f"/moderation/themen/{post.thread_id}/schliessen",
        data={"an": "1", "reason": "Erledigt", "expected_group_id": group.id})
    assert response.status_code == 302

    response = _submit(browser, post, version)
    _assert_kept_for_copying(response, "Das Thema wurde inzwischen geschlossen.")
    assert 'id="eingabe-titel"' not in raw(response)  # a reply has no title
    assert reload(Post, post.id).source == "Ursprung"


def test_stale_form_after_the_authors_own_edit_in_another_window(app, people):
    group, author, _other, _moderator = people
    post = start_thread(author, group, "Titel", "Ursprung")
    first_tab, second_tab = signed_in(app, author), signed_in(app, author)
    stale = _version(first_tab, post.id)
    saved = second_tab.post(f"/beitraege/{post.id}/bearbeiten", data={
        "title": "Titel", "body": "Zweites Fenster", "version": _version(second_tab, post.id)})
    assert saved.status_code == 302

    response = _submit(first_tab, post, stale)
    _assert_kept_for_copying(response, "Sie haben den Beitrag inzwischen an anderer Stelle "
                                       "geändert")
    assert "jemand anderem" not in text(response)
    assert "Beitrag bearbeiten</a>" in raw(response)
    assert reload(Post, post.id).source == "Zweites Fenster"


def test_stale_form_after_a_moderators_edit(app, people):
    group, author, _other, moderator = people
    post = start_thread(author, group, "Titel", "Ursprung")
    browser = signed_in(app, author)
    stale = _version(browser, post.id)
    mod = signed_in(app, moderator)
    assert mod.post(f"/beitraege/{post.id}/bearbeiten", data={
        "title": "Titel", "body": "Entschärft", "version": _version(mod, post.id)}
    ).status_code == 302

    response = _submit(browser, post, stale)
    _assert_kept_for_copying(response, "Der Beitrag wurde inzwischen von jemand anderem "
                                       "geändert.")
    assert reload(Post, post.id).source == "Entschärft"
    assert count_rows(PostRevision) == 1


def test_editing_someone_elses_post_stays_a_plain_refusal(app, people):
    group, author, other, _moderator = people
    post = start_thread(author, group, "Titel", "Ursprung")
    response = signed_in(app, other).post(f"/beitraege/{post.id}/bearbeiten",
                                          data={"title": "T", "body": TYPED, "version": ""})
    assert response.status_code == 403
    assert "Keine Berechtigung" in text(response) and TYPED not in text(response)
    # Even once the post is deleted: it was never theirs to edit.
    signed_in(app, author).post(f"/beitraege/{post.id}/loeschen")
    response = signed_in(app, other).post(f"/beitraege/{post.id}/bearbeiten",
                                          data={"title": "T", "body": TYPED, "version": ""})
    assert response.status_code == 403 and TYPED not in text(response)


@pytest.mark.parametrize("change", ["hidden", "moved"])
def test_reply_whose_thread_went_out_of_sight_while_its_author_edits(app, people, change):
    """The reply's author cannot read the thread any more (hidden; moved into a closed group
    they are not in): their text is kept, and nothing says where the thread is now."""
    group, author, _other, moderator = people
    thread_id = start_thread(moderator, group, "Offenes Thema").thread_id
    post = add_reply(author, thread_id, "Ursprung")
    browser = signed_in(app, author)
    version = _version(browser, post.id)
    if change == "hidden":
        thread = reload(Thread, thread_id)
        thread.is_hidden = True
    else:
        secret = make_group(name="Arbeitskreis Geheim", closed=True, members=[moderator])
        thread = reload(Thread, thread_id)
        thread.group_id, thread.title = secret.id, "Geheimer neuer Titel"
    from sozialplanung.extensions import db
    db.session.commit()

    response = browser.post(f"/beitraege/{post.id}/bearbeiten",
                            data={"body": TYPED, "version": version})
    _assert_kept_for_copying(response, "Das Thema ist für Sie nicht mehr sichtbar")
    page = raw(response)
    assert "Geheim" not in page and "Offenes Thema" not in page
    assert reload(Post, post.id).source == "Ursprung"
    # Someone else trying the same address learns nothing: 404 as before.
    assert signed_in(app, _other).post(f"/beitraege/{post.id}/bearbeiten",
                                       data={"body": "x", "version": version}).status_code == 404
    assert browser.get(f"/beitraege/{post.id}/bearbeiten").status_code == 404
