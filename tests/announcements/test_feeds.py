"""Personal feeds: the Atom feed (read with feedparser) and iCalendar files (read with icalendar)
show exactly what the member may see; the secret address can be reset."""
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar
from sqlalchemy import select

from sozialplanung.announcements.models import FeedToken
from sozialplanung.extensions import db

from ..conftest import login
from .conftest import announce

BERLIN = ZoneInfo("Europe/Berlin")


def feed_urls(client):
    """Create the member's feed addresses on the page and return their paths."""
    client.post("/neuigkeiten/abonnieren/neue-adresse")
    html = client.get("/neuigkeiten/abonnieren").get_data(as_text=True)
    atom = re.search(r'value="http://localhost(/feeds/[^"]+/neuigkeiten\.atom)"', html).group(1)
    ics = re.search(r'value="http://localhost(/feeds/[^"]+/termine\.ics)"', html).group(1)
    return atom, ics


@pytest.fixture
def content(world, clock):
    return {
        "all": announce(world["editor"], title="Neue Daten & Fakten", body="Text mit <b>HTML</b>"),
        "group": announce(world["editor"], title="Nur für die Jugendhilfe", audience="groups",
                          group_ids=[str(world["group"].id)]),
        "event": announce(world["editor"], category="event", title="Fachtag Erfurt",
                          starts_on=date(2027, 7, 1), starts_time=time(10, 0),
                          ends_time=time(12, 30), location="Erfurt, Raum 2",
                          registration_url="https://anmeldung.example/fachtag"),
        "group_event": announce(world["editor"], category="event", title="AK-Sitzung",
                                audience="groups", group_ids=[str(world["group"].id)],
                                is_all_day=True, starts_on=date(2027, 3, 27),
                                ends_on=date(2027, 3, 28), starts_time=None, ends_time=None,
                                location="", online_url="https://video.example/ak"),
        "draft": announce(world["editor"], category="event", title="Entwurfstermin",
                          publication="draft"),
    }


def anonymous_get(app, path):
    """Feed readers and calendar apps have no session."""
    return app.test_client().get(path)


@pytest.mark.parametrize("persona, expected", [
    ("insider", {"Neue Daten & Fakten", "Nur für die Jugendhilfe", "Fachtag Erfurt", "AK-Sitzung"}),
    ("outsider", {"Neue Daten & Fakten", "Fachtag Erfurt"}),
])
def test_atom_feed_shows_what_the_member_may_read(app, client, world, content, persona, expected):
    login(client, world[persona])
    atom, _ics = feed_urls(client)
    response = anonymous_get(app, atom)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert "no-store" in response.headers["Cache-Control"]
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Neuigkeiten – Sozialplanungsplattform"
    assert {entry.title for entry in feed.entries} == expected
    entry = next(e for e in feed.entries if e.title == "Neue Daten & Fakten")
    assert entry.link == f"http://localhost/neuigkeiten/{content['all'].id}"
    assert entry.published_parsed[:5] == (2026, 11, 25, 9, 0)
    assert "<strong>Daten</strong>" in entry.summary
    assert "&lt;b&gt;HTML&lt;/b&gt;" in entry.content[0].value  # typed HTML stays text
    event = next(e for e in feed.entries if e.title == "Fachtag Erfurt")
    assert "Donnerstag, 1. Juli 2027, 10:00–12:30 Uhr · Erfurt, Raum 2" in event.content[0].value


