"""Library pages, version history, metadata, soft delete with audit entry; constant queries."""
import pytest
from sqlalchemy import select

from sozialplanung.admin.models import AuditLog
from sozialplanung.documents import queries, services
from sozialplanung.documents.models import Document
from sozialplanung.extensions import db

from . import samples
from .conftest import FakeUpload, add_document, count_queries


def test_new_version_with_change_note_and_history(as_user, people, open_group):
    first = samples.pdf("Erste Fassung")
    second = samples.docx("Zweite Fassung")
    document = add_document(people["member"], open_group, data=first, title="Sozialbericht")
    client = as_user(people["member"])
    response = client.post(f"/dokumente/{document.id}/neue-version",
                           data={"file": (__import__("io").BytesIO(second), "Bericht v2.docx"),
                                 "change_note": "Zahlen 2025 ergänzt"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(document)
    assert document.version_count == 2 and document.current_version.number == 2
    html = client.get(f"/dokumente/{document.id}").get_data(as_text=True)
    assert "Zahlen 2025 ergänzt" in html and "Bericht v2.docx" in html
    assert "Sozialbericht.pdf" in html and "Anna Meier" in html
    assert "Word (DOCX)" in html and "PDF" in html
    old = client.get(f"/dokumente/{document.id}/versionen/1/herunterladen")
    new = client.get(f"/dokumente/{document.id}/herunterladen")
    assert old.data == first and new.data == second


@pytest.mark.parametrize("who, may_edit, may_delete", [
    ("member", True, True),            # the uploader
    ("other", False, False),           # another member of the group
    ("moderator", True, True),         # the group's moderator
    ("site_moderator", True, True),
    ("admin", True, True),
    ("outsider", False, False),
])
def test_who_may_change_a_document(as_user, people, open_group, who, may_edit, may_delete):
    document = add_document(people["member"], open_group)
    client = as_user(people[who])
    edit = client.post(f"/dokumente/{document.id}/bearbeiten",
                       data={"title": "Neu", "description": "", "category": "vorlage",
                             "tags": ""})
    assert edit.status_code == (302 if may_edit else 403)
    delete = client.post(f"/dokumente/{document.id}/loeschen")
    assert delete.status_code == (302 if may_delete else 403)


def test_edit_metadata_and_tags(as_user, people, open_group):
    document = add_document(people["member"], open_group, tags="alt, bleibt")
    response = as_user(people["member"]).post(
        f"/dokumente/{document.id}/bearbeiten",
        data={"title": "  Neuer   Titel ", "description": "Kurzfassung", "category": "vorlage",
              "tags": "Bleibt, neu"})
    assert response.status_code == 302
    db.session.refresh(document)
    assert (document.title, document.description, document.category, document.tags) == (
        "Neuer Titel", "Kurzfassung", "vorlage", ["bleibt", "neu"])


def test_edit_refuses_empty_title_with_accessible_error(as_user, people, open_group):
    document = add_document(people["member"], open_group)
    response = as_user(people["member"]).post(
        f"/dokumente/{document.id}/bearbeiten",
        data={"title": "", "description": "", "category": "vorlage", "tags": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="title-error" role="alert"' in html and 'aria-invalid="true"' in html


def test_soft_delete_writes_the_audit_log(as_user, people, open_group, storage_dir):
    document = add_document(people["member"], open_group, title="Alter Bericht")
    client = as_user(people["moderator"])
    assert "Dokument löschen" in client.get(f"/dokumente/{document.id}/loeschen").get_data(
        as_text=True)
    response = client.post(f"/dokumente/{document.id}/loeschen")
    assert response.headers["Location"].endswith(f"/arbeitskreise/{open_group.slug}/dokumente")
    db.session.refresh(document)
    assert document.is_deleted and document.deleted_by_id == people["moderator"].id
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "document_deleted")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.summary) == (
        people["moderator"].id, "Document", document.id, "Alter Bericht")
    # The file stays (soft delete); the document is gone from lists.
    assert len(list((storage_dir / "blobs").glob("??/??/*"))) == 1
    html = client.get(f"/arbeitskreise/{open_group.slug}/dokumente").get_data(as_text=True)
    assert ">Alter Bericht</a>" not in html and "Hier gibt es noch keine Dokumente" in html


def test_archived_group_library_is_read_only(as_user, people, open_group):
    document = add_document(people["member"], open_group)
    open_group.is_archived = True
    db.session.commit()
    client = as_user(people["member"])
    assert client.get(f"/dokumente/{document.id}/herunterladen").status_code == 200
    assert client.get(f"/dokumente/{document.id}/neue-version").status_code == 403
    assert client.post(f"/dokumente/{document.id}/loeschen").status_code == 403
    assert as_user(people["admin"]).post(f"/dokumente/{document.id}/loeschen").status_code == 302


def _library(actor, group, **filters):
    return [d.title for d in queries.library_page(actor, group, **filters).items]


def test_library_filters_and_sorts(app, people, open_group):
    member = people["member"]
    add_document(member, open_group, title="Cäsar", category="bericht", tags="Pflege")
    add_document(member, open_group, title="anton", category="vorlage", tags="pflege, jugend")
    add_document(member, open_group, title="Berta", category="bericht", tags="Jugend")
    with app.test_request_context():
        assert _library(member, open_group) == ["Berta", "anton", "Cäsar"]
        assert _library(member, open_group, sort="titel") == ["anton", "Berta", "Cäsar"]
        assert _library(member, open_group, sort="kategorie") == ["Berta", "Cäsar", "anton"]
        assert _library(member, open_group, category="bericht") == ["Berta", "Cäsar"]
        assert _library(member, open_group, tag="Pflege", sort="titel") == ["anton", "Cäsar"]
        assert queries.library_tags(member, open_group) == ["jugend", "pflege"]
        assert _library(member, None) == []


def test_library_page_lists_filters_and_paginates(as_user, people, open_group, monkeypatch):
    monkeypatch.setattr(queries, "DOCUMENTS_PER_PAGE", 2)
    for n in range(5):
        add_document(people["member"], open_group, title=f"Protokoll {n}", category="protokoll",
                     tags="sitzung")
    client = as_user(people["other"])
    url = f"/arbeitskreise/{open_group.slug}/dokumente"
    html = client.get(url + "?kategorie=protokoll&sortierung=titel").get_data(as_text=True)
    assert "5 Dokumente" in html and "Protokoll 0" in html and "Protokoll 2" not in html
    assert "kategorie=protokoll" in html and "page=3" in html and "Nächste Seite" in html
    html = client.get(url + "?kategorie=protokoll&sortierung=titel&page=3").get_data(as_text=True)
    assert "Protokoll 4" in html and "Protokoll 0" not in html
    assert '<label for="kategorie">Kategorie</label>' in html
    assert "Dokument hochladen" in html       # a member may upload here


def test_platform_library_lists_group_libraries_the_member_may_read(as_user, people,
                                                                    open_group, closed_group):
    add_document(people["editor"], None, title="Leitfaden Sozialplanung",
                 category="arbeitshilfe")
    add_document(people["member"], closed_group, title="Internes Protokoll")
    html = as_user(people["outsider"]).get("/dokumente/").get_data(as_text=True)
    assert "Leitfaden Sozialplanung" in html and open_group.name in html
    assert closed_group.name not in html and "Internes Protokoll" not in html
    assert "Dokument hochladen" not in html
    html = as_user(people["member"]).get("/dokumente/").get_data(as_text=True)
    assert closed_group.name in html and "Internes Protokoll" not in html
    assert 'aria-current="page">Dokumente</a>' in html.replace('\n', '')


@pytest.mark.parametrize("url_for_doc", [
    lambda group, doc: f"/arbeitskreise/{group.slug}/dokumente",
    lambda group, doc: f"/arbeitskreise/{group.slug}/dokumente?sortierung=titel&schlagwort=a",
    lambda group, doc: f"/dokumente/{doc.id}",
    lambda group, doc: "/dokumente/",
], ids=["library", "library-filtered", "document", "platform-library"])
def test_pages_use_a_constant_number_of_queries(as_user, people, open_group, url_for_doc):
    from sozialplanung.accounts.models import User

    client = as_user(people["other"])
    ids = {name: user.id for name, user in people.items()}
    first = add_document(people["member"], open_group, title="Dokument 0", tags="a, b")
    add_document(people["editor"], None, title="Institut 0", tags="x")
    first_id, url = first.id, url_for_doc(open_group, first)

    def measure():
        # Tests share one session across requests; a real request starts with an empty one.
        db.session.expunge_all()
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return statements

    client.get(url)
    few = measure()
    member, moderator, editor = (db.session.get(User, ids[n]) for n in
                                 ("member", "moderator", "editor"))
    group = db.session.get(type(open_group), open_group.id)
    for n in range(1, 12):
        add_document(member if n % 2 else moderator, group, title=f"Dokument {n}",
                     tags="a, b, c")
        add_document(editor, None, title=f"Institut {n}", tags="x")
        services.add_version(moderator, db.session.get(Document, first_id),
                             FakeUpload(f"v{n}.txt", f"Version {n}".encode()), f"Notiz {n}")
    many = measure()
    assert len(many) == len(few), "\n\n".join(many)


def test_document_count_stays_out_of_deleted_and_unlisted(app, people, open_group):
    add_document(people["member"], open_group, title="sichtbar")
    services.delete_document(people["member"], add_document(people["member"], open_group))
    unlisted = add_document(people["member"], open_group, title="nur im Beitrag")
    unlisted.in_library = False
    db.session.commit()
    with app.test_request_context():
        assert _library(people["member"], open_group) == ["sichtbar"]
        assert dict((g.id, n) for g, n in queries.group_libraries(people["member"])) == {
            open_group.id: 1}
    assert db.session.scalar(select(Document.id).where(Document.title == "nur im Beitrag"))
