"""Search over documents (title, description, extracted text) and announcements, with the
same permission rules as their own pages."""
import re
from datetime import timedelta

from sozialplanung.announcements.models import Announcement, AnnouncementGroup
from sozialplanung.documents.models import Document, DocumentVersion
from sozialplanung.extensions import db
from sozialplanung.timeutil import utcnow

from ..conftest import login
from ..factories import make_group, make_user


def status_line(response):
    match = re.search(r'<p role="status">([^<]*)</p>', response.get_data(as_text=True))
    return match.group(1) if match else None


def add_document(group, title, description="", text=""):
    doc = Document(group_id=group.id if group else None, title=title, description=description,
                   category="bericht", version_count=1)
    db.session.add(doc)
    db.session.flush()
    version = DocumentVersion(document_id=doc.id, number=1, blob_key="0" * 64,
                              filename="bericht.pdf", media_type="application/pdf", size=10,
                              extracted_text=text)
    db.session.add(version)
    db.session.flush()
    doc.current_version_id = version.id
    db.session.commit()
    return doc


def add_announcement(title, teaser, body="", groups=(), **fields):
    values = dict(title=title, teaser=teaser, teaser_html=f"<p>{teaser}</p>", body=body,
                  body_html=f"<p>{body}</p>", status="published",
                  publish_at=utcnow() - timedelta(hours=1),
                  audience="groups" if groups else "all")
    values.update(fields)
    item = Announcement(**values)
    db.session.add(item)
    db.session.flush()
    for group in groups:
        db.session.add(AnnouncementGroup(announcement_id=item.id, group_id=group.id))
    db.session.commit()
    return item


def test_documents_found_by_extracted_text_and_title(client, app):
    member = make_user()
    group = make_group(members=[member])
    add_document(group, "Sozialbericht Weimarer Land",
                 text="Im Anhang stehen die Kennzahlen zur Kinderarmut im Landkreis.")
    login(client, member)
    page = client.get("/suche", query_string={"q": "Kinderarmut", "art": "dokument"})
    assert "Sozialbericht Weimarer Land" in page.get_data(as_text=True)
    assert "<mark>Kinderarmut</mark>" in page.get_data(as_text=True)
    assert status_line(client.get("/suche", query_string={"q": "Sozialbericht",
                                                          "art": "dokument"})) == "1 Treffer"


def test_closed_group_documents_hidden_from_non_members(client):
    member, outsider = make_user(), make_user()
    closed = make_group(closed=True, members=[member])
    add_document(closed, "Vertrauliches Protokoll", text="Geheime Haushaltszahlen")
    add_document(None, "Arbeitshilfe des Instituts", text="Haushaltszahlen für alle")
    login(client, outsider)
    response = client.get("/suche", query_string={"q": "Haushaltszahlen", "art": "dokument"})
    assert status_line(response) == "1 Treffer"
    assert "Vertrauliches" not in response.get_data(as_text=True)
    client.post("/abmelden")
    login(client, member)
    assert status_line(client.get("/suche", query_string={
        "q": "Haushaltszahlen", "art": "dokument"})) == "2 Treffer"


def test_deleted_documents_not_found(client):
    member = make_user()
    doc = add_document(None, "Altes Konzept", text="Quartiersmanagement")
    doc.is_deleted = True
    db.session.commit()
    login(client, member)
    assert status_line(client.get("/suche", query_string={"q": "Quartiersmanagement"})) \
        == "0 Treffer"


def test_announcements_respect_audience_and_publication(client):
    member, outsider = make_user(), make_user()
    group = make_group(members=[member])
    add_announcement("Fachtag Sozialplanung", "Anmeldung zum Fachtag ist offen")
    add_announcement("Nur für den Arbeitskreis", "Fachtag intern", groups=[group])
    add_announcement("Entwurf", "Fachtag Entwurf", status="draft")
    add_announcement("Geplant", "Fachtag später", publish_at=utcnow() + timedelta(days=3))
    login(client, outsider)
    response = client.get("/suche", query_string={"q": "Fachtag", "art": "mitteilung"})
    assert status_line(response) == "1 Treffer"
    assert "Fachtag Sozialplanung" in response.get_data(as_text=True)
    client.post("/abmelden")
    login(client, member)
    assert status_line(client.get("/suche", query_string={
        "q": "Fachtag", "art": "mitteilung"})) == "2 Treffer"
