"""Working groups: the overview, joining and leaving, requests and invitations for closed
groups, administration (create, edit, archive) and read-only archived groups."""
import re

import pytest
from sqlalchemy import select

from sozialplanung.extensions import db
from sozialplanung.moderation import services as moderation
from sozialplanung.forum.models import Post, Subscription, Thread
from sozialplanung.groups.models import Membership, MembershipRequest, WorkingGroup

from ..factories import make_group, make_user
from ..forum.support import (SECRET_BODY, SECRET_GROUP, SECRET_TITLE, add_reply, count_rows,
                             location, notifications_of, raw, reload, signed_in, start_thread,
                             subscriptions_of, text)


def _card(page_html, group_name):
    """The overview card of one group."""
    for card in page_html.split('<li class="card">')[1:]:
        card = card.split("</li>")[0]
        if f"{group_name}<" in card:
            return card
    raise AssertionError(f"{group_name} not listed")


def _meta(card, label):
    """The value next to a label in a card's <dl>, or None if the label isn't shown."""
    match = re.search(rf"<dt>{label}</dt><dd>([^<]*)</dd>", card)
    return match.group(1) if match else None


def _is_member(user, group):
    db.session.expire_all()
    return db.session.get(Membership, (user.id, group.id)) is not None


# --- overview -----------------------------------------------------------------------------

def test_overview_shows_counts_and_last_activity_for_readable_groups(app, world):
    browser = signed_in(app, world.member)
    page = text(browser.get("/arbeitskreise/"))
    card = _card(page, SECRET_GROUP)
    assert "Nur für Mitglieder" in card
    assert _meta(card, "Mitglieder") == "4"          # member, author, suspended, group_mod
    assert _meta(card, "Themen") == "1"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d", _meta(card, "Letzte Aktivität"))
    assert "geschlossen" in card


def test_overview_shows_closed_groups_to_non_members_with_name_and_description_only(app, world):
    page = text(signed_in(app, world.outsider).get("/arbeitskreise/"))
    card = _card(page, SECRET_GROUP)
    assert "Nur für Mitglieder" in card
    assert _meta(card, "Mitglieder") is None and _meta(card, "Themen") is None
    assert "Letzte Aktivität" not in card
    assert "Aufnahme anfragen" in card
    assert SECRET_TITLE not in page
    assert f'href="/arbeitskreise/{world.slug}"' not in raw(
        signed_in(app, world.outsider).get("/arbeitskreise/"))


def test_overview_lists_open_groups_with_join_and_hides_archived_closed_groups(app, world):
    open_group = make_group(name="Arbeitskreis Offen")
    archived = make_group(name="Arbeitskreis Alt", closed=True)
    archived.is_archived = True
    db.session.commit()
    page = text(signed_in(app, world.outsider).get("/arbeitskreise/"))
    card = _card(page, "Arbeitskreis Offen")
    assert "offen" in card and _meta(card, "Mitglieder") == "0"
    assert _meta(card, "Letzte Aktivität") == "noch keine"
    assert "Arbeitskreis Alt" not in page
    assert "Arbeitskreis Alt" in text(signed_in(app, world.admin).get("/arbeitskreise/"))
    assert open_group.slug


def test_overview_thread_count_ignores_hidden_threads(app, world):
    start_thread(world.author, world.group, "Zweites Thema", "Text")
    moderation.set_thread_hidden(world.group_mod, world.thread_id, True, "Doppelt")
    card = _card(text(signed_in(app, world.member).get("/arbeitskreise/")), SECRET_GROUP)
    assert _meta(card, "Themen") == "1"
    moderation.set_thread_hidden(world.group_mod, world.thread_id, False)
    card = _card(text(signed_in(app, world.member).get("/arbeitskreise/")), SECRET_GROUP)
    assert _meta(card, "Themen") == "2"


def _stats(group):
    db.session.expire_all()
    group = db.session.get(WorkingGroup, group.id)
    return group.thread_count, group.last_activity_at


