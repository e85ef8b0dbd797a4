"""Downloads: checked on every request, attachment disposition with the original name,
nosniff, the right type, conditional and range requests."""
import pytest
from sqlalchemy import select

from sozialplanung.documents.models import DocumentVersion
from sozialplanung.extensions import db

from . import samples
from .conftest import add_document


def urls(document):
    return [f"/dokumente/{document.id}", f"/dokumente/{document.id}/herunterladen",
            f"/dokumente/{document.id}/versionen/1/herunterladen"]


@pytest.mark.parametrize("who, expected", [("member", 200), ("moderator", 200),
                                           ("site_moderator", 200), ("admin", 200),
                                           ("outsider", 404), ("editor", 404)])
def test_closed_group_documents_are_404_for_non_members(as_user, people, closed_group, who,
                                                        expected):
    document = add_document(people["member"], closed_group)
    client = as_user(people[who])
    for url in urls(document) + [f"/dokumente/{document.id}/neue-version",
                                 f"/dokumente/{document.id}/bearbeiten",
                                 f"/dokumente/{document.id}/loeschen",
                                 f"/arbeitskreise/{closed_group.slug}/dokumente"]:
        status = client.get(url).status_code
        assert (status == 404) == (expected == 404), (url, status)


def test_anonymous_visitors_are_sent_to_sign_in(client, people, open_group):
    document = add_document(people["member"], open_group)
    for url in urls(document) + ["/dokumente/", f"/arbeitskreise/{open_group.slug}/dokumente"]:
        response = client.get(url)
        assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_open_group_and_platform_documents_are_readable_by_every_member(as_user, people,
                                                                         open_group):
    group_doc = add_document(people["member"], open_group)
    institute_doc = add_document(people["editor"], None, filename="Leitfaden.pdf")
    client = as_user(people["outsider"])
    for url in urls(group_doc) + urls(institute_doc):
        assert client.get(url).status_code == 200, url


def test_download_headers(as_user, people, open_group):
    data = samples.pdf()
    document = add_document(people["member"], open_group, filename="Übersicht März 2025.pdf",
                            data=data)
    response = as_user(people["other"]).get(f"/dokumente/{document.id}/herunterladen")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz%202025.pdf" in disposition
    assert 'filename="Ubersicht Marz 2025.pdf"' in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["ETag"] == f'"{document.current_version.blob_key}"'


def test_text_files_are_served_as_attachments_not_rendered(as_user, people, open_group):
    document = add_document(people["member"], open_group, filename="notizen.txt",
                            data=samples.txt())
    response = as_user(people["member"]).get(f"/dokumente/{document.id}/herunterladen")
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_conditional_and_range_requests(as_user, people, open_group):
    data = samples.pdf(pages=3)
    document = add_document(people["member"], open_group, data=data)
    client = as_user(people["member"])
    url = f"/dokumente/{document.id}/herunterladen"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    partial = client.get(url, headers={"Range": "bytes=10-19"})
    assert partial.status_code == 206 and partial.data == data[10:20]
    assert partial.headers["Content-Range"] == f"bytes 10-19/{len(data)}"


def test_unknown_version_and_deleted_document_are_404(as_user, people, open_group):
    from sozialplanung.documents import services

    document = add_document(people["member"], open_group)
    client = as_user(people["member"])
    assert client.get(f"/dokumente/{document.id}/versionen/2/herunterladen").status_code == 404
    assert client.get("/dokumente/999999/herunterladen").status_code == 404
    services.delete_document(people["member"], document)
    for url in urls(document):
        assert client.get(url).status_code == 404


def test_a_missing_blob_is_a_404_and_logged(as_user, people, open_group, storage_dir, caplog,
                                            monkeypatch):
    from sozialplanung.documents import views

    # Alembic's fileConfig() in migrations/env.py disables loggers that existed before it ran.
    monkeypatch.setattr(views.log, "disabled", False)
    document = add_document(people["member"], open_group)
    key = db.session.scalar(select(DocumentVersion.blob_key))
    (storage_dir / "blobs" / key[:2] / key[2:4] / key).unlink()
    response = as_user(people["member"]).get(f"/dokumente/{document.id}/herunterladen")
    assert response.status_code == 404 and "is missing" in caplog.text