def test_calendar_subscription_is_valid_icalendar_in_berlin_time(app, client, world, content):
    login(client, world["insider"])
    _atom, ics = feed_urls(client)
    response = anonymous_get(app, ics)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["version"]) == "2.0"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Fachtag Erfurt", "AK-Sitzung"}
    fachtag = events["Fachtag Erfurt"]
    start, end = fachtag.decoded("dtstart"), fachtag.decoded("dtend")
    assert fachtag["dtstart"].params["TZID"] == "Europe/Berlin"
    assert start == datetime(2027, 7, 1, 10, 0, tzinfo=BERLIN)
    assert start.astimezone(timezone.utc) == datetime(2027, 7, 1, 8, 0, tzinfo=timezone.utc)
    assert end - start == timedelta(hours=2, minutes=30)
    assert str(fachtag["location"]) == "Erfurt, Raum 2"
    assert "Anmeldung: https://anmeldung.example/fachtag" in str(fachtag["description"])
    assert str(fachtag["url"]) == f"http://localhost/neuigkeiten/{content['event'].id}"
    assert str(fachtag["uid"]) == f"announcement-{content['event'].id}@localhost"
    sitzung = events["AK-Sitzung"]
    assert sitzung.decoded("dtstart") == date(2027, 3, 27)
    assert sitzung.decoded("dtend") == date(2027, 3, 29)  # exclusive, RFC 5545
    assert "https://video.example/ak" in str(sitzung["location"])


def test_calendar_of_an_outsider_leaves_out_group_events(app, client, world, content):
    login(client, world["outsider"])
    _atom, ics = feed_urls(client)
    calendar = Calendar.from_ical(anonymous_get(app, ics).data)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Fachtag Erfurt"]


def test_single_event_download(client, world, content):
    login(client, world["outsider"])
    response = client.get(f"/termine/{content['event'].id}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Fachtag Erfurt"
    assert client.get(f"/termine/{content['all'].id}.ics").status_code == 404  # not an event
    assert client.get(f"/termine/{content['group_event'].id}.ics").status_code == 404


def test_resetting_the_address_revokes_the_old_one(app, client, world, content):
    login(client, world["outsider"])
    old_atom, old_ics = feed_urls(client)
    response = client.post("/neuigkeiten/abonnieren/neue-adresse", follow_redirects=True)
    assert "die bisherigen funktionieren nicht mehr" in response.get_data(as_text=True)
    new_atom = re.search(r'(/feeds/[^"]+/neuigkeiten\.atom)',
                         client.get("/neuigkeiten/abonnieren").get_data(as_text=True)).group(1)
    assert new_atom != old_atom
    assert anonymous_get(app, old_atom).status_code == 404
    assert anonymous_get(app, old_ics).status_code == 404
    assert anonymous_get(app, new_atom).status_code == 200


@pytest.mark.parametrize("token", ["", "x", "1-", "abc-def", "999999-geheim", "1-" + "a" * 43])
def test_unknown_tokens_are_not_found(app, token, world):
    for name in ("neuigkeiten.atom", "termine.ics"):
        assert anonymous_get(app, f"/feeds/{token}/{name}").status_code == 404


def test_guessing_another_members_secret_fails(app, client, world, content):
    login(client, world["insider"])
    atom, _ics = feed_urls(client)
    secret = atom.split("/")[2].partition("-")[2]
    forged = f"/feeds/{world['outsider'].id}-{secret}/neuigkeiten.atom"
    assert anonymous_get(app, forged).status_code == 404


def test_feeds_stop_for_suspended_members(app, client, world, content):
    login(client, world["insider"])
    atom, ics = feed_urls(client)
    world["insider"].status = "suspended"
    db.session.commit()
    assert anonymous_get(app, atom).status_code == 404
    assert anonymous_get(app, ics).status_code == 404


def test_scheduled_entries_appear_in_the_feed_when_due(app, client, world, clock):
    from sozialplanung.announcements import services
    from .conftest import data
    with app.test_request_context():
        services.create_announcement(world["editor"], data(
            title="Kommt später", publication="scheduled",
            publish_at=datetime(2026, 11, 26, 10, 0)), None)
    login(client, world["outsider"])
    atom, _ics = feed_urls(client)
    assert feedparser.parse(anonymous_get(app, atom).data).entries == []
    clock.advance(days=1)
    titles = [e.title for e in feedparser.parse(anonymous_get(app, atom).data).entries]
    assert titles == ["Kommt später"]


def test_feed_page_without_address_offers_to_create_one(client, world):
    login(client, world["outsider"])
    html = client.get("/neuigkeiten/abonnieren").get_data(as_text=True)
    assert "Persönliche Adressen erstellen" in html
    assert db.session.scalar(select(FeedToken)) is None
