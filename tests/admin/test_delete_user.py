"""Admins delete an account on request: confirmation, the same erasure, an audit entry."""
from sqlalchemy import select

from sozialplanung.admin.models import AuditLog
from sozialplanung.extensions import db
from sozialplanung.forum.models import Post

from ..accounts.support import MEMBER_EMAIL, MEMBER_NAME, build_world, count
from ..conftest import link_from_mail, login, outbox
from .conftest import audit_codes, make_pending, reload

CONFIRM = "Bitte bestätigen Sie, dass das Konto gelöscht werden soll."


def delete_url(user):
    return f"/verwaltung/mitglieder/{user.id}/loeschen"


def text(response):
    return response.get_data(as_text=True)


def test_detail_page_leads_to_a_confirmation_page(admin_client):
    world = build_world()
    detail = text(admin_client.get(f"/verwaltung/mitglieder/{world.member.id}"))
    assert f'href="{delete_url(world.member)}"' in detail
    html = text(admin_client.get(delete_url(world.member)))
    assert f"Konto löschen: {MEMBER_NAME}" in html
    assert "Die Löschung kann nicht rückgängig gemacht werden." in html
    assert "erscheinen unter „Ehemaliges Mitglied“ mit einer zufälligen Nummer." in html
    assert reload(world.member).status == "active"  # looking changes nothing


def test_deletion_needs_the_confirmation_box(admin_client):
    world = build_world()
    response = admin_client.post(delete_url(world.member), data={})
    assert response.status_code == 200 and CONFIRM in text(response)
    assert reload(world.member).status == "active"
    assert audit_codes() == []


def test_deletion_erases_and_is_audited(app, admin_client, admin):
    world = build_world()
    member_browser = app.test_client()
    login(member_browser, world.member)
    response = admin_client.post(delete_url(world.member), data={"confirm": "y"})
    assert response.headers["Location"] == f"/verwaltung/mitglieder/{world.member.id}"
    html = text(admin_client.get(response.headers["Location"]))
    assert "Das Konto ist gelöscht; die persönlichen Daten wurden entfernt." in html
    assert "gelöscht" in html and "Dieses Konto ist gelöscht." in html
    assert "Rolle speichern" not in html and MEMBER_EMAIL not in html
    user = reload(world.member)
    assert user.status == "deleted" and user.display_name.startswith("Ehemaliges Mitglied ")
    assert count(Post, Post.author_id == user.id) == 3
    assert member_browser.get("/profil").status_code == 302  # signed out at once
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user_deleted"))
    assert (entry.actor_id, entry.target_id, entry.summary) == (admin.id, user.id, "")


def test_second_click_reports_the_deletion_once(admin_client):
    world = build_world()
    admin_client.post(delete_url(world.member), data={"confirm": "y"})
    response = admin_client.post(delete_url(world.member), data={"confirm": "y"},
                                 follow_redirects=True)
    assert response.status_code == 200
    assert "Dieses Konto ist bereits gelöscht." in text(response)
    assert audit_codes().count("user_deleted") == 1
    assert "Dieses Konto ist bereits gelöscht." in text(admin_client.get(delete_url(world.member)))


def test_admin_cannot_delete_themself_here(admin_client, admin):
    assert "Ihr eigenes Konto löschen Sie in Ihren Kontoeinstellungen" in \
        text(admin_client.get(delete_url(admin)))
    response = admin_client.post(delete_url(admin), data={"confirm": "y"})
    assert response.status_code == 400
    assert "Ihr eigenes Konto löschen Sie in Ihren Kontoeinstellungen" in text(response)
    assert reload(admin).status == "active"
    assert delete_url(admin) not in text(admin_client.get(f"/verwaltung/mitglieder/{admin.id}"))


def test_member_list_shows_deleted_status(admin_client):
    world = build_world()
    admin_client.post(delete_url(world.member), data={"confirm": "y"})
    html = text(admin_client.get("/verwaltung/mitglieder?status=deleted"))
    assert reload(world.member).display_name in html
    assert 'status-deleted">gelöscht<' in html
    assert MEMBER_NAME not in html


def test_role_of_a_deleted_account_cannot_change(admin_client):
    world = build_world()
    admin_client.post(delete_url(world.member), data={"confirm": "y"})
    response = admin_client.post(f"/verwaltung/mitglieder/{world.member.id}/rolle",
                                 data={"role": "admin"})
    assert response.status_code == 409
    assert reload(world.member).role == "member"


def test_open_invitation_link_stops_working(client, admin_client):
    admin_client.post("/verwaltung/mitglieder/einladen", data={
        "email": "eingeladen@example.org", "organisation_id": "0", "role": "member"})
    [mail] = outbox(to="eingeladen@example.org")
    link = link_from_mail(mail, "/einladung/")
    invited = db.session.scalar(select(AuditLog).where(AuditLog.action == "user_invited")).target_id
    admin_client.post(f"/verwaltung/mitglieder/{invited}/loeschen", data={"confirm": "y"})
    assert client.get(link).status_code == 404
    assert outbox(to="eingeladen@example.org") == []


def test_pending_registration_can_be_deleted(admin_client):
    pending = make_pending(email="wartet@example.org")
    admin_client.post(delete_url(pending), data={"confirm": "y"})
    user = reload(pending)
    assert user.status == "deleted" and user.email == f"geloescht-{user.id}@konto.invalid"
