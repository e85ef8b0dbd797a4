"""Reports: hidden posts stay hidden on every moderation page, reports on a moderator's own
post go to the other moderators, and a member's first report stands."""
import html

import pytest
from sqlalchemy import func, select

from sozialplanung.errors import NotFound
from sozialplanung.extensions import db
from sozialplanung.forum.models import Post
from sozialplanung.forum.services import reply
from sozialplanung.groups.models import Membership
from sozialplanung.moderation import reports, services
from sozialplanung.moderation.models import Report
from sozialplanung.notifications.models import Notification, OutboxMail
from sozialplanung.policy import can_handle_report

from ..conftest import login
from ..factories import make_user

HIDDEN_TEXT = "Okapi versteckter Beitrag Flamingo"


def page(response):
    return html.unescape(response.get_data(as_text=True))


def report_count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Report))


def notified(kind="report"):
    db.session.expire_all()
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


@pytest.fixture
def hidden(world):
    """A reply in the open group, written by a member of it and hidden by its moderator."""
    db.session.add(Membership(user_id=world.member.id, group_id=world.other.id))
    db.session.commit()
    post = reply(world.author, world.other_thread, HIDDEN_TEXT + " mit Beleidigung", "h1")
    services.set_post_hidden(world.other_mod, post.id, True, "Beleidigung")
    return post


# --- C1: a hidden post's text ---------------------------------------------------------------

@pytest.mark.parametrize("persona", ["member", "outsider", "other_mod", "site_mod", "author"])
def test_hidden_post_cannot_be_reported_and_its_text_is_not_quoted(client, world, hidden,
                                                                   persona):
    login(client, getattr(world, persona))
    url = f"/moderation/beitraege/{hidden.id}/melden"
    for response in (client.get(url), client.post(url, data={"reason": "Nochmal melden"})):
        assert response.status_code == 403
        assert HIDDEN_TEXT not in page(response)
    assert report_count() == 0


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_readers_of_an_open_group_are_told_why_a_hidden_post_cannot_be_reported(
        client, world, hidden, persona):
    login(client, getattr(world, persona))
    response = client.get(f"/moderation/beitraege/{hidden.id}/melden")
    assert "Die Moderation hat diesen Beitrag bereits ausgeblendet; eine Meldung ist nicht " \
           "nötig." in page(response)
    thread_page = page(client.get(f"/themen/{world.other_thread.id}"))
    assert "Von der Moderation ausgeblendet" in thread_page and HIDDEN_TEXT not in thread_page
    assert f"/moderation/beitraege/{hidden.id}/melden" not in thread_page


@pytest.mark.parametrize("persona, status", [
    ("member", 403), ("outsider", 403), ("author", 403), ("group_mod", 403),
    ("other_mod", 200), ("site_mod", 200),
])
def test_post_tools_show_a_hidden_post_to_its_moderators_only(client, world, hidden, persona,
                                                              status):
    login(client, getattr(world, persona))
    response = client.get(f"/moderation/beitraege/{hidden.id}")
    assert response.status_code == status
    assert (HIDDEN_TEXT in page(response)) is (status == 200)


@pytest.mark.parametrize("persona, sees", [
    ("member", False), ("outsider", False), ("group_mod", False),
    ("other_mod", True), ("site_mod", True),
])
def test_queue_and_log_show_a_reported_then_hidden_post_to_its_moderators_only(
        client, world, persona, sees):
    db.session.add(Membership(user_id=world.member.id, group_id=world.other.id))
    db.session.commit()
    post = reply(world.author, world.other_thread, HIDDEN_TEXT, "h2")
    reports.report_post(world.member, post.id, "Beleidigend")
    services.set_post_hidden(world.site_mod, post.id, True, "Grund Gnu")
    login(client, getattr(world, persona))
    queue, log = client.get("/moderation/"), client.get("/moderation/protokoll")
    if persona in ("member", "outsider"):
        assert queue.status_code == log.status_code == 403
    assert (HIDDEN_TEXT in page(queue)) is sees
    assert ("Grund Gnu" in page(log)) is sees


def test_report_notifications_and_mails_do_not_quote_the_post(client, world):
    world.site_mod.notify_mode = "immediate"
    db.session.commit()
    reports.report_post(world.member, world.first.id, "Werbung")
    mails = db.session.scalars(select(OutboxMail)).all()
    assert mails and all("Erster Beitrag" not in mail.body_text for mail in mails)
    login(client, world.site_mod)
    assert "Erster Beitrag" not in page(client.get("/benachrichtigungen"))


