"""Konto löschen: personal data is erased; the posts stay under an anonymous name."""
import pytest
from sqlalchemy import select

from sozialplanung.accounts.erasure import erase_account
from sozialplanung.accounts.models import User
from sozialplanung.accounts.services import delete_own_account
from sozialplanung.admin.models import AuditLog
from sozialplanung.announcements.models import FeedToken
from sozialplanung.auth.models import AuthToken
from sozialplanung.documents.models import Document
from sozialplanung.errors import Conflict, ValidationError
from sozialplanung.extensions import db
from sozialplanung.forum.models import Post, ReadState, Subscription, Thread
from sozialplanung.groups.models import Membership, MembershipRequest
from sozialplanung.moderation.models import Report
from sozialplanung.notifications.models import Notification, OutboxMail

from ..auth.support import (
    PASSWORD, admin_request, audit_actions, cookie_header, is_signed_in, new_client, page,
    reload,
)
from ..conftest import login, outbox
from ..factories import make_user
from .support import MEMBER_EMAIL, MEMBER_NAME, build_world, count

DELETED = "Ihr Konto wurde gelöscht"
LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist nicht korrekt."
LAST_ADMIN = "Ihr Konto ist das einzige aktive Administrationskonto."


@pytest.fixture
def world(client):
    world = build_world()
    login(client, world.member)
    return world


def delete(client, password=PASSWORD):
    return client.post("/profil/konto-loeschen", data={"current_password": password})


def signs_in(app, email, password=PASSWORD):
    return new_client(app).post("/anmelden", data={"email": email, "password": password})


# --- the page and the password ------------------------------------------------------------

def test_page_explains_what_happens(client, world):
    html = page(client.get("/profil/konto-loeschen"))
    assert "Konto löschen" in html
    assert "Ihr Name, Ihre E-Mail-Adresse, Organisation" in html
    assert ("Statt Ihres Namens steht dort dann „Ehemaliges Mitglied“ mit einer zufälligen "
            "Nummer.") in html
    assert "Die Löschung kann nicht rückgängig gemacht werden." in html
    assert 'autocomplete="current-password"' in html
    assert 'href="/profil/daten"' in html  # the export, before it is too late


@pytest.mark.parametrize("password, message", [
    ("Falsches-Passwort-99", "Das Passwort ist nicht korrekt."),
    ("", "Bitte füllen Sie dieses Feld aus."),
])
def test_wrong_or_missing_password_changes_nothing(client, world, password, message):
    response = delete(client, password)
    assert response.status_code == 200 and message in page(response)
    user = reload(world.member)
    assert (user.status, user.display_name, user.email) == ("active", MEMBER_NAME, MEMBER_EMAIL)
    assert is_signed_in(client)
    assert "account_deleted" not in audit_actions()


# --- what the member notices --------------------------------------------------------------

def test_deletion_signs_out_and_confirms(client, world):
    response = delete(client)
    assert response.status_code == 302 and response.headers["Location"] == "/konto-geloescht"
    html = page(client.get("/konto-geloescht"))
    assert DELETED in html and "auf allen Geräten abgemeldet" in html
    assert not is_signed_in(client)
    # The confirmation is for this moment only; opened again it leads to the sign-in page.
    again = client.get("/konto-geloescht")
    assert again.status_code == 302 and again.headers["Location"] == "/anmelden"


def test_remember_cookie_is_cleared_and_void(client, app):
    user = make_user()
    login(client, user, remember=True)
    remember = client.get_cookie("sp_remember").value
    response = delete(client)
    assert "sp_remember=;" in cookie_header(response, "sp_remember")
    replay = new_client(app)
    replay.set_cookie("sp_remember", remember)
    assert not is_signed_in(replay)


def test_other_devices_and_copied_session_cookies_are_signed_out(client, other_client, world,
                                                                 app):
    login(other_client, world.member, remember=True)
    stolen = client.get_cookie("sp_session").value
    delete(client)
    assert not is_signed_in(other_client)
    other_client.delete_cookie("sp_session")
    assert not is_signed_in(other_client)  # the remember cookie too
    replay = new_client(app)
    replay.set_cookie("sp_session", stolen)
    assert not is_signed_in(replay)