def test_group_counters_follow_every_thread_change(app, world):
    """Thread count and last activity on the overview stay right through new threads,
    replies, moving, splitting and merging (they are stored on the group)."""
    other = make_group(name="Arbeitskreis Ziel", moderators=[world.group_mod])
    assert _stats(world.group)[0] == 1 and _stats(other) == (0, None)
    second = start_thread(world.author, world.group, "Zweites Thema", "Text")
    last_reply = add_reply(world.member, world.thread_id, "Noch eine Antwort")
    assert _stats(world.group) == (2, last_reply.created_at)
    moderation.move_thread(world.group_mod, second.thread_id, other.id)
    assert _stats(world.group) == (1, last_reply.created_at)
    assert _stats(other) == (1, second.created_at)
    split = moderation.split_thread(world.group_mod, world.thread_id, [last_reply.id],
                                    "Abgeteilt", target_group_id=other.id)
    assert _stats(other) == (2, last_reply.created_at)
    assert _stats(world.group)[0] == 1
    moderation.merge_threads(world.group_mod, split.id, second.thread_id)
    assert _stats(other) == (1, last_reply.created_at)


def test_overview_unread_counts_threads_not_read_to_the_end(app, world):
    second = start_thread(world.author, world.group, "Zweites Thema", "Text")
    add_reply(world.author, world.thread_id, "Neu seit der Antwort von Maria")
    reader = signed_in(app, world.member)  # has read the first thread up to her own reply
    card = _card(text(reader.get("/arbeitskreise/")), SECRET_GROUP)
    assert "2 Themen mit Ungelesenem" in card
    reader.get(f"/themen/{second.thread_id}")
    card = _card(text(reader.get("/arbeitskreise/")), SECRET_GROUP)
    assert "1 Thema mit Ungelesenem" in card
    reader.get(f"/themen/{world.thread_id}")
    card = _card(text(reader.get("/arbeitskreise/")), SECRET_GROUP)
    assert "Ungelesenem" not in card


def test_overview_shows_no_activity_of_closed_groups_to_outsiders(app, world):
    card = _card(text(signed_in(app, world.outsider).get("/arbeitskreise/")), SECRET_GROUP)
    assert "Ungelesenem" not in card and "Themen" not in card and "Letzte Aktivität" not in card


# --- joining and leaving open groups ------------------------------------------------------

def test_join_and_leave_an_open_group(app, world):
    group = make_group(name="Arbeitskreis Inklusion")
    browser = signed_in(app, world.outsider)
    page = text(browser.get(f"/arbeitskreise/{group.slug}"))
    assert "Arbeitskreis beitreten" in page and "Neues Thema" not in page
    response = browser.post(f"/arbeitskreise/{group.slug}/beitreten")
    assert response.status_code == 302
    assert "Sie sind dem Arbeitskreis Inklusion beigetreten." in text(
        browser.get(location(response)))
    assert _is_member(world.outsider, group)
    assert browser.get(f"/arbeitskreise/{group.slug}/neues-thema").status_code == 200
    # Joining twice changes nothing (see test_joining_or_leaving_twice_changes_nothing_and_says_so).
    assert browser.post(f"/arbeitskreise/{group.slug}/beitreten").status_code == 302

    response = browser.post(f"/arbeitskreise/{group.slug}/austreten")
    assert response.status_code == 302 and location(response).endswith("/arbeitskreise/")
    assert "Sie haben den Arbeitskreis Inklusion verlassen." in text(browser.get("/arbeitskreise/"))
    assert not _is_member(world.outsider, group)
    assert browser.get(f"/arbeitskreise/{group.slug}/neues-thema").status_code == 403
    # Leaving twice changes nothing.
    assert browser.post(f"/arbeitskreise/{group.slug}/austreten").status_code == 302


