"""Documents of the institute's library listed under an announcement: picked by editors,
downloaded by readers through the documents module and its permission checks."""
import io
import re
from contextlib import contextmanager

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, inspect, select, text
from sqlalchemy.exc import IntegrityError

from config import TestingConfig
from sozialplanung import create_app

from sozialplanung.announcements import services
from sozialplanung.announcements.models import AnnouncementAttachment
from sozialplanung.documents.models import Document
from sozialplanung.errors import ValidationError
from sozialplanung.extensions import db

from ..conftest import login
from .conftest import announce, announcement_count, data


@pytest.fixture(autouse=True)
def document_storage(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_STORAGE", "local")
    monkeypatch.setitem(app.config, "DOCUMENT_STORAGE_PATH", str(tmp_path / "documents"))


def upload(client, title, group=None):
    path = f"/arbeitskreise/{group.slug}/dokumente/hochladen" if group else "/dokumente/hochladen"
    response = client.post(path, data={
        "file": (io.BytesIO(f"Inhalt von {title}\n".encode()), f"{title}.txt"), "title": title,
        "description": "", "category": "bericht", "tags": ""}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    client.get(response.headers["Location"])  # shows (and so clears) the confirmation
    return db.session.scalar(select(Document).where(Document.title == title))


@pytest.fixture
def library(client, world):
    login(client, world["editor"])
    documents = {"bericht": upload(client, "Sozialbericht 2026"),
                 "programm": upload(client, "Programm Fachtag")}
    client.post("/abmelden")
    login(client, world["insider"])
    documents["intern"] = upload(client, "Internes Protokoll", group=world["group"])
    client.post("/abmelden")
    return documents


def test_editor_attaches_library_documents_and_members_download_them(client, world, clock,
                                                                      library):
    login(client, world["editor"])
    form = client.get("/neuigkeiten/neu").get_data(as_text=True)
    assert "Sozialbericht 2026" in form and "Internes Protokoll" not in form
    response = client.post("/neuigkeiten/neu", data={
        "title": "Bericht erschienen", "category": "publication", "teaser": "Jetzt lesen.",
        "audience": "all", "publication": "now",
        "document_ids": [str(library["programm"].id), str(library["bericht"].id)]})
    assert response.status_code == 302
    url = response.headers["Location"]
    client.post("/abmelden")
    login(client, world["outsider"])
    html = client.get(url).get_data(as_text=True)
    links = re.findall(r'href="(/dokumente/\d+/herunterladen)">([^<]+)</a>', html)
    assert [title for _link, title in links] == ["Programm Fachtag", "Sozialbericht 2026"]
    download = client.get(links[1][0])
    assert download.status_code == 200 and b"Inhalt von Sozialbericht 2026" in download.data
    client.post("/abmelden")
    login(client, world["editor"])
    edit_form = client.get(url + "/bearbeiten").get_data(as_text=True)
    assert re.search(rf'value="{library["bericht"].id}" checked', edit_form)


@pytest.mark.parametrize("pick", ["intern", "missing", "deleted"])
def test_only_current_institute_documents_can_be_attached(client, world, clock, library,
                                                          in_request, pick):
    if pick == "deleted":
        library["bericht"].is_deleted = True
        db.session.commit()
    document_id = {"intern": library["intern"].id, "missing": 987654,
                   "deleted": library["bericht"].id}[pick]
    with pytest.raises(ValidationError) as caught:
        services.create_announcement(world["editor"], data(document_ids=[str(document_id)]), None)
    assert "Bibliothek des Instituts" in caught.value.errors["document_ids"]
    assert announcement_count() == 0


def test_at_most_ten_attachments(world, clock, in_request):
    with pytest.raises(ValidationError) as caught:
        services.create_announcement(world["editor"], data(document_ids=[str(n) for n in range(11)]),
                                     None)
    assert "höchstens 10" in caught.value.errors["document_ids"]


def test_deleted_documents_disappear_from_the_announcement(client, world, clock, library,
                                                          in_request):
    announcement = announce(world["editor"], document_ids=[str(library["bericht"].id)])
    library["bericht"].is_deleted = True
    db.session.commit()
    login(client, world["outsider"])
    html = client.get(f"/neuigkeiten/{announcement.id}").get_data(as_text=True)
    assert "Sozialbericht 2026" not in html
    assert db.session.scalar(select(AnnouncementAttachment.document_id)) == library["bericht"].id


# --- the foreign key to documents -------------------------------------------------------------

FK_NAME = "fk_announcement_attachments_document_id_documents"


def _document_fk(bind):
    return [fk for fk in inspect(bind).get_foreign_keys("announcement_attachments")
            if fk["constrained_columns"] == ["document_id"]]


def test_document_id_references_documents_with_cascade():
    (fk,) = _document_fk(db.engine)
    assert fk["name"] == FK_NAME
    assert (fk["referred_table"], fk["referred_columns"]) == ("documents", ["id"])
    assert fk["options"].get("ondelete", "").upper() == "CASCADE"


@contextmanager
def _enforcing_connection():
    """A connection that enforces foreign keys: PostgreSQL always does; SQLite only with the
    pragma, which has to be set outside a transaction (and is reset for the pool)."""
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        try:
            yield conn
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")


def test_purged_document_takes_its_announcement_links_along(world, clock, library, in_request):
    """The app only soft-deletes documents (see the test above); a document purged from the
    database leaves no link behind, and the announcement itself stays."""
    announcement = announce(world["editor"], document_ids=[str(library["bericht"].id),
                                                           str(library["programm"].id)])
    db.session.commit()
    with _enforcing_connection() as conn:
        conn.execute(delete(Document.__table__).where(Document.id == library["bericht"].id))
        conn.commit()
    db.session.expire_all()
    links = db.session.scalars(select(AnnouncementAttachment.document_id).where(
        AnnouncementAttachment.announcement_id == announcement.id)).all()
    assert links == [library["programm"].id]


def test_unknown_document_cannot_be_linked(world, clock, in_request):
    announcement = announce(world["editor"])
    db.session.commit()
    with _enforcing_connection() as conn:
        with pytest.raises(IntegrityError, match="(?i)foreign key"):
            conn.execute(AnnouncementAttachment.__table__.insert().values(
                announcement_id=announcement.id, document_id=987654, position=0))


def test_migration_adds_and_removes_the_key_and_drops_dangling_links(tmp_path):
    """On a separate SQLite file: links to documents that do not exist (possible while the
    column was a plain pointer) are removed by the upgrade, which could not add the key
    otherwise; the downgrade takes the key away again."""
    config = type("MigrationConfig", (TestingConfig,),
                  {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migration.sqlite'}"})
    scratch = create_app(config)
    with scratch.app_context():
        try:
            upgrade(revision="d8f1e2a3b4c5")
            assert _document_fk(db.engine) == []
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO documents (id, title, description, category, in_library, "
                    "created_at, updated_at, version_count, is_deleted) VALUES (7, 'Bericht', '', "
                    "'bericht', 1, '2026-11-25 10:00:00', '2026-11-25 10:00:00', 1, 0)"))
                conn.execute(text("INSERT INTO announcement_attachments (announcement_id, "
                                  "document_id, position) VALUES (1, 7, 0), (1, 8, 1)"))
            upgrade(revision="8193b9950307")
            assert [fk["name"] for fk in _document_fk(db.engine)] == [FK_NAME]
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT document_id FROM announcement_attachments"))
                assert [row[0] for row in rows] == [7]
            downgrade(revision="d8f1e2a3b4c5")
            assert _document_fk(db.engine) == []
            upgrade()
            assert [fk["name"] for fk in _document_fk(db.engine)] == [FK_NAME]
        finally:
            db.session.remove()
            db.engine.dispose()
