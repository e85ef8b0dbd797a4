"""Uploading through the HTTP client: each allowed type, each refused type, size limits,
interrupted uploads; nothing half-stored is ever left behind."""
import io

import pytest
from sqlalchemy import select

from sozialplanung.documents.models import Document, DocumentVersion
from sozialplanung.extensions import db

from ..conftest import login
from . import samples
from .conftest import counts, post_upload, stored_files, upload_url


@pytest.mark.parametrize("filename, make, media_type, word", samples.ALLOWED,
                         ids=[s[0] for s in samples.ALLOWED])
def test_member_uploads_each_allowed_type(with_extraction, as_user, people, open_group,
                                          storage_dir, filename, make, media_type, word):
    client = as_user(people["member"])
    data = make()
    response = post_upload(client, open_group, filename, data, title="Mein Dokument",
                           tags="Demografie, pflege; Demografie")
    assert response.status_code == 302, response.get_data(as_text=True)
    document = db.session.scalars(select(Document)).one()
    version = document.current_version
    assert (document.title, document.group_id, document.tags) == (
        "Mein Dokument", open_group.id, ["demografie", "pflege"])
    assert (version.number, version.filename, version.media_type, version.size) == (
        1, filename, media_type, len(data))
    assert version.uploaded_by_id == people["member"].id
    if word:
        assert version.extraction_status == "ok" and word in version.extracted_text
    else:
        assert version.extraction_status == "skipped"
    blobs, staging = stored_files(storage_dir)
    assert blobs == [version.blob_key] and staging == []
    assert response.headers["Location"].endswith(f"/dokumente/{document.id}")


@pytest.mark.parametrize("filename, data, phrase", samples.REFUSED,
                         ids=[s[0] for s in samples.REFUSED])
