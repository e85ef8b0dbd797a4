"""Announcement pages through the HTTP client: who sees and may do what, the editor's form,
lists, filters, "Termine", images, the dashboard, and a constant number of queries per page."""
import re
from datetime import date, datetime, time
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from sozialplanung.admin.models import AuditLog
from sozialplanung.announcements.models import Announcement
from sozialplanung.extensions import db

from ..conftest import login
from ..factories import make_user
from .conftest import START, announce, announcement_count, image_bytes, notification_count


def text(response):
    return response.get_data(as_text=True)


def form(**fields):
    values = {"title": "Neue Mitteilung", "category": "news", "teaser": "Kurz gesagt.",
              "body": "Langer Text.", "audience": "all", "publication": "now"}
    values.update(fields)
    return values


@pytest.fixture
def published(world, clock):
    """One announcement for everyone, one for the closed group, an event, and a draft."""
    return {"all": announce(world["editor"], title="Für alle"),
                    "group": announce(world["editor"], title="Nur Jugendhilfe",
                                      audience="groups", group_ids=[str(world["group"].id)]),
                    "event": announce(world["editor"], category="event", title="Fachtag Erfurt"),
                    "draft": announce(world["editor"], title="Geheimer Entwurf",
                                      publication="draft")}


# --- access -------------------------------------------------------------------------------

READ_ROUTES = ["/neuigkeiten/{id}", "/termine/{id}.ics"]
WRITE_ROUTES = [("GET", "/neuigkeiten/neu"), ("GET", "/neuigkeiten/redaktion"),
                ("GET", "/neuigkeiten/{id}/bearbeiten"), ("GET", "/neuigkeiten/{id}/versionen"),
                ("GET", "/neuigkeiten/{id}/loeschen"), ("POST", "/neuigkeiten/{id}/loeschen"),
                ("POST", "/neuigkeiten/{id}/zurueckziehen"),
                ("POST", "/neuigkeiten/{id}/veroeffentlichen"),
                ("POST", "/neuigkeiten/{id}/bearbeiten"), ("POST", "/neuigkeiten/neu")]


def state():
    db.session.expire_all()
    return (db.session.execute(select(Announcement.id, Announcement.status, Announcement.title,
                                      Announcement.is_deleted).order_by(Announcement.id)).all(),
            db.session.scalar(select(func.count()).select_from(AuditLog)))


@pytest.mark.parametrize("method, path", [("GET", "/neuigkeiten"), ("GET", "/termine"),
                                          ("GET", "/neuigkeiten/abonnieren"),
                                          *[("GET", p) for p in READ_ROUTES], *WRITE_ROUTES])
def test_anonymous_is_sent_to_sign_in(client, published, method, path):
    before = state()
    response = client.open(path.format(id=published["event"].id), method=method, data=form())
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden")
    assert state() == before


@pytest.mark.parametrize("role", ["member", "moderator"])
@pytest.mark.parametrize("method, path", WRITE_ROUTES)
def test_members_and_moderators_may_not_write(client, published, role, method, path):
    login(client, make_user(role=role))
    before = state()
    response = client.open(path.format(id=published["event"].id), method=method, data=form())
    assert response.status_code == 403
    assert "Keine Berechtigung" in text(response)
    assert state() == before


@pytest.mark.parametrize("key", ["group", "draft"])
@pytest.mark.parametrize("path", ["/neuigkeiten/{id}", "/neuigkeiten/{id}/bearbeiten",
                                  "/neuigkeiten/{id}/versionen", "/termine/{id}.ics"])
def test_hidden_announcements_are_not_found_for_outsiders(client, world, published, key, path):
    login(client, world["outsider"])
    response = client.get(path.format(id=published[key].id))
    assert response.status_code == 404
    assert "Seite nicht gefunden" in text(response)


