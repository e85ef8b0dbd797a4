"""Fixtures for announcements: personas, a movable clock, image storage in a temporary folder,
and a helper that writes announcements through the service."""
from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from flask import g
from PIL import Image
from sqlalchemy import event, func, select

from sozialplanung import timeutil
from sozialplanung.announcements import services
from sozialplanung.announcements.images import ImageStore
from sozialplanung.announcements.models import Announcement
from sozialplanung.extensions import db
from sozialplanung.notifications.models import Notification

from ..factories import make_group, make_user

# Wednesday, 25 November 2026, 10:00 in Erfurt (CET = UTC+1).
START = datetime(2026, 11, 25, 9, 0)


class Clock:
    """Stands in for timeutil.utcnow (naive UTC)."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(START)
    monkeypatch.setattr(timeutil, "utcnow", fake)
    return fake


@pytest.fixture(autouse=True)
def image_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "bilder"
    monkeypatch.setitem(app.config, "ANNOUNCEMENT_IMAGE_DIR", str(folder))
    return folder


@pytest.fixture
def store(image_dir):
    return ImageStore(image_dir)


@pytest.fixture
def editor():
    return make_user(role="editor", display_name="Redaktion Institut")


@pytest.fixture
def world():
    """An editor, an admin, a closed working group with one member, and members outside it."""
    insider = make_user(display_name="Ines Innen")
    group = make_group(name="Arbeitskreis Jugendhilfeplanung", closed=True, members=[insider])
    return {
        "editor": make_user(role="editor", display_name="Redaktion Institut"),
        "admin": make_user(role="admin", display_name="Admin"),
        "moderator": make_user(role="moderator", display_name="Moderation"),
        "insider": insider,
        "outsider": make_user(display_name="Otto Außen"),
        "suspended": make_user(status="suspended", display_name="Gesperrt"),
        "group": group,
    }


def data(**fields):
    """Form input for a valid news item, published now unless told otherwise."""
    values = {"title": "Neue Sozialstrukturdaten 2026", "teaser": "Die **Daten** sind da.",
              "body": "Ausführlicher Text.", "publication": "now"}
    values.update(fields)
    return services.AnnouncementData(**values)


def event_data(**fields):
    values = {"title": "Fachtag Sozialplanung", "category": "event",
              "teaser": "Austausch in Erfurt.", "starts_on": date(2026, 12, 3),
              "starts_time": time(10, 0), "ends_time": time(15, 30),
              "location": "Erfurt, Landesverwaltungsamt", "publication": "now"}
    values.update(fields)
    return data(**values)


def announce(actor, store=None, now=None, **fields):
    """Write (and by default publish) an announcement through the service."""
    factory = event_data if fields.get("category") == "event" else data
    result = services.create_announcement(actor, factory(**fields),
                                          store or ImageStore("/nonexistent"), now=now)
    return result.announcement


def notification_count(user=None, announcement=None):
    stmt = select(func.count()).select_from(Notification)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    if announcement is not None:
        stmt = stmt.where(Notification.kind == f"announcement:{announcement.id}")
    return db.session.scalar(stmt)


def announcement_count():
    return db.session.scalar(select(func.count()).select_from(Announcement))


def image_bytes(fmt="PNG", size=(40, 30), color=(200, 30, 30), mode="RGB", **save):
    buffer = BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@pytest.fixture
def count_queries():
    """Count SQL statements run inside a `with count_queries() as counter:` block."""
    class _Block:
        def __enter__(self):
            self.counter = QueryCounter()
            event.listen(db.engine, "before_cursor_execute", self.counter)
            return self.counter

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self.counter)

    return _Block


@pytest.fixture
def in_request(app):
    """Services speak German through flask_babel, which needs a request like the views have."""
    with app.test_request_context("/"):
        _forget_request_caches()
        yield
        _forget_request_caches()


def _forget_request_caches():
    # The app context (and its `g`) lives for the whole session; a request starts with none.
    for name in list(g):
        g.pop(name)
