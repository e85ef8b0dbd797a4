"""In-app notifications and their mails: mentions, watched threads and groups, the bell,
the inbox, the settings page, immediate mails and daily/weekly digests.

Rules under test: nobody is notified about their own posts, nobody about a thread they
cannot read (checked when notifying and again before a digest goes out).
"""
import re

import pytest
from sqlalchemy import select

from sozialplanung.extensions import db
from sozialplanung.forum.models import Subscription
from sozialplanung.groups.models import Membership
from sozialplanung.notifications.models import Notification
from sozialplanung.notifications.services import send_digests

from ..conftest import outbox
from ..factories import make_group, make_user
from ..forum.support import (add_reply, count_rows, location, notifications_of, raw,  # noqa: F401
                             set_thread, set_user, signed_in, start_thread, subscriptions_of,
                             text, world)


@pytest.fixture
def people(app):
    alice = make_user(display_name="Alice Albrecht", email="alice@example.org")
    bert = make_user(display_name="Bert Bauer", email="bert@example.org")
    carla = make_user(display_name="Carla Christ", email="carla@example.org")
    outsider = make_user(display_name="Dieter Draußen", email="dieter@example.org")
    group = make_group(name="Arbeitskreis Teilhabe", closed=True, members=[alice, bert, carla])
    return group, alice, bert, carla, outsider


def _bell(page_html):
    match = re.search(r'<span class="count">(\d+)<span class="visually-hidden"> ungelesen',
                      page_html)
    return int(match.group(1)) if match else 0


# --- mentions -----------------------------------------------------------------------------

def test_mention_links_to_the_profile_and_notifies_the_member(app, people):
    group, alice, bert, carla, _ = people
    browser = signed_in(app, alice)
    response = browser.post(f"/arbeitskreise/{group.slug}/neues-thema", data={
        "title": "Planung", "body": "Was meint @[Bert Bauer] dazu? Und @[bert bauer]?"})
    assert response.status_code == 302
    [mention] = notifications_of(bert, "mention")
    assert mention.actor_id == alice.id
    thread_page = raw(signed_in(app, carla).get(f"/themen/{mention.thread_id}"))
    link = f'<a href="/mitglieder/{bert.id}" rel="nofollow noopener ugc">@Bert Bauer</a>'
    assert link in thread_page
    inbox = text(signed_in(app, bert).get("/benachrichtigungen"))
    assert "Alice Albrecht hat Sie im Thema „Planung“ erwähnt." in inbox
    [mail] = outbox(to=bert.email)
    assert "Alice Albrecht hat Sie im Thema „Planung“ erwähnt." in mail.subject


def test_mentioned_non_member_of_a_closed_group_is_not_notified(app, people):
    group, alice, _, _, outsider = people
    start_thread(alice, group, "Intern", "Hallo @[Dieter Draußen], schau mal")
    assert notifications_of(outsider) == []
    assert outbox(to=outsider.email) == []


def test_mentioning_yourself_notifies_nobody(app, people):
    group, alice, _, _, _ = people
    set_user(alice, auto_watch=False)
    start_thread(alice, group, "Selbstgespräch", "Notiz an @[Alice Albrecht]")
    assert count_rows(Notification) == 0
    assert outbox(to=alice.email) == []


def test_unknown_or_ambiguous_names_are_left_as_text(app, people):
    group, alice, _, _, _ = people
    make_user(display_name="Doppelt Name")
    make_user(display_name="Doppelt Name")
    first = start_thread(alice, group, "Namen", "@[Niemand Bekanntes] und @[Doppelt Name]")
    assert "@[Niemand Bekanntes]" in first.html and "@[Doppelt Name]" in first.html
    assert "<a " not in first.html
    assert count_rows(Notification) == 0


def test_mention_with_umlauts_is_found(app, people):
    group, alice, _, _, _ = people
    umlaut = make_user(display_name="Änne Öztürk-Weiß")
    db.session.add(Membership(user_id=umlaut.id, group_id=group.id))
    db.session.commit()
    first = start_thread(alice, group, "Umlaute", "Danke @[Änne Öztürk-Weiß]!")
    assert f'href="/mitglieder/{umlaut.id}"' in first.html
    assert notifications_of(umlaut, "mention")