def test_deleted_announcement_is_gone_even_for_editors(client, world, published):
    login(client, world["editor"])
    assert client.post(f"/neuigkeiten/{published['all'].id}/loeschen").status_code == 302
    for path in ("/neuigkeiten/{id}", "/neuigkeiten/{id}/bearbeiten", "/neuigkeiten/{id}/loeschen"):
        assert client.get(path.format(id=published["all"].id)).status_code == 404


def test_what_each_persona_sees_in_the_list(client, world, published):
    expectations = {
        "insider": {"Für alle", "Nur Jugendhilfe", "Fachtag Erfurt"},
        "outsider": {"Für alle", "Fachtag Erfurt"},
        "moderator": {"Für alle", "Fachtag Erfurt"},
        "editor": {"Für alle", "Nur Jugendhilfe", "Fachtag Erfurt"},
        "admin": {"Für alle", "Nur Jugendhilfe", "Fachtag Erfurt"},
    }
    everything = {"Für alle", "Nur Jugendhilfe", "Fachtag Erfurt", "Geheimer Entwurf"}
    for persona, expected in expectations.items():
        login(client, world[persona])
        html = text(client.get("/neuigkeiten"))
        assert {title for title in everything if title in html} == expected, persona
        dashboard = text(client.get("/"))
        assert {title for title in everything if title in dashboard} == expected, persona
        client.post("/abmelden")


def test_insider_reads_the_group_announcement(client, world, published):
    login(client, world["insider"])
    response = client.get(f"/neuigkeiten/{published['group'].id}")
    assert response.status_code == 200
    assert "Nur Jugendhilfe" in text(response)
    assert "Bearbeiten" not in text(response)


# --- lists ----------------------------------------------------------------------------------

def test_list_filters_by_category_pins_first_and_links_to_more(client, world, clock):
    announce(world["editor"], title="Alte Presse", category="press")
    clock.advance(hours=1)
    announce(world["editor"], title="Angeheftete Publikation", category="publication",
             is_pinned=True)
    clock.advance(hours=1)
    announce(world["editor"], title="Neueste Neuigkeit")
    login(client, world["outsider"])
    html = text(client.get("/neuigkeiten"))
    titles = re.findall(r'class="news-title"[^>]*><a [^>]*>([^<]+)</a>', html)
    assert titles == ["Angeheftete Publikation", "Neueste Neuigkeit", "Alte Presse"]
    assert "Mehr lesen" in html and '<strong>Daten</strong>' in html
    press = text(client.get("/neuigkeiten?kategorie=presse"))
    assert "Alte Presse" in press and "Neueste Neuigkeit" not in press
    assert 'aria-current="page">Presse' in press
    assert client.get("/neuigkeiten?kategorie=werbung").status_code == 404


def test_list_is_paginated(client, world, clock):
    for n in range(17):
        announce(world["editor"], title=f"Meldung Nummer {n:02d}")
        clock.advance(minutes=1)
    login(client, world["outsider"])
    first = text(client.get("/neuigkeiten"))
    second = text(client.get("/neuigkeiten?page=2"))
    assert "Meldung Nummer 16" in first and "Meldung Nummer 01" not in first
    assert "Meldung Nummer 01" in second and "Meldung Nummer 16" not in second
    assert 'rel="next"' in first
    assert client.get("/neuigkeiten?page=99").status_code == 200


@pytest.mark.parametrize("persona, path", [
    ("insider", "/neuigkeiten"), ("insider", "/termine"), ("insider", "/"),
    ("editor", "/neuigkeiten/redaktion"), ("editor", "/neuigkeiten"),
])
def test_pages_run_a_constant_number_of_queries(client, world, clock, count_queries,
                                                persona, path):
    def measure():
        login(client, world[persona])
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        client.post("/abmelden")
        return counter.count

    group = [str(world["group"].id)]
    announce(world["editor"], title="Eine", category="event", audience="groups", group_ids=group)
    few = measure()
    for n in range(12):
        announce(world["editor"], title=f"Mehr {n}", category="event" if n % 2 else "news",
                 audience="groups" if n % 3 else "all", group_ids=group,
                 publication="draft" if n % 4 == 0 else "now")
    assert measure() == few


