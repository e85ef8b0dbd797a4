"""Security headers, German error pages, CSRF on every POST route, production settings."""
import importlib
import logging
import re

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

import config as config_module
from sozialplanung import create_app
from sozialplanung.extensions import db
from sozialplanung.notifications.models import OutboxMail
from sozialplanung.timeutil import utcnow

from .conftest import login
from .factories import make_group, make_user

CSRF_MESSAGE = "Das Formular ist abgelaufen oder unvollständig (Sicherheits-Token fehlt)."
STRONG_KEY = "k" * 48


# --- security headers -----------------------------------------------------------------------

def assert_security_headers(response, path=""):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src, path
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, path
    assert "*" not in script_src, path
    assert directives.get("frame-ancestors") == ["'none'"], path
    assert directives.get("object-src") == ["'none'"], path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer",
                                              "strict-origin-when-cross-origin"), path
    assert headers.get("X-Frame-Options") == "DENY", path


def assert_no_inline_script(html, path=""):
    """The CSP blocks inline script, so a page that relied on one would silently break."""
    for tag in re.findall(r"<script\b[^>]*>", html, re.I):
        assert "src=" in tag, (path, tag)
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I), path
    assert "javascript:" not in html.lower(), path


@pytest.mark.parametrize("method, path", [
    ("GET", "/"), ("GET", "/anmelden"), ("GET", "/registrieren"), ("GET", "/impressum"),
    ("GET", "/static/css/main.css"), ("GET", "/gibt-es-nicht"), ("GET", "/abmelden"),
    ("GET", "/verwaltung/mitglieder"), ("POST", "/anmelden"),
])
def test_security_headers_for_visitors(client, method, path):
    assert_security_headers(client.open(path, method=method), path)


def test_security_headers_and_no_inline_script_on_every_page(app, client):
    admin = make_user(role="admin")
    login(client, admin)
    group = make_group(members=[admin])
    checked = 0
    for path in get_paths(app, {"slug": group.slug, "user_id": admin.id}):
        response = client.get(path)
        assert_security_headers(response, path)
        if response.mimetype == "text/html":
            assert_no_inline_script(response.get_data(as_text=True), path)
            assert response.headers.get("Cache-Control") == "no-store", path
        checked += 1
    assert checked >= 15


def get_paths(app, values):
    paths = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            paths.append(url_for(rule.endpoint, _method="GET", **route_args(rule, values)))
    return sorted(set(paths))


def route_args(rule, values):
    """Values for the variable parts of a rule's path (those with defaults are left out)."""
    return {name: arg_value(rule, name, values) for name in rule._converters}


def arg_value(rule, name, values):
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if rule.endpoint == "admin.edit_page" and name == "slug":
        return "impressum"
    if name in values:
        return values[name]
    return 1 if isinstance(converter, IntegerConverter) else "x"


# --- German error pages ---------------------------------------------------------------------

def assert_german_error(response, status, title):
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert '<html lang="de">' in html
    assert f"<h1>{title}</h1>" in html
    assert "Traceback" not in html and 'File "' not in html and "werkzeug" not in html.lower()
    assert_security_headers(response)
    return html


@pytest.mark.parametrize("signed_in", [False, True])
def test_404_page(client, signed_in):
    if signed_in:
        login(client, make_user())
    html = assert_german_error(client.get("/gibt-es-nicht"), 404, "Seite nicht gefunden")
    assert "Bitte prüfen Sie die Adresse." in html


def test_405_page(client):
    response = client.get("/abmelden")
    html = assert_german_error(response, 405, "Aktion nicht erlaubt")
    assert "Diese Aktion ist auf dieser Seite nicht möglich." in html
    assert "POST" in response.headers["Allow"]


def test_413_page(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/anmelden", data={"email": "x" * 5000, "password": "y"})
    html = assert_german_error(response, 413, "Datei zu groß")
    assert "Die gesendeten Daten überschreiten die zulässige Größe." in html


def test_400_page(client):
    admin = make_user(role="admin")
    login(client, admin)
    response = client.post(f"/verwaltung/mitglieder/{admin.id}/rolle", data={"role": "kaiser"})
    html = assert_german_error(response, 400, "Ungültige Anfrage")
    assert "Bitte laden Sie die Seite neu" in html
    assert "Bad Request" not in html


def test_500_page_is_german_and_logged(app, client, monkeypatch, caplog):
    def broken(slug):
        raise RuntimeError("geheime Interna")

    broken.is_public = True
    # Alembic's fileConfig() in migrations/env.py disables loggers that exist before it runs.
    monkeypatch.setattr(logging.getLogger("sozialplanung.errors"), "disabled", False)
    monkeypatch.setitem(app.view_functions, "pages.show", broken)
    response = client.get("/impressum", headers={"X-Request-ID": "abc123"})
    html = assert_german_error(response, 500, "Interner Fehler")
    assert "geheime Interna" not in html and "RuntimeError" not in html
    assert "abc123" in html
    assert response.headers["X-Request-ID"] == "abc123"
    assert any("abc123" in record.getMessage() and record.exc_info
               for record in caplog.records if record.name == "sozialplanung.errors")


# --- CSRF on every POST route ---------------------------------------------------------------

def csrf_token_from(client, path):
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no csrf token on {path}"
    return match.group(1)


def login_with_token(client, user):
    token = csrf_token_from(client, "/anmelden")
    response = client.post("/anmelden", data={"email": user.email, "csrf_token": token,
                                              "password": "Geheimes-Passwort-1"})
    assert response.status_code == 302


def database_snapshot():
    db.session.expire_all()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        snapshot[table.name] = sorted(tuple(str(value) for value in row) for row in rows)
    return snapshot


def post_routes(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "POST" in rule.methods),
                  key=lambda rule: rule.rule)


