"""Meine Daten herunterladen: one JSON file with everything the platform stores about the member."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sozialplanung.accounts.export import collect_member_data
from sozialplanung.forum import services as forum

from ..auth.support import audit_actions, new_client, page
from ..conftest import login
from ..factories import make_user
from ..forum.support import count_queries
from .support import MEMBER_EMAIL, MEMBER_NAME, OTHER_EMAIL, OTHER_NAME, OTHER_TEXT, build_world


@pytest.fixture
def world(client):
    world = build_world()
    login(client, world.member)
    return world


def download(client):
    response = client.post("/profil/daten/herunterladen")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def exported(client):
    return json.loads(download(client).get_data(as_text=True))


def test_settings_offer_download_and_deletion(client, world):
    assert "/profil/daten" in page(client.get("/profil"))
    html = page(client.get("/profil/daten"))
    assert "Meine Daten herunterladen" in html
    assert 'action="/profil/daten/herunterladen"' in html
    assert 'href="/profil/konto-loeschen"' in html


def test_download_is_a_utf8_json_attachment_never_cached(client, world):
    response = download(client)
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="meine-daten-{today}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    assert MEMBER_NAME.encode() in response.data  # umlauts as UTF-8, not \u escapes


def test_profile_settings_and_memberships(client, world):
    data = exported(client)
    profile = data["profile"]
    assert (profile["email"], profile["display_name"]) == (MEMBER_EMAIL, MEMBER_NAME)
    assert (profile["organisation"], profile["position"]) == ("Stadt Jena", "Jugendhilfeplanung")
    assert (profile["phone"], profile["bio"]) == ("03641 49-0", "Schwerpunkt: Kinder und Familien")
    assert (profile["role"], profile["status"]) == ("member", "active")
    assert profile["created_at"].endswith("Z")
    assert data["notification_settings"] == {"email_mode": "immediate",
                                             "watch_threads_i_write_in": True}
    assert data["feed_token_created_at"] is not None
    assert [(m["group"], m["role"]) for m in data["memberships"]] == [("AK Demografie", "member")]
    [request] = data["membership_requests"]
    assert (request["group"], request["kind"]) == ("AK Haushalt", "request")
    assert request["message"] == "Bitte nehmen Sie mich auf."
    assert {(s["thread"], s["group"]) for s in data["subscriptions"]} == {
        ("Bevölkerungsprognose 2040", None), (None, "AK Demografie")}


def test_posts_include_hidden_and_deleted_ones(client, world):
    data = exported(client)
    posts = data["posts"]
    assert [p["source_markdown"] for p in posts] == [
        "Meine Frage zur **Prognose**", "Ein ausgeblendeter Beitrag", "Ein gelöschter Beitrag"]
    assert {p["thread"] for p in posts} == {"Bevölkerungsprognose 2040"}
    assert {p["group"] for p in posts} == {"AK Demografie"}
    assert [(p["hidden"], p["deleted"]) for p in posts] == [
        (False, False), (True, False), (False, True)]
    assert posts[1]["hidden_reason"] == "Enthält Telefonnummern"
    [thread] = data["threads_started"]
    assert (thread["title"], thread["group"], thread["posts"]) == (
        "Bevölkerungsprognose 2040", "AK Demografie", 4)
    assert data["read_positions"][0]["read_up_to_post_number"] == 4


def test_documents_announcements_reports_notifications_and_audit(client, world):
    data = exported(client)
    [document] = data["documents"]
    assert (document["title"], document["tags"], document["group"]) == (
        "Sozialbericht Entwurf", ["demografie"], "AK Demografie")
    [version] = data["document_versions_uploaded"]
    assert (version["filename"], version["size_bytes"]) == ("sozialbericht-entwurf.pdf", 12345)
    assert [a["title"] for a in data["announcements"]] == ["Fachtag Jugendhilfe"]
    assert [r["title"] for r in data["earlier_versions_of_announcements"]] == ["Fachtag"]
    [report] = data["reports_filed"]
    assert (report["reason"], report["status"]) == ("Bitte prüfen Sie diesen Beitrag.", "open")
    [note] = data["notifications"]
    assert (note["kind"], note["thread"]) == ("reply", "Bevölkerungsprognose 2040")
    [action] = data["moderation_actions_concerning_you"]
    assert action["reason"] == "Telefonnummern Dritter"
    login_entry = next(e for e in data["audit_log"] if e["action"] == "login")
    assert (login_entry["by"], login_entry["ip_address"]) == ("you", "127.0.0.1")


def test_a_thread_moved_into_a_group_the_member_cannot_read_is_not_named(client, world):
    """The thread went to a closed group and was renamed there: the member's posts, report,
    read position and notification stay in the export, the new title does not."""
    from sozialplanung.extensions import db
    from sozialplanung.forum.models import Thread

    thread = db.session.get(Thread, world.thread_id)
    thread.group_id, thread.title = world.closed_group.id, "GEHEIMER NEUER TITEL"
    db.session.commit()
    body = download(client).get_data(as_text=True)
    assert "GEHEIMER NEUER TITEL" not in body
    data = json.loads(body)
    assert {p["thread"] for p in data["posts"]} == {None}
    assert len(data["posts"]) == 3
    assert data["reports_filed"][0]["thread"] is None
    assert data["read_positions"][0]["thread"] is None
    assert data["notifications"][0]["thread"] is None


def test_file_names_no_other_member(client, world):
    text = download(client).get_data(as_text=True)
    for foreign in (OTHER_NAME, OTHER_EMAIL, OTHER_TEXT, "feed-geheimnis"):
        assert foreign not in text


def test_own_audit_entries_recorded_through_the_settings_pages_are_included(client, world):
    client.post("/profil/email", data={"email": "neu@example.org",
                                       "current_password": "Geheimes-Passwort-1"})
    actions = [entry["action"] for entry in exported(client)["audit_log"]]
    assert "email_change_requested" in actions


def test_download_is_logged(client, world):
    download(client)
    assert audit_actions()[-1] == "data_exported"


def test_download_needs_post_and_sign_in(app, client, world):
    assert client.get("/profil/daten/herunterladen").status_code == 405
    response = new_client(app).post("/profil/daten/herunterladen")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_member_without_content_gets_empty_lists(app):
    user = make_user(display_name="Neu Hier")
    data = collect_member_data(user)
    assert data["format"] == "sozialplanung-datenexport/1"
    assert data["profile"]["display_name"] == "Neu Hier"
    assert data["posts"] == [] and data["memberships"] == [] and data["audit_log"] == []
    assert data["feed_token_created_at"] is None
    json.dumps(data)  # nothing a JSON file cannot hold


def test_export_costs_the_same_for_more_content(app):
    world = build_world()
    with count_queries() as few:
        collect_member_data(world.member)
    for n in range(5):
        forum.reply(world.member, world.own_posts[0].thread, f"Noch ein Beitrag {n}")
    with count_queries() as more:
        collect_member_data(world.member)
    assert len(more) == len(few)