def test_refused_types_leave_no_record_and_no_file(as_user, people, open_group, storage_dir,
                                                   filename, data, phrase):
    client = as_user(people["member"])
    response = post_upload(client, open_group, filename, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert phrase in html and 'role="alert"' in html
    assert 'aria-describedby="file-hint file-error"' in html
    assert counts() == (0, 0, 0)
    assert stored_files(storage_dir) == ([], [])


def test_title_defaults_to_the_file_name(as_user, people, open_group):
    post_upload(as_user(people["member"]), open_group, "Sozialbericht Jena 2025.pdf",
                samples.pdf())
    assert db.session.scalar(select(Document.title)) == "Sozialbericht Jena 2025"


def test_original_name_is_kept_for_display_only(as_user, people, open_group, storage_dir):
    post_upload(as_user(people["member"]), open_group, "../../Übersicht März.pdf", samples.pdf())
    version = db.session.scalars(select(DocumentVersion)).one()
    assert version.filename == "Übersicht März.pdf"
    blob = stored_files(storage_dir)[0][0]
    assert blob == version.blob_key and len(blob) == 64


def test_identical_files_are_stored_once(as_user, people, open_group, storage_dir):
    client = as_user(people["member"])
    data = samples.pdf()
    post_upload(client, open_group, "a.pdf", data)
    post_upload(client, open_group, "b.pdf", data)
    keys = db.session.scalars(select(DocumentVersion.blob_key)).all()
    assert len(keys) == 2 and keys[0] == keys[1]
    assert stored_files(storage_dir)[0] == [keys[0]]


def test_missing_file_and_bad_metadata_are_explained(as_user, people, open_group):
    client = as_user(people["member"])
    response = client.post(upload_url(open_group), data={"title": "x", "category": "bericht"},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Bitte wählen Sie eine Datei aus." in response.get_data(as_text=True)
    response = post_upload(client, open_group, "a.pdf", samples.pdf(), category="geheim",
                           tags=", ".join(f"t{i}" for i in range(11)))
    assert response.status_code == 400 and counts() == (0, 0, 0)


def test_oversize_request_gets_a_friendly_413_page(app, as_user, people, open_group, storage_dir):
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024
    response = post_upload(as_user(people["member"]), open_group, "gross.pdf",
                           samples.pdf() + b"0" * 200 * 1024)
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Datei zu groß" in html and "100 KB" in html and "Zurück zum Formular" in html
    assert counts() == (0, 0, 0) and stored_files(storage_dir) == ([], [])


def test_file_limit_applies_while_streaming(app, as_user, people, open_group, storage_dir):
    app.config["DOCUMENT_MAX_BYTES"] = 64 * 1024
    response = post_upload(as_user(people["member"]), open_group, "gross.csv",
                           b"a;b\n" * 40_000)
    assert response.status_code == 400
    assert "größer als die erlaubten 64 KB" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0) and stored_files(storage_dir) == ([], [])


def test_interrupted_upload_leaves_nothing(as_user, people, open_group, storage_dir):
    """The client announces more bytes than it sends (a dropped connection)."""
    client = as_user(people["member"])
    boundary = "grenze"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nbericht\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"abbruch.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    body += samples.pdf()[:200]
    response = client.post(upload_url(open_group), input_stream=io.BytesIO(body),
                           content_type=f"multipart/form-data; boundary={boundary}",
                           headers={"Content-Length": str(len(body) + 50_000)})
    assert response.status_code == 400
    assert counts() == (0, 0, 0) and stored_files(storage_dir) == ([], [])


def test_failure_after_storing_removes_the_new_blob(monkeypatch, people, open_group, storage_dir):
    from sozialplanung.documents import services

    from .conftest import FakeUpload

    def broken_commit():
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(services.db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        services.upload_document(people["member"], open_group, FakeUpload("a.pdf", samples.pdf()))
    monkeypatch.undo()
    assert counts() == (0, 0, 0) and stored_files(storage_dir) == ([], [])


def test_failure_keeps_a_blob_that_other_versions_use(monkeypatch, people, open_group,
                                                      storage_dir):
    from sozialplanung.documents import services

    from .conftest import FakeUpload, add_document

    existing = add_document(people["member"], open_group, data=samples.pdf())
    monkeypatch.setattr(services.db.session, "commit", lambda: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        services.upload_document(people["member"], open_group, FakeUpload("b.pdf", samples.pdf()))
    monkeypatch.undo()
    assert stored_files(storage_dir)[0] == [existing.current_version.blob_key]


@pytest.mark.parametrize("who, group_fixture, expected", [
    ("member", "open_group", 200),
    ("outsider", "open_group", 403),      # may read an open group, but not post there
    ("outsider", "closed_group", 404),    # a closed group's library does not exist for them
    ("site_moderator", "closed_group", 200),
])
def test_who_may_open_the_upload_form(request, as_user, people, who, group_fixture, expected):
    group = request.getfixturevalue(group_fixture)
    assert as_user(people[who]).get(upload_url(group)).status_code == expected


@pytest.mark.parametrize("who, expected", [("member", 403), ("moderator", 403),
                                           ("editor", 302), ("admin", 302)])
def test_platform_library_is_maintained_by_editors_and_admins(as_user, people, who, expected):
    response = post_upload(as_user(people[who]), None, "Arbeitshilfe.pdf", samples.pdf(),
                           category="arbeitshilfe")
    assert response.status_code == expected


def test_archived_group_takes_no_uploads(as_user, people, open_group):
    open_group.is_archived = True
    db.session.commit()
    response = post_upload(as_user(people["member"]), open_group, "a.pdf", samples.pdf())
    assert response.status_code == 403 and counts() == (0, 0, 0)


def test_upload_form_is_accessible_and_works_without_javascript(as_user, people, open_group):
    html = as_user(people["member"]).get(upload_url(open_group)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="file">' in html and 'accept=".pdf,.docx' in html
    assert 'name="csrf_token"' in html
    assert "upload-progress.js" in html and "<script>" not in html


def test_oversize_page_also_when_the_csrf_check_reads_the_body(app, csrf_client, people,
                                                                open_group):
    app.config["WTF_CSRF_ENABLED"] = False      # sign in without a token, then switch it on
    login(csrf_client, people["member"])
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024
    response = post_upload(csrf_client, open_group, "gross.pdf", b"%PDF-" + b"0" * 200 * 1024)
    assert response.status_code == 413
    assert "Zurück zum Formular" in response.get_data(as_text=True)
