"""Announcement rules: publishing notifies the audience exactly once, schedules, validation that
keeps nothing half-saved, history, unpublish and delete in the audit log."""
from datetime import date, datetime, time

import pytest
from flask import g
from sqlalchemy import delete, func, select

from sozialplanung.admin.models import AuditLog
from sozialplanung.announcements import services
from sozialplanung.announcements.models import Announcement, AnnouncementRevision
from sozialplanung.errors import Conflict, NotFound, PermissionDenied, ValidationError
from sozialplanung.extensions import db
from sozialplanung.groups.models import Membership
from sozialplanung.notifications.models import Notification, OutboxMail
from sozialplanung.notifications.services import describe, link_for
from sozialplanung.policy import can

from ..factories import make_group, make_user
from .conftest import (START, announce, announcement_count, data, event_data, image_bytes,
                       notification_count)


@pytest.fixture(autouse=True)
def _request(in_request):
    yield


def audit_codes():
    return [row for row in db.session.scalars(
        select(AuditLog.action).where(AuditLog.action.like("announcement_%")).order_by(AuditLog.id))]


# --- publishing and notifications ---------------------------------------------------------

def test_publishing_notifies_every_active_member_once_in_app_and_by_mail(world, clock):
    weekly = make_user(display_name="Wochenweise", notify_mode="weekly")
    announcement = announce(world["editor"], title="Haushaltsdaten 2027")
    for user in (world["insider"], world["outsider"], world["admin"], weekly):
        assert notification_count(user, announcement) == 1
    assert notification_count(world["editor"]) == 0  # not about one's own action
    assert notification_count(world["suspended"]) == 0
    note = db.session.scalar(select(Notification).where(Notification.user_id == world["outsider"].id))
    assert describe(note) == "Neuigkeit des Instituts: „Haushaltsdaten 2027“"
    db.session.expire_all()
    assert db.session.get(Announcement, announcement.id).notified_at == START
    mails = db.session.scalars(select(OutboxMail).where(
        OutboxMail.to_address == world["outsider"].email)).all()
    assert len(mails) == 1 and "Haushaltsdaten 2027" in mails[0].subject
    assert f"/neuigkeiten/{announcement.id}" in mails[0].body_text
    assert not db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == weekly.email)).all()


def test_editing_unpublishing_and_republishing_never_notify_again(world, clock, store):
    announcement = announce(world["editor"])
    before = notification_count()
    services.update_announcement(world["editor"], announcement, data(title="Korrigiert"), store)
    services.unpublish_announcement(world["editor"], announcement)
    services.publish_announcement(world["editor"], announcement)
    assert notification_count() == before
    assert services.publish_due() == 0


def test_group_audience_notifies_only_the_groups_members(world, clock):
    announcement = announce(world["editor"], audience="groups", group_ids=[str(world["group"].id)])
    assert notification_count(world["insider"], announcement) == 1
    for name in ("outsider", "admin", "moderator"):
        assert notification_count(world[name], announcement) == 0, name


def test_event_notification_text_and_link(world, clock, app):
    announcement = announce(world["editor"], category="event", title="Fachtag")
    note = db.session.scalar(select(Notification).where(Notification.user_id == world["insider"].id))
    assert describe(note) == "Neuer Termin des Instituts: „Fachtag“"
    with app.test_request_context():
        assert link_for(note) == f"/neuigkeiten/{announcement.id}"


def test_notification_hides_the_title_once_withdrawn(world, clock):
    announcement = announce(world["editor"], title="Vertraulicher Entwurf")
    services.unpublish_announcement(world["editor"], announcement)
    note = db.session.scalar(select(Notification).where(Notification.user_id == world["insider"].id))
    assert "Vertraulicher" not in describe(note)


def test_group_announcement_notification_hides_the_title_after_leaving(world, clock):
    announcement = announce(world["editor"], title="Geheimtermin", audience="groups",
                            group_ids=[str(world["group"].id)])
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == world["insider"].id))
    assert "Geheimtermin" in describe(note)
    db.session.execute(delete(Membership).where(Membership.user_id == world["insider"].id))
    db.session.commit()
    g.pop("_group_announcements", None)  # a new request: the per-request cache starts empty
    assert "Geheimtermin" not in describe(note)
    assert announcement.id