def test_leaving_a_closed_group_removes_its_subscriptions_and_access(app, world):
    browser = signed_in(app, world.member)
    browser.post(f"/arbeitskreise/{world.slug}/beobachten", data={"beobachten": "1"})
    other = make_group(name="Arbeitskreis Anderes", members=[world.member])
    other_post = start_thread(world.member, other, "Anderes Thema", "Text")
    assert {(s.thread_id, s.group_id) for s in subscriptions_of(world.member)} == {
        (world.thread_id, None), (None, world.group.id), (other_post.thread_id, None)}

    assert browser.post(f"/arbeitskreise/{world.slug}/austreten",
                        data={"bestaetigt": "1"}).status_code == 302
    assert [(s.thread_id, s.group_id) for s in subscriptions_of(world.member)] == [
        (other_post.thread_id, None)]
    assert browser.get(f"/arbeitskreise/{world.slug}").status_code == 404
    assert browser.get(f"/themen/{world.thread_id}").status_code == 404
    # No more notifications from there.
    add_reply(world.author, world.thread_id, "Nach dem Austritt")
    assert notifications_of(world.member) == []


# --- closed groups: requests --------------------------------------------------------------

def test_membership_request_accepted_by_group_moderator(app, world):
    outsider = signed_in(app, world.outsider)
    response = outsider.post(f"/arbeitskreise/{world.slug}/anfragen",
                             data={"message": "Ich bin neu im Landratsamt."})
    assert response.status_code == 302
    page = text(outsider.get("/arbeitskreise/"))
    assert "Ihre Anfrage ist an die Moderation des Arbeitskreises gegangen." in page
    assert "Ihre Beitrittsanfrage liegt der Moderation vor." in _card(page, SECRET_GROUP)
    # Asking twice is refused.
    assert outsider.post(f"/arbeitskreise/{world.slug}/anfragen").status_code == 409

    [note] = notifications_of(world.group_mod, "membership_request")
    moderator = signed_in(app, world.group_mod)
    assert "Olaf Außenstehend möchte dem Arbeitskreis Vertraulich beitreten." in text(
        moderator.get("/benachrichtigungen"))
    members_page = text(moderator.get(f"/arbeitskreise/{world.slug}/mitglieder"))
    assert "fragt die Aufnahme an" in members_page and "Ich bin neu im Landratsamt." in members_page
    request_id = db.session.scalar(select(MembershipRequest.id))
    response = moderator.post(f"/arbeitskreise/{world.slug}/anfragen/{request_id}",
                              data={"antwort": "annehmen"})
    assert response.status_code == 302
    assert "Olaf Außenstehend ist jetzt Mitglied." in text(moderator.get(location(response)))
    assert _is_member(world.outsider, world.group)
    assert count_rows(MembershipRequest) == 0
    assert notifications_of(world.outsider, "membership_accepted")

    page = text(outsider.get(f"/themen/{world.thread_id}"))
    assert SECRET_BODY in page
    # Deciding the same request again is a conflict, not a crash.
    assert moderator.post(f"/arbeitskreise/{world.slug}/anfragen/{request_id}",
                          data={"antwort": "annehmen"}).status_code == 409


def test_membership_request_declined_by_group_moderator(app, world):
    outsider = signed_in(app, world.outsider)
    outsider.post(f"/arbeitskreise/{world.slug}/anfragen", data={"message": ""})
    request_id = db.session.scalar(select(MembershipRequest.id))
    moderator = signed_in(app, world.group_mod)
    response = moderator.post(f"/arbeitskreise/{world.slug}/anfragen/{request_id}",
                              data={"antwort": "ablehnen"})
    assert "Die Anfrage von Olaf Außenstehend wurde abgelehnt." in text(
        moderator.get(location(response)))
    assert not _is_member(world.outsider, world.group)
    assert count_rows(MembershipRequest) == 0
    assert outsider.get(f"/arbeitskreise/{world.slug}").status_code == 404
    inbox = text(outsider.get("/benachrichtigungen"))
    assert "Ihre Beitrittsanfrage für den Arbeitskreis Vertraulich wurde abgelehnt." in inbox


