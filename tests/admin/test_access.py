"""Only admins reach the admin area: every page and action, for every other persona."""
import pytest
from sqlalchemy import select

from sozialplanung.accounts.models import User
from sozialplanung.extensions import db
from sozialplanung.notifications.models import OutboxMail
from sozialplanung.pages.models import SitePage
from sozialplanung.timeutil import utcnow

from ..conftest import login
from ..factories import make_user
from .conftest import audit_codes, make_pending

# (method, endpoint, form data an admin would succeed with)
ADMIN_ROUTES = [
    ("GET", "admin.index", None),
    ("GET", "admin.users", None),
    ("GET", "admin.invite", None),
    ("POST", "admin.invite", {"email": "neu@example.org", "display_name": "Neue Person",
                              "organisation_id": "0", "role": "admin"}),
    ("GET", "admin.user_detail", None),
    ("POST", "admin.approve", {}),
    ("POST", "admin.resend_invitation", {}),
    ("GET", "admin.reject", None),
    ("POST", "admin.reject", {"notify": "y"}),
    ("POST", "admin.change_role", {"role": "admin"}),
    ("POST", "admin.suspend", {"reason": "Missbrauch", "until": ""}),
    ("POST", "admin.reactivate", {}),
    ("GET", "admin.delete_user", None),
    ("POST", "admin.delete_user", {"confirm": "y"}),
    ("GET", "admin.audit_log", None),
    ("GET", "admin.outbox", None),
    ("POST", "admin.requeue_mail", {}),
    ("GET", "admin.edit_page", None),
    ("POST", "admin.edit_page", {"title": "Übernommen", "body": "Gehackt"}),
]
ROUTE_IDS = [f"{method} {endpoint}" for method, endpoint, _ in ADMIN_ROUTES]


@pytest.fixture
def targets():
    """One account or mail for each admin action to work on."""
    failed_mail = OutboxMail(to_address="x@example.org", subject="Betreff", body_text="Text\n",
                             attempts=8, failed_at=utcnow(), last_error="SMTP down")
    db.session.add(failed_mail)
    db.session.commit()
    return {
        "member": make_user(display_name="Ziel Mitglied"),
        "pending": make_pending(),
        "invited": make_user(status="invited", password=None),
        "suspended": make_user(status="suspended", suspended_reason="Test"),
        "mail": failed_mail,
    }


def url_for_route(app, endpoint, targets):
    user_for = {"admin.approve": "pending", "admin.reject": "pending",
                "admin.resend_invitation": "invited",
                "admin.reactivate": "suspended"}
    args = {}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if "user_id" in rule.arguments:
        args["user_id"] = targets[user_for.get(endpoint, "member")].id
    if "mail_id" in rule.arguments:
        args["mail_id"] = targets["mail"].id
    if "slug" in rule.arguments:
        args["slug"] = "impressum"
    with app.test_request_context():
        from flask import url_for
        return url_for(endpoint, **args)


def state():
    """Everything an admin action could change."""
    db.session.expire_all()
    users = db.session.execute(select(User.email, User.status, User.role, User.session_token)
                               .order_by(User.id)).all()
    mails = db.session.execute(select(OutboxMail.to_address, OutboxMail.failed_at,
                                      OutboxMail.attempts).order_by(OutboxMail.id)).all()
    pages = db.session.execute(select(SitePage.slug, SitePage.title, SitePage.body_source)
                               .order_by(SitePage.id)).all()
    return users, mails, pages, audit_codes()


def test_route_table_covers_every_admin_route(app):
    registered = {(method, rule.endpoint) for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("admin.")
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert registered == {(method, endpoint) for method, endpoint, _ in ADMIN_ROUTES}


@pytest.mark.parametrize("method, endpoint, data", ADMIN_ROUTES, ids=ROUTE_IDS)
def test_anonymous_is_sent_to_sign_in(app, client, targets, method, endpoint, data):
    before = state()
    response = client.open(url_for_route(app, endpoint, targets), method=method, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden")
    assert state() == before


@pytest.mark.parametrize("role", ["member", "moderator", "editor"])
@pytest.mark.parametrize("method, endpoint, data", ADMIN_ROUTES, ids=ROUTE_IDS)
def test_other_roles_get_german_403(app, client, targets, role, method, endpoint, data):
    login(client, make_user(role=role))
    before = state()
    response = client.open(url_for_route(app, endpoint, targets), method=method, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Keine Berechtigung" in html
    assert "Für diese Seite oder Aktion fehlt Ihnen die Berechtigung." in html
    assert state() == before


@pytest.mark.parametrize("method, endpoint, data", ADMIN_ROUTES, ids=ROUTE_IDS)
def test_admin_reaches_every_route(app, admin_client, targets, method, endpoint, data):
    response = admin_client.open(url_for_route(app, endpoint, targets), method=method, data=data)
    if method == "GET" and endpoint != "admin.index":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith(("/verwaltung/", "/impressum"))


def test_admin_link_in_navigation_only_for_admins(client, admin):
    login(client, make_user(role="editor"))
    assert "/verwaltung/mitglieder" not in client.get("/").get_data(as_text=True)
    client.post("/abmelden")
    login(client, admin)
    assert "/verwaltung/mitglieder" in client.get("/").get_data(as_text=True)
