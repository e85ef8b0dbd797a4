"""Moderation through the HTTP client: who may do what, what happens, and the log."""
from datetime import date, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sozialplanung.extensions import db
from sozialplanung.forum.models import Subscription, Thread
from sozialplanung.moderation.models import ModerationAction, Report
from sozialplanung.notifications.models import Notification

from ..conftest import login
from ..factories import make_user


def log_count(action=None):
    stmt = select(func.count()).select_from(ModerationAction)
    if action:
        stmt = stmt.where(ModerationAction.action == action)
    return db.session.scalar(stmt)


def thread_action(client, world, endpoint, thread=None, **data):
    thread = thread or world.thread
    data.setdefault("expected_group_id", thread.group_id)
    return client.post(f"/moderation/themen/{thread.id}/{endpoint}", data=data)


# --- who may moderate ---------------------------------------------------------------------

@pytest.mark.parametrize("persona, allowed", [
    ("admin", True), ("site_mod", True), ("group_mod", True),
    ("other_mod", False), ("editor", False), ("member", False), ("author", False),
])
def test_pin_permission_matrix(client, world, persona, allowed):
    login(client, getattr(world, persona))
    response = thread_action(client, world, "anheften", an="1")
    thread = world.refresh(world.thread)
    assert thread.is_pinned is allowed
    assert log_count("pin") == (1 if allowed else 0)
    if not allowed:
        # A closed group's outsider sees "not found"; a member sees "no permission".
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("persona, status", [
    ("outsider", 404), ("other_mod", 404), ("member", 403), ("editor", 403),
])
def test_moderation_pages_refused(client, world, persona, status):
    login(client, getattr(world, persona))
    assert client.get(f"/moderation/themen/{world.thread.id}").status_code == status
    assert client.get(f"/moderation/beitraege/{world.second.id}").status_code == status


def test_group_moderator_cannot_act_in_other_group(client, world):
    login(client, world.group_mod)
    response = thread_action(client, world, "schliessen", thread=world.other_thread, an="1")
    assert response.status_code == 403
    assert not world.refresh(world.other_thread).is_locked
    assert log_count() == 0


def test_anonymous_redirected_to_login(client, world):
    response = client.get("/moderation/")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_moderation_queue_and_log_pages_for_moderators_only(client, world):
    login(client, world.member)
    assert client.get("/moderation/").status_code == 403
    assert client.get("/moderation/protokoll").status_code == 403
    client.post("/abmelden")
    login(client, world.group_mod)
    assert client.get("/moderation/").status_code == 200
    assert client.get("/moderation/protokoll").status_code == 200


# --- thread actions -----------------------------------------------------------------------

def test_pin_twice_is_a_conflict_with_one_log_entry(client, world):
    login(client, world.group_mod)
    assert thread_action(client, world, "anheften", an="1").status_code == 302
    second = thread_action(client, world, "anheften", an="1")
    assert second.status_code == 409
    assert "bereits ausgeführt" in second.get_data(as_text=True)
    assert log_count("pin") == 1
    assert thread_action(client, world, "anheften", an="0").status_code == 302
    assert not world.refresh(world.thread).is_pinned


def test_lock_with_reason_shown_and_replies_refused(client, world):
    login(client, world.group_mod)
    thread_action(client, world, "schliessen", an="1", reason="Diskussion abgeschlossen")
    client.post("/abmelden")
    login(client, world.member)
    page = client.get(f"/themen/{world.thread.id}").get_data(as_text=True)
    assert "Dieses Thema ist geschlossen." in page and "Diskussion abgeschlossen" in page
    response = client.post(f"/themen/{world.thread.id}/antworten",
                           data={"body": "Noch etwas", "submission_key": "x"})
    assert response.status_code in (200, 400, 403)
    assert "geschlossen" in response.get_data(as_text=True)
    assert world.refresh(world.thread).post_count == 3
    entry = db.session.scalar(select(ModerationAction))
    assert entry.action == "lock" and entry.reason == "Diskussion abgeschlossen"


def test_moderator_may_still_reply_to_locked_thread(client, world):
    login(client, world.group_mod)
    thread_action(client, world, "schliessen", an="1")
    response = client.post(f"/themen/{world.thread.id}/antworten",
                           data={"body": "Hinweis der Moderation", "submission_key": "m"})
    assert response.status_code == 302
    assert world.refresh(world.thread).post_count == 4


