"""Suspending and reactivating accounts."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sozialplanung.extensions import db

from ..conftest import login
from ..factories import PASSWORD, make_user
from .conftest import audit_codes, reload

BERLIN = ZoneInfo("Europe/Berlin")


def suspend(client, user, reason="Wiederholte Verstöße gegen die Nutzungsregeln", until=""):
    return client.post(f"/verwaltung/mitglieder/{user.id}/sperren",
                       data={"reason": reason, "until": until})


def sign_in_attempt(client, user):
    return client.post("/anmelden", data={"email": user.email, "password": PASSWORD})


def berlin_today():
    return datetime.now(BERLIN).date()


def test_suspend_ends_sessions_and_blocks_sign_in(app, admin_client):
    user = make_user(display_name="Jens Schubert")
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/profil").status_code == 200

    response = suspend(admin_client, user)
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Das Konto ist gesperrt; alle Sitzungen wurden beendet." in page
    assert "Wiederholte Verstöße gegen die Nutzungsregeln" in page
    assert "unbefristet" in page and "Konto reaktivieren" in page

    # The member's open session ends with the next request.
    response = other_device.get("/profil")
    assert response.status_code == 302 and response.headers["Location"].startswith("/anmelden")
    refused = sign_in_attempt(app.test_client(), user)
    assert refused.status_code == 200
    assert "Ihr Zugang ist gesperrt." in refused.get_data(as_text=True)
    assert audit_codes(exclude=("login", "login_failed")) == ["user_suspended"]


def test_suspend_until_end_of_chosen_day_in_german_time(admin_client):
    user = make_user()
    last_day = berlin_today() + timedelta(days=10)
    response = suspend(admin_client, user, until=last_day.isoformat())
    assert response.status_code == 302
    user = reload(user)
    assert user.status == "suspended"
    local_end = user.suspended_until.replace(tzinfo=timezone.utc).astimezone(BERLIN)
    assert local_end.date() == last_day
    assert (local_end.hour, local_end.minute) == (23, 59)
    page = admin_client.get(f"/verwaltung/mitglieder/{user.id}").get_data(as_text=True)
    assert f"{last_day:%d.%m.%Y}, 23:59" in page


def test_suspension_end_past_2999_is_refused_and_2999_shows(admin_client):
    """9999-12-31 was accepted and then broke the member's page (the year overflows in
    Berlin time), so the administration could not even open the page to reactivate."""
    user = make_user()
    refused = suspend(admin_client, user, until="9999-12-31")
    assert refused.status_code == 400
    assert "Bitte wählen Sie ein Datum bis spätestens 31.12.2999" in refused.get_data(as_text=True)
    assert reload(user).status == "active"
    assert suspend(admin_client, user, until="2999-12-31").status_code == 302
    page = admin_client.get(f"/verwaltung/mitglieder/{user.id}")
    assert page.status_code == 200 and "31.12.2999, 23:59" in page.get_data(as_text=True)


def test_suspension_end_typed_as_a_german_date(admin_client):
    user = make_user()
    day = berlin_today() + timedelta(days=20)
    assert suspend(admin_client, user, until=f"{day:%d.%m.%Y}").status_code == 302
    assert reload(user).suspended_until.replace(tzinfo=timezone.utc).astimezone(
        BERLIN).date() == day
    other = make_user()
    refused = suspend(admin_client, other, until="29.02.2027")
    assert refused.status_code == 400
    assert "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ)." in refused.get_data(as_text=True)
    assert reload(other).status == "active"


def test_suspension_until_today_is_allowed(admin_client):
    user = make_user()
    assert suspend(admin_client, user, until=berlin_today().isoformat()).status_code == 302
    assert reload(user).status == "suspended"


def test_suspension_ends_on_its_date(app, admin_client):
    user = make_user()
    suspend(admin_client, user, until=(berlin_today() + timedelta(days=1)).isoformat())
    guest = app.test_client()
    assert "Ihr Zugang ist gesperrt." in sign_in_attempt(guest, user).get_data(as_text=True)
    user.suspended_until = datetime(2020, 1, 1)
    db.session.commit()
    login(guest, user)
    assert reload(user).status == "active"


@pytest.mark.parametrize("until", [date(2020, 1, 1), "yesterday"])
def test_end_date_in_the_past_refused(admin_client, until):
    user = make_user()
    if until == "yesterday":
        until = berlin_today() - timedelta(days=1)
    response = suspend(admin_client, user, until=until.isoformat())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bitte ein Datum in der Zukunft wählen." in html
    assert reload(user).status == "active"
    assert audit_codes() == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_missing_reason_refused(admin_client, reason):
    user = make_user()
    response = suspend(admin_client, user, reason=reason)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bitte korrigieren Sie die markierten Angaben." in html
    assert 'id="reason-error"' in html
    assert reload(user).status == "active"
    assert audit_codes() == []


def test_invalid_date_refused(admin_client):
    user = make_user()
    response = suspend(admin_client, user, until="31.02.2030")
    assert response.status_code == 400
    assert 'id="until-error"' in response.get_data(as_text=True)
    assert reload(user).status == "active"


def test_admin_cannot_suspend_self(admin_client, admin):
    response = suspend(admin_client, admin)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sie können Ihr eigenes Konto nicht sperren." in html
    assert reload(admin).status == "active"
    assert admin_client.get("/verwaltung/mitglieder").status_code == 200
    assert audit_codes() == []


def test_own_page_offers_no_suspension(admin_client, admin):
    html = admin_client.get(f"/verwaltung/mitglieder/{admin.id}").get_data(as_text=True)
    assert "Konto sperren" not in html


@pytest.mark.parametrize("status", ["suspended", "invited", "pending"])
def test_only_active_accounts_can_be_suspended(admin_client, status):
    user = make_user(status=status)
    response = suspend(admin_client, user)
    assert response.status_code == 409
    assert "Konflikt" in response.get_data(as_text=True)
    assert reload(user).status == status
    assert audit_codes() == []


def test_reactivate_lets_member_sign_in_again(app, admin_client):
    user = make_user()
    suspend(admin_client, user)
    response = admin_client.post(f"/verwaltung/mitglieder/{user.id}/reaktivieren")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Das Konto ist wieder aktiv." in page
    user = reload(user)
    assert (user.status, user.suspended_reason, user.suspended_until) == ("active", "", None)
    login(app.test_client(), user)
    assert audit_codes() == ["user_suspended", "user_reactivated"]


def test_reactivate_active_account_is_conflict(admin_client):
    user = make_user()
    response = admin_client.post(f"/verwaltung/mitglieder/{user.id}/reaktivieren")
    assert response.status_code == 409
    assert "Dieses Konto ist nicht gesperrt." in response.get_data(as_text=True)
    assert audit_codes() == []


def test_suspended_admin_loses_admin_area(app, admin_client):
    other_admin = make_user(role="admin")
    other_client = app.test_client()
    login(other_client, other_admin)
    suspend(admin_client, other_admin)
    response = other_client.get("/verwaltung/mitglieder")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden")


def test_sessions_stay_ended_after_reactivation(app, admin_client):
    """Reactivating does not bring back a session or "remember me" cookie from before."""
    user = make_user()
    remembered = app.test_client()
    login(remembered, user, remember=True)
    assert remembered.get_cookie("sp_remember") is not None
    suspend(admin_client, user)
    admin_client.post(f"/verwaltung/mitglieder/{user.id}/reaktivieren")
    response = remembered.get("/profil")
    assert response.status_code == 302 and response.headers["Location"].startswith("/anmelden")