@pytest.mark.parametrize("body", [
    "So schreibt man es: `@[Bert Bauer]`",
    "Beispiel:\n\n```\nHallo @[Bert Bauer]\n```\n",
    "~~~text\n@[Bert Bauer]\n~~~",
])
def test_mentions_inside_code_stay_code_and_notify_nobody(app, people, body):
    group, alice, bert, _, _ = people
    first = start_thread(alice, group, "Code", body)
    assert "@[Bert Bauer]" in first.html
    assert "/mitglieder/" not in first.html
    assert notifications_of(bert) == []


def test_mention_next_to_code_still_works(app, people):
    group, alice, bert, _, _ = people
    first = start_thread(alice, group, "Code", "`x` @[Bert Bauer] `y`")
    assert f'href="/mitglieder/{bert.id}"' in first.html and "<code>x</code>" in first.html
    assert notifications_of(bert, "mention")


def test_mentioned_watcher_gets_one_notification_not_two(app, people):
    group, alice, bert, _, _ = people
    first = start_thread(bert, group, "Beobachtet", "Text")           # bert watches it
    add_reply(alice, first.thread_id, "@[Bert Bauer] siehe oben")
    assert [n.kind for n in notifications_of(bert)] == ["mention"]
    assert len(outbox(to=bert.email)) == 1


# --- watching threads and groups ----------------------------------------------------------

def test_thread_watcher_is_notified_in_app_and_by_mail_but_never_about_own_posts(app, people):
    group, alice, bert, carla, _ = people
    first = start_thread(alice, group, "Pflegebedarf", "Erster Beitrag")   # alice auto-watches
    assert count_rows(Notification) == 0
    add_reply(alice, first.thread_id, "Nachtrag von mir")
    assert notifications_of(alice) == []

    reply = add_reply(bert, first.thread_id, "Antwort von Bert")
    [note] = notifications_of(alice, "reply")
    assert (note.thread_id, note.post_id, note.actor_id) == (first.thread_id, reply.id, bert.id)
    [mail] = outbox(to=alice.email)
    assert "Bert Bauer hat im Thema „Pflegebedarf“ geantwortet." in mail.subject + mail.body_text
    assert f"/beitraege/{reply.id}" in mail.body_text
    assert "Guten Tag Alice Albrecht" in mail.body_text
    assert notifications_of(carla) == []        # not watching


def test_replying_watches_the_thread_unless_the_member_turned_it_off(app, people):
    group, alice, bert, carla, _ = people
    first = start_thread(alice, group, "Thema", "Text")
    set_user(carla, auto_watch=False)
    signed_in(app, bert).post(f"/themen/{first.thread_id}/antworten", data={"body": "B"})
    signed_in(app, carla).post(f"/themen/{first.thread_id}/antworten", data={"body": "C"})
    assert [s.thread_id for s in subscriptions_of(bert)] == [first.thread_id]
    assert subscriptions_of(carla) == []


def test_watch_and_unwatch_a_thread_through_the_page(app, people):
    group, alice, bert, _, _ = people
    first = start_thread(alice, group, "Thema", "Text")
    browser = signed_in(app, bert)
    assert "Thema beobachten" in text(browser.get(f"/themen/{first.thread_id}"))
    response = browser.post(f"/themen/{first.thread_id}/beobachten", data={"beobachten": "1"})
    page = text(browser.get(location(response)))
    assert "Sie beobachten dieses Thema und werden über neue Antworten benachrichtigt." in page
    assert "Nicht mehr beobachten" in page
    add_reply(alice, first.thread_id, "Neu")
    assert len(notifications_of(bert, "reply")) == 1
    browser.post(f"/themen/{first.thread_id}/beobachten", data={"beobachten": "0"})
    assert subscriptions_of(bert) == []
    add_reply(alice, first.thread_id, "Noch neuer")
    assert len(notifications_of(bert, "reply")) == 1