# --- scheduling ---------------------------------------------------------------------------

def test_scheduled_announcement_appears_and_notifies_exactly_once_when_due(world, clock, app):
    runner = app.test_cli_runner()
    local_noon = datetime(2026, 11, 25, 12, 0)  # Europe/Berlin = 11:00 UTC
    result = services.create_announcement(
        world["editor"], data(publication="scheduled", publish_at=local_noon),
        store=None)
    announcement = result.announcement
    assert result.scheduled and not result.published
    assert announcement.publish_at == datetime(2026, 11, 25, 11, 0)
    assert not can(world["insider"], "view_announcement", announcement)
    assert services.publish_due() == 0
    assert notification_count() == 0

    clock.advance(hours=2)  # 11:00 UTC
    assert can(world["insider"], "view_announcement", announcement)
    outcome = runner.invoke(args=["announcements", "publish-due"])
    assert outcome.exit_code == 0, outcome.output
    assert "1 geplante Mitteilung" in outcome.output
    assert runner.invoke(args=["announcements", "publish-due"]).exit_code == 0
    assert services.publish_due() == 0
    assert notification_count(world["insider"], announcement) == 1
    assert notification_count(world["outsider"], announcement) == 1
    assert notification_count() == 4  # insider, outsider, admin, moderator; not the editor


def test_publish_due_accepts_an_explicit_time(world):
    now = datetime(2030, 1, 1, 8, 0)
    announcement = services.create_announcement(
        world["editor"], data(publication="scheduled", publish_at=datetime(2030, 1, 1, 10, 0)),
        store=None, now=now).announcement
    assert services.publish_due(now=datetime(2030, 1, 1, 8, 59)) == 0
    assert services.publish_due(now=datetime(2030, 1, 1, 9, 0)) == 1
    assert services.publish_due(now=datetime(2030, 1, 1, 9, 5)) == 0
    assert notification_count(world["outsider"], announcement) == 1


def test_scheduled_then_withdrawn_or_deleted_is_never_announced(world, clock):
    later = datetime(2026, 11, 26, 12, 0)
    first = services.create_announcement(world["editor"], data(publication="scheduled",
                                                               publish_at=later), None).announcement
    second = services.create_announcement(world["editor"], data(publication="scheduled",
                                                                publish_at=later), None).announcement
    services.unpublish_announcement(world["editor"], first)
    services.delete_announcement(world["editor"], second)
    clock.advance(days=2)
    assert services.publish_due() == 0
    assert notification_count() == 0


def test_scheduled_time_just_passed_publishes_now_with_a_note(world, clock):
    """START is 10:00 in Berlin; 09:50 passed while the editor was writing."""
    result = services.create_announcement(
        world["editor"], data(publication="scheduled", publish_at=datetime(2026, 11, 25, 9, 50)),
        None)
    assert result.past_time_published and result.published
    assert result.announcement.publish_at == START
    assert notification_count(world["insider"]) == 1


@pytest.mark.parametrize("publish_at, message", [
    (datetime(2026, 11, 1, 9, 0), "Dieser Zeitpunkt liegt in der Vergangenheit."),
    (datetime(1, 1, 1, 0, 0), "Bitte wählen Sie ein Datum zwischen 2000 und 2999."),
    (datetime(9999, 12, 31, 23, 0), "Bitte wählen Sie ein Datum zwischen 2000 und 2999."),
    (datetime(2027, 3, 28, 2, 30), "Diese Uhrzeit gibt es am 28.03.2027 nicht"),
])
def test_scheduled_times_that_are_typing_errors_are_refused(world, clock, publish_at, message):
    with pytest.raises(ValidationError) as refused:
        services.create_announcement(
            world["editor"], data(publication="scheduled", publish_at=publish_at), None)
    assert refused.value.errors["publish_at"].startswith(message)
    assert announcement_count() == 0 and notification_count() == 0


