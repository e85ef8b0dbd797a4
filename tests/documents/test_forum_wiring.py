"""The forum's post forms with attachments, end to end. Skipped until forum/services.py
passes attachments through (start_thread(..., attachments=...)); see the documents report."""
import inspect
import io

import pytest
from sqlalchemy import func, select

from sozialplanung.documents.models import PostAttachment
from sozialplanung.extensions import db
from sozialplanung.forum import services as forum_services
from sozialplanung.forum.models import Post, Thread

from . import samples
from .conftest import add_document, count_queries, counts, stored_files

pytestmark = pytest.mark.skipif(
    "attachments" not in inspect.signature(forum_services.start_thread).parameters,
    reason="Forum noch nicht mit Anhängen verdrahtet")


def test_new_thread_with_upload_and_pick(as_user, people, open_group, storage_dir):
    library_doc = add_document(people["other"], open_group, title="Leitfaden")
    client = as_user(people["member"])
    url = f"/arbeitskreise/{open_group.slug}/neues-thema"
    html = client.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "Leitfaden" in html
    response = client.post(url, data={
        "title": "Bericht", "body": "Siehe Anhang", "submission_key": "k1",
        "anhaenge": [(io.BytesIO(samples.pdf()), "Entwurf.pdf")],
        "bibliothek": [str(library_doc.id)]}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    thread = db.session.scalars(select(Thread)).one()
    page = client.get(f"/themen/{thread.id}").get_data(as_text=True)
    assert "Entwurf.pdf" in page and "Sozialbericht.pdf" in page and "(PDF, " in page
    # double submit of the same form: no second post, no second attachment
    client.post(url, data={"title": "Bericht", "body": "Siehe Anhang", "submission_key": "k1",
                           "anhaenge": [(io.BytesIO(samples.pdf()), "Entwurf.pdf")]},
                content_type="multipart/form-data")
    assert db.session.scalar(select(func.count()).select_from(PostAttachment)) == 2


def test_refused_attachment_keeps_the_form_and_writes_nothing(as_user, people, open_group,
                                                              storage_dir):
    client = as_user(people["member"])
    response = client.post(f"/arbeitskreise/{open_group.slug}/neues-thema", data={
        "title": "Bericht", "body": "Text", "submission_key": "k2",
        "anhaenge": [(io.BytesIO(samples.HTML), "bericht.pdf")]},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="anhaenge-error" role="alert"' in html
    assert "Bericht" in html and "Text" in html
    assert db.session.scalar(select(func.count()).select_from(Post)) == 0
    assert counts() == (0, 0, 0) and stored_files(storage_dir) == ([], [])


def test_reply_with_attachment_and_constant_queries(as_user, people, open_group):
    client = as_user(people["member"])
    client.post(f"/arbeitskreise/{open_group.slug}/neues-thema",
                data={"title": "T", "body": "Start", "submission_key": "s"},
                content_type="multipart/form-data")
    thread = db.session.scalars(select(Thread)).one()
    thread_id = thread.id
    url = f"/themen/{thread_id}"
    client.get(url)
    db.session.expunge_all()
    with count_queries() as few:
        client.get(url)
    for n in range(5):
        response = client.post(f"/themen/{thread_id}/antworten", data={
            "body": f"Antwort {n}", "submission_key": f"r{n}",
            "anhaenge": [(io.BytesIO(samples.txt(f"Datei {n}")), f"Datei {n}.txt"),
                         (io.BytesIO(samples.csv(f"x{n}")), f"Tabelle {n}.csv")]},
            content_type="multipart/form-data")
        assert response.status_code == 302
    client.get(url)
    db.session.expunge_all()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert "Datei 4.txt" in page and "Tabelle 0.csv" in page
    assert len(many) == len(few), "\n\n".join(many)
