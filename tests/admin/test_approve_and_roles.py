"""Approving self-registrations and changing site roles."""
import pytest

from ..conftest import login, outbox
from ..factories import make_user
from .conftest import audit_codes, make_pending, reload


def test_approve_activates_and_mails(app, admin_client):
    pending = make_pending(display_name="Peter Schulze", email="p.schulze@sonneberg.example")
    response = admin_client.post(f"/verwaltung/mitglieder/{pending.id}/freischalten")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Peter Schulze ist freigeschaltet." in page
    assert reload(pending).status == "active"
    [mail] = outbox("p.schulze@sonneberg.example")
    assert mail.subject == "Ihr Zugang ist freigeschaltet"
    assert "Guten Tag Peter Schulze," in mail.body_text
    assert "http://localhost/anmelden" in mail.body_text
    assert audit_codes() == ["user_approved"]
    login(app.test_client(), pending)


def test_second_approve_is_conflict_without_second_entry(admin_client):
    pending = make_pending()
    admin_client.post(f"/verwaltung/mitglieder/{pending.id}/freischalten")
    response = admin_client.post(f"/verwaltung/mitglieder/{pending.id}/freischalten")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Konflikt" in html
    assert "Dieses Konto wartet nicht (mehr) auf Freischaltung." in html
    assert audit_codes() == ["user_approved"]
    assert len(outbox(pending.email)) == 1


def test_unconfirmed_address_cannot_be_approved(admin_client):
    pending = make_pending(confirmed=False)
    page = admin_client.get(f"/verwaltung/mitglieder/{pending.id}").get_data(as_text=True)
    assert "Zugang freischalten" not in page
    assert "E-Mail-Adresse noch nicht bestätigt" in page
    response = admin_client.post(f"/verwaltung/mitglieder/{pending.id}/freischalten")
    assert response.status_code == 409
    assert "Die E-Mail-Adresse ist noch nicht bestätigt." in response.get_data(as_text=True)
    assert reload(pending).status == "pending"
    assert outbox() == [] and audit_codes() == []


def test_approve_of_active_account_is_conflict(admin_client):
    user = make_user()
    assert admin_client.post(f"/verwaltung/mitglieder/{user.id}/freischalten").status_code == 409
    assert audit_codes() == []


def test_change_role_takes_effect_at_once(app, admin_client):
    user = make_user(display_name="Sabine Krause")
    member_client = app.test_client()
    login(member_client, user)
    assert member_client.get("/verwaltung/mitglieder").status_code == 403

    response = admin_client.post(f"/verwaltung/mitglieder/{user.id}/rolle", data={"role": "admin"})
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Die Rolle wurde geändert." in page
    assert reload(user).role == "admin"
    assert member_client.get("/verwaltung/mitglieder").status_code == 200
    assert audit_codes() == ["role_changed"]

    admin_client.post(f"/verwaltung/mitglieder/{user.id}/rolle", data={"role": "moderator"})
    assert member_client.get("/verwaltung/mitglieder").status_code == 403
    assert audit_codes() == ["role_changed", "role_changed"]


def test_same_role_again_writes_no_entry(admin_client):
    user = make_user(role="editor")
    admin_client.post(f"/verwaltung/mitglieder/{user.id}/rolle", data={"role": "editor"})
    assert reload(user).role == "editor"
    assert audit_codes() == []


def test_admin_cannot_remove_own_admin_role(admin_client, admin):
    response = admin_client.post(f"/verwaltung/mitglieder/{admin.id}/rolle",
                                 data={"role": "member"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Sie können sich die Administrationsrolle nicht selbst entziehen." in html
    assert reload(admin).role == "admin"
    assert admin_client.get("/verwaltung/mitglieder").status_code == 200
    assert audit_codes() == []


@pytest.mark.parametrize("role", ["superadmin", ""])
def test_unknown_role_is_german_400(admin_client, role):
    user = make_user()
    response = admin_client.post(f"/verwaltung/mitglieder/{user.id}/rolle", data={"role": role})
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.get_data(as_text=True)
    assert reload(user).role == "member"
    assert audit_codes() == []


def test_registration_whose_name_was_taken_meanwhile_is_not_approved(admin_client):
    pending = make_pending(display_name="Sabine Krause", email="s.krause@weimar.example")
    holder = make_user(display_name="sabine  krause")  # took the name while it waited
    page = admin_client.get(f"/verwaltung/mitglieder/{pending.id}").get_data(as_text=True)
    assert "Ein anderes Mitglied verwendet diesen Namen bereits:" in page
    assert f'href="/verwaltung/mitglieder/{holder.id}"' in page
    assert "Zugang freischalten" not in page and "Registrierung ablehnen" in page
    response = admin_client.post(f"/verwaltung/mitglieder/{pending.id}/freischalten",
                                 follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Ein anderes Mitglied verwendet den Namen „Sabine Krause“ bereits" in html
    assert reload(pending).status == "pending"
    assert outbox("s.krause@weimar.example") == [] and audit_codes() == []


def test_registration_with_a_free_name_shows_no_warning(admin_client):
    pending = make_pending(display_name="Sabine Krause")
    make_user(display_name="Sabine Kraus")
    make_user(display_name="Sabine Krause", status="deleted")
    page = admin_client.get(f"/verwaltung/mitglieder/{pending.id}").get_data(as_text=True)
    assert "Ein anderes Mitglied verwendet diesen Namen bereits" not in page
    assert "Zugang freischalten" in page