@pytest.mark.parametrize("fields, field, message", [
    ({"starts_on": date(1, 1, 1)}, "starts_on", "Bitte wählen Sie ein Datum zwischen 2000"),
    ({"ends_on": date(3000, 1, 1)}, "ends_on", "Bitte wählen Sie ein Datum zwischen 2000"),
    ({"starts_on": date(2027, 3, 28), "starts_time": time(2, 30), "ends_time": time(4, 0)},
     "starts_time", "Diese Uhrzeit gibt es am 28.03.2027 nicht"),
    ({"starts_on": date(2027, 3, 28), "starts_time": time(1, 0), "ends_time": time(2, 15)},
     "ends_time", "Diese Uhrzeit gibt es am 28.03.2027 nicht"),
])
def test_event_dates_that_cannot_be_meant_are_refused(world, clock, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        services.create_announcement(world["editor"], event_data(**fields), None)
    assert refused.value.errors[field].startswith(message)
    assert announcement_count() == 0


def test_event_in_the_doubled_autumn_hour_is_kept(world, clock):
    result = services.create_announcement(world["editor"], event_data(
        starts_on=date(2026, 10, 25), starts_time=time(2, 30), ends_time=time(4, 0)), None)
    assert result.announcement.starts_at == datetime(2026, 10, 25, 0, 30)  # 02:30 CEST


def test_draft_is_invisible_and_silent(world, clock):
    announcement = announce(world["editor"], publication="draft")
    assert announcement.status == "draft" and announcement.publish_at is None
    assert notification_count() == 0
    assert not can(world["insider"], "view_announcement", announcement)
    assert can(world["editor"], "view_announcement", announcement)
    assert services.publish_due() == 0


def test_concurrent_release_is_announced_once(world, clock):
    """Two schedulers finding the same due announcement: the conditional update lets one win."""
    announcement = services.create_announcement(
        world["editor"], data(publication="scheduled", publish_at=datetime(2026, 11, 25, 11, 0)),
        None).announcement
    clock.advance(hours=1)
    assert services._notify_once(announcement, None, clock.now) is True
    assert services._notify_once(announcement, None, clock.now) is False
    db.session.commit()
    assert services.publish_due() == 0
    assert notification_count(world["insider"]) == 1


# --- validation: clear German messages, nothing saved -------------------------------------

@pytest.mark.parametrize("fields, field, message", [
    ({"title": "  "}, "title", "Bitte geben Sie einen Titel an."),
    ({"title": "x" * 201}, "title", "höchstens 200 Zeichen"),
    ({"teaser": ""}, "teaser", "Anreißertext"),
    ({"title": "\u202e\u202c"}, "title", "Bitte geben Sie einen Titel an."),
    ({"title": "\u200b \u2800 \ufeff"}, "title", "Bitte geben Sie einen Titel an."),
    ({"teaser": "\u200b\u200b\n\u200b"}, "teaser", "Anreißertext"),
    ({"category": "werbung"}, "category", "Kategorie"),
    ({"audience": "alle"}, "audience", "für wen"),
    ({"audience": "groups", "group_ids": []}, "group_ids", "mindestens einen Arbeitskreis"),
    ({"audience": "groups", "group_ids": ["999999"]}, "group_ids", "existiert nicht"),
    ({"audience": "groups", "group_ids": ["drop table"]}, "group_ids", "existiert nicht"),
    ({"publication": "irgendwann"}, "publication", "wann die Mitteilung"),
    ({"publication": "scheduled"}, "publish_at", "Datum und Uhrzeit"),
    ({"category": "event", "starts_on": None}, "starts_on", "Datum des Beginns"),
    ({"category": "event", "starts_time": None}, "starts_time", "Uhrzeit des Beginns"),
    ({"category": "event", "starts_time": time(15), "ends_time": time(9)}, "ends_time",
     "Das Ende liegt vor dem Beginn."),
    ({"category": "event", "ends_on": date(2026, 12, 1)}, "ends_on", "Das Ende liegt vor dem Beginn."),
    ({"category": "event", "is_all_day": True, "ends_on": date(2026, 12, 2)}, "ends_on",
     "Das Ende liegt vor dem Beginn."),
    ({"category": "event", "ends_on": date(2026, 12, 4), "ends_time": None}, "ends_time",
     "Uhrzeit des Endes"),
    ({"category": "event", "location": "", "online_url": ""}, "location", "Ort oder einen Online-Link"),
    ({"category": "event", "online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"category": "event", "registration_url": "www.example.org"}, "registration_url", "https://"),
])
def test_bad_input_is_refused_and_nothing_is_saved(world, clock, fields, field, message):
    factory = event_data if fields.get("category") == "event" else data
    with pytest.raises(ValidationError) as caught:
        services.create_announcement(world["editor"], factory(**fields), None)
    assert message in caught.value.errors[field]
    assert announcement_count() == 0
    assert notification_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_titles_lose_invisible_characters_and_running_text_direction_overrides(world, clock):
    announcement = announce(world["editor"], title="Fach\u00adtag\u200b  Jugend\u202ehilfe",
                            teaser="Anmeldung \u202ebis\u202c Freitag")
    assert announcement.title == "Fachtag Jugendhilfe"
    assert announcement.teaser == "Anmeldung bis Freitag"


def test_all_problems_are_reported_together(editor):
    with pytest.raises(ValidationError) as caught:
        services.create_announcement(editor, data(title="", teaser="", category="event"), None)
    assert {"title", "teaser", "starts_on", "location"} <= set(caught.value.errors)


def test_an_image_that_is_not_an_image_is_refused(editor, store, image_dir):
    from io import BytesIO
    with pytest.raises(ValidationError) as caught:
        services.create_announcement(editor, data(image=BytesIO(b"<svg onload=alert(1)>"),
                                                  image_alt="Logo"), store)
    assert "kein Bild" in caught.value.errors["image"]
    assert announcement_count() == 0
    assert not any(p.is_file() for p in image_dir.rglob("*"))


def test_failed_edit_changes_nothing(world, clock, store):
    announcement = announce(world["editor"], title="Original")
    with pytest.raises(ValidationError):
        services.update_announcement(world["editor"], announcement, data(title=""), store)
    db.session.expire_all()
    assert db.session.get(Announcement, announcement.id).title == "Original"
    assert db.session.scalar(select(func.count()).select_from(AnnouncementRevision)) == 0


# --- events -------------------------------------------------------------------------------

def test_event_times_are_read_as_german_local_time(editor, clock):
    summer = announce(editor, category="event", starts_on=date(2027, 7, 1),
                      starts_time=time(10, 0), ends_time=time(12, 0))
    assert (summer.starts_at, summer.ends_at) == (datetime(2027, 7, 1, 8), datetime(2027, 7, 1, 10))
    winter = announce(editor, category="event", starts_on=date(2027, 1, 15),
                      starts_time=time(10, 0), ends_time=None)
    assert winter.starts_at == winter.ends_at == datetime(2027, 1, 15, 9)
    assert not winter.has_end


def test_all_day_event_over_the_change_to_summer_time(editor, clock):
    event = announce(editor, category="event", is_all_day=True, starts_on=date(2027, 3, 27),
                     ends_on=date(2027, 3, 28), starts_time=None, ends_time=None)
    assert event.starts_at == datetime(2027, 3, 26, 23, 0)  # local midnight, CET
    assert event.ends_at == datetime(2027, 3, 28, 22, 0)  # midnight after the last day, CEST
    assert (event.first_day, event.last_day) == (date(2027, 3, 27), date(2027, 3, 28))


def test_changing_the_category_away_from_event_clears_its_dates(editor, clock, store):
    event = announce(editor, category="event")
    services.update_announcement(editor, event, data(category="news", starts_on=date(2026, 12, 3)),
                                 store)
    assert event.starts_at is None and event.location == ""


# --- history, unpublish, delete -----------------------------------------------------------

def test_edits_keep_the_previous_text(world, clock, store):
    announcement = announce(world["editor"], title="Erste Fassung", body="Alt")
    clock.advance(minutes=30)
    services.update_announcement(world["admin"], announcement,
                                 data(title="Zweite Fassung", body="Neu", version=1), store)
    history = services.revisions(world["editor"], announcement)
    assert [(r.title, r.body, r.author_id, r.created_at) for r in history] == [
        ("Erste Fassung", "Alt", world["editor"].id, START)]
    assert announcement.version == 2 and announcement.updated_by_id == world["admin"].id
    with pytest.raises(PermissionDenied):
        services.revisions(world["insider"], announcement)


def test_a_concurrent_edit_is_detected(editor, clock, store):
    announcement = announce(editor)
    services.update_announcement(editor, announcement, data(title="A", version=1), store)
    with pytest.raises(Conflict):
        services.update_announcement(editor, announcement, data(title="B", version=1), store)
    assert announcement.title == "A"


def test_live_announcement_stays_live_when_edited(world, clock, store):
    announcement = announce(world["editor"])
    services.update_announcement(world["editor"], announcement, data(publication="draft"), store)
    assert announcement.is_live(clock.now)


def test_unpublish_and_delete_are_audited_and_hide_the_announcement(world, clock):
    announcement = announce(world["editor"], title="Pressemitteilung")
    services.unpublish_announcement(world["editor"], announcement, ip="10.0.0.1")
    assert not can(world["insider"], "view_announcement", announcement)
    assert can(world["editor"], "view_announcement", announcement)
    with pytest.raises(Conflict):
        services.unpublish_announcement(world["editor"], announcement)
    services.delete_announcement(world["admin"], announcement, ip="10.0.0.2")
    assert not can(world["editor"], "view_announcement", announcement)
    with pytest.raises(NotFound):
        services.get_announcement(world["editor"], announcement.id)
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action.like("announcement_%"))
                                 .order_by(AuditLog.id)).all()
    assert [(e.action, e.actor_id, e.target_type, e.target_id, e.summary, e.ip_address)
            for e in entries] == [
        ("announcement_published", world["editor"].id, "Announcement", announcement.id,
         "Pressemitteilung", ""),
        ("announcement_unpublished", world["editor"].id, "Announcement", announcement.id,
         "Pressemitteilung", "10.0.0.1"),
        ("announcement_deleted", world["admin"].id, "Announcement", announcement.id,
         "Pressemitteilung", "10.0.0.2"),
    ]
    assert db.session.get(Announcement, announcement.id).is_deleted  # kept, not erased


def test_scheduling_is_audited_with_german_local_time(editor, clock):
    services.create_announcement(editor, data(title="Termin", publication="scheduled",
                                              publish_at=datetime(2026, 12, 1, 8, 30)), None)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "announcement_scheduled"))
    assert entry.summary == "Termin – 01.12.2026, 08:30"


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_editors_and_admins_write(world, clock, store, role):
    user = make_user(role=role)
    with pytest.raises(PermissionDenied):
        services.create_announcement(user, data(), store)
    announcement = announce(world["editor"])
    for call in (lambda: services.update_announcement(user, announcement, data(), store),
                 lambda: services.unpublish_announcement(user, announcement),
                 lambda: services.delete_announcement(user, announcement),
                 lambda: services.publish_announcement(user, announcement)):
        with pytest.raises(PermissionDenied):
            call()
    assert announcement_count() == 1 and audit_codes() == ["announcement_published"]