def test_events_page_splits_upcoming_and_past(client, world, clock):
    announce(world["editor"], category="event", title="Vergangener Workshop",
             starts_on=date(2026, 11, 2))
    announce(world["editor"], category="event", title="Späterer Fachtag",
             starts_on=date(2027, 2, 1))
    announce(world["editor"], category="event", title="Baldige Sitzung",
             starts_on=date(2026, 12, 1), starts_time=time(9, 0), ends_time=None)
    announce(world["editor"], category="event", title="Heute ohne Ende",
             starts_on=date(2026, 11, 25), starts_time=time(8, 0), ends_time=None)
    announce(world["editor"], title="Keine Veranstaltung")
    login(client, world["outsider"])
    upcoming = text(client.get("/termine"))
    order = [t for t in re.findall(r'class="news-title"><a [^>]*>([^<]+)</a>', upcoming)]
    assert order == ["Heute ohne Ende", "Baldige Sitzung", "Späterer Fachtag"]
    assert "Dienstag, 1. Dezember 2026, 09:00 Uhr" in upcoming
    assert "Montag, 1. Februar 2027, 10:00–15:30 Uhr" in upcoming
    past = text(client.get("/termine/vergangene"))
    assert "Vergangener Workshop" in past and "Baldige Sitzung" not in past
    assert "Keine Veranstaltung" not in upcoming + past


def test_event_detail_shows_german_dates_and_links(client, world, clock):
    event = announce(world["editor"], category="event", title="Klausur",
                     is_all_day=True, starts_on=date(2027, 3, 27), ends_on=date(2027, 3, 28),
                     starts_time=None, ends_time=None, online_url="https://konferenz.example/raum",
                     registration_url="https://anmeldung.example/klausur")
    login(client, world["outsider"])
    html = text(client.get(f"/neuigkeiten/{event.id}"))
    assert "27. März 2027 bis 28. März 2027 (ganztägig)" in html
    assert 'href="https://anmeldung.example/klausur"' in html
    assert f'href="/termine/{event.id}.ics"' in html


# --- the editor's form ------------------------------------------------------------------------

def test_editor_writes_an_event_with_image_through_the_form(client, world, clock, image_dir):
    login(client, world["editor"])
    assert client.get("/neuigkeiten/neu").status_code == 200
    response = client.post("/neuigkeiten/neu", data=form(
        title="Fachtag <Demografie>", category="event", teaser="Mit *Programm*.",
        starts_on="2026-12-03", starts_time="10:00", ends_on="", ends_time="16:00",
        location="Weimar", audience="groups", group_ids=[str(world["group"].id)],
        image=(BytesIO(image_bytes("JPEG", size=(2400, 1200))), "foto.jpg"),
        image_alt="Saal mit Publikum"), content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    announcement = db.session.scalar(select(Announcement))
    assert announcement.starts_at == datetime(2026, 12, 3, 9, 0)
    assert announcement.ends_at == datetime(2026, 12, 3, 15, 0)
    assert announcement.group_ids == {world["group"].id}
    html = text(client.get(response.headers["Location"]))
    assert "Fachtag &lt;Demografie&gt;" in html and "<em>Programm</em>" in html
    assert "Die Mitteilung ist veröffentlicht." in html
    image_url = re.search(r'<img src="([^"]+)" alt="Saal mit Publikum" width="1600" height="800"',
                          html).group(1)
    image = client.get(image_url)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(BytesIO(image.data)).size == (1600, 800)
    assert notification_count(world["insider"], announcement) == 1
    client.post("/abmelden")
    login(client, world["outsider"])
    assert client.get(image_url).status_code == 404
    assert client.get(f"/neuigkeiten/{announcement.id}/bild/{'0' * 64}.jpg").status_code == 404


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "Bitte füllen Sie dieses Feld aus."),
    ({"category": "event", "starts_on": "2026-12-03", "starts_time": "15:00",
      "ends_time": "14:00", "location": "Gera"}, "Das Ende liegt vor dem Beginn."),
    ({"category": "event", "starts_on": "3.12.", "location": "Gera"},
     "Bitte geben Sie ein gültiges Datum an"),
    ({"audience": "groups", "group_ids": ["4711"]}, "existiert nicht"),
    ({"publication": "scheduled", "publish_at": ""}, "Datum und Uhrzeit der Veröffentlichung"),
    ({"image": (BytesIO(b"%PDF-1.4 kein Bild"), "bild.png"), "image_alt": "x"}, "kein Bild"),
    ({"image": (BytesIO(image_bytes("PNG")[:60]), "kaputt.png"), "image_alt": "x"}, "kein Bild"),
])
def test_bad_form_input_shows_german_errors_and_saves_nothing(client, world, fields, message,
                                                              image_dir):
    login(client, world["editor"])
    response = client.post("/neuigkeiten/neu", data=form(**fields),
                           content_type="multipart/form-data")
    html = text(response)
    assert response.status_code == 200
    assert message in html
    assert 'role="alert"' in html
    assert announcement_count() == 0
    assert not any(p.is_file() for p in image_dir.rglob("*"))