def test_double_submit_deletes_once(client, world, app):
    second_tab = new_client(app)
    second_tab.set_cookie("sp_session", client.get_cookie("sp_session").value)
    assert delete(client).status_code == 302
    response = delete(second_tab)
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert audit_actions().count("account_deleted") == 1


def test_the_account_can_never_sign_in_again(client, world, app):
    delete(client)
    response = signs_in(app, MEMBER_EMAIL)
    assert response.status_code == 200 and LOGIN_FAILED in page(response)
    # The placeholder address is not even a valid address for the form.
    response = signs_in(app, reload(world.member).email)
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in page(response)


def test_password_reset_for_the_old_address_reveals_and_revives_nothing(client, world, app):
    delete(client)
    before = len(outbox())
    response = new_client(app).post("/passwort-vergessen", data={"email": MEMBER_EMAIL},
                                    follow_redirects=True)
    assert "Falls zu dieser Adresse ein aktives Konto gehört" in page(response)
    assert len(outbox()) == before
    assert reload(world.member).status == "deleted"


def test_the_old_address_can_register_again_as_a_new_account(client, world, app):
    delete(client)
    response = new_client(app).post("/registrieren", data={
        "display_name": MEMBER_NAME, "email": MEMBER_EMAIL, "position": "",
        "organisation_id": str(world.member.organisation_id or 1),
        "password": "Ein-ganz-neues-Passwort-2", "confirm": "Ein-ganz-neues-Passwort-2",
        "accept_privacy": "y"})
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in page(response)
    fresh = db.session.scalar(select(User).where(User.email == MEMBER_EMAIL))
    assert fresh.id != world.member.id and fresh.status == "pending"
    assert count(Post, Post.author_id == fresh.id) == 0
    assert reload(world.member).status == "deleted"


# --- what is erased and what stays --------------------------------------------------------

def test_personal_data_is_erased(client, world):
    delete(client)
    user = reload(world.member)
    assert user.status == "deleted"
    assert user.display_name.startswith("Ehemaliges Mitglied ")
    assert user.email == f"geloescht-{user.id}@konto.invalid"
    assert (user.position, user.phone, user.bio) == ("", "", "")
    assert user.organisation_id is None and user.password_hash is None
    assert user.last_seen_at is None and user.show_email is False


def test_rows_that_only_serve_the_member_are_removed(client, world):
    delete(client)
    member_id = world.member.id
    for model in (Membership, MembershipRequest, Subscription, ReadState, Notification,
                  FeedToken, AuthToken):
        assert count(model, model.user_id == member_id) == 0, model.__name__
    assert count(OutboxMail, OutboxMail.to_address == MEMBER_EMAIL) == 0
    assert count(Membership, Membership.user_id == world.other.id) == 2  # others keep theirs


def test_mail_to_an_address_the_member_was_changing_to_is_removed(client, world):
    client.post("/profil/email", data={"email": "neu@example.org", "current_password": PASSWORD})
    assert outbox(to="neu@example.org") != []
    delete(client)
    assert outbox(to="neu@example.org") == []


def test_content_stays_under_the_anonymous_name(client, world):
    delete(client)
    member_id = world.member.id
    assert count(Post, Post.author_id == member_id) == 3
    assert count(Thread, Thread.author_id == member_id) == 1
    assert count(Document, Document.created_by_id == member_id) == 1
    assert count(Report, Report.reporter_id == member_id) == 1


def test_audit_entries_keep_no_personal_data(client, world):
    delete(client)
    db.session.expire_all()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account_deleted"))
    assert (entry.actor_id, entry.target_id) == (world.member.id, world.member.id)
    assert (entry.summary, entry.ip_address) == ("", "")
    about = db.session.scalars(select(AuditLog).where(AuditLog.target_id == world.member.id))
    assert all(e.ip_address == "" and MEMBER_EMAIL not in e.summary for e in about)


