"""Persona × action table for the document rules."""
import pytest

from sozialplanung.documents.models import Document
from sozialplanung.extensions import db
from sozialplanung.policy import can, visible_documents_clause

from .conftest import add_document, fresh_g

PERSONAS = ["member", "moderator", "outsider", "site_moderator", "editor", "admin"]
# (action, target) -> personas allowed
TABLE = {
    ("view_library", "closed"): {"member", "moderator", "site_moderator", "admin"},
    ("view_library", "open"): set(PERSONAS),
    ("view_library", "platform"): set(PERSONAS),
    ("upload_document", "closed"): {"member", "moderator", "site_moderator", "admin"},
    ("upload_document", "open"): {"member", "moderator", "site_moderator", "admin"},
    ("upload_document", "platform"): {"editor", "admin"},
    ("view_document", "closed_doc"): {"member", "moderator", "site_moderator", "admin"},
    ("view_document", "platform_doc"): set(PERSONAS),
    ("edit_document", "closed_doc"): {"member", "moderator", "site_moderator", "admin"},
    ("edit_document", "open_doc_of_other"): {"moderator", "site_moderator", "admin"},
    ("edit_document", "platform_doc"): {"editor", "admin"},
    ("delete_document", "closed_doc"): {"member", "moderator", "site_moderator", "admin"},
    ("delete_document", "open_doc_of_other"): {"moderator", "site_moderator", "admin"},
    ("delete_document", "platform_doc"): {"editor", "admin"},
    ("delete_document", "archived_doc"): {"admin"},
    ("edit_document", "archived_doc"): set(),
    ("view_document", "deleted_doc"): set(),
}


@pytest.fixture
def targets(app, people, open_group, closed_group):
    from ..factories import make_group

    archived = make_group(members=[people["member"]], moderators=[people["moderator"]])
    found = {
        "closed": closed_group, "open": open_group, "platform": None,
        "closed_doc": add_document(people["member"], closed_group),
        "open_doc_of_other": add_document(people["other"], open_group),
        "platform_doc": add_document(people["editor"], None),
        "archived_doc": add_document(people["member"], archived),
        "deleted_doc": add_document(people["member"], open_group),
    }
    archived.is_archived = True
    found["deleted_doc"].is_deleted = True
    db.session.commit()
    return found


@pytest.mark.parametrize("action, target", list(TABLE), ids=[f"{a}-{t}" for a, t in TABLE])
def test_document_rules(app, people, targets, action, target):
    allowed = set()
    for name in PERSONAS:
        fresh_g()
        if can(people[name], action, targets[target]):
            allowed.add(name)
    assert allowed == TABLE[(action, target)]


def test_anonymous_visitors_may_do_nothing(app, targets):
    from flask_login import AnonymousUserMixin

    anonymous = AnonymousUserMixin()
    for action, target in TABLE:
        assert not can(anonymous, action, targets[target])


def test_visible_documents_clause_matches_the_rules(app, people, targets):
    """The clause for lists and search agrees with view_document, document by document."""
    documents = db.session.query(Document).all()
    for name in PERSONAS:
        fresh_g()
        visible = {d.id for d in db.session.query(Document).filter(
            visible_documents_clause(people[name]))}
        assert visible == {d.id for d in documents if can(people[name], "view_document", d)}, name