def test_plain_members_cannot_decide_requests_or_invite(app, world):
    signed_in(app, world.outsider).post(f"/arbeitskreise/{world.slug}/anfragen")
    request_id = db.session.scalar(select(MembershipRequest.id))
    member = signed_in(app, world.member)
    page = text(member.get(f"/arbeitskreise/{world.slug}/mitglieder"))
    assert "fragt die Aufnahme an" not in page and "Mitglied einladen" not in page
    assert member.post(f"/arbeitskreise/{world.slug}/anfragen/{request_id}",
                       data={"antwort": "annehmen"}).status_code == 403
    assert member.post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                       data={"member": world.outsider.email}).status_code == 403
    assert not _is_member(world.outsider, world.group)
    assert count_rows(MembershipRequest) == 1


def test_open_group_takes_no_requests(app, world):
    group = make_group(name="Arbeitskreis Offen")
    assert signed_in(app, world.outsider).post(
        f"/arbeitskreise/{group.slug}/anfragen").status_code == 403
    assert count_rows(MembershipRequest) == 0


def test_overlong_request_message_is_refused_with_a_message(app, world):
    outsider = signed_in(app, world.outsider)
    response = outsider.post(f"/arbeitskreise/{world.slug}/anfragen", data={"message": "x" * 1001})
    assert response.status_code == 302
    assert "höchstens 1.000 Zeichen" in text(outsider.get(location(response)))
    assert count_rows(MembershipRequest) == 0


# --- closed groups: invitations -----------------------------------------------------------

@pytest.mark.parametrize("answer", ["annehmen", "ablehnen"])
def test_invitation_by_group_moderator_answered_by_the_invitee(app, world, answer):
    moderator = signed_in(app, world.group_mod)
    response = moderator.post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                              data={"member": world.outsider.email.upper()})
    assert response.status_code == 302
    assert "Olaf Außenstehend ist eingeladen." in text(moderator.get(location(response)))
    assert "eingeladen von Greta Gruppenmoderation" in text(
        moderator.get(f"/arbeitskreise/{world.slug}/mitglieder"))

    invitee = signed_in(app, world.outsider)
    inbox = text(invitee.get("/benachrichtigungen"))
    assert "Greta Gruppenmoderation lädt Sie in den Arbeitskreis Vertraulich ein." in inbox
    card = _card(text(invitee.get("/arbeitskreise/")), SECRET_GROUP)
    assert "Sie sind eingeladen." in card and "Einladung annehmen" in card
    assert invitee.get(f"/arbeitskreise/{world.slug}").status_code == 404   # not yet

    response = invitee.post(f"/arbeitskreise/{world.slug}/einladung", data={"antwort": answer})
    assert response.status_code == 302
    if answer == "annehmen":
        assert "Willkommen im Arbeitskreis Vertraulich!" in text(invitee.get(location(response)))
        assert _is_member(world.outsider, world.group)
        assert SECRET_BODY in text(invitee.get(f"/themen/{world.thread_id}"))
    else:
        assert "Sie haben die Einladung abgelehnt." in text(invitee.get(location(response)))
        assert not _is_member(world.outsider, world.group)
        assert invitee.get(f"/arbeitskreise/{world.slug}").status_code == 404
    assert count_rows(MembershipRequest) == 0
    # The invitation is used up.
    assert invitee.post(f"/arbeitskreise/{world.slug}/einladung",
                        data={"antwort": "annehmen"}).status_code == 404


def test_answering_a_missing_invitation_is_404(app, world):
    assert signed_in(app, world.outsider).post(
        f"/arbeitskreise/{world.slug}/einladung", data={"antwort": "annehmen"}).status_code == 404
    assert not _is_member(world.outsider, world.group)


def test_inviting_an_unknown_address_or_a_member_is_refused(app, world):
    moderator = signed_in(app, world.group_mod)
    response = moderator.post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                              data={"member": "niemand@example.org"})
    assert response.status_code == 400
    assert "Diese Person gibt es nicht oder ihr Konto ist nicht aktiv." in text(response)
    assert moderator.post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                          data={"member": world.member.email}).status_code == 409
    assert count_rows(MembershipRequest) == 0