@pytest.fixture
def csrf_world():
    """Objects for the POST routes to point at, so a missing check would change something."""
    member = make_user(display_name="Ziel")
    group = make_group(members=[member])
    failed = OutboxMail(to_address="x@example.org", subject="S", body_text="T\n", attempts=8,
                        failed_at=utcnow())
    db.session.add(failed)
    db.session.commit()
    return {"user_id": member.id, "slug": group.slug, "mail_id": failed.id}


@pytest.mark.parametrize("signed_in", [True, False], ids=["admin", "anonymous"])
@pytest.mark.parametrize("token", [None, "gefaelscht"], ids=["missing", "wrong"])
def test_every_post_route_requires_csrf_token(app, csrf_client, csrf_world, signed_in, token):
    if signed_in:
        login_with_token(csrf_client, make_user(role="admin"))
    before = database_snapshot()
    routes = post_routes(app)
    assert len(routes) >= 20
    with app.test_request_context():
        urls = [url_for(rule.endpoint, _method="POST", **route_args(rule, csrf_world))
                for rule in routes]
    data = {"email": "neu@example.org", "password": "Geheimes-Passwort-1", "role": "admin",
            "reason": "x", "title": "x", "body": "x", "display_name": "x"}
    if token:
        data["csrf_token"] = token
    for url in urls:
        response = csrf_client.post(url, data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert CSRF_MESSAGE in html, url
        assert "Ungültige Anfrage" in html, url
    assert database_snapshot() == before
    # Not even the sign-out went through.
    if signed_in:
        assert csrf_client.get("/verwaltung/mitglieder").status_code == 200


def test_post_with_valid_token_works(csrf_client):
    login_with_token(csrf_client, make_user(role="admin"))
    token = csrf_token_from(csrf_client, "/verwaltung/mitglieder/einladen")
    response = csrf_client.post("/verwaltung/mitglieder/einladen", data={
        "email": "neu@example.org", "organisation_id": "0", "role": "member", "csrf_token": token})
    assert response.status_code == 302
    token = csrf_token_from(csrf_client, "/verwaltung/mitglieder")
    assert csrf_client.post("/abmelden", data={"csrf_token": token}).status_code == 302
    assert csrf_client.get("/verwaltung/mitglieder").status_code == 302


# --- production configuration ---------------------------------------------------------------

def production(**settings):
    return type("Production", (config_module.ProductionConfig,), settings)


@pytest.mark.parametrize("secret", ["dev-only-secret-change-me", "kurz", "", None, "x" * 31])
def test_production_refuses_default_or_short_secret_key(app, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production(SECRET_KEY=secret,
                              SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u@127.0.0.1/x"))


def test_production_refuses_sqlite_unless_allowed(app, tmp_path):
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        create_app(production(SECRET_KEY=STRONG_KEY, ALLOW_SQLITE_IN_PRODUCTION=False,
                              SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.sqlite'}"))
    allowed = create_app(production(SECRET_KEY=STRONG_KEY, ALLOW_SQLITE_IN_PRODUCTION=True,
                                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.sqlite'}"))
    assert allowed.config["SESSION_COOKIE_SECURE"] is True


def test_production_starts_with_strong_key_and_postgresql(app):
    prod = create_app(production(SECRET_KEY=STRONG_KEY,
                                 SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u@127.0.0.1/x"))
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["REMEMBER_COOKIE_SECURE"]
    assert prod.config["SESSION_COOKIE_HTTPONLY"]
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not prod.debug


@pytest.fixture
def environment(monkeypatch):
    """Set environment variables, re-read config.py, and restore both afterwards."""
    def apply(**variables):
        for name, value in variables.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        importlib.reload(config_module)

    yield apply
    monkeypatch.undo()
    importlib.reload(config_module)


@pytest.mark.parametrize("variables", [
    {"SECRET_KEY": None, "DATABASE_URL": "postgresql://u@127.0.0.1/x"},
    {"SECRET_KEY": "zu-kurz", "DATABASE_URL": "postgresql://u@127.0.0.1/x"},
    {"SECRET_KEY": STRONG_KEY, "DATABASE_URL": None, "ALLOW_SQLITE_IN_PRODUCTION": None},
], ids=["no-key", "short-key", "sqlite"])
def test_production_from_environment_refuses_unsafe_settings(app, environment, variables):
    environment(APP_ENV="production", **variables)
    with pytest.raises(RuntimeError):
        create_app()


def test_production_from_environment_starts_with_strong_key(app, environment):
    environment(APP_ENV="production", SECRET_KEY=STRONG_KEY,
                DATABASE_URL="postgresql://u@127.0.0.1/x")
    prod = create_app()
    assert prod.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