def test_hidden_announcement_is_not_found_for_outsiders(world, clock, store):
    announcement = announce(world["editor"], audience="groups",
                            group_ids=[str(world["group"].id)])
    with pytest.raises(NotFound):
        services.update_announcement(world["outsider"], announcement, data(), store)
    with pytest.raises(NotFound):
        services.get_announcement(world["outsider"], announcement.id)
    assert services.get_announcement(world["insider"], announcement.id) is announcement


def test_archived_group_membership_still_counts(world, clock):
    archived = make_group(name="Alter AK", members=[world["outsider"]])
    archived.is_archived = True
    db.session.commit()
    announcement = announce(world["editor"], audience="groups", group_ids=[str(archived.id)])
    assert can(world["outsider"], "view_announcement", announcement)


def test_images_are_checked_reencoded_and_resized(editor, store, image_dir, clock):
    from io import BytesIO
    big = image_bytes("PNG", size=(3200, 1600))
    announcement = announce(editor, store=store, image=BytesIO(big), image_alt="Rote Fläche")
    assert announcement.image_key.endswith(".jpg")
    assert (announcement.image_width, announcement.image_height) == (1600, 800)
    stored = store.path(announcement.image_key)
    assert stored.is_file() and image_dir in stored.parents
    assert "static" not in str(stored)
    transparent = announce(editor, store=store, image=BytesIO(image_bytes(
        "PNG", mode="RGBA", color=(0, 0, 0, 0))), image_alt="Transparent")
    assert transparent.image_key.endswith(".png")
    with pytest.raises(ValidationError) as caught:
        announce(editor, store=store, image=BytesIO(big), image_alt="")
    assert "image_alt" in caught.value.errors
