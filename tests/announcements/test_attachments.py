"""Documents of the institute's library listed under an announcement: picked by editors,
downloaded by readers through the documents module and its permission checks."""
import io
import re

import pytest
from sqlalchemy import select

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