def test_moderator_invites_by_the_name_shown_in_the_directory(app, world):
    """Moderators seldom know a colleague's address (the directory hides it by default): the
    name as the directory shows it, however typed, is enough; the field suggests names."""
    bernd = make_user(display_name="Bernd Brückner", status="suspended")
    moderator = signed_in(app, world.group_mod)
    form = raw(moderator.get(f"/arbeitskreise/{world.slug}/mitglieder"))
    suggestions = re.search(r'<datalist id="invite-candidates">(.*?)</datalist>', form, re.S)[1]
    assert 'list="invite-candidates"' in form
    assert '<option value="Olaf Außenstehend">' in suggestions
    for not_invitable in ("Maria Mitglied", "Greta Gruppenmoderation", "Bernd Brückner"):
        assert not_invitable not in suggestions  # members already, or not active

    response = moderator.post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                              data={"member": "  olaf  AUSSENSTEHEND "})
    assert response.status_code == 302
    assert "Olaf Außenstehend ist eingeladen." in text(moderator.get(location(response)))
    suggestions = re.search(r'<datalist id="invite-candidates">(.*?)</datalist>',
                            raw(moderator.get(f"/arbeitskreise/{world.slug}/mitglieder")), re.S)[1]
    assert "Olaf Außenstehend" not in suggestions  # invited now

    response = moderator.post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                              data={"member": bernd.display_name})
    assert response.status_code == 400
    page = text(response)
    assert "Diese Person gibt es nicht oder ihr Konto ist nicht aktiv." in page
    assert "Bitte korrigieren Sie die markierten Angaben." in page
    assert count_rows(MembershipRequest) == 1


def test_plain_members_get_no_invitation_suggestions(app, world):
    page = raw(signed_in(app, world.member).get(f"/arbeitskreise/{world.slug}/mitglieder"))
    assert "invite-candidates" not in page and "Olaf Außenstehend" not in page


def test_inviting_someone_who_asked_accepts_the_request(app, world):
    signed_in(app, world.outsider).post(f"/arbeitskreise/{world.slug}/anfragen")
    signed_in(app, world.group_mod).post(f"/arbeitskreise/{world.slug}/mitglieder/einladen",
                                         data={"member": world.outsider.email})
    assert _is_member(world.outsider, world.group)
    assert count_rows(MembershipRequest) == 0


# --- administration -----------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["member", "group_mod", "site_mod"])
def test_only_admins_create_edit_and_archive_groups(app, world, persona):
    browser = signed_in(app, world.user(persona))
    assert browser.get("/arbeitskreise/neu").status_code == 403
    assert browser.post("/arbeitskreise/neu", data={"name": "Arbeitskreis X",
                                                    "visibility": "open"}).status_code == 403
    assert browser.get(f"/arbeitskreise/{world.slug}/bearbeiten").status_code == 403
    assert browser.post(f"/arbeitskreise/{world.slug}/bearbeiten",
                        data={"name": "Umbenannt", "visibility": "open"}).status_code == 403
    assert browser.post(f"/arbeitskreise/{world.slug}/archivieren",
                        data={"archiviert": "1"}).status_code == 403
    assert "Arbeitskreis anlegen" not in text(browser.get("/arbeitskreise/"))
    group = reload(WorkingGroup, world.group.id)
    assert (group.name, group.visibility, group.is_archived) == (SECRET_GROUP, "closed", False)
    assert count_rows(WorkingGroup) == 1