# --- M4: reports on a moderator's own post --------------------------------------------------

@pytest.fixture
def own_post_report(world):
    """The group's only moderator wrote a post; a member reports it."""
    post = reply(world.group_mod, world.thread, "Beitrag der Moderation", "m1")
    reports.report_post(world.member, post.id, "Grund Gürteltier")
    return db.session.scalar(select(Report))


def test_author_moderator_is_not_told_but_site_moderators_are(world, own_post_report):
    told = notified()
    assert world.group_mod.id not in told
    assert {world.site_mod.id, world.admin.id} <= told


def test_author_moderator_neither_sees_nor_decides_a_report_on_their_post(client, world,
                                                                         own_post_report):
    login(client, world.group_mod)
    queue = page(client.get("/moderation/"))
    assert "Grund Gürteltier" not in queue and "Mitglied Max" not in queue
    assert "Keine offenen Meldungen." in queue
    response = client.post(f"/moderation/meldungen/{own_post_report.id}",
                           data={"entscheidung": "dismissed"})
    assert response.status_code == 404
    assert world.refresh(own_post_report).status == "open"
    assert notified("report_dismissed") == set()


def test_other_moderators_of_the_group_handle_it(client, world, own_post_report):
    colleague = make_user(display_name="Kollegin Kim")
    db.session.add(Membership(user_id=colleague.id, group_id=world.group.id, role="moderator"))
    db.session.commit()
    post = reply(world.group_mod, world.thread, "Noch ein Beitrag der Moderation", "m2")
    reports.report_post(world.member, post.id, "Grund Gnu")
    assert colleague.id in notified() and world.group_mod.id not in notified()
    login(client, colleague)
    queue = page(client.get("/moderation/"))
    assert "Grund Gürteltier" in queue and "Grund Gnu" in queue and "Mitglied Max" in queue
    response = client.post(f"/moderation/meldungen/{own_post_report.id}",
                           data={"entscheidung": "dismissed"})
    assert response.status_code == 302
    assert world.refresh(own_post_report).status == "dismissed"


def test_site_moderator_does_not_handle_reports_on_their_own_post(client, world):
    post = reply(world.site_mod, world.thread, "Beitrag der Seitenmoderation", "s1")
    reports.report_post(world.member, post.id, "Grund Gams")
    report = db.session.scalar(select(Report))
    assert world.site_mod.id not in notified()
    assert {world.admin.id, world.group_mod.id} <= notified()
    login(client, world.site_mod)
    assert "Grund Gams" not in page(client.get("/moderation/"))
    assert client.post(f"/moderation/meldungen/{report.id}",
                       data={"entscheidung": "dismissed"}).status_code == 404
    assert world.refresh(report).status == "open"
    client.post("/abmelden")
    login(client, world.admin)
    assert "Grund Gams" in page(client.get("/moderation/"))


def test_handle_report_rule(world, own_post_report):
    assert not can_handle_report(world.group_mod, own_post_report)
    assert can_handle_report(world.site_mod, own_post_report)
    assert not can_handle_report(world.member, own_post_report)
    assert not can_handle_report(world.other_mod, own_post_report)
    with pytest.raises(NotFound):
        reports.handle_report(world.group_mod, own_post_report.id, "resolved")


# --- reports follow their post to another group -----------------------------------------------

def test_report_moves_with_its_thread(client, world):
    reports.report_post(world.author, world.second.id, "Grund Gecko")
    services.move_thread(world.site_mod, world.thread.id, world.other.id)
    login(client, world.group_mod)  # moderates only the old, closed group
    assert "Grund Gecko" not in page(client.get("/moderation/"))
    client.post("/abmelden")
    login(client, world.other_mod)
    assert "Grund Gecko" in page(client.get("/moderation/"))


@pytest.mark.parametrize("decision, told", [
    ("resolved", "Ihre Meldung zu einem Beitrag wurde bearbeitet. Danke für Ihren Hinweis."),
    ("dismissed", "Ihre Meldung zu einem Beitrag wurde geprüft; die Moderation sieht keinen "
                  "Handlungsbedarf.")])
