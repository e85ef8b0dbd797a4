"""Files on forum posts: upload with the post or pick from the group's library, in the post's
own transaction; the partials; the one-query loader; the attachment page of a post."""
import io
import re

import pytest
from flask import render_template
from sqlalchemy import select

from sozialplanung.documents import queries
from sozialplanung.documents.attachments import (AttachmentInput, add_attachments,
                                                 attachment_batch, remove_attachment)
from sozialplanung.documents.models import Document, PostAttachment
from sozialplanung.errors import NotFound, PermissionDenied, ValidationError
from sozialplanung.extensions import db
from sozialplanung.forum import services as forum
from sozialplanung.forum.models import Post, Thread
from sozialplanung.groups.models import Membership
from sozialplanung.timeutil import utcnow

from ..factories import make_group, make_user
from . import samples
from .conftest import (FakeUpload, add_document, count_queries, counts, fresh_g,
                       stored_files)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        fresh_g()
        yield


@pytest.fixture
def thread_post(people, open_group, ctx):
    return forum.start_thread(people["member"], open_group, "Sozialbericht 2025",
                              "Anbei der Entwurf.")


def write_post_with(actor, group, attachments, fail=False):
    """What the forum's start_thread does once wired (see the report): check the attachments,
    write thread and post, attach, commit, all in one transaction."""
    with attachment_batch(actor, group, attachments) as batch:
        now = utcnow()
        thread = Thread(group_id=group.id, title="Mit Anhang", author_id=actor.id,
                        created_at=now, last_post_at=now, post_count=1)
        db.session.add(thread)
        db.session.flush()
        post = Post(thread_id=thread.id, number=1, author_id=actor.id, source="Text",
                    html="<p>Text</p>", created_at=now)
        post.thread = thread
        db.session.add(post)
        db.session.flush()
        batch.attach_to(post)
        if fail:
            raise RuntimeError("Fehler nach dem Anhängen")
        db.session.commit()
    return post


def test_upload_and_pick_in_the_posts_transaction(people, open_group, storage_dir, ctx):
    library_doc = add_document(people["other"], open_group, title="Vorlage Bedarfsanalyse",
                               filename="Vorlage.docx", data=samples.docx())
    post = write_post_with(people["member"], open_group, AttachmentInput(
        [FakeUpload("Entwurf März.pdf", samples.pdf()), FakeUpload("Daten.csv", samples.csv())],
        [library_doc.id]))
    attachments = queries.attachments_for_posts([post.id])[post.id]
    names = [a.version.filename for a in attachments]
    assert names == ["Entwurf März.pdf", "Daten.csv", "Vorlage.docx"]
    uploaded = attachments[0].version.document
    assert (uploaded.in_library, uploaded.group_id, uploaded.title) == (
        False, open_group.id, "Entwurf März")
    assert [d.title for d in queries.library_page(people["member"], open_group).items] == [
        "Vorlage Bedarfsanalyse"]
    assert len(stored_files(storage_dir)[0]) == 3 and stored_files(storage_dir)[1] == []


def test_a_failure_in_the_post_transaction_keeps_nothing(people, open_group, storage_dir, ctx):
    with pytest.raises(RuntimeError):
        write_post_with(people["member"], open_group,
                        AttachmentInput([FakeUpload("a.pdf", samples.pdf())]), fail=True)
    assert counts() == (0, 0, 0)
    assert db.session.scalar(select(Post.id)) is None
    assert stored_files(storage_dir) == ([], [])


def test_a_refused_file_stops_the_post_before_anything_is_written(people, open_group,
                                                                  storage_dir, ctx):
    with pytest.raises(ValidationError) as refused:
        write_post_with(people["member"], open_group, AttachmentInput(
            [FakeUpload("ok.pdf", samples.pdf()), FakeUpload("boese.pdf", samples.HTML)]))
    assert "boese.pdf" in refused.value.errors["anhaenge"]
    assert counts() == (0, 0, 0) and db.session.scalar(select(Post.id)) is None
    assert stored_files(storage_dir) == ([], [])


@pytest.mark.parametrize("case", ["other group", "deleted", "unlisted", "unknown"])
def test_only_documents_of_the_groups_library_can_be_picked(people, open_group, closed_group,
                                                            ctx, case):
    group = closed_group if case == "other group" else open_group
    document = add_document(people["member"], group)
    if case == "deleted":
        document.is_deleted = True
    if case == "unlisted":
        document.in_library = False
    db.session.commit()
    picked = [999_999 if case == "unknown" else document.id]
    with pytest.raises(ValidationError) as refused:
        write_post_with(people["member"], open_group, AttachmentInput([], picked))
    assert "Bibliothek" in refused.value.message