def test_scheduled_time_just_passed_publishes_now_with_a_note(client, world, clock):
    login(client, world["editor"])
    response = client.post("/neuigkeiten/neu", data=form(publication="scheduled",
                                                         publish_at="2026-11-25T09:45"),
                           follow_redirects=True)
    assert "liegt in der Vergangenheit" in text(response)
    assert db.session.scalar(select(Announcement)).publish_at == START


def test_scheduled_time_long_past_is_refused_on_the_form(client, world, clock):
    login(client, world["editor"])
    response = client.post("/neuigkeiten/neu", data=form(publication="scheduled",
                                                         publish_at="2026-11-20T08:00"))
    assert "Dieser Zeitpunkt liegt in der Vergangenheit." in text(response)
    assert announcement_count() == 0
    crashed = client.post("/neuigkeiten/neu", data=form(publication="scheduled",
                                                        publish_at="0001-01-01T00:00"))
    assert crashed.status_code == 200 and "zwischen 2000 und 2999" in text(crashed)
    assert announcement_count() == 0


def test_scheduling_through_the_form_uses_german_time(client, world, clock):
    login(client, world["editor"])
    response = client.post("/neuigkeiten/neu", data=form(publication="scheduled",
                                                         publish_at="2026-12-24T18:30"),
                           follow_redirects=True)
    assert "Die Mitteilung wird am 24.12.2026 um 18:30 Uhr veröffentlicht." in text(response)
    announcement = db.session.scalar(select(Announcement))
    assert announcement.publish_at == datetime(2026, 12, 24, 17, 30)
    assert notification_count() == 0
    edit = text(client.get(f"/neuigkeiten/{announcement.id}/bearbeiten"))
    assert 'value="2026-12-24T18:30"' in edit
    assert "geplant für 24.12.2026, 18:30" in text(client.get("/neuigkeiten/redaktion"))


def test_editing_through_the_form_keeps_history_and_detects_conflicts(client, world, clock):
    announcement = announce(world["editor"], title="Alt", category="event")
    login(client, world["editor"])
    edit = text(client.get(f"/neuigkeiten/{announcement.id}/bearbeiten"))
    assert 'value="2026-12-03"' in edit and 'value="10:00"' in edit and 'value="15:30"' in edit
    assert "ist seit" in edit  # live: no publication choice
    fields = form(title="Neu", category="event", starts_on="2026-12-03", starts_time="10:00",
                  ends_time="15:30", location="Erfurt", version="1")
    assert client.post(f"/neuigkeiten/{announcement.id}/bearbeiten", data=fields).status_code == 302
    history = text(client.get(f"/neuigkeiten/{announcement.id}/versionen"))
    assert "Alt" in history and "Redaktion Institut" in history
    stale = client.post(f"/neuigkeiten/{announcement.id}/bearbeiten",
                        data={**fields, "title": "Überholt"})
    assert stale.status_code == 200
    assert "inzwischen von jemand anderem geändert" in text(stale)
    assert 'value="Überholt"' in text(stale)
    db.session.expire_all()
    assert db.session.get(Announcement, announcement.id).title == "Neu"