def test_reporter_hears_the_outcome_after_the_thread_moved_out_of_their_reach(client, world,
                                                                              decision, told):
    """The report page promises the outcome; the thread went into a closed group meanwhile,
    so the reporter is told without its title or a link into it."""
    opening = db.session.scalar(select(Post).where(Post.thread_id == world.other_thread.id))
    report = reports.report_post(world.outsider, opening.id, "Grund Gecko")
    services.move_thread(world.site_mod, world.other_thread.id, world.group.id)
    reports.handle_report(world.group_mod, report.id, decision)
    [note] = db.session.scalars(select(Notification).where(
        Notification.user_id == world.outsider.id)).all()
    assert note.thread_id is None and note.kind == "report_" + decision
    login(client, world.outsider)
    inbox = page(client.get("/benachrichtigungen"))
    assert told in inbox and "Kita-Bedarf" not in inbox


# --- a second report ---------------------------------------------------------------------------

def test_a_second_report_keeps_the_first_and_says_so(client, world):
    login(client, world.member)
    url = f"/moderation/beitraege/{world.first.id}/melden"
    assert client.post(url, data={"reason": "Enthält personenbezogene Daten"}).status_code == 302
    again = client.get(url)
    text = page(again)
    assert "Sie haben diesen Beitrag bereits gemeldet." in text
    assert "Enthält personenbezogene Daten" in text and 'name="reason"' not in text
    response = client.post(url, data={"reason": "Nochmal"})
    assert "Sie haben diesen Beitrag bereits gemeldet." in page(response)
    [report] = db.session.scalars(select(Report)).all()
    assert report.reason == "Enthält personenbezogene Daten"
    assert len(db.session.scalars(select(Notification).where(
        Notification.kind == "report", Notification.user_id == world.group_mod.id)).all()) == 1


def test_second_report_through_the_service_keeps_the_first(world):
    assert reports.report_post(world.member, world.first.id, "Erster Grund") is not None
    assert reports.report_post(world.member, world.first.id, "Zweiter Grund") is None
    assert world.refresh(db.session.scalar(select(Report))).reason == "Erster Grund"


def test_after_a_decision_the_post_can_be_reported_again(client, world):
    report = reports.report_post(world.member, world.first.id, "Erster Grund")
    reports.handle_report(world.group_mod, report.id, "dismissed", "Kein Verstoß")
    login(client, world.member)
    url = f"/moderation/beitraege/{world.first.id}/melden"
    assert 'name="reason"' in page(client.get(url))
    assert client.post(url, data={"reason": "Jetzt bearbeitet und beleidigend"}).status_code == 302
    report = world.refresh(report)
    assert (report.status, report.reason, report.handled_by_id, report.resolution_note) == (
        "open", "Jetzt bearbeitet und beleidigend", None, "")
    assert len(db.session.scalars(select(Notification).where(
        Notification.kind == "report", Notification.user_id == world.group_mod.id)).all()) == 2


def test_migration_brings_reports_of_earlier_moved_posts_to_their_new_group(tmp_path):
    """Before reports followed their posts, a moved thread left its reports in the old group's
    queue; the migration c2d8e4f6a1b3 sets them to the post's group (on a separate SQLite)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from config import TestingConfig
    from sozialplanung import create_app
    from sozialplanung.forum.services import start_thread

    from ..factories import make_group

    config = type("MigrationConfig", (TestingConfig,),
                  {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migration.sqlite'}"})
    scratch = create_app(config)
    with scratch.app_context(), scratch.test_request_context("/"):
        try:
            upgrade(revision="b7e3f9a1c5d2")
            author, reporter = make_user(display_name="Anna Autorin"), make_user()
            old, new = make_group(name="Alter Kreis", members=[author, reporter]), \
                make_group(name="Neuer Kreis")
            opening = start_thread(author, old, "Thema", "Text")
            report = reports.report_post(reporter, opening.id, "Bitte prüfen")
            db.session.commit()
            report_id, new_id, old_id = report.id, new.id, old.id
            # The thread moved in the old way: its report stayed behind.
            db.session.execute(text("UPDATE threads SET group_id = :g"), {"g": new_id})
            db.session.commit()
            assert db.session.scalar(text("SELECT group_id FROM reports")) == old_id
            upgrade()
            assert db.session.scalar(text("SELECT group_id FROM reports WHERE id = :r"),
                                     {"r": report_id}) == new_id
        finally:
            db.session.remove()
            db.engine.dispose()