def test_group_watcher_hears_about_new_threads_and_replies(app, people):
    group, alice, bert, _, _ = people
    browser = signed_in(app, bert)
    response = browser.post(f"/arbeitskreise/{group.slug}/beobachten", data={"beobachten": "1"})
    assert "Sie beobachten jetzt alle Beiträge dieses Arbeitskreises." in text(
        browser.get(location(response)))
    first = start_thread(alice, group, "Neues Thema", "Text")
    add_reply(alice, first.thread_id, "Mehr")
    assert [n.kind for n in notifications_of(bert)] == ["new_thread", "reply"]
    assert "Alice Albrecht hat im Arbeitskreis Teilhabe das Thema „Neues Thema“ eröffnet." in text(
        browser.get("/benachrichtigungen"))
    browser.post(f"/arbeitskreise/{group.slug}/beobachten", data={"beobachten": "0"})
    assert not [s for s in subscriptions_of(bert) if s.group_id]


def test_watchers_who_lost_access_are_not_notified(app, people):
    group, alice, bert, _, outsider = people
    # A subscription left over from before (e.g. the group was open then).
    db.session.add(Subscription(user_id=outsider.id, group_id=group.id))
    db.session.commit()
    first = start_thread(alice, group, "Geheim", "Text")
    add_reply(bert, first.thread_id, "Antwort")
    assert notifications_of(outsider) == []
    assert outbox(to=outsider.email) == []


def test_suspended_watcher_is_not_notified(app, people):
    group, alice, bert, _, _ = people
    first = start_thread(bert, group, "Thema", "Text")
    set_user(bert, status="suspended")
    add_reply(alice, first.thread_id, "Antwort @[Bert Bauer]")
    assert notifications_of(bert) == []


def test_hidden_thread_notifies_only_moderators(app, people):
    group, alice, bert, _, _ = people
    moderator = make_user(display_name="Mona Moderation")
    site_moderator = make_user(display_name="Sven Seite", role="moderator")
    db.session.add(Membership(user_id=moderator.id, group_id=group.id, role="moderator"))
    db.session.add(Subscription(user_id=moderator.id, group_id=group.id))
    db.session.add(Subscription(user_id=bert.id, group_id=group.id))
    db.session.commit()
    first = start_thread(alice, group, "Thema", "Text")
    set_thread(first.thread_id, is_hidden=True)
    add_reply(site_moderator, first.thread_id, "Im Verborgenen, @[Alice Albrecht], @[Bert Bauer]")
    assert [n.kind for n in notifications_of(bert)] == ["new_thread"]  # mentioned, can't read it
    # The author may read her hidden thread (she learns why it was hidden) and hears of replies.
    assert [n.kind for n in notifications_of(alice)] == ["mention"]
    assert [n.kind for n in notifications_of(moderator)] == ["new_thread", "reply"]


def test_notice_of_a_thread_hidden_later_leaves_inbox_and_bell_of_plain_members(app, people):
    """The title of a thread the moderation hid (spam, insults) must not stay readable in the
    inboxes of everybody who was told about it; its author and moderators keep the notice."""
    group, alice, bert, _, _ = people
    moderator = make_user(display_name="Mona Moderation")
    db.session.add(Membership(user_id=moderator.id, group_id=group.id, role="moderator"))
    for user in (bert, moderator):
        db.session.add(Subscription(user_id=user.id, group_id=group.id))
    db.session.commit()
    first = start_thread(alice, group, "Beleidigender Titel", "Text")
    add_reply(bert, first.thread_id, "Antwort an @[Alice Albrecht]")
    member_inbox = text(signed_in(app, bert).get("/benachrichtigungen"))
    assert "Beleidigender Titel" in member_inbox
    assert _bell(raw(signed_in(app, bert).get("/"))) == 1

    set_thread(first.thread_id, is_hidden=True)
    member = signed_in(app, bert)
    assert "Beleidigender Titel" not in text(member.get("/benachrichtigungen"))
    assert _bell(raw(member.get("/"))) == 0
    [notice] = notifications_of(bert, "new_thread")
    assert member.get(f"/benachrichtigungen/{notice.id}").status_code == 404
    # The author (told of the reply) and the group's moderator still see theirs.
    assert "Beleidigender Titel" in text(signed_in(app, alice).get("/benachrichtigungen"))
    assert "Beleidigender Titel" in text(signed_in(app, moderator).get("/benachrichtigungen"))

    set_thread(first.thread_id, is_hidden=False)
    assert "Beleidigender Titel" in text(signed_in(app, bert).get("/benachrichtigungen"))