# --- other pages after the deletion -------------------------------------------------------

def test_thread_search_and_notifications_show_the_anonymous_name(client, world, app):
    delete(client)
    anonymous = reload(world.member).display_name
    reader = new_client(app)
    login(reader, world.other)
    for url in (f"/themen/{world.thread_id}", "/suche?q=Prognose", "/benachrichtigungen",
                f"/dokumente/{world.document.id}", f"/arbeitskreise/{world.group.slug}",
                f"/arbeitskreise/{world.group.slug}/mitglieder"):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert MEMBER_NAME not in page(response), url
    for url in (f"/themen/{world.thread_id}", "/suche?q=Prognose", "/benachrichtigungen"):
        assert anonymous in page(reader.get(url)), url
    # The name is not a link to a profile that no longer exists.
    assert f'/mitglieder/{world.member.id}"' not in page(reader.get(f"/themen/{world.thread_id}"))


def test_directory_and_profile_forget_the_member(client, world, app):
    delete(client)
    reader = new_client(app)
    login(reader, world.other)
    assert MEMBER_NAME not in page(reader.get("/mitglieder"))
    assert "Ehemaliges Mitglied" not in page(reader.get("/mitglieder"))
    assert reader.get(f"/mitglieder/{world.member.id}").status_code == 404
    admin = new_client(app)
    login(admin, make_user(role="admin"))
    assert admin.get(f"/mitglieder/{world.member.id}").status_code == 200


def test_moderation_pages_work_and_offer_no_suspension(client, world, app):
    delete(client)
    moderator = new_client(app)
    login(moderator, make_user(role="admin"))
    post_id = world.own_posts[0].id
    assert moderator.get("/moderation/").status_code == 200
    html = page(moderator.get(f"/moderation/beitraege/{post_id}"))
    assert "sperren" not in html
    assert moderator.get(f"/moderation/mitglieder/{world.member.id}/sperren").status_code == 403


# --- names --------------------------------------------------------------------------------

def test_the_old_name_is_free_and_the_placeholder_is_reserved(client, world, app):
    delete(client)
    newcomer = make_user(display_name="Neu Hier")
    browser = new_client(app)
    login(browser, newcomer)
    form = {"organisation_id": "0", "locale": "de"}
    assert browser.post("/profil", data={**form, "display_name": MEMBER_NAME}).status_code == 302
    placeholder = reload(world.member).display_name
    response = browser.post("/profil", data={**form, "display_name": placeholder.lower()})
    assert "Dieser Name ist für gelöschte Konten vorgesehen." in page(response)


def test_deleted_accounts_get_different_names(app):
    names = set()
    for _ in range(3):
        user = make_user()
        erase_account(user)
        db.session.commit()
        names.add(user.display_name)
    assert len(names) == 3


# --- the last admin, and the service rules ------------------------------------------------

def test_last_admin_is_kept(client):
    admin = make_user(role="admin")
    make_user(role="admin", status="suspended")  # cannot administer anything
    login(client, admin)
    response = delete(client, PASSWORD)
    assert LAST_ADMIN in page(response)
    assert reload(admin).status == "active"


def test_admin_can_leave_when_another_admin_remains(client):
    admin = make_user(role="admin")
    make_user(role="admin")
    login(client, admin)
    assert delete(client).headers["Location"] == "/konto-geloescht"
    assert reload(admin).status == "deleted" and reload(admin).role == "member"


def test_service_refuses_a_second_erasure(app):
    user = make_user()
    erase_account(user)
    db.session.commit()
    with pytest.raises(Conflict):
        erase_account(user)


def test_service_checks_password_before_changing_anything(app):
    user = make_user()
    with admin_request(), pytest.raises(ValidationError):
        delete_own_account(user, "Falsches-Passwort-99")
    db.session.rollback()
    assert reload(user).status == "active"
