"""Helpers shared by the sign-in and account tests: isolated clients and page readers."""
import html
import re
from contextlib import contextmanager

from flask import current_app, g
from flask.testing import FlaskClient
from sqlalchemy import select

from sozialplanung.accounts.models import User
from sozialplanung.admin.models import AuditLog
from sozialplanung.auth.models import AuthToken
from sozialplanung.extensions import db

PASSWORD = "Geheimes-Passwort-1"
NEW_PASSWORD = "Ein-ganz-neues-Passwort-2"


class IsolatedClient(FlaskClient):
    """A browser of its own: each request starts with an empty `g`, as in production.

    The session-wide app context of tests/conftest.py is reused by every request, so the
    per-request caches kept on `g` would otherwise leak from one request (and one client)
    into the next: Flask-Login's signed-in user (g._login_user), Flask-WTF's CSRF token
    (g.csrf_token) and Flask-Babel's locale (g._flask_babel).
    """

    def open(self, *args, **kwargs):
        vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@contextmanager
def admin_request():
    """Run an admin service as the admin pages do: inside a request.

    Services translate their texts, and the app's locale selector (_select_locale in
    sozialplanung/__init__.py) reads `session`, which exists only inside a request.
    """
    with current_app.test_request_context("/"):
        yield


def new_client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


def page(response):
    """The response body with HTML entities resolved, as a reader would see the text."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(client, url):
    body = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def is_signed_in(client):
    """True if the client may open a member page (the own profile settings)."""
    response = client.get("/profil")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    return False


def reload(obj):
    """Re-read a row from the database (requests share the test's session)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def user_by_email(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def count_users():
    return len(db.session.scalars(select(User.id)).all())


def tokens(user, purpose):
    db.session.expire_all()
    return db.session.scalars(select(AuthToken).where(
        AuthToken.user_id == user.id, AuthToken.purpose == purpose)).all()


def audit_actions():
    return [entry.action for entry in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


def cookie_header(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    return None