# --- mail modes and digests ---------------------------------------------------------------

@pytest.fixture
def modes(people):
    group, alice, bert, carla, outsider = people
    daily = make_user(display_name="Tina Täglich", email="daily@example.org", notify_mode="daily")
    weekly = make_user(display_name="Willi Wöchentlich", email="weekly@example.org",
                       notify_mode="weekly")
    off = make_user(display_name="Otto Ohne", email="off@example.org", notify_mode="off")
    for user in (daily, weekly, off):
        db.session.add(Membership(user_id=user.id, group_id=group.id))
    for user in (daily, weekly, off, bert):
        db.session.add(Subscription(user_id=user.id, group_id=group.id))
    db.session.commit()
    return group, alice, bert, daily, weekly, off


def test_mail_follows_each_members_setting(app, modes):
    group, alice, bert, daily, weekly, off = modes
    first = start_thread(alice, group, "Haushalt", "Text")
    add_reply(alice, first.thread_id, "Nachtrag")
    for user in (bert, daily, weekly, off):
        assert [n.kind for n in notifications_of(user)] == ["new_thread", "reply"]
    assert len(outbox(to=bert.email)) == 2          # immediate
    assert outbox(to=daily.email) == outbox(to=weekly.email) == outbox(to=off.email) == []


def test_daily_digest_sends_one_summary_once(app, modes):
    group, alice, bert, daily, weekly, off = modes
    first = start_thread(alice, group, "Haushalt", "Text")
    reply = add_reply(alice, first.thread_id, "Nachtrag")

    assert send_digests("daily") == 1
    [mail] = outbox(to=daily.email)
    assert mail.subject == "Ihre tägliche Zusammenfassung"
    assert "Guten Tag Tina Täglich" in mail.body_text
    assert ("Alice Albrecht hat im Arbeitskreis Teilhabe das Thema „Haushalt“ eröffnet."
            in mail.body_text)
    assert "Alice Albrecht hat im Thema „Haushalt“ geantwortet." in mail.body_text
    assert f"http://localhost/beitraege/{reply.id}" in mail.body_text
    assert outbox(to=weekly.email) == outbox(to=off.email) == []
    assert len(outbox(to=bert.email)) == 2          # no digest for immediate mailers

    assert send_digests("daily") == 0                # nothing new: no second mail
    assert len(outbox(to=daily.email)) == 1
    assert send_digests("weekly") == 1
    [weekly_mail] = outbox(to=weekly.email)
    assert weekly_mail.subject == "Ihre wöchentliche Zusammenfassung"
    # The in-app notifications stay unread; mailing doesn't mark them read.
    assert all(n.read_at is None for n in notifications_of(daily))


def test_digest_command_runs_outside_a_request(app, modes):
    group, alice, bert, daily, weekly, off = modes
    start_thread(alice, group, "Per Befehl", "Text")
    result = app.test_cli_runner().invoke(args=["notifications", "digest", "weekly"])
    assert result.exit_code == 0, result.output
    assert "1 Zusammenfassung(en) in den Postausgang gestellt." in result.output
    [mail] = outbox(to=weekly.email)
    assert "http://localhost/beitraege/" in mail.body_text


def test_digest_checks_visibility_again(app, modes):
    group, alice, bert, daily, weekly, off = modes
    start_thread(alice, group, "Vertraulich", "Text")
    # Daily reader leaves the closed group before the digest runs.
    db.session.delete(db.session.get(Membership, (daily.id, group.id)))
    db.session.commit()
    assert send_digests("daily") == 0
    assert outbox(to=daily.email) == []
    assert all(n.emailed_at is not None for n in notifications_of(daily))  # not retried