def test_attachment_count_is_limited(app, people, open_group, ctx):
    app.config["DOCUMENT_MAX_ATTACHMENTS"] = 2
    try:
        with pytest.raises(ValidationError) as refused:
            write_post_with(people["member"], open_group, AttachmentInput(
                [FakeUpload(f"{n}.txt", samples.txt(f"Datei {n}")) for n in range(3)]))
    finally:
        app.config["DOCUMENT_MAX_ATTACHMENTS"] = 5
    assert "höchstens 2" in refused.value.message


def test_add_and_remove_on_an_existing_post(people, open_group, thread_post, ctx):
    library_doc = add_document(people["member"], open_group)
    add_attachments(people["member"], thread_post, AttachmentInput(
        [FakeUpload("Nachtrag.txt", samples.txt())], [library_doc.id]))
    # Picking the same document again adds nothing.
    add_attachments(people["member"], thread_post, AttachmentInput([], [library_doc.id]))
    attachments = queries.attachments_for_posts([thread_post.id])[thread_post.id]
    assert [a.version.filename for a in attachments] == ["Nachtrag.txt", "Sozialbericht.pdf"]
    uploaded = attachments[0].version.document
    remove_attachment(people["member"], thread_post, attachments[0].id)
    remove_attachment(people["member"], thread_post, attachments[1].id)
    assert queries.attachments_for_posts([thread_post.id]) == {}
    db.session.refresh(uploaded)
    db.session.refresh(library_doc)
    assert uploaded.is_deleted and not library_doc.is_deleted


@pytest.mark.parametrize("who, error", [("other", PermissionDenied), ("outsider", PermissionDenied),
                                        ("moderator", None)])
def test_who_may_attach(people, open_group, thread_post, ctx, who, error):
    attachments = AttachmentInput([FakeUpload("a.txt", samples.txt())])
    if error:
        with pytest.raises(error):
            add_attachments(people[who], thread_post, attachments)
    else:
        add_attachments(people[who], thread_post, attachments)


def test_closed_group_posts_are_not_found_for_outsiders(people, closed_group, ctx):
    post = forum.start_thread(people["member"], closed_group, "Intern", "Text")
    with pytest.raises(NotFound):
        add_attachments(people["outsider"], post,
                        AttachmentInput([FakeUpload("a.txt", samples.txt())]))


def test_loader_uses_one_query_for_a_page_of_posts(people, open_group, ctx):
    posts = []
    for n in range(6):
        posts.append(write_post_with(people["member"], open_group, AttachmentInput(
            [FakeUpload(f"Anlage {n}.txt", samples.txt(f"Anlage {n}")),
             FakeUpload(f"Tabelle {n}.csv", samples.csv(f"Zeile {n}"))])))
    deleted = queries.attachments_for_posts([posts[0].id])[posts[0].id][0].version.document
    deleted.is_deleted = True
    db.session.commit()
    post_ids = [p.id for p in posts] + [999_999]
    db.session.expunge_all()
    with count_queries() as statements:
        found = queries.attachments_for_posts(post_ids)
        names = [a.version.filename for rows in found.values() for a in rows]
        sizes = [a.version.size for rows in found.values() for a in rows]
        deleted_flags = [a.version.document.is_deleted for rows in found.values() for a in rows]
    assert len(statements) == 1
    assert len(names) == 11 and "Anlage 0.txt" not in names and all(sizes)
    assert not any(deleted_flags)


def test_attachments_partial_renders_links_with_name_type_and_size(people, open_group, ctx):
    post = write_post_with(people["member"], open_group, AttachmentInput(
        [FakeUpload("Übersicht <März>.pdf", samples.pdf())]))
    html = render_template("documents/_attachments.html", post=post,
                           post_attachments=queries.attachments_for_posts([post.id])[post.id])
    version = queries.attachments_for_posts([post.id])[post.id][0].version
    assert (f'href="/dokumente/{version.document_id}/versionen/1/herunterladen"') in html
    assert "Übersicht _März_.pdf" in html and "(PDF, " in html
    assert re.search(r"\(PDF, \d+(,\d)? (KB|Bytes)\)", html)
    assert "<März>" not in html
    assert render_template("documents/_attachments.html", post=post,
                           post_attachments=[]).strip() == ""


