"""Fixtures for the admin area: a signed-in admin and a look into the audit log."""
import pytest
from sqlalchemy import select

from sozialplanung.admin.models import AuditLog
from sozialplanung.extensions import db
from sozialplanung.timeutil import utcnow

from ..conftest import login
from ..factories import make_user


@pytest.fixture
def admin():
    return make_user(role="admin", display_name="Dr. Katrin Vogel")


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client


def audit_codes(exclude=("login",)):
    """Audit actions in the order they were written (sign-ins left out)."""
    return [a for a in db.session.scalars(select(AuditLog.action).order_by(AuditLog.id))
            if a not in exclude]


def reload(obj):
    db.session.refresh(obj)
    return obj


def make_pending(confirmed=True, **fields):
    """A self-registration waiting for approval, with or without a confirmed address."""
    user = make_user(status="pending", **fields)
    if confirmed:
        user.email_confirmed_at = utcnow()
        db.session.commit()
    return user
