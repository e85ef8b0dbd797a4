"""Fixtures for documents: a fresh storage directory per test, personas, groups, uploads."""
import io
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from sozialplanung.documents.models import Document, DocumentVersion, PostAttachment
from sozialplanung.extensions import db

from ..conftest import login
from ..factories import make_group, make_user
from . import samples


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path):
    """Every test gets its own empty storage (blobs and staging) and the default limits."""
    saved = {k: app.config[k] for k in ("DOCUMENT_STORAGE", "DOCUMENT_STORAGE_PATH",
                                        "DOCUMENT_MAX_BYTES", "MAX_CONTENT_LENGTH",
                                        "DOCUMENT_EXTRACT_TIMEOUT", "DOCUMENT_EXTRACT_TEXT")}
    app.config["DOCUMENT_STORAGE"] = "local"
    # A child process per upload costs time; tests about extraction switch it on.
    app.config["DOCUMENT_EXTRACT_TEXT"] = False
    app.config["DOCUMENT_STORAGE_PATH"] = str(tmp_path / "documents")
    yield tmp_path / "documents"
    app.config.update(saved)


@pytest.fixture
def with_extraction(app):
    app.config["DOCUMENT_EXTRACT_TEXT"] = True


@pytest.fixture
def people():
    return {
        "member": make_user(display_name="Anna Meier"),
        "other": make_user(display_name="Bernd Schulz"),
        "moderator": make_user(display_name="Carla Roth"),
        "outsider": make_user(display_name="Dieter Lang"),
        "site_moderator": make_user(role="moderator", display_name="Eva Site"),
        "editor": make_user(role="editor", display_name="Frieda Institut"),
        "admin": make_user(role="admin", display_name="Gustav Admin"),
    }


@pytest.fixture
def closed_group(people):
    return make_group(name="Arbeitskreis Jugendhilfeplanung", closed=True,
                      members=[people["member"], people["other"]],
                      moderators=[people["moderator"]])


@pytest.fixture
def open_group(people):
    return make_group(name="Arbeitskreis Demografie", members=[people["member"], people["other"]],
                      moderators=[people["moderator"]])


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.post("/abmelden")
        login(client, user)
        return client
    return sign_in


class FakeUpload:
    """What a view hands to the services: a name and a stream (like werkzeug's FileStorage)."""

    def __init__(self, filename, data):
        self.filename = filename
        self.stream = io.BytesIO(data) if isinstance(data, bytes) else data


def upload_url(group=None):
    return f"/arbeitskreise/{group.slug}/dokumente/hochladen" if group else "/dokumente/hochladen"


def post_upload(client, group, filename, data, **fields):
    form = {"file": (io.BytesIO(data), filename), "title": "", "description": "",
            "category": "bericht", "tags": ""}
    form.update(fields)
    return client.post(upload_url(group), data=form, content_type="multipart/form-data")


def add_document(actor, group, filename="Sozialbericht.pdf", data=None, **fields):
    from flask import current_app

    from sozialplanung.documents import services

    with current_app.test_request_context():
        fresh_g()
        return services.upload_document(actor, group,
                                        FakeUpload(filename, data or samples.pdf()), **fields)


def fresh_g():
    """Services called outside a real request share the test session's `g`: drop its caches
    (policy.memberships_of), as a new request would."""
    from flask import g

    for name in list(g):
        if name != "request_id":
            g.pop(name)


def counts():
    """(documents, versions, attachments) rows."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Document, DocumentVersion, PostAttachment))


def stored_files(root):
    """Blobs and staging files on disk."""
    blobs = sorted(p.name for p in (root / "blobs").glob("??/??/*")) if root.exists() else []
    staging = sorted(p.name for p in (root / "tmp").iterdir()) if (root / "tmp").exists() else []
    return blobs, staging


@contextmanager
def count_queries():
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