def test_admin_creates_a_group(app, world):
    admin = signed_in(app, world.admin)
    assert "Arbeitskreis anlegen" in text(admin.get("/arbeitskreise/"))
    assert admin.get("/arbeitskreise/neu").status_code == 200
    response = admin.post("/arbeitskreise/neu", data={
        "name": "Arbeitskreis Sozialberichterstattung Ü60",
        "description": "Berichte über ältere Menschen", "visibility": "closed"})
    assert response.status_code == 302
    assert location(response).endswith("/arbeitskreise/sozialberichterstattung-ue60")
    page = text(admin.get(location(response)))
    assert "Der Arbeitskreis Sozialberichterstattung Ü60 ist angelegt." in page
    assert "geschlossener Arbeitskreis" in page and "Berichte über ältere Menschen" in page
    assert signed_in(app, world.member).get(location(response)).status_code == 404


def test_group_named_like_a_page_gets_a_slug_of_its_own(app, world):
    admin = signed_in(app, world.admin)
    response = admin.post("/arbeitskreise/neu", data={"name": "Neu", "visibility": "open"})
    assert response.status_code == 302
    slug = db.session.scalar(select(WorkingGroup.slug).where(WorkingGroup.name == "Neu"))
    assert slug != "neu"
    page = admin.get(f"/arbeitskreise/{slug}")
    assert page.status_code == 200 and "<h1>Neu</h1>" in raw(page)


@pytest.mark.parametrize("data,message", [
    ({"name": "", "visibility": "open"}, "Bitte füllen Sie dieses Feld aus."),
    ({"name": "x" * 161, "visibility": "open"}, "Bitte geben Sie höchstens 160 Zeichen ein."),
    ({"name": SECRET_GROUP, "visibility": "open"},
     "Es gibt bereits einen Arbeitskreis mit diesem Namen."),
    ({"name": "Arbeitskreis Neu", "visibility": "geheim"}, "Not a valid choice"),
])
def test_bad_group_input_is_refused(app, world, data, message):
    admin = signed_in(app, world.admin)
    response = admin.post("/arbeitskreise/neu", data=data)
    assert response.status_code in (200, 400)
    assert "Bitte korrigieren Sie die markierten Angaben." in text(response)
    if message != "Not a valid choice":
        assert message in text(response)
    assert count_rows(WorkingGroup) == 1


def test_admin_edits_a_group(app, world):
    admin = signed_in(app, world.admin)
    form = text(admin.get(f"/arbeitskreise/{world.slug}/bearbeiten"))
    assert "Arbeitskreis bearbeiten" in form and "Nur für Mitglieder" in form
    response = admin.post(f"/arbeitskreise/{world.slug}/bearbeiten", data={
        "name": "Arbeitskreis Offen Jetzt", "description": "Für alle", "visibility": "open"})
    assert response.status_code == 302
    assert "Die Änderungen sind gespeichert." in text(admin.get(location(response)))
    # Now open: the outsider reads it.
    page = text(signed_in(app, world.outsider).get(f"/arbeitskreise/{world.slug}"))
    assert "Arbeitskreis Offen Jetzt" in page and SECRET_TITLE in page


