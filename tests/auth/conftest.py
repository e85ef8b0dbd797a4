"""Clients for the sign-in tests: one isolated browser each (see support.IsolatedClient)."""
import pytest
from flask import g

from .support import new_client


@pytest.fixture(autouse=True)
def _empty_g(app):
    """Start and leave each test with an empty `g`, so no request's user reaches another test."""
    vars(g._get_current_object()).clear()
    yield
    vars(g._get_current_object()).clear()


@pytest.fixture
def client(app):
    return new_client(app)


@pytest.fixture
def other_client(app):
    """A second browser, e.g. the member's other device."""
    return new_client(app)


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield new_client(app)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