def test_rename(client, world):
    login(client, world.group_mod)
    response = thread_action(client, world, "umbenennen", title="Sozialbericht 2026 – Entwurf")
    assert response.status_code == 302
    assert world.refresh(world.thread).title == "Sozialbericht 2026 – Entwurf"
    bad = thread_action(client, world, "umbenennen", title="   ")
    assert bad.status_code == 400
    assert log_count("rename") == 1


def test_hide_thread_needs_reason_and_hides_it_from_members(client, world):
    login(client, world.group_mod)
    assert thread_action(client, world, "ausblenden", an="1", reason="").status_code == 302
    assert not world.refresh(world.thread).is_hidden
    thread_action(client, world, "ausblenden", an="1", reason="Doppelt")
    assert world.refresh(world.thread).is_hidden
    assert client.get(f"/themen/{world.thread.id}").status_code == 200
    client.post("/abmelden")
    login(client, world.member)
    assert client.get(f"/themen/{world.thread.id}").status_code == 404
    assert client.get(f"/beitraege/{world.second.id}").status_code == 404
    assert "Sozialbericht" not in client.get(f"/arbeitskreise/{world.group.slug}").get_data(
        as_text=True)
    client.post("/abmelden")
    login(client, world.group_mod)
    thread_action(client, world, "ausblenden", an="0")
    assert not world.refresh(world.thread).is_hidden
    assert log_count() == 2


def test_author_of_a_hidden_thread_is_told_and_reads_why(client, world):
    login(client, world.group_mod)
    thread_action(client, world, "ausblenden", an="1", reason="Enthält Personendaten")
    client.post("/abmelden")
    login(client, world.author)
    inbox = client.get("/benachrichtigungen").get_data(as_text=True)
    assert "Die Moderation hat Ihr Thema „" in inbox and "ausgeblendet" in inbox
    page = client.get(f"/themen/{world.thread.id}").get_data(as_text=True)
    assert "Grund: Enthält Personendaten" in page
    assert 'id="reply-heading"' not in page  # nobody replies in a hidden thread
    assert client.get(f"/themen/{world.thread.id}/antworten").status_code == 403
    client.post("/abmelden")
    login(client, world.group_mod)
    thread_action(client, world, "ausblenden", an="0")
    client.post("/abmelden")
    login(client, world.author)
    assert "wieder sichtbar gemacht" in client.get("/benachrichtigungen").get_data(as_text=True)


def test_move_requires_moderation_of_both_groups(client, world):
    login(client, world.group_mod)
    response = thread_action(client, world, "verschieben", target_group_id=world.other.id)
    assert response.status_code == 403
    assert world.refresh(world.thread).group_id == world.group.id
    assert log_count() == 0


def test_move_drops_watchers_who_lose_access(client, world):
    # The member watches the thread (auto-watch on reply) and is not in the target group.
    assert db.session.scalar(select(Subscription).where(
        Subscription.user_id == world.member.id, Subscription.thread_id == world.thread.id))
    login(client, world.site_mod)
    response = thread_action(client, world, "verschieben", target_group_id=world.other.id)
    assert response.status_code == 302
    thread = world.refresh(world.thread)
    assert thread.group_id == world.other.id
    # The other group is open: everyone can still read it, so nobody loses the subscription.
    assert db.session.scalar(select(Subscription).where(
        Subscription.user_id == world.member.id, Subscription.thread_id == thread.id))
    # Moving it back into the closed group removes the outsider who watched it meanwhile.
    db.session.add(Subscription(user_id=world.outsider.id, thread_id=thread.id))
    db.session.commit()
    thread_action(client, world, "verschieben", thread=thread, target_group_id=world.group.id)
    assert not db.session.scalar(select(Subscription).where(
        Subscription.user_id == world.outsider.id, Subscription.thread_id == thread.id))
    assert log_count("move") == 2


def test_stale_form_after_move_is_refused(client, world):
    login(client, world.site_mod)
    old_group = world.thread.group_id
    thread_action(client, world, "verschieben", target_group_id=world.other.id)
    response = thread_action(client, world, "anheften", an="1", expected_group_id=old_group)
    assert response.status_code == 409
    assert "verschoben" in response.get_data(as_text=True)
    assert not world.refresh(world.thread).is_pinned
    assert log_count() == 1