def test_digest_skips_suspended_members(app, modes):
    group, alice, bert, daily, weekly, off = modes
    start_thread(alice, group, "Thema", "Text")
    set_user(daily, status="suspended")
    assert send_digests("daily") == 0
    assert outbox(to=daily.email) == []


def test_digest_rejects_unknown_periods(app):
    with pytest.raises(ValueError):
        send_digests("immediate")


def test_group_invitation_reaches_a_daily_digest(app, world):
    set_user(world.outsider, notify_mode="daily")
    signed_in(app, world.group_mod).post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                                         data={"member": world.outsider.email})
    assert send_digests("daily") == 1
    [mail] = outbox(to=world.outsider.email)
    assert "lädt Sie in den Arbeitskreis Vertraulich ein" in mail.body_text


# --- bell, inbox, mark read ---------------------------------------------------------------

def test_bell_inbox_open_and_mark_all_read(app, people):
    group, alice, bert, _, _ = people
    first = start_thread(bert, group, "Glocke", "Text")
    replies = [add_reply(alice, first.thread_id, f"Antwort {n}") for n in range(3)]
    browser = signed_in(app, bert)
    dashboard = browser.get("/")
    assert _bell(raw(dashboard)) == 3
    assert "Ihre Benachrichtigungen" in text(dashboard)
    assert text(dashboard).count("Alice Albrecht hat im Thema „Glocke“ geantwortet.") == 3

    inbox = text(browser.get("/benachrichtigungen"))
    assert inbox.count("ungelesen") >= 3
    notes = notifications_of(bert)
    opened = browser.get(f"/benachrichtigungen/{notes[0].id}")
    assert opened.status_code == 302
    assert location(opened).endswith(f"/beitraege/{replies[0].id}")
    assert location(browser.get(location(opened))).endswith(f"#beitrag-{replies[0].id}")
    assert _bell(raw(browser.get("/benachrichtigungen"))) == 2

    response = browser.post("/benachrichtigungen/alle-gelesen")
    assert response.status_code == 302
    page = browser.get(location(response))
    assert "Alle Benachrichtigungen sind als gelesen markiert." in text(page)
    assert _bell(raw(page)) == 0
    assert "Keine neuen Benachrichtigungen." in text(browser.get("/"))


def test_others_notifications_cannot_be_opened(app, people):
    group, alice, bert, carla, _ = people
    first = start_thread(bert, group, "Thema", "Text")
    add_reply(alice, first.thread_id, "Antwort")
    [note] = notifications_of(bert)
    browser = signed_in(app, carla)
    assert browser.get(f"/benachrichtigungen/{note.id}").status_code == 404
    assert browser.get("/benachrichtigungen/999999").status_code == 404
    browser.post("/benachrichtigungen/alle-gelesen")
    assert notifications_of(bert)[0].read_at is None


def test_empty_inbox(app, people):
    page = text(signed_in(app, people[1]).get("/benachrichtigungen"))
    assert "Sie haben keine Benachrichtigungen." in page