def test_attach_field_partial_is_accessible(people, open_group, ctx):
    document = add_document(people["member"], open_group, title="Vorlage Protokoll")
    html = render_template("documents/_attach_field.html",
                           attach_choices=queries.attach_choices(people["member"], open_group),
                           attach_error="„x.exe“: Programme werden nicht angenommen.",
                           attach_selected=[str(document.id)])
    assert "<fieldset" in html and "<legend>Anhänge (optional)</legend>" in html
    assert '<label for="anhaenge">Dateien hochladen</label>' in html
    assert 'type="file" id="anhaenge" name="anhaenge" multiple' in html
    assert 'aria-describedby="anhaenge-hint anhaenge-error"' in html
    assert 'id="anhaenge-error" role="alert"' in html
    assert f'id="bibliothek-{document.id}" name="bibliothek" value="{document.id}" checked' in html
    assert f'<label for="bibliothek-{document.id}">Vorlage Protokoll' in html
    plain = render_template("documents/_attach_field.html", attach_choices=[])
    assert "role=\"alert\"" not in plain and "bibliothek" not in plain


def test_attachment_input_reads_a_request(app):
    data = {"anhaenge": [(io.BytesIO(b"a"), "a.txt"), (io.BytesIO(b""), "")],
            "bibliothek": ["3", "x", "3", "4"]}
    with app.test_request_context("/", method="POST", data=data,
                                  content_type="multipart/form-data"):
        from flask import request

        parsed = AttachmentInput.from_request(request)
    assert [u.filename for u in parsed.uploads] == ["a.txt"] and parsed.picked_ids == [3, 4]
    assert not AttachmentInput()


# --- the attachment page of a post, through the HTTP client ------------------------------