def test_split_selected_posts_into_new_thread(client, world):
    login(client, world.group_mod)
    response = thread_action(client, world, "teilen", title="Abgeteilte Diskussion",
                             post_ids=[str(world.second.id)])
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    new = db.session.get(Thread, new_id)
    assert new.title == "Abgeteilte Diskussion" and new.post_count == 1
    old_posts = world.posts(world.thread)
    assert [p.number for p in old_posts] == [1, 2]
    assert [p.source for p in old_posts] == ["Erster Beitrag", "Dritter Beitrag"]
    assert world.refresh(world.thread).post_count == 2
    assert client.get(f"/beitraege/{world.second.id}").headers["Location"].startswith(
        f"/themen/{new_id}")
    assert log_count("split") == 1


def test_split_refuses_all_posts_and_foreign_posts(client, world):
    login(client, world.group_mod)
    everything = [str(p.id) for p in world.posts(world.thread)]
    assert thread_action(client, world, "teilen", title="Alles",
                         post_ids=everything).status_code == 400
    foreign = world.posts(world.other_thread)[0]
    assert thread_action(client, world, "teilen", title="Fremd",
                         post_ids=[str(foreign.id)]).status_code == 409
    assert log_count() == 0
    assert world.refresh(world.thread).post_count == 3


def test_merge_keeps_time_order(client, world):
    login(client, world.site_mod)
    split = thread_action(client, world, "teilen", title="Teil", post_ids=[str(world.second.id)])
    new_id = int(split.headers["Location"].rsplit("/", 1)[1])
    response = client.post(f"/moderation/themen/{new_id}/zusammenfuehren",
                           data={"target_thread_id": world.thread.id,
                                 "expected_group_id": world.group.id})
    assert response.status_code == 302
    assert db.session.get(Thread, new_id) is None
    posts = world.posts(world.thread)
    assert [p.source for p in posts] == ["Erster Beitrag", "Zweiter Beitrag", "Dritter Beitrag"]
    assert [p.number for p in posts] == [1, 2, 3]
    assert world.refresh(world.thread).post_count == 3
    assert log_count("merge") == 1


def test_merge_with_itself_refused(client, world):
    login(client, world.group_mod)
    response = thread_action(client, world, "zusammenfuehren", target_thread_id=world.thread.id)
    assert response.status_code == 400
    assert log_count() == 0


# --- posts --------------------------------------------------------------------------------

def test_hide_post_visible_to_author_and_moderators_only(client, world):
    login(client, world.group_mod)
    response = client.post(f"/moderation/beitraege/{world.second.id}",
                           data={"reason": "Persönliche Daten"})
    assert response.status_code == 302
    client.post("/abmelden")
    login(client, world.author)
    page = client.get(f"/themen/{world.thread.id}").get_data(as_text=True)
    assert "Von der Moderation ausgeblendet" in page and "Zweiter Beitrag" not in page
    client.post("/abmelden")
    login(client, world.member)  # the post's author sees it, marked, with the reason
    page = client.get(f"/themen/{world.thread.id}").get_data(as_text=True)
    assert "Zweiter Beitrag" in page and "Persönliche Daten" in page
    client.post("/abmelden")
    login(client, world.group_mod)
    again = client.post(f"/moderation/beitraege/{world.second.id}", data={"reason": "x"})
    assert again.status_code == 409
    assert client.post(f"/moderation/beitraege/{world.second.id}/einblenden").status_code == 302
    assert log_count("hide_post") == 1 and log_count("restore_post") == 1


def test_hide_deleted_post_is_conflict(client, world):
    login(client, world.member)
    client.post(f"/beitraege/{world.second.id}/loeschen")
    client.post("/abmelden")
    login(client, world.group_mod)
    response = client.post(f"/moderation/beitraege/{world.second.id}", data={"reason": "x"})
    assert response.status_code == 409
    assert log_count() == 0


# --- reports ------------------------------------------------------------------------------