def test_inbox_escapes_hostile_titles(app, people):
    group, alice, bert, _, _ = people
    first = start_thread(bert, group, "<script>alert(1)</script>", "Text")
    add_reply(alice, first.thread_id, "Antwort")
    page = raw(signed_in(app, bert).get("/benachrichtigungen"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_notification_pages_need_sign_in(client):
    for url in ("/benachrichtigungen", "/benachrichtigungen/1", "/profil/benachrichtigungen"):
        response = client.get(url)
        assert response.status_code == 302 and "/anmelden" in location(response)
    response = client.post("/benachrichtigungen/alle-gelesen")
    assert response.status_code == 302 and "/anmelden" in location(response)


# --- settings -----------------------------------------------------------------------------

def test_settings_page_saves_mail_mode_and_auto_watch(app, people):
    _, alice, _, _, _ = people
    browser = signed_in(app, alice)
    page = text(browser.get("/profil/benachrichtigungen"))
    assert "Benachrichtigungen einstellen" in page
    for label in ("sofort per E-Mail", "täglich als Zusammenfassung",
                  "wöchentlich als Zusammenfassung", "keine E-Mails (nur in der Plattform)"):
        assert label in page
    response = browser.post("/profil/benachrichtigungen", data={"notify_mode": "weekly"})
    assert response.status_code == 302
    assert "Ihre Einstellungen sind gespeichert." in text(browser.get(location(response)))
    db.session.expire_all()
    assert (alice.notify_mode, alice.auto_watch) == ("weekly", False)
    assert 'value="weekly" checked' in raw(browser.get("/profil/benachrichtigungen")) or \
        re.search(r'checked[^>]*value="weekly"', raw(browser.get("/profil/benachrichtigungen")))


def test_settings_refuse_unknown_modes(app, people):
    _, alice, _, _, _ = people
    browser = signed_in(app, alice)
    response = browser.post("/profil/benachrichtigungen",
                            data={"notify_mode": "stündlich", "auto_watch": "y"})
    assert response.status_code in (200, 400)
    assert "Bitte korrigieren Sie die markierten Angaben." in text(response)
    db.session.expire_all()
    assert alice.notify_mode == "immediate"


def test_turning_mail_off_stops_mails_not_notifications(app, people):
    group, alice, bert, _, _ = people
    first = start_thread(bert, group, "Thema", "Text")
    signed_in(app, bert).post("/profil/benachrichtigungen",
                              data={"notify_mode": "off", "auto_watch": "y"})
    add_reply(alice, first.thread_id, "Antwort")
    assert len(notifications_of(bert)) == 1
    assert outbox(to=bert.email) == []
    assert send_digests("daily") == send_digests("weekly") == 0


# --- reports and leaving a group ----------------------------------------------------------

def test_report_notifications_say_what_happened(app, people):
    from sozialplanung.moderation import reports as moderation
    from sozialplanung.moderation.models import Report

    group, alice, bert, _carla, _outsider = people
    moderator = make_user(display_name="Mona Moderation")
    db.session.add(Membership(user_id=moderator.id, group_id=group.id, role="moderator"))
    db.session.commit()
    post = start_thread(bert, group, "Haushalt 2027", "Ein fragwürdiger Beitrag")
    moderation.report_post(alice, post.id, "Beleidigend")
    mod_page = text(signed_in(app, moderator).get("/benachrichtigungen"))
    assert "Alice Albrecht hat einen Beitrag im Thema „Haushalt 2027“ gemeldet." in mod_page
    report = db.session.scalar(select(Report))
    moderation.handle_report(moderator, report.id, "resolved", hide_post=True)
    inbox = signed_in(app, alice)
    page = text(inbox.get("/benachrichtigungen"))
    assert "Ihre Meldung zu einem Beitrag im Thema „Haushalt 2027“ wurde bearbeitet." in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == alice.id,
                                                        Notification.kind == "report_resolved"))
    assert location(inbox.get(f"/benachrichtigungen/{note.id}")).endswith(
        f"/themen/{post.thread_id}")


def test_leaving_a_closed_group_hides_its_notifications(app, people):
    from sozialplanung.groups.services import leave_group

    group, alice, bert, _carla, _outsider = people
    post = start_thread(alice, group, "Vertrauliche Fallplanung", "Text")
    add_reply(bert, post.thread_id, "Antwort")
    browser = signed_in(app, alice)
    assert "Vertrauliche Fallplanung" in text(browser.get("/benachrichtigungen"))
    note = db.session.scalar(select(Notification).where(Notification.user_id == alice.id))
    leave_group(alice, group)
    page = text(browser.get("/benachrichtigungen"))
    assert "Vertrauliche Fallplanung" not in page
    assert _bell(raw(browser.get("/"))) == 0
    assert browser.get(f"/benachrichtigungen/{note.id}").status_code == 404