def test_archived_group_is_read_only(app, world):
    admin = signed_in(app, world.admin)
    response = admin.post(f"/arbeitskreise/{world.slug}/archivieren", data={"archiviert": "1"})
    assert response.status_code == 302
    assert "Der Arbeitskreis ist archiviert und nur noch lesbar." in text(
        admin.get(location(response)))
    assert admin.post(f"/arbeitskreise/{world.slug}/archivieren",
                      data={"archiviert": "1"}).status_code == 409

    member = signed_in(app, world.member)
    page = text(member.get(f"/arbeitskreise/{world.slug}"))
    assert "archiviert – nur lesbar" in page and SECRET_TITLE in page
    assert "Neues Thema" not in page
    thread_page = text(member.get(f"/themen/{world.thread_id}"))
    assert SECRET_BODY in thread_page and "Antwort veröffentlichen" not in thread_page
    assert "Bearbeiten" not in thread_page.split("Arbeitskreis archiviert")[1]
    before = (count_rows(Thread), count_rows(Post))
    for url, data in [
            (f"/arbeitskreise/{world.slug}/neues-thema", {"title": "T", "body": "B"}),
            (f"/arbeitskreise/{world.slug}/neues-thema", {"title": "", "body": ""}),
            (f"/themen/{world.thread_id}/antworten", {"body": "Antwort"}),
            (f"/beitraege/{world.reply_id}/bearbeiten", {"body": "Neu", "version": ""}),
            (f"/beitraege/{world.reply_id}/loeschen", {})]:
        assert member.post(url, data=data).status_code == 403, url
    assert member.get(f"/arbeitskreise/{world.slug}/neues-thema").status_code == 403
    assert member.get(f"/themen/{world.thread_id}/antworten").status_code == 403
    # Even moderators don't write in an archive.
    assert signed_in(app, world.group_mod).post(f"/themen/{world.thread_id}/antworten",
                                                data={"body": "Mod"}).status_code == 403
    assert (count_rows(Thread), count_rows(Post)) == before
    assert reload(Post, world.reply_id).source == "Meine Antwort mit Details"

    # Nobody joins an archived group.
    open_archived = make_group(name="Arbeitskreis Offen Archiviert")
    open_archived.is_archived = True
    db.session.commit()
    assert signed_in(app, world.outsider).post(
        f"/arbeitskreise/{open_archived.slug}/beitreten").status_code == 403

    response = admin.post(f"/arbeitskreise/{world.slug}/archivieren", data={"archiviert": "0"})
    assert "Der Arbeitskreis ist wieder aktiv." in text(admin.get(location(response)))
    assert member.post(f"/themen/{world.thread_id}/antworten",
                       data={"body": "Wieder da"}).status_code == 302


def test_admin_appoints_a_group_moderator_who_then_moderates(app, world):
    admin = signed_in(app, world.admin)
    response = admin.post(f"/arbeitskreise/{world.slug}/mitglieder/{world.member.id}/rolle",
                          data={"rolle": "moderator"})
    assert response.status_code == 302
    member = signed_in(app, world.member)
    assert member.get(f"/beitraege/{world.first_post_id}/bearbeiten").status_code == 200
    assert "Mitglied einladen" in text(member.get(f"/arbeitskreise/{world.slug}/mitglieder"))
    # Group moderators can't appoint others.
    assert member.post(f"/arbeitskreise/{world.slug}/mitglieder/{world.author.id}/rolle",
                       data={"rolle": "moderator"}).status_code == 403


def test_group_moderator_removes_a_member(app, world):
    browser = signed_in(app, world.member)
    browser.post(f"/themen/{world.thread_id}/beobachten", data={"beobachten": "1"})
    moderator = signed_in(app, world.group_mod)
    response = moderator.post(f"/arbeitskreise/{world.slug}/mitglieder/{world.member.id}/entfernen")
    assert response.status_code == 302
    assert "Das Mitglied wurde aus dem Arbeitskreis entfernt." in text(
        moderator.get(location(response)))
    assert not _is_member(world.member, world.group)
    assert subscriptions_of(world.member) == []
    assert browser.get(f"/themen/{world.thread_id}").status_code == 404
    assert not db.session.scalars(select(Subscription).where(
        Subscription.user_id == world.member.id)).all()


def test_joining_or_leaving_twice_changes_nothing_and_says_so(app, world):
    group = make_group(name="Arbeitskreis Doppelklick")
    browser = signed_in(app, world.outsider)
    for _ in range(2):
        response = browser.post(f"/arbeitskreise/{group.slug}/beitreten", follow_redirects=True)
        assert response.status_code == 200
    assert "Sie sind bereits Mitglied im Arbeitskreis Doppelklick." in text(response)
    for _ in range(2):
        response = browser.post(f"/arbeitskreise/{group.slug}/austreten", follow_redirects=True)
        assert response.status_code == 200
    assert "Sie sind kein Mitglied im Arbeitskreis Doppelklick." in text(response)
    # A closed group stays invisible to outsiders, even for leaving it.
    assert browser.post(f"/arbeitskreise/{world.slug}/austreten").status_code == 404