def test_report_once_per_member_and_queue(client, world):
    login(client, world.member)
    url = f"/moderation/beitraege/{world.first.id}/melden"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"reason": ""}).status_code == 200  # error shown, nothing saved
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0
    client.post(url, data={"reason": "Enthält Namen von Klienten"})
    client.post(url, data={"reason": "Enthält Namen von Klientinnen und Klienten"})
    reports = db.session.scalars(select(Report)).all()
    assert len(reports) == 1 and reports[0].reason == "Enthält Namen von Klienten"
    # Moderators of the scope are notified once.
    notified = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "report")))
    assert world.group_mod.id in notified and world.site_mod.id in notified
    assert world.other_mod.id not in notified and world.member.id not in notified
    client.post("/abmelden")
    login(client, world.group_mod)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "Enthält Namen von Klienten" in queue and "Erster Beitrag" in queue
    client.post("/abmelden")
    login(client, world.other_mod)
    assert "Klienten" not in client.get("/moderation/").get_data(as_text=True)


def test_cannot_report_own_post(client, world):
    login(client, world.author)
    response = client.post(f"/moderation/beitraege/{world.first.id}/melden",
                           data={"reason": "Test"})
    assert response.status_code == 403


def test_outsider_cannot_report_post_of_closed_group(client, world):
    login(client, world.outsider)
    response = client.post(f"/moderation/beitraege/{world.first.id}/melden",
                           data={"reason": "Test"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_resolve_report_hides_post_and_tells_reporter(client, world):
    login(client, world.member)
    client.post(f"/moderation/beitraege/{world.first.id}/melden", data={"reason": "Werbung"})
    report = db.session.scalar(select(Report))
    client.post("/abmelden")
    login(client, world.group_mod)
    response = client.post(f"/moderation/meldungen/{report.id}",
                           data={"entscheidung": "resolved", "note": "Entfernt",
                                 "ausblenden": "1"})
    assert response.status_code == 302
    assert world.refresh(world.first).is_hidden
    twice = client.post(f"/moderation/meldungen/{report.id}",
                        data={"entscheidung": "dismissed"})
    assert twice.status_code == 409
    assert log_count("resolve_report") == 1 and log_count() == 1
    told = db.session.scalar(select(Notification).where(
        Notification.user_id == world.member.id, Notification.kind == "report_resolved"))
    assert told is not None


def test_dismiss_report(client, world):
    login(client, world.member)
    client.post(f"/moderation/beitraege/{world.first.id}/melden", data={"reason": "Unsinn"})
    report = db.session.scalar(select(Report))
    client.post("/abmelden")
    login(client, world.site_mod)
    client.post(f"/moderation/meldungen/{report.id}",
                data={"entscheidung": "dismissed", "note": "Kein Verstoß"})
    report = world.refresh(report)
    assert report.status == "dismissed" and report.resolution_note == "Kein Verstoß"
    assert not world.refresh(world.first).is_hidden


# --- sanctions ----------------------------------------------------------------------------

def test_site_moderator_suspends_for_a_period(client, world, app):
    victim = app.test_client()
    login(victim, world.member)
    assert victim.get("/").status_code == 200
    login(client, world.site_mod)
    url = f"/moderation/mitglieder/{world.member.id}/sperren"
    no_end = client.post(url, data={"reason": "Beleidigungen"})
    assert no_end.status_code == 200 and "Enddatum" in no_end.get_data(as_text=True)
    assert world.refresh(world.member).status == "active"
    past = client.post(url, data={"reason": "Beleidigungen", "until": "2001-01-01"})
    assert "Zukunft" in past.get_data(as_text=True)
    # A moderator's suspension is a period of at most a year; longer ones are the admins'.
    in_two_years = (date.today() + timedelta(days=2 * 365)).isoformat()
    too_long = client.post(url, data={"reason": "Beleidigungen", "until": in_two_years})
    assert too_long.status_code == 200
    assert "Die Moderation kann höchstens für ein Jahr sperren" in too_long.get_data(as_text=True)
    assert world.refresh(world.member).status == "active"
    in_a_month = date.today() + timedelta(days=30)
    ok = client.post(url, data={"reason": "Beleidigungen", "until": in_a_month.isoformat()})
    assert ok.status_code == 302
    member = world.refresh(world.member)
    assert member.status == "suspended"
    # Until the end of that day in German time (23:59:59 in Berlin), stored as UTC.
    local_end = member.suspended_until.replace(tzinfo=timezone.utc).astimezone(
        ZoneInfo("Europe/Berlin"))
    assert (local_end.date(), local_end.hour, local_end.minute) == (in_a_month, 23, 59)
    log = client.get("/moderation/protokoll").get_data(as_text=True)
    assert f"bis {in_a_month:%d.%m.%Y}, 23:59" in log
    # The open session ends; content stays.
    assert victim.get("/").status_code == 200
    assert "Guten Tag" not in victim.get("/").get_data(as_text=True)
    assert world.refresh(world.second).source == "Zweiter Beitrag"
    assert log_count("suspend") == 1


@pytest.mark.parametrize("status", ["pending", "invited"])
def test_suspension_page_of_an_account_not_yet_active_offers_no_form(client, world, status):
    waiting = make_user(status=status, display_name="Wanda Wartend")
    login(client, world.admin)
    page = client.get(f"/moderation/mitglieder/{waiting.id}/sperren").get_data(as_text=True)
    assert "Nur aktive Konten können gesperrt werden." in page
    assert "Grund der Sperre" not in page


def test_site_moderator_cannot_suspend_admin_or_moderator(client, world):
    login(client, world.site_mod)
    for target in (world.admin, world.group_mod.__class__ and world.site_mod):
        response = client.post(f"/moderation/mitglieder/{target.id}/sperren",
                               data={"reason": "x", "until": "2099-01-01"})
        assert response.status_code == 403
    assert log_count() == 0


def test_group_moderator_cannot_suspend(client, world):
    login(client, world.group_mod)
    response = client.post(f"/moderation/mitglieder/{world.member.id}/sperren",
                           data={"reason": "x", "until": "2099-01-01"})
    assert response.status_code == 403
    assert world.refresh(world.member).status == "active"


def test_admin_suspends_without_end_and_reactivates(client, world):
    login(client, world.admin)
    url = f"/moderation/mitglieder/{world.member.id}/sperren"
    assert client.post(url, data={"reason": "Dauerhaft"}).status_code == 302
    assert world.refresh(world.member).suspended_until is None
    assert client.post(f"/moderation/mitglieder/{world.member.id}/reaktivieren").status_code == 302
    assert world.refresh(world.member).status == "active"
    assert log_count("suspend") == 1 and log_count("reactivate") == 1


# --- log ----------------------------------------------------------------------------------

def test_log_scoped_and_filterable(client, world):
    login(client, world.site_mod)
    thread_action(client, world, "anheften", an="1")
    thread_action(client, world, "schliessen", thread=world.other_thread, an="1")
    client.post("/abmelden")
    login(client, world.group_mod)
    page = client.get("/moderation/protokoll").get_data(as_text=True)
    assert "Sozialbericht 2026" in page and "Kita-Bedarf" not in page
    client.post("/abmelden")
    login(client, world.admin)
    all_entries = client.get("/moderation/protokoll").get_data(as_text=True)
    assert "Sozialbericht 2026" in all_entries and "Kita-Bedarf" in all_entries
    only_pins = client.get("/moderation/protokoll?aktion=pin").get_data(as_text=True)
    assert "Sozialbericht 2026" in only_pins and "Kita-Bedarf" not in only_pins
    by_group = client.get(f"/moderation/protokoll?arbeitskreis={world.other.id}").get_data(
        as_text=True)
    assert "Kita-Bedarf" in by_group and "Sozialbericht 2026" not in by_group
    by_mod = client.get(f"/moderation/protokoll?moderation={world.admin.id}").get_data(
        as_text=True)
    assert "Keine Einträge" in by_mod


def test_log_hides_the_title_of_a_thread_merged_into_a_group_the_viewer_cannot_read(client, world):
    """Olga moderates the open group only; a site moderator merges her group's thread (with her
    log entry) into the closed group's thread: the entry stays hers, the title is not."""
    login(client, world.other_mod)
    assert thread_action(client, world, "schliessen", thread=world.other_thread, an="1",
                         reason="LOGGRUND").status_code == 302
    client.post("/abmelden")
    login(client, world.site_mod)
    assert thread_action(client, world, "zusammenfuehren", thread=world.other_thread,
                         target_thread_id=world.thread.id).status_code == 302
    client.post("/abmelden")
    login(client, world.other_mod)
    page = client.get("/moderation/protokoll").get_data(as_text=True)
    assert "LOGGRUND" in page
    assert "ein Thema, das Sie nicht mehr lesen können" in page
    assert "Sozialbericht 2026" not in page and f"/themen/{world.thread.id}" not in page
    client.post("/abmelden")
    login(client, world.group_mod)   # moderates the closed group: sees the title
    assert "Sozialbericht 2026" in client.get("/moderation/protokoll").get_data(as_text=True)
