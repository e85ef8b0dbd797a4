"""Fixtures: one app per session with the schema built by the migrations; tables emptied after
each test. SQLite (temporary file) by default, PostgreSQL when TEST_DATABASE_URL is set."""
import atexit
import os
import re
import shutil
import tempfile

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import delete, insert, select, text

# The SQLite database is a file, as in use (each connection its own): set before any test
# module imports `config`, whose TestingConfig reads the variable once.
if not os.environ.get("TEST_DATABASE_URL"):
    _sqlite_dir = tempfile.mkdtemp(prefix="sozialplanung-tests-")
    atexit.register(shutil.rmtree, _sqlite_dir, ignore_errors=True)
    os.environ["TEST_DATABASE_URL"] = f"sqlite:///{_sqlite_dir}/test.sqlite"

from sozialplanung import create_app  # noqa: E402
from sozialplanung.extensions import db, limiter  # noqa: E402
from sozialplanung.notifications.models import OutboxMail  # noqa: E402

from .factories import make_user  # noqa: E402,F401  (re-exported for tests)

# Rows the migrations seed; restored after every test instead of deleted.
REFERENCE_TABLES = ("organisations", "site_pages")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    os.environ.setdefault("INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    app = create_app("testing")
    with app.app_context():
        _reset_schema()
        upgrade()
        snapshot = {name: [dict(row._mapping) for row in db.session.execute(
            select(db.metadata.tables[name]))] for name in REFERENCE_TABLES}
        db.session.commit()
        app.extensions["test_reference_rows"] = snapshot
        # Tests keep one app context open, so `g` outlives a request; a real request starts
        # with an empty `g`. Without this, a second client in a test would inherit the first
        # client's signed-in user (Flask-Login caches it in g) and per-request caches.
        app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
        yield app
        db.session.remove()


def _fresh_request_globals():
    for name in list(g):
        if name != "request_id":
            g.pop(name)


def _reset_schema():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(autouse=True)
def _clean_database(app):
    yield
    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(delete(table))
        for name, rows in app.extensions["test_reference_rows"].items():
            if rows:
                conn.execute(insert(db.metadata.tables[name]), rows)
    limiter.reset()
    app.extensions.pop("mail_memory", None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_client(app):
    """A client for an app config with CSRF protection switched on."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield app.test_client()
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def login(client, user, password="Geheimes-Passwort-1", remember=False):
    response = client.post("/anmelden", data={"email": user.email, "password": password,
                                              "remember": "y" if remember else ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def outbox(to=None):
    stmt = select(OutboxMail).order_by(OutboxMail.id)
    if to:
        stmt = stmt.where(OutboxMail.to_address == to)
    return db.session.scalars(stmt).all()


def link_from_mail(mail, prefix):
    """The path of the first link in a mail that starts with `prefix` (e.g. '/einladung/')."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]+)", mail.body_text)
    assert match, f"no link {prefix} in: {mail.body_text}"
    return match.group(1)