def test_author_attaches_through_the_page(as_user, people, open_group, thread_post):
    library_doc = add_document(people["other"], open_group, title="Leitfaden")
    client = as_user(people["member"])
    url = f"/beitraege/{thread_post.id}/anhaenge"
    html = client.get(url).get_data(as_text=True)
    assert "Leitfaden" in html and 'enctype="multipart/form-data"' in html
    response = client.post(url, data={"anhaenge": [(io.BytesIO(samples.pdf()), "Entwurf.pdf")],
                                      "bibliothek": [str(library_doc.id)]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Entwurf.pdf" in html and "Sozialbericht.pdf" in html
    attachment = db.session.scalars(select(PostAttachment).order_by(PostAttachment.id)).first()
    assert client.post(f"{url}/{attachment.id}/entfernen").status_code == 302
    assert counts()[2] == 1


def test_refused_attachment_shows_the_reason(as_user, people, open_group, thread_post):
    response = as_user(people["member"]).post(
        f"/beitraege/{thread_post.id}/anhaenge",
        data={"anhaenge": [(io.BytesIO(samples.SVG), "karte.svg")]},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'role="alert"' in html and "karte.svg" in html
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("who, expected", [("other", 403), ("outsider", 403),
                                           ("moderator", 200)])
def test_attachment_page_access_in_an_open_group(as_user, people, thread_post, who, expected):
    assert as_user(people[who]).get(f"/beitraege/{thread_post.id}/anhaenge").status_code == expected


def test_attachments_of_closed_group_posts_are_404_for_outsiders(as_user, people,
                                                                 closed_group, app):
    with app.test_request_context():
        post = forum.start_thread(people["member"], closed_group, "Intern", "Text")
        add_attachments(people["member"], post,
                        AttachmentInput([FakeUpload("intern.pdf", samples.pdf())]))
    document = db.session.scalars(select(Document)).one()
    client = as_user(people["outsider"])
    for url in (f"/beitraege/{post.id}/anhaenge",
                f"/dokumente/{document.id}/versionen/1/herunterladen",
                f"/dokumente/{document.id}/herunterladen"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/beitraege/{post.id}/anhaenge/1/entfernen").status_code == 404
    assert as_user(people["other"]).get(
        f"/dokumente/{document.id}/versionen/1/herunterladen").status_code == 200


# --- files uploaded with a post belong to the post ------------------------------------------

def _post_with_file(app, author, group, title="Mit Datei"):
    with app.test_request_context():
        fresh_g()
        post = forum.start_thread(author, group, title, "Siehe Anhang.")
        add_attachments(author, post, AttachmentInput([FakeUpload("anhang.pdf", samples.pdf())]))
    document = db.session.scalars(select(Document).where(Document.in_library.is_(False))).one()
    return post, document


def _opens(client, document):
    urls = (f"/dokumente/{document.id}", f"/dokumente/{document.id}/herunterladen",
            f"/dokumente/{document.id}/versionen/1/herunterladen")
    codes = {client.get(url).status_code for url in urls}
    assert len(codes) == 1, codes
    return codes.pop() == 200


@pytest.mark.parametrize("how", ["move", "merge"])
def test_a_file_follows_its_thread_into_a_closed_group(app, as_user, people, open_group,
                                                       closed_group, how):
    from sozialplanung.moderation import services as moderation

    reader = make_user(display_name="Rita Leserin")
    make_group(name="Arbeitskreis Offen Zwei", members=[reader])
    db.session.add(Membership(user_id=reader.id, group_id=open_group.id))
    db.session.commit()
    post, document = _post_with_file(app, people["member"], open_group)
    assert _opens(as_user(reader), document)

    site_moderator = people["site_moderator"]
    with app.test_request_context():
        fresh_g()
        if how == "move":
            moderation.move_thread(site_moderator, post.thread_id, closed_group.id)
        else:
            target = forum.start_thread(people["other"], closed_group, "Intern", "Text")
            moderation.merge_threads(site_moderator, post.thread_id, target.thread_id)

    assert not _opens(as_user(reader), document)           # not in the closed group
    assert _opens(as_user(people["other"]), document)      # a member of it
    assert db.session.get(Document, document.id).group_id == closed_group.id


def test_a_file_leaves_with_its_thread_for_an_open_group(app, as_user, people, open_group,
                                                         closed_group):
    from sozialplanung.moderation import services as moderation

    reader = make_user(display_name="Rita Leserin")
    db.session.add(Membership(user_id=reader.id, group_id=open_group.id))
    db.session.commit()
    post, document = _post_with_file(app, people["member"], closed_group)
    assert not _opens(as_user(reader), document)
    with app.test_request_context():
        fresh_g()
        moderation.move_thread(people["site_moderator"], post.thread_id, open_group.id)
    assert _opens(as_user(reader), document)   # the link under the post works for its readers


def test_files_of_a_hidden_or_deleted_post_are_closed_to_other_members(app, as_user, people,
                                                                       open_group):
    from sozialplanung.moderation import services as moderation

    post, document = _post_with_file(app, people["member"], open_group)
    assert _opens(as_user(people["other"]), document)
    with app.test_request_context():
        fresh_g()
        moderation.set_post_hidden(people["moderator"], post.id, True, reason="Datenschutz")
    assert not _opens(as_user(people["other"]), document)
    assert _opens(as_user(people["member"]), document)      # the author learns why
    assert _opens(as_user(people["moderator"]), document)

    with app.test_request_context():
        fresh_g()
        moderation.set_post_hidden(people["moderator"], post.id, False)
        forum.delete_post(people["member"], db.session.get(Post, post.id))
    assert not _opens(as_user(people["other"]), document)
    assert not _opens(as_user(people["member"]), document)
    assert _opens(as_user(people["moderator"]), document)


def test_a_post_files_page_promises_neither_library_nor_search(app, as_user, people, open_group):
    _post, document = _post_with_file(app, people["member"], open_group)
    html = as_user(people["other"]).get(f"/dokumente/{document.id}").get_data(as_text=True)
    assert "Diese Datei wurde mit einem Forenbeitrag hochgeladen" in html
    assert "Volltextsuche" not in html and "<dt>Bibliothek</dt>" not in html


def test_a_hidden_posts_file_cannot_be_changed_by_its_author(app, as_user, people, open_group):
    from sozialplanung.moderation import services as moderation

    post, document = _post_with_file(app, people["member"], open_group)
    author = as_user(people["member"])
    assert author.get(f"/dokumente/{document.id}/neue-version").status_code == 200
    with app.test_request_context():
        fresh_g()
        moderation.set_post_hidden(people["moderator"], post.id, True, reason="Datenschutz")
    author = as_user(people["member"])
    for url in (f"/dokumente/{document.id}/neue-version", f"/dokumente/{document.id}/bearbeiten"):
        assert author.get(url).status_code == 403, url
    assert author.post(f"/dokumente/{document.id}/bearbeiten",
                       data={"title": "Neu", "category": "bericht"}).status_code == 403
    assert as_user(people["moderator"]).get(
        f"/dokumente/{document.id}/bearbeiten").status_code == 200