def test_unpublish_and_delete_through_the_pages_land_in_the_audit_log(client, world, clock):
    announcement = announce(world["editor"], title="Zu löschen")
    login(client, world["editor"])
    assert client.post(f"/neuigkeiten/{announcement.id}/zurueckziehen").status_code == 302
    assert "zurückgezogen" in text(client.get(f"/neuigkeiten/{announcement.id}"))
    assert client.get(f"/neuigkeiten/{announcement.id}/loeschen").status_code == 200
    assert client.post(f"/neuigkeiten/{announcement.id}/loeschen").status_code == 302
    client.post("/abmelden")
    login(client, world["admin"])
    log = text(client.get("/verwaltung/protokoll"))
    assert "Mitteilung zurückgezogen" in log and "Mitteilung gelöscht" in log
    assert "Mitteilung veröffentlicht" in log


def test_publish_button_releases_a_draft_and_notifies(client, world, clock):
    draft = announce(world["editor"], publication="draft")
    login(client, world["editor"])
    response = client.post(f"/neuigkeiten/{draft.id}/veroeffentlichen", follow_redirects=True)
    assert "Die Mitteilung ist veröffentlicht." in text(response)
    assert notification_count(world["outsider"], draft) == 1
    again = client.post(f"/neuigkeiten/{draft.id}/veroeffentlichen")
    assert again.status_code == 409


def test_dashboard_shows_latest_news_and_next_events(client, world, clock):
    announce(world["editor"], category="event", title="Nächster Fachtag",
             starts_on=date(2026, 12, 10))
    announce(world["editor"], title="Gruppeninterna", audience="groups",
             group_ids=[str(world["group"].id)])
    login(client, world["outsider"])
    html = text(client.get("/"))
    assert "Nächster Fachtag" in html and "Gruppeninterna" not in html
    assert "Nächste Termine" in html
    assert "Derzeit gibt es keine Neuigkeiten." not in html


def test_post_routes_need_a_csrf_token(app, csrf_client, world, clock):
    announcement = announce(world["editor"])
    csrf_client.get("/anmelden")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      text(csrf_client.get("/anmelden"))).group(1)
    csrf_client.post("/anmelden", data={"email": world["editor"].email,
                                        "password": "Geheimes-Passwort-1", "csrf_token": token})
    before = state()
    for path in ("/neuigkeiten/neu", f"/neuigkeiten/{announcement.id}/bearbeiten",
                 f"/neuigkeiten/{announcement.id}/loeschen",
                 f"/neuigkeiten/{announcement.id}/zurueckziehen",
                 f"/neuigkeiten/{announcement.id}/veroeffentlichen",
                 "/neuigkeiten/abonnieren/neue-adresse"):
        assert csrf_client.post(path, data=form()).status_code == 400, path
    assert state() == before


def test_notification_in_the_inbox_leads_to_the_announcement(client, world, clock):
    announcement = announce(world["editor"], category="press", title="Pressemitteilung Zensus")
    login(client, world["outsider"])
    inbox = text(client.get("/benachrichtigungen"))
    assert "Neue Pressemitteilung des Instituts: „Pressemitteilung Zensus“" in inbox
    note_url = re.search(r'href="(/benachrichtigungen/\d+)"', inbox).group(1)
    response = client.get(note_url)
    assert response.headers["Location"] == f"/neuigkeiten/{announcement.id}"
